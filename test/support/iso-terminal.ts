// A small test terminal for the mock ISO 8583 hosts: real TCP, messages built and framed with our
// codec, responses read with FrameStreamDecoder. It knows nothing about a host but what the host
// version's data says (rules, keys, MAC, dialect), so the same helpers serve every version.

import { type Socket, connect as tcpConnect } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import type { HostVersion, TestCard } from '../../src/mocks/hosts/host-loader.js';
import type { KeySet } from '../../src/mocks/hosts/host-schema.js';
import { pinBlockIso0 } from '../../src/mocks/iso-host/pin-block.js';
import {
  type Dialect,
  desEncryptBlock,
  encodeFrame,
  type FieldValue,
  type Frame,
  FrameStreamDecoder,
  type FramingSpec,
  getField,
  type IsoMessage,
  keyCheckValue,
  type Subfields,
  signMessage,
  type TlvItem,
  type Tpdu,
  tdesDecryptEcb,
  tdesEncryptEcb,
  verifyMessageMac,
} from '../../src/protocols/iso8583/index.js';

/** One frame the terminal read. */
export interface Received {
  /** The frame as it came off the wire, length prefix included. */
  bytes: Buffer;
  frame: Frame;
  /** undefined when the body does not decode (a garbled answer); decodeError says why. */
  message?: IsoMessage;
  decodeError?: Error;
  /** ms since the last write on this connection. */
  afterMs: number;
}

/** Why no frame came: the wait timed out, or the host ended the connection. */
export class NoFrame extends Error {
  constructor(
    readonly reason: 'timeout' | 'closed',
    detail: string,
  ) {
    super(`no frame: ${reason} (${detail})`);
  }
}

/** One TCP connection to a host, reading whole frames. */
export class IsoConnection {
  readonly #decoder: FrameStreamDecoder;
  readonly #frames: Received[] = [];
  #wake: (() => void) | undefined;
  #sentAt = performance.now();
  #closed: Promise<void>;
  /** Bytes after the last whole frame (e.g. a truncated answer). */
  get pendingBytes(): number {
    return this.#decoder.pending;
  }
  /** Every byte received so far, and in how many reads. */
  received = 0;
  chunks = 0;
  ended = false;
  closed = false;
  error: NodeJS.ErrnoException | undefined;
  frameError: Error | undefined;
  closedAfterMs: number | undefined;

  private constructor(
    readonly socket: Socket,
    private readonly framing: FramingSpec,
    private readonly dialect: Dialect,
  ) {
    this.#decoder = new FrameStreamDecoder(framing);
    socket.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      this.chunks++;
      try {
        for (const frame of this.#decoder.push(chunk)) this.#frames.push(this.#decode(frame));
      } catch (err) {
        this.frameError = err as Error;
      }
      this.#wake?.();
    });
    socket.on('end', () => {
      this.ended = true;
    });
    socket.on('error', (err) => {
      this.error = err;
    });
    this.#closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        this.closedAfterMs = performance.now() - this.#sentAt;
        this.#wake?.();
        resolve();
      }),
    );
  }

  /** Connects; rejects with the socket error (ECONNREFUSED …) when the host is not there. */
  static open(
    port: number,
    framing: FramingSpec,
    dialect: Dialect,
    host = '127.0.0.1',
    /** ISO 8583 inside TLS, with these options (e.g. `ca`: the host's test certificate). */
    tls?: ConnectionOptions,
  ): Promise<IsoConnection> {
    return new Promise((resolve, reject) => {
      const socket = tls ? tlsConnect({ port, host, ...tls }) : tcpConnect(port, host);
      socket.setNoDelay(true);
      const conn = new IsoConnection(socket, framing, dialect);
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        socket.off('error', reject);
        resolve(conn);
      });
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.#sentAt = performance.now();
    this.socket.write(bytes);
  }

  /** The next whole frame; NoFrame on timeout or when the connection ends first. */
  async next(timeoutMs = 3000): Promise<Received> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const frame = this.#frames.shift();
      if (frame) return frame;
      if (this.closed)
        throw new NoFrame('closed', this.error?.code ?? (this.ended ? 'end of stream' : 'closed'));
      const left = deadline - performance.now();
      if (left <= 0) throw new NoFrame('timeout', `${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        this.#wake = done;
        function done() {
          clearTimeout(timer);
          resolve();
        }
      });
      this.#wake = undefined;
    }
  }

  /** Resolves true once the host closed the connection, false if it is still open after timeoutMs. */
  async waitClosed(timeoutMs = 3000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const result = await Promise.race([this.#closed.then(() => true), timeout]);
    clearTimeout(timer);
    return result;
  }

  close(): void {
    this.socket.destroy();
  }

  #decode(frame: Frame): Received {
    const afterMs = performance.now() - this.#sentAt;
    const bytes = encodeFrame(this.framing, frame);
    try {
      return { bytes, frame, message: this.dialect.unpack(frame.body), afterMs };
    } catch (err) {
      return { bytes, frame, decodeError: err as Error, afterMs };
    }
  }
}

export interface TerminalOptions {
  terminalId: string;
  merchantId?: string;
  /** The terminal's clock (dates in DE7/12/13). */
  now: Date;
  /** First STAN (default 1). */
  stan?: number;
  /** CUP-style batch number (default 000001). */
  batch?: string;
  /** TPDU and header sent by dialects whose framing has them (defaults: CUP-style values). */
  tpdu?: Tpdu;
  header?: string;
}

/** A card as the terminal reads it. */
export interface CardRead {
  card: TestCard;
  /** chip (default for chip cards), swipe, or manual. */
  entry?: 'chip' | 'swipe' | 'manual';
  /** The PIN the cardholder types: a PIN block goes into the version's PIN element. */
  pin?: string;
}

export interface BuildOptions {
  read?: CardRead;
  /** true: MAC it even if not required; false: never; default: when the version requires it. */
  sign?: boolean;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * A terminal configured for one host version. build() turns the fields a test cares about into a
 * realistic request: every other field the version's rule makes mandatory (conditional ones too)
 * gets a plausible value, and the MAC is added when the version requires it.
 */
export class TestTerminal {
  readonly dialect: Dialect;
  readonly framing: FramingSpec;
  readonly terminalId: string;
  readonly merchantId: string;
  now: Date;
  stan: number;
  batch: string;
  /** Static keys of the version, with the working keys of the last sign-on over them. */
  keys: KeySet;
  readonly tpdu: Tpdu | undefined;
  readonly header: string | undefined;

  constructor(
    readonly version: HostVersion,
    options: TerminalOptions,
  ) {
    this.dialect = version.dialect;
    if (!version.framing) throw new Error(`${version.ref} has no framing`);
    this.framing = version.framing;
    this.terminalId = options.terminalId;
    this.merchantId = options.merchantId ?? '123456789012345';
    this.now = options.now;
    this.stan = options.stan ?? 1;
    this.batch = options.batch ?? '000001';
    this.keys = { ...version.keysFor(options.terminalId) };
    this.tpdu = this.framing.tpdu
      ? (options.tpdu ?? { id: 0x60, destination: '0003', source: '0000' })
      : undefined;
    this.header = this.framing.headerLength
      ? (options.header ?? '613100311001').slice(0, this.framing.headerLength * 2)
      : undefined;
  }

  nextStan(): string {
    const s = String(this.stan).padStart(6, '0');
    this.stan = (this.stan % 999999) + 1;
    return s;
  }

  /** The request `mti` with `fields`, completed from the version's rules, MAC'd when required. */
  build(mti: string, fields: Record<string, FieldValue>, options: BuildOptions = {}): IsoMessage {
    const msg: IsoMessage = { mti, fields: { ...fields } };
    if (msg.fields['11'] === undefined) msg.fields['11'] = this.nextStan();
    const read = options.read;
    if (read?.pin !== undefined && msg.fields['52'] === undefined && this.version.spec.pin) {
      msg.fields[this.version.spec.pin.field] = this.pinBlock(read.pin, read.card.pan);
    }
    // Conditional rules depend on fields we fill (DE22), so fill until nothing is missing.
    for (let round = 0; round < 4; round++) {
      const rule = this.version.ruleFor(msg);
      if (!rule) break;
      const missing = [...rule.mandatory, ...rule.conditional.flatMap((c) => c.mandatory ?? [])].filter(
        (p) => getField(msg, p) === undefined,
      );
      if (missing.length === 0) break;
      for (const path of missing) this.#fill(msg, path.split('.')[0]!, read);
    }
    const rule = this.version.ruleFor(msg);
    const sign = options.sign ?? rule?.macRequired ?? false;
    return sign ? this.sign(msg) : msg;
  }

  /** MACs a message with the version's algorithm and this terminal's MAC key. */
  sign(msg: IsoMessage): IsoMessage {
    const mac = this.version.spec.mac;
    if (!mac) throw new Error(`${this.version.ref} has no MAC`);
    const key = this.keys[mac.key];
    if (!key) throw new Error(`no ${mac.key} for ${this.terminalId}`);
    return signMessage(this.#macView(msg), msg, Buffer.from(key, 'hex'));
  }

  // ISO 8583 puts the MAC last: DE64, or DE128 when the message uses the secondary bitmap.
  #macView(msg: IsoMessage): Dialect {
    const mac = this.version.spec.mac!;
    const secondary = Object.keys(msg.fields).some((id) => Number(id) > 64 && Number(id) !== 128);
    const field = secondary && this.dialect.field(128) ? 128 : Number(mac.field);
    return { ...this.dialect, mac: { field, algorithm: mac.algorithm } };
  }

  /** True when the response's MAC verifies under this terminal's MAC key. */
  verifyMac(received: Received): boolean {
    const mac = this.version.spec.mac;
    const key = mac && this.keys[mac.key];
    if (!mac || !key) throw new Error('no MAC key');
    if (!received.message) return false;
    return verifyMessageMac(this.#macView(received.message), received.frame.body, Buffer.from(key, 'hex'));
  }

  /** An ISO 9564 format-0 PIN block, encrypted under the version's PIN key (TPK or the downloaded PIK). */
  pinBlock(pin: string, pan: string): string {
    const role = this.version.spec.pin?.key;
    const hex = role && this.keys[role];
    if (!hex) throw new Error(`no PIN key for ${this.terminalId}`);
    const key = Buffer.from(hex, 'hex');
    const clear = pinBlockIso0(pin, pan);
    const block = key.length === 8 ? desEncryptBlock(key, clear) : tdesEncryptEcb(key, clear);
    return block.toString('hex').toUpperCase();
  }

  /**
   * Takes the working keys of a sign-on response (CUP-style download): each key decrypted with the
   * TMK and checked against the check value the host sent after it. Throws on a wrong check value.
   */
  adoptKeys(response: IsoMessage): Record<string, { key: string; kcv: string }> {
    const download = this.version.spec.keys?.download;
    if (!download) throw new Error(`${this.version.ref} downloads no keys`);
    const block = Buffer.from(String(getField(response, download.field) ?? ''), 'hex');
    const tmk = Buffer.from(this.keys.tmk ?? '', 'hex');
    const out: Record<string, { key: string; kcv: string }> = {};
    // Each entry: the wrapped key, then its check value.
    const size = block.length / download.order.length - download.checkValueBytes;
    let at = 0;
    for (const role of download.order) {
      const wrapped = block.subarray(at, at + size);
      const kcv = block.subarray(at + size, at + size + download.checkValueBytes);
      at += size + download.checkValueBytes;
      if (wrapped.length !== size) throw new Error(`DE${download.field} too short for ${role}`);
      const key = tdesDecryptEcb(tmk.length === 8 ? Buffer.concat([tmk, tmk]) : tmk, wrapped);
      if (!keyCheckValue(key, download.checkValueBytes).equals(kcv)) {
        throw new Error(`${role}: check value ${kcv.toString('hex')} does not match the decrypted key`);
      }
      const hex = key.toString('hex').toUpperCase();
      this.keys = { ...this.keys, [role]: hex };
      out[role] = { key: hex, kcv: kcv.toString('hex').toUpperCase() };
    }
    return out;
  }

  /** The framed bytes of a request, with this terminal's TPDU and header when the framing has them. */
  frame(msg: IsoMessage): Buffer {
    return this.dialect.packFrame({
      ...(this.tpdu && { tpdu: this.tpdu }),
      ...(this.header && { header: this.header }),
      message: msg,
    });
  }

  connect(port: number, tls?: ConnectionOptions): Promise<IsoConnection> {
    return IsoConnection.open(port, this.framing, this.dialect, '127.0.0.1', tls);
  }

  /** Sends one request and returns the decoded answer (throws NoFrame, or when it does not decode). */
  async exchange(conn: IsoConnection, msg: IsoMessage, timeoutMs = 3000): Promise<IsoMessage> {
    conn.write(this.frame(msg));
    const got = await conn.next(timeoutMs);
    if (!got.message) throw got.decodeError;
    return got.message;
  }

  // Realistic values by data element; the dialect's own format decides between 1987 and 1993 forms.
  #fill(msg: IsoMessage, id: string, read: CardRead | undefined): void {
    const spec = this.dialect.field(Number(id));
    if (!spec) throw new Error(`DE${id} is not in ${this.dialect.id}`);
    const t = this.now;
    const yy = pad2(t.getUTCFullYear() % 100);
    const mmdd = pad2(t.getUTCMonth() + 1) + pad2(t.getUTCDate());
    const hhmmss = pad2(t.getUTCHours()) + pad2(t.getUTCMinutes()) + pad2(t.getUTCSeconds());
    const card = read?.card;
    const needCard = () => {
      if (!card) throw new Error(`DE${id} needs a card: pass read`);
      return card;
    };
    const binaryPrefix = spec.enc.startsWith('bcd');
    let value: FieldValue;
    switch (id) {
      case '2':
        value = needCard().pan;
        break;
      case '3':
        value = '000000';
        break;
      case '4':
        value = '000000001000';
        break;
      case '7':
        value = mmdd + hhmmss;
        break;
      case '12':
        value = spec.length === 12 ? yy + mmdd + hhmmss : hhmmss;
        break;
      case '13':
        value = spec.date === 'YYMM' ? yy + mmdd.slice(0, 2) : mmdd;
        break;
      case '14':
        value = needCard().expiry;
        break;
      case '22':
        value = this.#entryMode(msg, read, spec.length);
        break;
      case '23':
        value = '001';
        break;
      case '25':
        value = spec.length === 4 ? '4021' : '00';
        break;
      case '28':
        value = yy + mmdd;
        break;
      case '35': {
        const c = needCard();
        value = `${c.pan}${binaryPrefix ? 'D' : '='}${c.expiry}${c.serviceCode}0000000000`.slice(0, 37);
        break;
      }
      case '38':
        value = 'Y12345';
        break;
      case '41':
        value = this.terminalId;
        break;
      case '42':
        value = this.merchantId;
        break;
      case '49':
        value = card?.currency ?? '840';
        break;
      case '52':
        value = this.pinBlock(read?.pin ?? needCard().pin, needCard().pan);
        break;
      case '53':
        value = '2600000000000000';
        break;
      case '55':
        value = this.#iccData(msg, card);
        break;
      case '60':
        value = { 1: '00', 2: this.batch, 3: '000' } satisfies Subfields;
        break;
      case '63':
        value = '001';
        break;
      default:
        throw new Error(`${this.version.ref} ${msg.mti} needs DE${id}: give it`);
    }
    msg.fields[id] = value;
  }

  #entryMode(msg: IsoMessage, read: CardRead | undefined, length: number): string {
    const entry = read?.entry ?? (read?.card.technology === 'magstripe' ? 'swipe' : read ? 'chip' : 'manual');
    const pin = getField(msg, this.version.spec.pin?.field ?? '52') !== undefined;
    if (length === 12) {
      // 1993 POS data code: position 7 is the card data input mode (5 chip, 2 stripe, 6 keyed).
      const mode = { chip: '5', swipe: '2', manual: '6' }[entry];
      return `51010${pin ? '1' : '0'}${mode}10134`;
    }
    const pan = { chip: '05', swipe: '02', manual: '01' }[entry];
    return `${pan}${pin ? '1' : '2'}`;
  }

  #iccData(msg: IsoMessage, card: TestCard | undefined): TlvItem[] {
    const amount = String(getField(msg, '4') ?? '000000000000');
    const t = this.now;
    const date = pad2(t.getUTCFullYear() % 100) + pad2(t.getUTCMonth() + 1) + pad2(t.getUTCDate());
    return [
      { tag: '9F26', value: '46FD62985CAAE758' },
      { tag: '9F27', value: '80' },
      { tag: '9F10', value: '07011703A00000010A010000050000' },
      { tag: '9F37', value: '9536C9B8' },
      { tag: '9F36', value: '0C66' },
      { tag: '95', value: '0000000000' },
      { tag: '9A', value: date },
      { tag: '9C', value: '00' },
      { tag: '9F02', value: amount.padStart(12, '0') },
      { tag: '5F2A', value: `0${card?.currency ?? '840'}` },
      { tag: '82', value: '7C00' },
    ];
  }
}

import { Buffer } from 'node:buffer';
import { createServer, type Server, type Socket } from 'node:net';
// Imported: Node's global `performance` is a getter, called on every use.
import { performance } from 'node:perf_hooks';
import {
  encodeFrame,
  type Frame,
  type FramedMessage,
  FrameStreamDecoder,
  frameOverhead,
  Iso8583Error,
  type IsoMessage,
  macFieldOf,
  replyTpdu,
  signMessage,
  type Tpdu,
} from '../../protocols/iso8583/index.js';
import { writeOrHold } from '../backpressure.js';
import { destroySockets } from '../close-sockets.js';
import { Delays } from '../delays.js';
import { type Exchange, type RecordedMessage, TERMINAL_GONE, type Violation } from '../exchange.js';
import { type IsoExchangePlan, IsoFaultSet, type IsoResponseCodec } from '../faults/index.js';
import {
  type CardBook,
  type HostRegistry,
  type HostVersion,
  workspaceCards,
  workspaceHosts,
} from '../hosts/host-loader.js';
import type { Outcome } from '../hosts/host-schema.js';
import { Journal } from '../journal.js';
import { listenAgain } from '../listen-again.js';
import type { TlsCredentials } from '../test-certificate.js';
import { TurnBatch } from '../turn-batch.js';
import { type Wire, WireArena } from '../wire-arena.js';
import { acceptTls, hostTls, looksLikeTlsHello } from './host-tls.js';
import { Ledger, type LedgerEntry } from './ledger.js';
import { type HostContext, processRequest, respond } from './processor.js';
import { lazyRecorded, recorded } from './record.js';
import { wallClock } from './wall-clock.js';

export interface StartIsoHostOptions {
  /** `host@version`, e.g. `harbor-bank@2025.1`, or a loaded version. */
  host: string | HostVersion;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: a mock bank never listens on the network unless told to. */
  bind?: string;
  /** Fault specs active from the start (see docs/faults.md). */
  faults?: unknown[];
  seed?: number;
  /** Multiplies every duration the host applies (0.01: a 30 s delay takes 300 ms). Default 1. */
  timeScale?: number;
  /** Share one ledger between a primary and its backup. */
  ledger?: Ledger;
  /**
   * Keys the duplicate window remembers at most when the host makes its own ledger (default
   * 250,000); past it the oldest are forgotten early and counted (see DuplicateWindow).
   */
  duplicateKeys?: number;
  /** Where hosts and cards come from when `host` is a string (default: built-in + current dir). */
  registry?: HostRegistry;
  cards?: CardBook;
  /** Clock for dates in answers and expiry checks (tests pin it). */
  now?: () => Date;
  /**
   * Exchanges the journal keeps (oldest dropped first; default 10,000). Each holds its frames and
   * decodes them when read; a long soak with a huge journal still spends time in garbage collection.
   */
  journalLimit?: number;
  /** Bytes of frames the journal keeps (oldest dropped first; default 32 MiB, JOURNAL_BYTES). */
  journalBytes?: number;
  /** Name in the journal, e.g. `primary` / `backup`. */
  label?: string;
  /**
   * ISO 8583 inside TLS: true (a generated test certificate, see `certificate`), a key and
   * certificate of your own, or false (plain TCP). Default: as the version says (its `tls`).
   */
  tls?: boolean | TlsCredentials;
}

const KNOWN_FIELDS = { knownFields: true } as const;

/** One request on its way to an answer. */
interface InFlight {
  socket: Socket;
  id: number;
  frame: Frame;
  mti: string;
  /** The request as the journal shows it: its body's bytes (decoded when read) … */
  wire?: Wire;
  size: number;
  kind?: string;
  tpdu?: Tpdu;
  header?: string;
  /** … or, for a request that did not decode, the record made of what did. */
  record?: RecordedMessage;
  booked?: LedgerEntry;
  /** The decision's reasons (Exchange.notes). */
  notes?: string[];
  plan: IsoExchangePlan;
  at: number;
}

/**
 * An answered exchange as the journal keeps it until read: primitives and the two messages' wire
 * text, one object (closures per entry, each with its context, cost more to keep than this).
 */
interface Answered {
  connection: number;
  at: number;
  record: InFlight['record'];
  wire: Wire | undefined;
  size: number;
  kind: string | undefined;
  tpdu: Tpdu | undefined;
  header: string | undefined;
  responseWire: Wire;
  responseSize: number;
  event: Exchange['event'] | undefined;
  durationMs: number | undefined;
  notes: string[] | undefined;
  violations: Violation[];
  faults: string[];
}

/** The empty write whose callback tells when the answers queued before it have left. */
const NOTHING = Buffer.alloc(0);

// Most exchanges break no rule and fire no fault: their entries share these (frozen: never written to).
const NO_VIOLATIONS = Object.freeze([]) as unknown as Violation[];
const NO_FAULTS = Object.freeze([]) as unknown as string[];

/** What a fault's scope matches a request by: its MTI and processing code. */
function faultTarget(request: IsoMessage): { mti: string; processingCode?: string } {
  const target: { mti: string; processingCode?: string } = { mti: request.mti };
  const pc = request.fields['3'];
  if (typeof pc === 'string') target.processingCode = pc;
  return target;
}

/** A running mock acquirer host. */
export interface IsoHost {
  readonly ref: string;
  readonly version: HostVersion;
  readonly address: { host: string; port: number };
  readonly journal: Journal;
  readonly faults: IsoFaultSet;
  readonly ledger: Ledger;
  /** A host that speaks TLS: its certificate (PEM), which a terminal trusts as its CA. */
  readonly certificate?: string;
  /**
   * A host that requires client certificates (mutual TLS): a TEST certificate and key (PEM) its
   * terminal CA issued, for a terminal to present. It is key material: never log it.
   */
  readonly terminalCertificate?: TlsCredentials;
  /** Forgets every transaction, terminal and exchange (faults stay). */
  reset(): void;
  close(): Promise<void>;
}

export async function startIsoHost(options: StartIsoHostOptions): Promise<IsoHost> {
  const version =
    typeof options.host === 'string'
      ? (options.registry ?? workspaceHosts()).get(options.host)
      : options.host;
  const framing = version.framing;
  const overhead = framing ? frameOverhead(framing) : 0;
  if (!framing || framing.length === 'none')
    throw new Error(`${version.ref}: its dialect has no TCP framing`);
  const dialect = version.dialect;
  const timeScale = options.timeScale ?? 1;
  const tls = await hostTls(version, options.tls);
  const ledger =
    options.ledger ??
    new Ledger(options.duplicateKeys !== undefined ? { duplicateKeys: options.duplicateKeys } : {});
  const journal = new Journal(options.journalLimit ?? 10_000, options.journalBytes);
  const faults = new IsoFaultSet(options.faults ?? [], { seed: options.seed ?? 0, timeScale });
  const ctx: HostContext = {
    version,
    cards: options.cards ?? workspaceCards(),
    ledger,
    now: options.now ?? wallClock(),
    timeScale,
    elapsedMs: () => performance.now(),
  };
  // Messages kept as wire bytes (journal, ledger) are decoded leniently: they were valid once.
  const decode = (bytes: Buffer): IsoMessage => dialect.unpack(bytes, { strict: false });
  const wires = new WireArena();
  const label = options.label ? ` (${options.label})` : '';
  const hostName = `${version.ref}${label}`;
  const sockets = new Set<Socket>();
  const delays = new Delays();
  const pending = new Set<Promise<void>>();
  let connections = 0;
  const idleMs = version.spec.timeouts.idleSeconds * 1000 * timeScale;
  const incompleteMs = version.spec.timeouts.incompleteFrameMs * timeScale;
  const macBase = version.spec.mac ? Number(version.spec.mac.field) : dialect.mac?.field;

  // Answers ready in one turn of the event loop leave together at its end (see TurnBatch). Order
  // per socket is kept; a terminal that does not read its answers is not read from (writeOrHold).
  // Each is journaled as it is written, except one queued behind a backlog of answers the terminal
  // has not read (past the socket's high-water mark): journaled when node's queue has passed it on,
  // or as unsent should the connection close first (a terminal that stopped reading, then left).
  const outbox = new TurnBatch<[Socket, Buffer, Answered]>(
    ([socket, bytes, answered]) => {
      if (socket.destroyed) return record(answered, TERMINAL_GONE);
      writeOrHold(socket, bytes);
      if (!socket.writableNeedDrain) return left(answered);
      // An empty write's callback says when everything before it has left, or that it never will.
      socket.write(NOTHING, (err) => (err ? record(answered, heldBack()) : left(answered)));
    },
    ([socket, , answered]) => {
      socket.destroy(); // a write that throws leaves nothing to save on that connection
      record(answered, TERMINAL_GONE);
    },
  );
  const flush = outbox.flush;
  const heldBack = (): NonNullable<Exchange['event']> => ({
    kind: 'unsent',
    detail: `${delays.stopped ? 'the host stopped before the answer left it' : 'the connection closed before the answer left the host'} (it waited behind answers the terminal had not read)`,
  });

  /** Closes a connection after what was already answered on it has been written. */
  function closeSocket(socket: Socket): void {
    flush();
    socket.destroy();
  }

  /** `bytes`: the frames the entry holds, counted against the journal's byte bound. */
  function log(
    connection: number,
    entry: Omit<Exchange, 'seq' | 'transport' | 'host' | 'connection' | 'at'>,
    at = Date.now(),
    bytes = 0,
  ) {
    journal.record(
      {
        transport: 'iso8583',
        host: hostName,
        connection,
        at: new Date(at).toISOString(),
        ...entry,
      },
      bytes,
    );
  }

  function onConnection(raw: Socket): void {
    const id = ++connections;
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => {}); // resets and aborted clients are normal for a mock bank
    // Connection faults act on TCP, before any TLS (a host that is down never shakes hands).
    const accepted = faults.accept(raw);
    if (accepted.dropped) {
      log(id, {
        event: { kind: 'refused', detail: accepted.notes.join('; ') || 'host-down' },
        violations: [],
        faults: accepted.fired.map((f) => f.id),
      });
      return;
    }
    const peer = `${raw.remoteAddress}:${raw.remotePort}`;
    if (!tls) {
      serve(raw, id, peer);
      return;
    }
    acceptTls(raw, tls, idleMs, {
      secure: (socket, detail) => {
        // Kept too, so that closing the host waits for its 'close' (the journal's disconnect).
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        serve(socket, id, `${peer} ${detail}`);
      },
      failed: (why, how) => {
        // Only a refusal is the host rejecting the terminal; silence and a hang-up are events.
        const detail = `TLS handshake ${how === 'abandoned' ? 'not completed' : 'failed'}: ${why}`;
        const kind = how === 'refused' ? 'malformed' : how === 'timed-out' ? 'idle-timeout' : 'disconnected';
        log(id, {
          event: { kind, detail },
          violations: how === 'refused' ? [{ path: 'tls', rule: 'tls', message: detail }] : [],
          faults: [],
        });
      },
    });
  }

  /** Serves ISO 8583 on a connection (a TCP socket, or TLS once the handshake is done). */
  function serve(socket: Socket, id: number, peer: string): void {
    log(id, { event: { kind: 'connected', detail: peer }, violations: [], faults: [] });
    const decoder = new FrameStreamDecoder(framing!);
    // The terminal hung up (a FIN or a reset), as opposed to the host closing the connection.
    let hungUp = false;
    socket.once('end', () => {
      hungUp = true;
    });
    socket.once('error', () => {
      hungUp = true;
    });
    socket.on('close', () => {
      // A frame the terminal started and never finished is a malformed message, as one the
      // incomplete-frame timer closes is.
      if (hungUp && decoder.pending > 0) {
        const detail = `the terminal hung up in the middle of a frame (${decoder.pending} bytes of it received)`;
        log(id, {
          event: { kind: 'malformed', detail },
          violations: [{ path: 'frame', rule: 'framing', message: detail }],
          faults: [],
        });
      }
      log(id, { event: { kind: 'disconnected', detail: '' }, violations: [], faults: [] });
    });
    socket.setNoDelay(true);
    // Requests not answered yet: a connection waiting for its answer (a slow issuer) is not idle.
    let inFlight = 0;
    let idleDuringWork = false;
    socket.setTimeout(idleMs);
    socket.on('timeout', () => {
      if (inFlight > 0) {
        idleDuringWork = true; // the timer fired once; re-armed when the work is done
        return;
      }
      log(id, {
        event: { kind: 'idle-timeout', detail: `no traffic for ${version.spec.timeouts.idleSeconds} s` },
        violations: [],
        faults: [],
      });
      closeSocket(socket);
    });
    let chain = Promise.resolve();
    let incomplete: NodeJS.Timeout | undefined;
    socket.on('close', () => clearTimeout(incomplete));

    // A plain host that receives a TLS ClientHello says so, instead of misreading it as a length.
    let first = !tls;
    socket.on('data', (chunk) => {
      if (first) {
        first = false;
        if (looksLikeTlsHello(chunk)) {
          const message = 'the terminal started a TLS handshake: this host speaks plain TCP';
          log(id, {
            event: { kind: 'malformed', detail: message },
            violations: [{ path: 'tls', rule: 'tls', message }],
            faults: [],
          });
          closeSocket(socket);
          return;
        }
      }
      let frames: Frame[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        // The length prefix itself is unusable: nothing after it can be trusted, so close.
        log(id, {
          event: { kind: 'malformed', detail: (err as Error).message },
          violations: [{ path: 'frame', rule: 'framing', message: (err as Error).message }],
          faults: [],
        });
        closeSocket(socket);
        return;
      }
      // The clock runs from the first byte of a frame: trickling bytes (a slow-loris client) do not reset it.
      if (decoder.pending === 0 || frames.length > 0) {
        clearTimeout(incomplete);
        incomplete = undefined;
      }
      // Time scale 0 turns the limit off, as it does the idle timeout: a frame split across two
      // reads is ordinary TCP, not a slow client, and a 0 ms limit would close on it at once.
      if (decoder.pending > 0 && !incomplete && incompleteMs > 0) {
        incomplete = setTimeout(() => {
          const detail = `frame incomplete after ${version.spec.timeouts.incompleteFrameMs} ms`;
          log(id, {
            event: { kind: 'malformed', detail },
            violations: [{ path: 'frame', rule: 'framing', message: detail }],
            faults: [],
          });
          closeSocket(socket);
        }, incompleteMs);
      }
      for (const frame of frames) {
        const at = Date.now();
        // One exchange at a time per connection; when none is running, start at once (no extra
        // microtask hop), which is the usual case for a terminal with one outstanding request.
        if (inFlight > 0) {
          track(chain.then(() => handle(socket, id, frame, at)));
          continue;
        }
        let started: Promise<void> | undefined;
        try {
          started = handle(socket, id, frame, at);
        } catch (err) {
          started = Promise.reject(err); // as an async handler would have
        }
        // Answered in this turn (no delay, no fault): no promise to keep.
        if (started) track(started);
      }
    });

    function track(started: Promise<void>): void {
      inFlight++;
      const job: Promise<void> = started.finally(() => {
        pending.delete(job);
        if (--inFlight === 0 && idleDuringWork && !socket.destroyed) {
          idleDuringWork = false;
          socket.setTimeout(idleMs);
        }
      });
      chain = job;
      pending.add(job);
    }
  }

  /** Answers one frame; a promise only when the answer waits (a delay, a fault, a malformed frame). */
  function handle(socket: Socket, id: number, frame: Frame, at: number): Promise<void> | undefined {
    if (socket.destroyed) {
      unprocessed(id, frame, at);
      return;
    }
    // The request's wire size without re-encoding it; the bytes themselves only if a fault needs them.
    const size = overhead + frame.body.length;
    let framed: FramedMessage;
    try {
      framed = framedRequest(frame, dialect.unpack(frame.body));
    } catch (err) {
      return malformed(socket, id, frame, size, err as Error, at);
    }
    const request = framed.message;
    const target = faultTarget(request);
    const plan = faults.select(target);
    if (plan.requestLost) return lost(socket, id, frame, framed, size, target, plan, at);
    const result = processRequest(ctx, request, frame.body);
    const kind = result.kind;
    // Journal and ledger keep the request as its bytes and decode it when read (see keepWire).
    const wire = wires.keep(frame.body);
    const { tpdu, header } = framed;
    const ex: InFlight = { socket, id, frame, mti: request.mti, wire, size, plan, at };
    if (kind !== undefined) ex.kind = kind;
    if (tpdu) ex.tpdu = tpdu;
    if (header !== undefined) ex.header = header;
    if (result.booked) ex.booked = result.booked;
    if (result.notes) ex.notes = result.notes;
    if (!result.response) {
      const closes = result.outcome === 'close';
      log(
        id,
        {
          request: requestRecord(ex),
          // Unanswered: a lone request in the journal, the connection left open.
          ...(closes && { event: { kind: 'fault', detail: 'host closed the connection' } }),
          ...(ex.notes && { notes: ex.notes }),
          violations: result.violations,
          faults: [],
        },
        at,
        size,
      );
      if (closes) closeSocket(socket);
      return;
    }
    return answer(ex, result.response, result.violations, result.delayMs, result.macKey);
  }

  /**
   * The journal's record of a message kept as its body's bytes, decoded again with the
   * framing it came with. Bytes that decoded once decode again; should a dialect not round-trip
   * its own answer, the entry says so rather than taking the journal down.
   */
  function wireRecord(
    wire: Wire,
    tpdu: Tpdu | undefined,
    header: string | undefined,
    size: number,
    kind?: string,
  ): RecordedMessage {
    try {
      const framed: FramedMessage = { message: decode(wire.bytes()) };
      if (tpdu) framed.tpdu = tpdu;
      if (header !== undefined) framed.header = header;
      return recorded(version, framed, size, kind);
    } catch (err) {
      return { summary: `(${size} bytes that no longer decode: ${(err as Error).message})`, size };
    }
  }

  /** A fault lost the request on its way in: the host never saw it. */
  async function lost(
    socket: Socket,
    id: number,
    frame: Frame,
    framed: FramedMessage,
    size: number,
    target: { mti: string; processingCode?: string },
    plan: IsoExchangePlan,
    at: number,
  ): Promise<void> {
    flush(); // earlier answers on this connection go first
    const report = await plan.run({ socket, request: { ...target, frame: encodeFrame(framing!, frame) } });
    log(
      id,
      {
        request: lazyRecorded(version, framed, size),
        event: {
          kind: 'lost',
          detail: ['request lost before the host saw it', ...report.notes].join('; '),
        },
        violations: [],
        faults: report.fired.map((f) => f.id),
      },
      at,
      size,
    );
  }

  /**
   * A request that waited behind an earlier one on its connection (one exchange at a time), which
   * closed first, or the host stopped: it arrived, and the journal says so, but nothing processed
   * or booked it.
   */
  function unprocessed(id: number, frame: Frame, at: number): void {
    const size = overhead + frame.body.length;
    let request: RecordedMessage;
    try {
      const framed = framedRequest(frame, dialect.unpack(frame.body, { strict: false }));
      request = lazyRecorded(version, framed, size, version.ruleFor(framed.message)?.kind);
    } catch (err) {
      request = { summary: `(${size} bytes that do not decode: ${(err as Error).message})`, size };
    }
    const why = delays.stopped ? 'the host stopped' : 'the connection closed';
    const detail = `${why} before this request was processed (it waited behind an earlier one): nothing booked`;
    log(id, { request, event: { kind: 'lost', detail }, violations: [], faults: [] }, at, size);
  }

  /** Bytes that frame correctly but do not decode: the version answers with its format-error code, or closes. */
  async function malformed(socket: Socket, id: number, frame: Frame, size: number, err: Error, at: number) {
    const violation: Violation = {
      path: err instanceof Iso8583Error ? err.path : '',
      rule: 'format',
      message: err.message,
    };
    const how = version.spec.answers.malformed;
    let request: IsoMessage | undefined;
    try {
      request = dialect.unpack(frame.body, { strict: false });
    } catch {
      // A bad bitmap or a broken field: still answer the message type the terminal sent.
      request = mtiOnly(frame.body);
    }
    if (how === 'close' || !request) {
      log(
        id,
        { event: { kind: 'malformed', detail: err.message }, violations: [violation], faults: [] },
        at,
        size,
      );
      closeSocket(socket);
      return;
    }
    const framed: FramedMessage = { message: request, ...(frame.tpdu && { tpdu: frame.tpdu }) };
    // Never echo the broken element back; if the rest still does not encode, answer the MTI alone.
    const echoable: IsoMessage = { mti: request.mti, fields: { ...request.fields } };
    delete echoable.fields[violation.path.split('.')[0]!];
    let response = respond(ctx, version.ruleFor(request), echoable, how as Outcome, {});
    try {
      dialect.pack(response);
    } catch {
      response = respond(ctx, undefined, { mti: request.mti, fields: {} }, how as Outcome, {});
    }
    const plan = faults.select(faultTarget(request));
    const rec = lazyRecorded(version, framed, size, 'malformed');
    const ex: InFlight = { socket, id, frame, mti: request.mti, size, record: rec, plan, at };
    await answer(ex, response, [violation], version.spec.timeouts.processingDelayMs, undefined);
  }

  /** A request as it came: its message with the frame's TPDU and header (as hex). */
  function framedRequest(
    { tpdu, header }: Pick<Frame, 'tpdu' | 'header'>,
    message: IsoMessage,
  ): FramedMessage {
    const framed: FramedMessage = { message };
    if (tpdu) framed.tpdu = tpdu;
    if (header) framed.header = header.toString('hex').toUpperCase();
    return framed;
  }

  /** The reply's framing around a message: the request's TPDU swapped, its header echoed. */
  function replyFramed({ tpdu, header }: Pick<Frame, 'tpdu' | 'header'>, m: IsoMessage): FramedMessage {
    const framed: FramedMessage = { message: m };
    if (tpdu) framed.tpdu = replyTpdu(tpdu);
    if (header) framed.header = header.toString('hex').toUpperCase();
    return framed;
  }

  function signer(macKey: string): (m: IsoMessage) => IsoMessage {
    return (m) =>
      signMessage(
        dialect,
        m,
        Buffer.from(macKey, 'hex'),
        version.spec.mac?.algorithm,
        Number(version.spec.mac?.field ?? 64),
      );
  }

  /**
   * Signs, encodes and sends the answer. Without a processing delay or a fired fault it all
   * happens in this turn and returns undefined (no promise, timer or closure per message: the hot
   * path under load); otherwise it returns the promise of the delayed or faulted delivery.
   */
  function answer(
    ex: InFlight,
    built: IsoMessage,
    violations: Violation[],
    delayMs: number,
    macKey: string | undefined,
  ): Promise<void> | undefined {
    const { socket, id, frame, at } = ex;
    const sign = macKey ? signer(macKey) : undefined;
    let response: IsoMessage;
    let responseBytes: Buffer;
    try {
      response = sign ? sign(built) : built;
      // Its own answer: every field comes from the dialect (echoed, generated or signed).
      responseBytes = dialect.packFrame(replyFramed(frame, response), KNOWN_FIELDS);
    } catch (err) {
      log(
        id,
        {
          request: requestRecord(ex),
          event: { kind: 'fault', detail: `host could not encode its answer: ${(err as Error).message}` },
          ...(ex.notes && { notes: ex.notes }),
          violations,
          faults: [],
        },
        at,
        ex.size,
      );
      closeSocket(socket);
      return;
    }
    const responseWire = wires.keep(responseBytes, overhead);
    if (ex.booked && ex.wire !== undefined) ex.booked.keepWire(ex.wire, responseWire, decode);
    // The version's processing time and a slow issuer, in host time; close() cuts it short.
    // No timer at all when the scaled delay is zero: even setTimeout(0) costs a millisecond.
    const scaled = delayMs * timeScale;
    if (scaled > 0 || ex.plan.fired.length > 0) {
      return deliverLater(ex, response, responseBytes, responseWire, violations, scaled, sign);
    }
    if (delays.stopped) {
      unanswered(ex, violations);
      return;
    }
    send(socket, responseBytes, answeredOf(ex, responseWire, responseBytes.length, violations, NO_FAULTS));
  }

  /** Sends an answer at the end of this turn, journaled as it leaves; at once when its terminal has gone. */
  function send(socket: Socket, bytes: Buffer, answered: Answered): void {
    if (socket.destroyed) record(answered, TERMINAL_GONE);
    else outbox.add([socket, bytes, answered]);
  }

  /** The answer after the processing delay, through the faults that fired. */
  async function deliverLater(
    ex: InFlight,
    response: IsoMessage,
    responseBytes: Buffer,
    responseWire: Wire,
    violations: Violation[],
    scaled: number,
    sign: ((m: IsoMessage) => IsoMessage) | undefined,
  ): Promise<void> {
    const { socket, frame, plan } = ex;
    if (scaled > 0) await delays.wait(scaled);
    if (delays.stopped) {
      unanswered(ex, violations);
      return;
    }
    if (plan.fired.length === 0) {
      send(socket, responseBytes, answeredOf(ex, responseWire, responseBytes.length, violations, NO_FAULTS));
      return;
    }
    flush(); // earlier answers on this connection go first
    // What message-aware faults (wrong STAN/MTI, bad MAC) need to rewrite the answer.
    const codec: IsoResponseCodec = {
      message: response,
      encode: (m) => dialect.packFrame(replyFramed(frame, m)),
      ...(sign && { sign }),
      // The version's MAC field, else the dialect's (a bad-mac fault adds one the host never signs).
      ...(macBase !== undefined && { macField: String(macFieldOf(dialect, response, macBase)) }),
    };
    const report = await plan.run({
      socket,
      request: { mti: ex.mti, frame: encodeFrame(framing!, frame) },
      response: responseBytes,
      codec,
      framing: framing!,
    });
    const answered = answeredOf(
      ex,
      responseWire,
      responseBytes.length,
      violations,
      report.fired.map((f) => f.id),
    );
    if (report.outcome === 'closed' || report.outcome === 'reset') socket.destroy();
    const sent = report.outcome === 'sent';
    // When the answer did not leave as built, say so: the response below is the one the host built.
    if (!sent || report.notes.length > 0) {
      answered.event = {
        kind: report.outcome === 'reset' ? 'reset' : 'fault',
        detail: [`response ${report.outcome}`, ...report.notes].join('; '),
      };
    }
    if (sent) left(answered);
    else record(answered);
  }

  /**
   * The request arrived and was processed but the host stopped first: the journal keeps it,
   * unanswered (a slow issuer's request still pending when a cell ends is evidence like any other).
   */
  function unanswered(ex: InFlight, violations: Violation[]): void {
    log(
      ex.id,
      {
        request: requestRecord(ex),
        event: { kind: 'unsent', detail: 'the host stopped before its answer was due' },
        ...(ex.notes && { notes: ex.notes }),
        violations,
        faults: [],
      },
      ex.at,
      ex.size,
    );
  }

  /** An answered exchange before its answer leaves: no duration yet, no event unless one is given. */
  function answeredOf(
    ex: InFlight,
    responseWire: Wire,
    responseSize: number,
    violations: Violation[],
    faults: string[],
  ): Answered {
    return {
      connection: ex.id,
      at: ex.at,
      record: ex.record,
      wire: ex.wire,
      size: ex.size,
      kind: ex.kind,
      tpdu: ex.tpdu,
      header: ex.header,
      responseWire,
      responseSize,
      event: undefined,
      durationMs: undefined,
      notes: ex.notes,
      violations: violations.length > 0 ? violations : NO_VIOLATIONS,
      faults: faults.length > 0 ? faults : NO_FAULTS,
    };
  }

  /** Journals an answer that has left the host: its duration runs from the request's arrival to now. */
  function left(answered: Answered): void {
    answered.durationMs = Date.now() - answered.at;
    record(answered);
  }

  /** Journals an answered exchange; `event`: why its answer never left. */
  function record(answered: Answered, event?: Exchange['event']): void {
    if (event) answered.event = event;
    journal.recordLater(answeredEntry, answered, answered.size + answered.responseSize);
  }

  /** The journal entry of an answered exchange, when someone reads it. */
  function answeredEntry(a: Answered): Omit<Exchange, 'seq'> {
    // Same key order as every other entry: event and duration before violations and faults.
    const exchange = {
      transport: 'iso8583',
      host: hostName,
      connection: a.connection,
      at: new Date(a.at).toISOString(),
      request: requestRecord(a),
      response: wireRecord(a.responseWire, a.tpdu && replyTpdu(a.tpdu), a.header, a.responseSize),
    } as Omit<Exchange, 'seq'>;
    if (a.event) exchange.event = a.event;
    if (a.durationMs !== undefined) exchange.durationMs = a.durationMs;
    if (a.notes) exchange.notes = a.notes;
    exchange.violations = a.violations;
    exchange.faults = a.faults;
    return exchange;
  }

  /** A request as the journal shows it: the record made of what decoded, or its wire text decoded again. */
  function requestRecord(
    ex: Pick<InFlight, 'record' | 'wire' | 'tpdu' | 'header' | 'size' | 'kind'>,
  ): RecordedMessage {
    return ex.record ?? wireRecord(ex.wire!, ex.tpdu, ex.header, ex.size, ex.kind);
  }

  /** The request's MTI alone, when nothing after it decodes (undefined when the MTI does not either). */
  function mtiOnly(body: Buffer): IsoMessage | undefined {
    // The MTI's bytes are where two empty messages with different MTIs differ.
    const a = dialect.pack({ mti: '0000', fields: {} });
    const b = dialect.pack({ mti: '9999', fields: {} });
    let n = 0;
    while (n < a.length && a[n] !== b[n]) n++;
    if (body.length < n) return undefined;
    try {
      return dialect.unpack(Buffer.concat([body.subarray(0, n), a.subarray(n)]), { strict: false });
    } catch {
      return undefined;
    }
  }

  const bind = options.bind ?? '127.0.0.1';
  let server: Server = createServer(onConnection);
  await listen(server, options.port ?? 0, bind);
  const port = (server.address() as { port: number }).port;
  // A start-up host-down (refuse) needed the port first; now it stops listening.
  if (!faults.listening) server.close();

  // host-down (refuse): stop listening while that fault is active, listen on the same port after.
  // server.close() stops accepting at once; its callback waits for open connections, so not awaited.
  let sync = Promise.resolve();
  faults.onChange(() => {
    sync = sync.then(async () => {
      if (!faults.listening && server.listening) server.close();
      else if (faults.listening && !server.listening) {
        await listenAgain(
          () => {
            server = createServer(onConnection);
            return listen(server, port, bind);
          },
          {
            stopped: () => delays.stopped,
            failed: (err) =>
              log(0, {
                event: {
                  kind: 'fault',
                  detail: `host-down ended, but the host could not listen on port ${port} again (${err.message}): it stays down`,
                },
                violations: [],
                faults: [],
              }),
          },
        );
      }
    });
  });

  return {
    ref: version.ref,
    version,
    address: { host: bind, port },
    journal,
    faults,
    ledger,
    ...(tls && { certificate: tls.certificate }),
    ...(tls?.clients && { terminalCertificate: tls.clients.terminal }),
    reset() {
      ledger.reset();
      journal.clear();
    },
    async close() {
      flush(); // answers already built leave before the connections close
      delays.stop();
      faults.stop();
      await destroySockets(sockets);
      await sync;
      await Promise.allSettled([...pending]);
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

// A small test-only terminal behind the Terminal control interface: real ISO 8583 over TCP to the
// real mock host, messages built with the codec from the rules of the host version it "speaks" (its
// firmware), so the executor's journals, matchers and invariants see real traffic. It signs on,
// sells, voids, reverses a timed-out sale before its next transaction, and can be given defects.

import type { RecordedMessage } from '../../../src/mocks/exchange.js';
import type { CardBook, HostVersion, TestCard } from '../../../src/mocks/hosts/host-loader.js';
import { responseMtiOf } from '../../../src/mocks/hosts/host-loader.js';
import type { MessageKind } from '../../../src/mocks/hosts/host-schema.js';
import {
  type FieldValue,
  getField,
  type IsoMessage,
  maskMessage,
  type Subfields,
} from '../../../src/protocols/iso8583/index.js';
import { codesFor } from '../../../src/suites/matchers/outcome-matcher.js';
import type {
  Capability,
  CardInput,
  HostEndpoint,
  Terminal,
  TerminalConfig,
  TerminalEvent,
  TerminalEventKind,
  TerminalIdentity,
  TerminalMessage,
  TransactionOutcome,
  TransactionRequest,
  TransactionType,
} from '../../../src/terminals/terminal.js';
import { type IsoConnection, NoFrame, TestTerminal } from '../../support/iso-terminal.js';

export interface TcpTerminalDefects {
  /** Never reverses a timed-out sale. */
  noReversal?: boolean;
  /** Sends every message with the same STAN. */
  reuseStan?: boolean;
  /** Takes any answer as its answer, whatever its STAN or MTI. */
  acceptMismatched?: boolean;
}

export interface TcpTerminalOptions {
  /** The host version whose rules this "firmware" builds its messages by. */
  speaks: HostVersion;
  cards: CardBook;
  defects?: TcpTerminalDefects;
  /** Default transaction timeout, ms before time scaling. */
  timeoutMs?: number;
}

interface Sent {
  request: IsoMessage;
  response?: IsoMessage;
  /** The card it was made with: a void or reversal reuses it (the cardholder is gone by then). */
  card?: CardInput;
}

const KIND: Partial<Record<TransactionType, MessageKind>> = {
  'sign-on': 'sign-on',
  echo: 'echo',
  sale: 'sale',
  void: 'void',
  refund: 'refund',
  'pre-auth': 'pre-auth',
  balance: 'balance',
};
const REVERSIBLE = new Set<TransactionType>(['sale', 'pre-auth']);
// 1993 function codes for messages whose variant does not name one.
const FUNCTION_CODES: Record<string, string> = { '1100': '100', '1200': '200', '1220': '201', '1420': '400' };
// Never copied from an original into a reversal: card secrets and the MAC.
const NOT_COPIED = ['35', '45', '52', '53', '55', '64', '128'];

export class TcpTerminal implements Terminal {
  readonly #o: TcpTerminalOptions;
  #config: TerminalConfig | undefined;
  #t: TestTerminal | undefined;
  #conn: IsoConnection | undefined;
  #listeners = new Set<(e: TerminalEvent) => void>();
  /** Originals by STAN, for voids and reversals. */
  #book = new Map<string, Sent>();
  #reversal: Sent | undefined;
  #closed = false;
  closeCalls = 0;

  constructor(options: TcpTerminalOptions) {
    this.#o = options;
  }

  async identify(): Promise<TerminalIdentity> {
    return { build: 'tcp-test', vendor: 'paymatrix', model: 'test', version: this.#o.speaks.ref };
  }

  async capabilities(): Promise<readonly Capability[]> {
    return ['sign-on', 'sale', 'void', 'refund', 'pre-auth', 'reversal', 'mac', 'pin', 'emv'];
  }

  async configure(config: TerminalConfig): Promise<void> {
    this.#config = config;
    const t = new TestTerminal(this.#o.speaks, {
      terminalId: config.terminalId ?? 'PMX00001',
      now: new Date(),
    });
    t.keys = { ...t.keys, ...(config.keys as typeof t.keys) };
    this.#t = t;
  }

  onEvent(listener: (e: TerminalEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async cancel(): Promise<void> {
    this.#conn?.close();
  }

  async reset(): Promise<void> {
    this.#book.clear();
    this.#reversal = undefined;
  }

  async close(): Promise<void> {
    this.closeCalls++;
    this.#closed = true;
    this.#conn?.close();
  }

  async run(request: TransactionRequest): Promise<TransactionOutcome> {
    const t = this.#t;
    if (!t || !this.#config) throw new Error('configure() first');
    const started = performance.now();
    const messages: TerminalMessage[] = [];
    const scale = this.#config.timeScale ?? 1;
    const timeoutMs = (request.timeoutMs ?? this.#o.timeoutMs ?? 30_000) * scale;
    const conn = await this.#connect();
    if (!conn) {
      return this.#outcome('timed-out', 'cannot connect to any host', messages, started);
    }
    if (this.#reversal) {
      const original = this.#reversal;
      const reversal = this.#build(t, 'reversal', { type: 'sale' }, original);
      this.#emit('reversal-sent', reversal.mti);
      const answer = await this.#exchange(conn, reversal, timeoutMs, messages, started);
      if (answer) this.#reversal = undefined;
    }
    const kind = KIND[request.type];
    if (!kind) return this.#outcome('error', `${request.type} is not supported`, messages, started);
    const original = request.original?.stan ? this.#book.get(request.original.stan) : undefined;
    let msg: IsoMessage;
    try {
      msg = this.#build(t, kind, request, original);
    } catch (err) {
      return this.#outcome('error', 'cannot build the request', messages, started, {
        error: { code: 'unsupported', message: (err as Error).message },
      });
    }
    const answer = await this.#exchange(conn, msg, timeoutMs, messages, started);
    if (!answer) {
      if (REVERSIBLE.has(request.type) && !this.#o.defects?.noReversal) {
        this.#reversal = { request: msg, ...(request.card && { card: request.card }) };
        this.#emit('reversal-queued', `STAN ${msg.fields['11']}`);
      }
      this.#emit('timed-out', `no answer in ${timeoutMs} ms`);
      return this.#outcome('timed-out', `no answer in ${timeoutMs} ms`, messages, started);
    }
    const stan = String(msg.fields['11']);
    this.#book.set(stan, { request: msg, response: answer, ...(request.card && { card: request.card }) });
    if (request.type === 'sign-on' && this.#o.speaks.spec.keys?.download) t.adoptKeys(answer);
    const code = String(answer.fields['39'] ?? '');
    const approved = codesFor(this.#o.speaks, 'approved').includes(code);
    return this.#outcome(
      approved ? 'approved' : 'declined',
      `${approved ? 'approved' : 'declined'} ${code}`,
      messages,
      started,
      {
        responseCode: code,
        reference: {
          stan,
          mti: msg.mti,
          ...(typeof answer.fields['37'] === 'string' && { rrn: answer.fields['37'] }),
          ...(typeof answer.fields['38'] === 'string' && { authCode: answer.fields['38'] }),
          ...(request.amount !== undefined && { amount: request.amount }),
          ...(typeof msg.fields['7'] === 'string' && { transmittedAt: msg.fields['7'] }),
        },
      },
    );
  }

  /** The request for `kind`: the variant's own conditions, original data by the version's rule, the rest filled. */
  #build(
    t: TestTerminal,
    kind: MessageKind,
    request: TransactionRequest,
    original: Sent | undefined,
  ): IsoMessage {
    const version = this.#o.speaks;
    t.now = new Date();
    const template = templateFor(version, kind, t.batch);
    let fields: Record<string, FieldValue> = {};
    if (kind === 'reversal' && original) {
      fields = Object.fromEntries(
        Object.entries(original.request.fields).filter(
          ([id]) => !NOT_COPIED.includes(id) && id !== '7' && id !== '12',
        ),
      );
      delete fields['11'];
    }
    fields = { ...fields, ...template.fields };
    const amount = request.amount ?? (original ? Number(original.request.fields['4']) : undefined);
    if (amount !== undefined && kind !== 'sign-on') fields['4'] = String(Math.abs(amount)).padStart(12, '0');
    const draft: IsoMessage = { mti: template.mti, fields };
    if (FUNCTION_CODES[draft.mti] && draft.fields['24'] === undefined)
      draft.fields['24'] = FUNCTION_CODES[draft.mti]!;
    if (original) {
      const rule = version.ruleFor(draft);
      const map = rule?.originalMatch ?? version.spec.originalData?.match ?? {};
      for (const [mine, theirs] of Object.entries(map)) {
        const value =
          theirs === 'mti'
            ? original.request.mti
            : (getField(original.request, theirs) ??
              (original.response && getField(original.response, theirs)));
        if (value !== undefined) setPath(draft, mine, value);
      }
      const rrn = original.response?.fields['37'];
      if (rrn !== undefined && rule?.mandatory.includes('37')) draft.fields['37'] = rrn;
      if (rule?.mandatory.includes('39') && kind === 'reversal') draft.fields['39'] = '98';
    }
    for (const [id, value] of Object.entries(draft.fields)) {
      if (typeof value === 'object' && !Array.isArray(value))
        draft.fields[id] = fillPositional(version, id, value);
    }
    if (this.#o.defects?.reuseStan) draft.fields['11'] ??= '000777';
    const input = request.card ?? original?.card;
    const read = input
      ? {
          card: this.#card(input.pan),
          entry: ({ chip: 'chip', contactless: 'chip', magstripe: 'swipe', manual: 'manual' } as const)[
            input.entryMode
          ],
          ...(request.card?.pin !== undefined && { pin: request.card.pin }),
        }
      : undefined;
    return t.build(draft.mti, draft.fields, read ? { read } : {});
  }

  #card(pan: string): TestCard {
    const card = this.#o.cards.byPan(pan);
    if (!card) throw new Error('unknown test card');
    return card;
  }

  async #connect(): Promise<IsoConnection | undefined> {
    if (this.#conn && !this.#conn.closed) return this.#conn;
    const t = this.#t!;
    for (const endpoint of [this.#config!.primary, this.#config!.backup]) {
      if (!endpoint || !('port' in endpoint)) continue;
      try {
        this.#conn = await t.connect((endpoint as Extract<HostEndpoint, { port: number }>).port);
        this.#emit('connected', `port ${endpoint.port}`);
        return this.#conn;
      } catch (err) {
        this.#emit('connect-failed', (err as Error).message);
      }
    }
    return undefined;
  }

  /** Sends and waits for the answer that correlates (others are discarded, unless a defect says not). */
  async #exchange(
    conn: IsoConnection,
    msg: IsoMessage,
    timeoutMs: number,
    messages: TerminalMessage[],
    started: number,
  ): Promise<IsoMessage | undefined> {
    const t = this.#t!;
    const bytes = t.frame(msg);
    conn.write(bytes);
    messages.push({
      direction: 'sent',
      atMs: performance.now() - started,
      message: this.#record(msg, bytes.length),
    });
    this.#emit('sent', `${msg.mti} STAN ${msg.fields['11']}`);
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const left = deadline - performance.now();
      if (left <= 0 || this.#closed) return undefined;
      let got: Awaited<ReturnType<IsoConnection['next']>>;
      try {
        got = await conn.next(left);
      } catch (err) {
        if (err instanceof NoFrame) return undefined;
        throw err;
      }
      if (!got.message) {
        this.#emit('discarded', `undecodable answer: ${got.decodeError?.message}`);
        continue;
      }
      messages.push({
        direction: 'received',
        atMs: performance.now() - started,
        message: this.#record(got.message, got.bytes.length),
      });
      const answer = got.message;
      const matches =
        answer.mti === responseMtiOf(msg.mti) &&
        answer.fields['11'] === msg.fields['11'] &&
        answer.fields['41'] === msg.fields['41'];
      if (matches || this.#o.defects?.acceptMismatched) {
        this.#emit('received', `${answer.mti} code ${answer.fields['39']}`);
        return answer;
      }
      this.#emit(
        'discarded',
        `${answer.mti} STAN ${answer.fields['11']} does not answer STAN ${msg.fields['11']}`,
      );
    }
  }

  #record(msg: IsoMessage, size: number): RecordedMessage {
    const masked = maskMessage(this.#o.speaks.dialect, msg);
    const code = msg.fields['39'];
    return {
      summary: `${msg.mti} STAN ${msg.fields['11']}${code === undefined ? '' : ` code ${code}`}`,
      size,
      iso: { mti: masked.mti, fields: masked.fields },
    };
  }

  #outcome(
    status: TransactionOutcome['status'],
    detail: string,
    messages: TerminalMessage[],
    started: number,
    extra: Partial<TransactionOutcome> = {},
  ): TransactionOutcome {
    return { status, detail, messages, durationMs: performance.now() - started, ...extra };
  }

  #emit(kind: TerminalEventKind, detail: string): void {
    const event = { kind, at: new Date().toISOString(), detail };
    for (const l of this.#listeners) l(event);
  }
}

/** The MTI and identifying fields of the first request of `kind` in the version (its variant's conditions). */
export function templateFor(
  version: HostVersion,
  kind: MessageKind,
  batch: string,
): { mti: string; fields: Record<string, FieldValue> } {
  for (const [mti, rule] of Object.entries(version.spec.messages)) {
    if (Number(mti[3]) % 2 === 1) continue; // repeats
    const variants = Object.values(rule.variants ?? {});
    const variant = variants.find((v) => (v.kind ?? rule.kind) === kind);
    if (!variant && !(rule.kind === kind && variants.length === 0)) continue;
    const msg: IsoMessage = { mti, fields: {} };
    const when = {
      ...(variant?.processingCode !== undefined && { 3: variant.processingCode }),
      ...variant?.when,
    };
    for (const [path, want] of Object.entries(when)) {
      if (typeof want === 'object' && !Array.isArray(want)) continue; // a pattern: left to the filler
      const value = Array.isArray(want) ? (want.includes('003') ? '003' : want[0]!) : want;
      setPath(msg, path, path === '3' ? value.padEnd(6, '0') : value);
    }
    if (version.spec.batch && msg.fields['60'] !== undefined) {
      const sixty = msg.fields['60'] as Subfields;
      msg.fields['60'] = { 1: sixty['1'] ?? '00', 2: batch, 3: sixty['3'] ?? '000' };
    }
    return msg;
  }
  throw new Error(`${version.ref} has no ${kind} message`);
}

function setPath(msg: IsoMessage, path: string, value: FieldValue): void {
  const [head, sub] = path.split('.');
  if (sub === undefined) {
    msg.fields[head!] = value;
    return;
  }
  const parent = msg.fields[head!];
  msg.fields[head!] = {
    ...(typeof parent === 'object' && !Array.isArray(parent) ? parent : {}),
    [sub]: value,
  };
}

/** A fixed-length positional element (1987 DE90) needs every subfield: zeros where none was given. */
function fillPositional(version: HostVersion, id: string, value: Subfields): Subfields {
  const spec = version.dialect.field(Number(id));
  const sub = spec?.subfields;
  if (!spec || spec.prefix || sub?.kind !== 'positional') return value;
  const out: Subfields = { ...value };
  for (const [key, f] of Object.entries(sub.fields)) {
    const length = Number(/[0-9]+$/.exec((f as { format: string }).format)?.[0] ?? 0);
    if (out[key] === undefined) out[key] = '0'.repeat(length);
  }
  return out;
}

import { createRandom, type Random } from '../../../mocks/faults/random.js';
import type { ApiVersion } from '../../../protocols/rest/api-loader.js';
import type { GatewayResponse } from '../../../protocols/rest/gateway-client.js';
import type { FirmwareBuild } from '../../firmware-loader.js';
import type {
  TerminalConfig,
  TransactionReference,
  TransactionRequest,
  TransactionType,
} from '../../terminal.js';
import type { ResolvedProfile, ResolvedRestOperation, ResolvedRestProfile } from '../profile-loader.js';
import type { EngineOutcome, ProtocolEngine, TransactionContext } from '../protocol-engine.js';
import { TerminalFault } from '../terminal-fault.js';
import { renderBody, renderText } from './body-template.js';
import { RestLink, type Sent } from './rest-link.js';
import { type PendingReversal, RestTerminalState } from './rest-state.js';
import { currencyOf, type RestInputs, restLookup } from './variables.js';

/** Transactions that need a positive amount of their own (completion and refund may take the original's). */
const NEEDS_AMOUNT = new Set<TransactionType>(['sale', 'pre-auth', 'refund', 'completion']);
/** Transactions on an existing payment: they need its id. */
const NEEDS_PAYMENT = new Set<TransactionType>(['void', 'completion', 'refund']);
/** What a REST terminal runs before a money transaction: the reversal it owes. */
const MONEY = new Set<TransactionType>(['sale', 'pre-auth', 'completion', 'void', 'refund', 'balance']);

/**
 * The reference terminal's REST behaviour, driven by its resolved profile: each transaction type is
 * a gateway operation with a body template, sent through the typed gateway client with the API key,
 * the version the build pins (or none), and an idempotency key — a fresh one per transaction, the
 * same on every retry after a timeout, 5xx or broken connection. A payment whose outcome stays
 * unknown is owed a reversal (found again by replaying its key, then cancelled or refunded) before
 * the next money transaction. Which operation, body and key each step uses is the profile's; nothing
 * here names a gateway.
 */
export class RestEngine implements ProtocolEngine {
  readonly state = new RestTerminalState();
  readonly #rest: ResolvedRestProfile;
  #config: TerminalConfig | undefined;
  #link: RestLink | undefined;
  #uuids: Random = createRandom(0);
  #tx: TransactionContext | undefined;

  constructor(
    private readonly build: FirmwareBuild,
    private readonly profile: ResolvedProfile,
    private readonly api: ApiVersion,
  ) {
    if (!profile.rest) throw new Error(`${build.id}: the profile has no rest section`);
    this.#rest = profile.rest;
  }

  configure(config: TerminalConfig): void {
    const url = (e: TerminalConfig['primary'] | undefined) => {
      if (e && !('url' in e))
        throw new TerminalFault('bad-config', `a REST build needs a base URL, not ${e.host}:${e.port}`);
      return e?.url;
    };
    const primary = url(config.primary)!;
    const backup = url(config.backup);
    this.#link?.close();
    this.#config = config;
    const p = this.profile;
    const defects = p.defects;
    this.#link = new RestLink({
      api: this.api,
      primary,
      ...(backup !== undefined && { backup }),
      ...(config.apiKey !== undefined && { apiKey: config.apiKey }),
      ...(config.ca !== undefined && { ca: config.ca }),
      tls: {
        maxVersion: this.#rest.tls.maxVersion,
        ...(this.#rest.tls.clientCertificate &&
          config.clientCertificate && { client: config.clientCertificate }),
      },
      pinVersion: this.#rest.pinVersion && !defects.has('no-version-pin'),
      ...(this.#rest.auth && { authScheme: this.#rest.auth }),
      connectTimeoutMs: p.timeouts.connectMs,
      retry: this.#rest.retry,
      retryUnknown: !defects.has('no-retry-on-timeout'),
      ...(p.failover && { failoverAfter: p.failover.afterFailedConnects }),
      timeScale: config.timeScale ?? 1,
    });
    // Keys and references are drawn from the run's seed: a replayed run sends the same ones.
    this.#uuids = createRandom(config.seed ?? 0, this.build.id, config.terminalId ?? '', 'uuid');
  }

  async run(request: TransactionRequest, tx: TransactionContext): Promise<EngineOutcome> {
    if (!this.#link) throw new TerminalFault('not-configured', 'configure() the terminal first');
    this.#tx = tx;
    try {
      const op = this.#rest.operations[request.type as keyof ResolvedRestProfile['operations']];
      if (!op)
        throw new TerminalFault(
          'unsupported',
          `${request.type} is not an operation of this REST build${request.type === 'settlement' ? ': a gateway settles on its own' : ''}`,
        );
      if (MONEY.has(request.type)) await this.#deliverReversals();
      return await this.#transaction(request, op);
    } finally {
      this.#tx = undefined;
    }
  }

  reset(): void {
    this.state.reset();
  }

  close(): void {
    this.#link?.close();
  }

  // ---- one transaction -----------------------------------------------------------------------

  async #transaction(request: TransactionRequest, given: ResolvedRestOperation): Promise<EngineOutcome> {
    const type = request.type;
    const tx = this.#tx!;
    const original = request.original;
    // A void of a payment the terminal saw captured is a refund (when the profile says how), of what
    // is left of it: a completion may have captured less than the pre-auth, a refund taken some back.
    const asRefund = given.whenCaptured !== undefined && this.state.captured(original?.paymentId);
    const op = asRefund ? given.whenCaptured! : given;
    const amount =
      request.amount ??
      (asRefund ? this.state.remaining(original?.paymentId) : undefined) ??
      (NEEDS_PAYMENT.has(type) ? original?.amount : undefined);
    if (NEEDS_AMOUNT.has(type) && (amount === undefined || !Number.isInteger(amount) || amount <= 0))
      return {
        status: 'declined',
        detail: `refused by the terminal: ${type} needs a positive amount in minor units`,
      };
    if (NEEDS_PAYMENT.has(type) && !original?.paymentId)
      return { status: 'declined', detail: `refused by the terminal: ${type} needs the original payment id` };

    const inputs = this.#inputs({
      ...(amount !== undefined && { amount }),
      ...(request.card && { card: request.card }),
      ...(request.currency && { currency: request.currency }),
      ...(original && { original: { paymentId: original.paymentId, amount: original.amount } }),
    });
    const built = this.#render(op, inputs);
    const spec = this.api.operation(op.operation);
    // Keys make writes safe to repeat; a read (echo's retrieve) needs none.
    const key = spec?.method === 'GET' ? undefined : this.#key(inputs);
    const authorizes = spec?.action === 'authorize';
    const reversible =
      authorizes &&
      this.profile.reversal.enabled &&
      this.profile.reversal.transactions.includes(type) &&
      !this.profile.defects.has('no-reversal-on-timeout');
    const owed = (): PendingReversal => ({
      type,
      operation: op,
      body: built.body,
      idempotencyKey: key!,
      amount: amount ?? 0,
      attempts: 0,
    });

    let sent: Sent;
    try {
      sent = await this.#link!.send({ ...built, ...(key !== undefined && { idempotencyKey: key }) }, tx);
    } catch (err) {
      if (reversible && key !== undefined && err instanceof TerminalFault && isStop(err)) {
        this.state.reversals.push(owed());
        tx.emit('reversal-queued', `${type}: ${err.code} before the answer: reversal queued`);
        throw new TerminalFault(err.code, `${err.message}: reversal queued`);
      }
      throw err;
    }
    if (sent.kind === 'unreachable')
      return { status: 'timed-out', detail: `gateway unreachable: ${sent.detail}` };
    if (sent.kind === 'unknown') {
      const why = `${sent.detail} (${sent.attempts} attempt${sent.attempts > 1 ? 's' : ''})`;
      if (!reversible) return { status: 'timed-out', detail: `${why}: outcome unknown, no reversal` };
      if (key === undefined) {
        // Without a key the payment cannot be found again: nothing to cancel it by.
        tx.emit('log', `${type}: no idempotency key, the payment cannot be found to reverse it`);
        return { status: 'timed-out', detail: `${why}: outcome unknown, no key to find the payment by` };
      }
      const pending = owed();
      this.state.reversals.push(pending);
      tx.emit('reversal-queued', `${type} ${key}: ${why}: reversal queued`);
      if (this.profile.reversal.immediate) {
        await this.#deliverReversals();
        const delivered = pending.delivered;
        if (delivered)
          return { status: 'reversed', responseCode: delivered, detail: `${why}: reversed (${delivered})` };
      }
      return { status: 'timed-out', detail: `${why}: reversal queued` };
    }
    return this.#outcome(type, op, sent.response, amount, original);
  }

  /** What an answer means for the transaction. */
  #outcome(
    type: TransactionType,
    op: ResolvedRestOperation,
    r: GatewayResponse,
    amount: number | undefined,
    original: TransactionReference | undefined,
  ): EngineOutcome {
    const res = r.result;
    const paymentId = res.paymentId ?? original?.paymentId;
    const reference: TransactionReference = {
      ...(paymentId !== undefined && { paymentId }),
      ...(amount !== undefined && { amount }),
    };
    const ok = r.status >= 200 && r.status < 300;
    if (res.paymentId !== undefined && (ok || res.state === 'declined'))
      this.state.remember(res.paymentId, res.state);
    if (ok && paymentId !== undefined && amount !== undefined && res.state !== 'declined') {
      // A refund may answer with a refund resource, not the payment: the original names the payment.
      const action = this.api.operation(op.operation)?.action;
      if (action === 'refund') this.state.moved(paymentId, 'refunded', amount);
      else if (action === 'capture' || (action === 'authorize' && res.state === 'captured'))
        this.state.moved(paymentId, 'captured', amount);
    }
    if (op.answeredStatuses) {
      const alive = op.answeredStatuses.includes(r.status);
      return {
        status: alive ? 'approved' : 'declined',
        responseCode: alive ? String(r.status) : (res.errorCode ?? String(r.status)),
        detail: `${type} answered ${r.response.summary}`,
      };
    }
    if (ok && res.state === 'declined')
      return {
        status: 'declined',
        responseCode: res.declineCode ?? res.status ?? String(r.status),
        detail: `declined ${res.declineCode ?? res.status ?? ''}`.trim(),
        reference,
      };
    if (ok && res.status !== undefined && res.state === undefined)
      return {
        status: 'declined',
        responseCode: res.status,
        detail: `answer status "${res.status}" is not one of ${this.api.ref}: the terminal cannot tell the outcome`,
        reference,
      };
    if (ok)
      return {
        status: 'approved',
        responseCode: res.status ?? String(r.status),
        detail: `approved ${r.status} ${res.status ?? ''}`.trim(),
        reference,
      };
    if (res.declineCode !== undefined)
      return {
        status: 'declined',
        responseCode: res.declineCode,
        detail: `declined ${res.declineCode}`,
        reference,
      };
    const code = res.errorCode ?? String(r.status);
    const said = [String(r.status), res.errorCode].filter(Boolean).join(' ');
    return {
      status: 'declined',
      responseCode: code,
      detail: `refused by the gateway: ${said}${res.errorMessage ? `: ${res.errorMessage}` : ''}`,
      ...(paymentId !== undefined && { reference }),
    };
  }

  // ---- the reversal it owes ------------------------------------------------------------------

  /** Delivers the owed reversals, oldest first, until one stays owed (it goes first next time). */
  async #deliverReversals(): Promise<void> {
    const queue = this.state.reversals;
    while (queue.length > 0) {
      const pending = queue[0]!;
      if (!(await this.#deliverReversal(pending))) return;
      queue.shift();
    }
  }

  /**
   * Delivers one owed reversal: finds the payment again by replaying its authorization with the
   * same key (unless an answer already named it), then cancels it, or refunds it when captured.
   * True when it is done with (delivered, found to be nothing, or given up); false when it stays
   * owed: no conclusive answer, or a 429 (rate-limited: says nothing of the payment).
   */
  async #deliverReversal(pending: PendingReversal): Promise<boolean> {
    const tx = this.#tx!;
    const { maxAttempts } = this.profile.reversal;
    if (pending.attempts >= maxAttempts) {
      tx.emit(
        'log',
        `reversal of ${pending.type} ${pending.idempotencyKey} abandoned after ${pending.attempts} attempts: the payment may stay charged`,
      );
      return true;
    }
    pending.attempts++;
    if (pending.paymentId === undefined) {
      const replay = await this.#link!.send(
        {
          operation: pending.operation.operation,
          ...(pending.body !== undefined && { body: pending.body }),
          idempotencyKey: pending.idempotencyKey,
          timeoutMs: pending.operation.timeoutMs ?? this.profile.timeouts.responseMs,
        },
        tx,
      );
      if (replay.kind !== 'answer' || rateLimited(replay.response, tx, pending)) return false;
      const r = replay.response.result;
      const ok = replay.response.status >= 200 && replay.response.status < 300;
      if (!ok || r.paymentId === undefined || (r.state !== 'authorized' && r.state !== 'captured')) {
        // Declined, refused or already gone: there is nothing to reverse.
        const code = r.declineCode ?? r.errorCode ?? r.status ?? String(replay.response.status);
        pending.delivered = code;
        tx.emit(
          'reversal-sent',
          `${pending.type} ${pending.idempotencyKey} was not taken (${code}): nothing to reverse`,
        );
        return true;
      }
      pending.paymentId = r.paymentId;
      pending.captured = r.state === 'captured';
    }
    const template = this.#rest.operations.reversal!;
    const op = pending.captured && template.whenCaptured ? template.whenCaptured : template;
    // Rendered once: every delivery attempt sends the same request under the same key (a template
    // with a sequence number would otherwise change the body, and the gateway refuse the key).
    if (!pending.cancel) {
      const inputs = this.#inputs({
        amount: pending.amount,
        original: { paymentId: pending.paymentId, amount: pending.amount },
      });
      const key = this.#key(inputs);
      pending.cancel = { ...this.#render(op, inputs), ...(key !== undefined && { idempotencyKey: key }) };
    }
    const sent = await this.#link!.send(pending.cancel, tx);
    if (sent.kind !== 'answer' || rateLimited(sent.response, tx, pending)) return false;
    const r = sent.response;
    const code = r.result.status ?? r.result.errorCode ?? String(r.status);
    if (r.result.paymentId) this.state.remember(r.result.paymentId, r.result.state);
    pending.delivered = code;
    tx.emit(
      'reversal-sent',
      `reversal of ${pending.type} ${pending.paymentId}: ${op.operation} answered ${r.status} ${code} (attempt ${pending.attempts})`,
    );
    return true;
  }

  // ---- templates -----------------------------------------------------------------------------

  #inputs(given: Partial<Omit<RestInputs, 'sequence' | 'uuid' | 'now' | 'amountAsDecimal'>>): RestInputs {
    const config = this.#config!;
    const currency = given.currency ?? this.build.terminal?.currency ?? '840';
    if (!currencyOf(currency)) throw new TerminalFault('template', `unknown ISO 4217 currency "${currency}"`);
    const terminalId = config.terminalId ?? this.build.terminal?.terminalId;
    const merchantId = config.merchantId ?? this.build.terminal?.merchantId;
    return {
      ...given,
      currency,
      ...(terminalId !== undefined && { terminalId }),
      ...(merchantId !== undefined && { merchantId }),
      sequence: this.state.nextSequence(),
      uuid: uuid(this.#uuids),
      now: config.now?.() ?? new Date(),
      amountAsDecimal: this.profile.defects.has('amount-as-decimal'),
    };
  }

  /** The request an operation sends for these inputs. */
  #render(op: ResolvedRestOperation, inputs: RestInputs) {
    const lookup = restLookup(inputs);
    try {
      const body = op.body === undefined ? undefined : renderBody(op.body, lookup);
      const paymentId = op.paymentId === undefined ? undefined : renderText(op.paymentId, lookup);
      if (op.paymentId !== undefined && paymentId === undefined)
        throw new Error(`no value for the payment id (${op.paymentId})`);
      return {
        operation: op.operation,
        ...(body !== undefined && { body }),
        ...(paymentId !== undefined && { paymentId: String(paymentId) }),
        timeoutMs: op.timeoutMs ?? this.profile.timeouts.responseMs,
      };
    } catch (err) {
      throw new TerminalFault('template', `${op.name}: ${(err as Error).message}`);
    }
  }

  /** This transaction's idempotency key, as the build makes it (or fails to). */
  #key(inputs: RestInputs): string | undefined {
    const defects = this.profile.defects;
    if (defects.has('missing-idempotency-key')) return undefined;
    const key = renderText(this.#rest.idempotencyKey, restLookup(inputs));
    if (key === undefined) throw new TerminalFault('template', 'the idempotency key template has no value');
    if (!defects.has('idempotency-key-reused')) return String(key);
    this.state.firstKey ??= String(key);
    return this.state.firstKey;
  }
}

/** A 429 to a reversal's request: the reversal stays owed (logged). */
function rateLimited(r: GatewayResponse, tx: TransactionContext, pending: PendingReversal): boolean {
  if (r.status !== 429) return false;
  tx.emit('log', `reversal of ${pending.type} ${pending.idempotencyKey}: rate-limited (429), it stays owed`);
  return true;
}

function isStop(err: TerminalFault): boolean {
  return err.code === 'cancelled' || err.code === 'deadline';
}

/** A version 4 UUID from the seeded stream. */
function uuid(random: Random): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

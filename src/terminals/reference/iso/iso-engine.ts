import {
  type Dialect,
  type FramedMessage,
  frameOverhead,
  getField,
  type IsoMessage,
} from '../../../protocols/iso8583/index.js';
import type { FirmwareBuild } from '../../firmware-loader.js';
import type {
  CardInput,
  TerminalConfig,
  TransactionReference,
  TransactionRequest,
  TransactionType,
} from '../../terminal.js';
import { scaledConnectTimeout } from '../connect-timeout.js';
import type { ResolvedIsoProfile, ResolvedMessage, ResolvedProfile } from '../profile-loader.js';
import type { MessageName } from '../profile-schema.js';
import type { EngineOutcome, ProtocolEngine, TransactionContext } from '../protocol-engine.js';
import { TerminalFault } from '../terminal-fault.js';
import { mismatch } from './correlation.js';
import { HostUnreachable, IsoLink, type LinkOptions } from './iso-link.js';
import { type IsoTerminalState, IsoTerminalState as State, type TxRecord } from './iso-state.js';
import { unwrapKeys } from './key-download.js';
import { IsoMessageBuilder } from './message-builder.js';
import { recordMessage } from './recorded.js';
import type { MessageInputs } from './variables.js';

/** What came of sending one message. */
type Exchanged =
  | { kind: 'answer'; request: IsoMessage; response: IsoMessage; code: string }
  | { kind: 'bad-mac'; request: IsoMessage; response: IsoMessage; code: string }
  | { kind: 'timeout' | 'closed'; request: IsoMessage; detail: string }
  | { kind: 'unreachable'; detail: string };

/** Transactions that move money into the batch totals, and on which side. */
const SIDES: Partial<Record<TransactionType | 'advice', 'debit' | 'credit'>> = {
  sale: 'debit',
  completion: 'debit',
  advice: 'debit',
  refund: 'credit',
};
const NEEDS_AMOUNT = new Set<TransactionType>(['sale', 'refund', 'void', 'pre-auth', 'completion']);
const NEEDS_ORIGINAL = new Set<TransactionType>(['void', 'completion']);

/**
 * The reference terminal's ISO 8583 behaviour, driven by its resolved profile: sign-on with key
 * download, one outstanding request with response correlation, reversals stored before the request
 * leaves and delivered before the next online transaction (repeat MTI on retry), store-and-forward
 * of advices, batch totals and settlement with batch upload, primary/backup failover, and the
 * build's defects. Which MTI and elements each step sends is the profile's; nothing here names a
 * dialect.
 */
export class IsoEngine implements ProtocolEngine {
  readonly state: IsoTerminalState;
  readonly #builder: IsoMessageBuilder;
  readonly #iso: ResolvedIsoProfile;
  #config: TerminalConfig | undefined;
  #link: IsoLink | undefined;
  #tx: TransactionContext | undefined;

  constructor(
    private readonly build: FirmwareBuild,
    private readonly profile: ResolvedProfile,
    private readonly dialect: Dialect,
  ) {
    if (!profile.iso) throw new Error(`${build.id}: the profile has no iso section`);
    if (!dialect.framing || dialect.framing.length === 'none')
      throw new Error(`${build.id}: dialect ${dialect.id} has no TCP framing`);
    this.#iso = profile.iso;
    this.#builder = new IsoMessageBuilder(dialect, profile.iso, profile.defects);
    this.state = new State(
      profile.stan.initial,
      profile.batch.initial,
      profile.defects.has('stan-reused-on-retry'),
    );
  }

  configure(config: TerminalConfig): void {
    this.#link?.close();
    this.#config = config;
    const endpoint = (e: TerminalConfig['primary'] | undefined) => {
      if (e && 'url' in e)
        throw new TerminalFault('bad-config', `an ISO 8583 build needs host:port, not ${e.url}`);
      return e;
    };
    const primary = endpoint(config.primary)!;
    const backup = endpoint(config.backup);
    const p = this.profile;
    this.#link = new IsoLink({
      framing: this.dialect.framing!,
      primary,
      ...(backup && { backup }),
      connectTimeoutMs: scaledConnectTimeout(p.timeouts.connectMs, this.#config?.timeScale ?? 1),
      retryDelayMs: this.#scaled(p.connection.retryDelayMs),
      attempts: p.connection.attempts,
      ...(p.failover && { failoverAfter: p.failover.afterFailedConnects }),
      emit: (kind, detail) => this.#tx?.emit(kind, detail),
      ...(this.#iso.tls && { tls: this.#tls(this.#iso.tls, config) }),
    });
  }

  /** The link's TLS: the CA to trust, and the client certificate if this build presents one. */
  #tls(tls: NonNullable<ResolvedIsoProfile['tls']>, config: TerminalConfig): NonNullable<LinkOptions['tls']> {
    const client = tls.clientCertificate ? config.clientCertificate : undefined;
    return {
      maxVersion: tls.maxVersion,
      ...(config.ca !== undefined && { ca: config.ca }),
      ...(client && { client }),
    };
  }

  async run(request: TransactionRequest, tx: TransactionContext): Promise<EngineOutcome> {
    if (!this.#link) throw new TerminalFault('not-configured', 'configure() the terminal first');
    this.#tx = tx;
    try {
      switch (request.type) {
        case 'sign-on':
          return await this.#signOn();
        case 'echo':
          return await this.#echo();
        case 'settlement':
          return await this.#settlement();
        default:
          return await this.#financial(request);
      }
    } catch (err) {
      if (err instanceof HostUnreachable)
        return { status: 'timed-out', detail: `host unreachable: ${err.message}` };
      throw err;
    } finally {
      if (!this.profile.connection.keepOpen) this.#link?.close();
      this.#tx = undefined;
    }
  }

  reset(): void {
    this.#link?.close();
    this.state.reset();
  }

  close(): void {
    this.#link?.close();
  }

  // ---- transactions ------------------------------------------------------------------------

  async #signOn(): Promise<EngineOutcome> {
    const msg = this.#builder.build('sign-on', this.#inputs({}));
    const r = await this.#exchange(msg, 'sign-on', this.#timeout('sign-on'));
    if (r.kind !== 'answer') return this.#noAnswer(r, 'sign-on');
    if (!this.#approved('sign-on', r.code))
      return { status: 'declined', responseCode: r.code, detail: `sign-on declined ${r.code}` };
    const notes: string[] = [];
    const kd = this.#iso.keyDownload;
    if (kd) {
      const block = getField(r.response, kd.field);
      const master = this.#keys()[kd.under];
      if (typeof block !== 'string')
        throw new TerminalFault('key-download', `the sign-on answer has no DE${kd.field}`);
      if (!master) throw new TerminalFault('no-key', `no ${kd.under} key to decrypt the working keys with`);
      this.state.workingKeys = { ...this.state.workingKeys, ...unwrapKeys(block, master, kd) };
      notes.push(`working keys ${kd.keys.join(', ')} loaded, check values match`);
      this.#tx!.emit('log', notes.at(-1)!);
    }
    const batchField = this.#iso.signOnBatchField;
    const batch = batchField ? getField(r.response, batchField) : undefined;
    if (typeof batch === 'string' && /^[0-9]+$/.test(batch) && Number(batch) > 0)
      this.state.batch = Number(batch);
    this.state.signedOn = true;
    return { status: 'approved', responseCode: r.code, detail: ['signed on', ...notes].join(': ') };
  }

  async #echo(): Promise<EngineOutcome> {
    const r = await this.#exchange(
      this.#builder.build('echo', this.#inputs({})),
      'echo',
      this.#timeout('echo'),
    );
    if (r.kind !== 'answer') return this.#noAnswer(r, 'echo');
    return this.#approved('echo', r.code)
      ? { status: 'approved', responseCode: r.code, detail: `echo answered ${r.code}` }
      : { status: 'declined', responseCode: r.code, detail: `echo answered ${r.code}` };
  }

  async #financial(request: TransactionRequest): Promise<EngineOutcome> {
    const type = request.type;
    const template = this.#builder.template(type);
    const original = this.#originalOf(request.original);
    const amount = request.amount ?? (NEEDS_ORIGINAL.has(type) ? original?.amount : undefined);
    if (NEEDS_AMOUNT.has(type) && (amount === undefined || !Number.isInteger(amount) || amount <= 0))
      return {
        status: 'declined',
        detail: `refused by the terminal: ${type} needs a positive amount in minor units`,
      };
    if (NEEDS_ORIGINAL.has(type) && !original)
      return {
        status: 'declined',
        detail: `refused by the terminal: ${type} needs the original transaction`,
      };
    const card = request.card ?? original?.card;
    const tx = this.#tx!;

    try {
      await this.#link!.connect(tx.signal);
    } catch (err) {
      if (err instanceof HostUnreachable)
        return this.#offline(type, template, { amount, card, original, request }, err);
      throw err;
    }
    const ready = await this.#prepare();
    if (ready) return ready;
    const inputs = this.#inputs({
      ...(amount !== undefined && { amount }),
      card,
      original,
      currency: request.currency,
    });
    if (template.storeAndForward) return this.#advise(type, inputs);

    const msg = this.#builder.build(type, inputs);
    const record: TxRecord = {
      type,
      request: msg,
      amount: amount ?? 0,
      card,
      batch: this.state.batch,
      side: SIDES[type],
    };
    this.state.remember(record);
    // Stored before the request leaves: whatever happens next, the terminal owes the host a reversal.
    const reversible =
      this.profile.reversal.enabled &&
      this.profile.reversal.transactions.includes(type) &&
      !this.profile.defects.has('no-reversal-on-timeout');
    if (reversible) this.state.reversal = { original: record, reason: 'timeout', attempts: 0 };
    const timeoutMs = template.timeoutMs ?? this.profile.timeouts.responseMs;

    let r: Exchanged;
    try {
      r = await this.#exchange(msg, type, timeoutMs);
    } catch (err) {
      if (
        reversible &&
        err instanceof TerminalFault &&
        (err.code === 'cancelled' || err.code === 'deadline')
      ) {
        if (this.state.reversal)
          this.state.reversal.reason = err.code === 'cancelled' ? 'cancelled' : 'timeout';
        tx.emit(
          'reversal-queued',
          `${type} STAN ${stanOf(msg)} ${err.code} before its answer: reversal queued`,
        );
        throw new TerminalFault(err.code, `${err.message}: reversal queued`);
      }
      // Anything else (no MAC key, a message that does not encode) stopped it before it left.
      if (this.state.reversal?.original === record) this.state.reversal = undefined;
      throw err;
    }
    if (r.kind === 'unreachable') {
      if (this.state.reversal?.original === record) this.state.reversal = undefined;
      return { status: 'timed-out', detail: `host unreachable: ${r.detail}` };
    }
    record.request = r.request;
    const reference = this.#reference(record);
    if (r.kind === 'answer') {
      if (this.state.reversal?.original === record) this.state.reversal = undefined;
      record.response = r.response;
      if (!this.#approved(type, r.code)) return this.#declined(type, r.code, reference);
      this.state.addToBatch(record);
      if (type === 'void' && original) this.state.removeFromBatch(original);
      return {
        status: 'approved',
        responseCode: r.code,
        detail: `approved ${r.code}`,
        reference: this.#reference(record),
      };
    }
    const why = r.kind === 'bad-mac' ? `answer ${r.code} with a MAC that does not verify` : r.detail;
    // An answer the terminal cannot trust is no approval: declined on its side (a host's finding,
    // never a harness error), whether or not a reversal follows.
    if (!reversible)
      return {
        status: r.kind === 'bad-mac' ? 'declined' : 'timed-out',
        detail: `${why}: no reversal`,
        reference,
      };
    this.state.reversal!.reason = r.kind === 'bad-mac' ? 'mac-error' : 'timeout';
    tx.emit('reversal-queued', `${type} STAN ${stanOf(msg)}: ${why}: reversal queued`);
    // A host that answered (with a bad MAC) is there: reverse at once. A silent one: per profile.
    if (r.kind === 'bad-mac' || this.profile.reversal.immediate) {
      const delivered = await this.#deliverReversal();
      if (delivered)
        return {
          status: 'reversed',
          responseCode: delivered,
          detail: `${why}: reversed (${delivered})`,
          reference,
        };
    }
    return {
      status: r.kind === 'bad-mac' ? 'declined' : 'timed-out',
      detail: `${why}: reversal queued`,
      reference,
    };
  }

  /** An advice (completion, CUP refund): queued for forwarding, then forwarded at once when possible. */
  async #advise(type: TransactionType, inputs: MessageInputs): Promise<EngineOutcome> {
    const msg = this.#builder.build(type, inputs);
    const record: TxRecord = {
      type,
      request: msg,
      amount: inputs.amount ?? 0,
      card: inputs.card,
      batch: this.state.batch,
      side: SIDES[type],
    };
    this.state.remember(record);
    if (!this.profile.saf.enabled) {
      const r = await this.#exchange(msg, type, this.#timeout(type));
      if (r.kind !== 'answer') return this.#noAnswer(r, type);
      record.request = r.request;
      record.response = r.response;
      if (!this.#approved(type, r.code)) return this.#declined(type, r.code, this.#reference(record));
      this.state.addToBatch(record);
      return {
        status: 'approved',
        responseCode: r.code,
        detail: `approved ${r.code}`,
        reference: this.#reference(record),
      };
    }
    const queued = this.#queue(record, msg);
    if (queued) return queued;
    await this.#drainSaf();
    const reference = this.#reference(record);
    if (!record.response)
      return { status: 'approved', detail: `${type} stored for forwarding: no answer yet`, reference };
    const code = String(record.response.fields['39'] ?? '');
    return this.#approved(type, code)
      ? { status: 'approved', responseCode: code, detail: `approved ${code} (advice forwarded)`, reference }
      : this.#declined(type, code, reference);
  }

  /** No host could be reached: an advice waits in the SAF queue, a small sale may be approved offline. */
  #offline(
    type: TransactionType,
    template: ResolvedMessage,
    given: { amount?: number; card?: CardInput; original?: TxRecord; request: TransactionRequest },
    err: HostUnreachable,
  ): EngineOutcome {
    const saf = this.profile.saf;
    const inputs = this.#inputs({
      amount: given.amount,
      card: given.card,
      original: given.original,
      currency: given.request.currency,
    });
    if (saf.enabled && template.storeAndForward) {
      const msg = this.#builder.build(type, inputs);
      const record: TxRecord = {
        type,
        request: msg,
        amount: given.amount ?? 0,
        card: given.card,
        batch: this.state.batch,
        side: SIDES[type],
      };
      this.state.remember(record);
      return (
        this.#queue(record, msg) ?? {
          status: 'approved',
          detail: `host unreachable: ${type} stored for forwarding`,
          reference: this.#reference(record),
        }
      );
    }
    const amount = given.amount ?? 0;
    if (type === 'sale' && saf.enabled && amount <= saf.offlineFloorMinor && this.#builder.has('advice')) {
      // The offline approval code carries the advice's STAN, so take it first.
      const stan = this.state.takeStan();
      const msg = this.#builder.build('advice', {
        ...inputs,
        stan: () => stan,
        authCode: `Y1${stan.slice(-4)}`,
      });
      const record: TxRecord = {
        type: 'advice',
        request: msg,
        amount,
        card: given.card,
        batch: this.state.batch,
        side: 'debit',
      };
      this.state.remember(record);
      const refused = this.#queue(record, msg);
      if (refused) return refused;
      return {
        status: 'approved',
        responseCode: 'Y1',
        detail: `approved offline (host unreachable, up to ${saf.offlineFloorMinor}): advice queued`,
        reference: this.#reference(record),
      };
    }
    return { status: 'timed-out', detail: `host unreachable: ${err.message}` };
  }

  /** Queues an advice (counted in the batch now); an outcome only when the queue is full. */
  #queue(record: TxRecord, message: IsoMessage): EngineOutcome | undefined {
    const saf = this.profile.saf;
    if (this.state.saf.length >= saf.maxQueue)
      return {
        status: 'declined',
        detail: `refused by the terminal: store-and-forward queue full (${saf.maxQueue})`,
      };
    this.state.saf.push({ record, message, attempts: 0 });
    this.state.addToBatch(record);
    this.#tx!.emit(
      'saf-queued',
      `${message.mti} ${record.type} STAN ${stanOf(message)} queued (${this.state.saf.length} waiting)`,
    );
    return undefined;
  }

  async #settlement(): Promise<EngineOutcome> {
    await this.#link!.connect(this.#tx!.signal);
    const ready = await this.#prepare();
    if (ready) return ready;
    const totals = this.state.totals();
    const summary = `debits ${totals.debitCount} (${totals.debitAmount}), credits ${totals.creditCount} (${totals.creditAmount})`;
    const r = await this.#exchange(
      this.#builder.build('settlement', this.#inputs({ totals })),
      'settlement',
      this.#timeout('settlement'),
    );
    if (r.kind !== 'answer') return this.#noAnswer(r, 'settlement');
    if (!this.#unbalanced(r.response, r.code)) {
      if (!this.#approved('settlement', r.code))
        return { status: 'declined', responseCode: r.code, detail: `settlement declined ${r.code}` };
      this.state.closeBatch();
      return { status: 'approved', responseCode: r.code, detail: `in balance: ${summary}; batch closed` };
    }
    if (!this.#builder.has('upload-record'))
      return { status: 'declined', responseCode: r.code, detail: `out of balance (${r.code}): ${summary}` };
    this.#tx!.emit('log', `out of balance (${r.code}): uploading ${this.state.records.length} records`);
    let last: Exchanged = r;
    let step = 0;
    for (const record of this.state.records) {
      last = await this.#exchange(
        this.#builder.build('upload-record', this.#inputs({ record, totals })),
        'upload-record',
        this.#timeout('upload-record'),
      );
      if (last.kind !== 'answer')
        return this.#noAnswer(last, `batch upload record ${step + 1} of ${this.state.records.length}`);
      step++;
    }
    for (const name of ['upload-end', 'settlement-close'] as const) {
      if (!this.#builder.has(name)) continue;
      last = await this.#exchange(
        this.#builder.build(name, this.#inputs({ totals })),
        name,
        this.#timeout(name),
      );
      if (last.kind !== 'answer') return this.#noAnswer(last, name);
    }
    const closer = this.#builder.has('settlement-close')
      ? 'settlement-close'
      : this.#builder.has('upload-end')
        ? 'upload-end'
        : 'upload-record';
    const done = last as Extract<Exchanged, { kind: 'answer' }>;
    if (!this.#approved(closer, done.code) || this.#unbalanced(done.response, done.code))
      return {
        status: 'declined',
        responseCode: done.code,
        detail: `out of balance; batch upload of ${step} records answered ${done.code}`,
      };
    this.state.closeBatch();
    return {
      status: 'approved',
      responseCode: done.code,
      detail: `out of balance (${r.code}): ${step} records uploaded, batch closed`,
    };
  }

  // ---- before every online transaction: sign on, owed reversal, stored advices ----------------

  /** An outcome when the transaction cannot go on (the sign-on it needs failed). */
  async #prepare(): Promise<EngineOutcome | undefined> {
    if (this.#iso.autoSignOn && !this.state.signedOn) {
      const signOn = await this.#signOn();
      if (signOn.status !== 'approved') return { ...signOn, detail: `sign-on first: ${signOn.detail}` };
    }
    await this.#deliverReversal();
    await this.#drainSaf();
    return undefined;
  }

  /** Delivers the owed reversal, retrying with the repeat MTI; the answer's code when delivered. */
  async #deliverReversal(): Promise<string | undefined> {
    const tx = this.#tx!;
    const { maxAttempts } = this.profile.reversal;
    const template = this.#builder.template('reversal');
    while (this.state.reversal) {
      const pending = this.state.reversal;
      const stan = stanOf(pending.original.request);
      if (pending.attempts >= maxAttempts) {
        tx.emit('log', `reversal of STAN ${stan} abandoned after ${pending.attempts} attempts`);
        this.state.reversal = undefined;
        return undefined;
      }
      pending.message ??= this.#builder.build(
        'reversal',
        this.#inputs({
          original: pending.original,
          amount: pending.original.amount,
          card: pending.original.card,
          reason: this.#iso.reasonCodes[pending.reason],
        }),
      );
      const repeat = pending.attempts > 0 && template.repeatMti && !this.profile.defects.has('no-repeat-mti');
      const msg = repeat ? { ...pending.message, mti: template.repeatMti! } : pending.message;
      const r = await this.#exchange(msg, repeat ? 'reversal repeat' : 'reversal', this.#timeout('reversal'));
      if (r.kind === 'unreachable') return undefined;
      pending.attempts++;
      if (r.kind === 'answer') {
        this.state.reversal = undefined;
        tx.emit('reversal-sent', `reversal of STAN ${stan} answered ${r.code} (attempt ${pending.attempts})`);
        return r.code;
      }
    }
    return undefined;
  }

  /**
   * Forwards queued advices in order. One that gets no answer waits for the next occasion (the next
   * online transaction or settlement) and goes again with the repeat MTI; after saf.maxAttempts
   * it is dropped.
   */
  async #drainSaf(): Promise<void> {
    const tx = this.#tx!;
    const { maxAttempts } = this.profile.saf;
    while (this.state.saf.length > 0) {
      const item = this.state.saf[0]!;
      const template = this.#builder.template(
        item.record.type === 'advice' ? 'advice' : (item.record.type as MessageName),
      );
      const repeat = item.attempts > 0 && template.repeatMti && !this.profile.defects.has('no-repeat-mti');
      const msg = repeat ? { ...item.message, mti: template.repeatMti! } : item.message;
      const r = await this.#exchange(msg, item.record.type, this.#timeout(template.name));
      if (r.kind === 'unreachable') return;
      item.attempts++;
      if (r.kind !== 'answer') {
        if (item.attempts < maxAttempts) return;
        this.state.saf.shift();
        tx.emit('log', `advice STAN ${stanOf(item.message)} dropped after ${item.attempts} attempts`);
        continue;
      }
      this.state.saf.shift();
      item.record.request = r.request;
      item.record.response = r.response;
      if (!this.#approved(template.name, r.code)) this.state.removeFromBatch(item.record);
      tx.emit(
        'saf-uploaded',
        `${msg.mti} ${item.record.type} STAN ${stanOf(msg)} answered ${r.code} (${this.state.saf.length} waiting)`,
      );
    }
  }

  // ---- one message out, its answer back ------------------------------------------------------

  async #exchange(unsigned: IsoMessage, label: string, timeoutMs: number): Promise<Exchanged> {
    const tx = this.#tx!;
    const link = this.#link!;
    const keys = this.#keys();
    const request = this.#builder.sign(unsigned, keys);
    const framed: FramedMessage = {
      ...(this.#iso.tpdu && { tpdu: this.#iso.tpdu }),
      ...(this.#iso.header && { header: this.#iso.header }),
      message: request,
    };
    let bytes: Buffer;
    try {
      bytes = this.dialect.packFrame(framed);
    } catch (err) {
      throw new TerminalFault('encode', `${label} ${request.mti} does not encode: ${(err as Error).message}`);
    }
    try {
      await link.connect(tx.signal);
    } catch (err) {
      if (err instanceof HostUnreachable) return { kind: 'unreachable', detail: err.message };
      throw err;
    }
    link.send(bytes);
    const sent = recordMessage(this.dialect, framed, bytes.length, label);
    tx.record('sent', sent);
    tx.emit('sent', sent.summary, sent);
    const overhead = frameOverhead(this.dialect.framing!);
    const deadline = performance.now() + this.#scaled(timeoutMs);
    for (;;) {
      const next = await link.next(deadline - performance.now(), tx.signal);
      if ('timeout' in next) {
        const detail = `no answer to ${label} STAN ${stanOf(request)} in ${seconds(timeoutMs)}`;
        tx.emit('timed-out', detail);
        return { kind: 'timeout', request, detail };
      }
      if ('closed' in next) {
        const detail = `no answer to ${label} STAN ${stanOf(request)}: ${next.closed}`;
        tx.emit('timed-out', detail);
        return { kind: 'closed', request, detail };
      }
      const frame = next.frame;
      const size = overhead + frame.body.length;
      let response: IsoMessage;
      try {
        response = this.dialect.unpack(frame.body);
      } catch (err) {
        const detail = `an answer of ${size} bytes that does not decode: ${(err as Error).message}`;
        tx.record('received', { summary: `undecodable frame (${size} bytes)`, size });
        tx.emit('discarded', detail);
        continue;
      }
      const got = recordMessage(
        this.dialect,
        {
          ...(frame.tpdu && { tpdu: frame.tpdu }),
          ...(frame.header && { header: frame.header.toString('hex').toUpperCase() }),
          message: response,
        },
        size,
      );
      tx.record('received', got);
      const why = mismatch(request, response, !this.profile.defects.has('no-stan-check'));
      if (why) {
        tx.emit('discarded', `${got.summary}: ${why}`, got);
        continue;
      }
      tx.emit('received', got.summary, got);
      this.state.answered();
      const code = String(response.fields['39'] ?? '');
      const mac = this.#builder.verify(response, frame.body, keys);
      if (mac === false) {
        tx.emit('log', `${got.summary}: MAC does not verify`);
        return { kind: 'bad-mac', request, response, code };
      }
      if (this.#iso.signOnAgainCodes.includes(code)) this.state.signedOn = false;
      return { kind: 'answer', request, response, code };
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  #inputs(given: {
    amount?: number;
    card?: CardInput;
    original?: TxRecord;
    record?: TxRecord;
    totals?: MessageInputs['totals'];
    currency?: string;
    reason?: string;
  }): MessageInputs {
    const config = this.#config!;
    const card = given.card;
    const keys = () => this.#keys();
    const builder = this.#builder;
    return {
      now: config.now?.() ?? new Date(),
      terminalId: config.terminalId ?? this.build.terminal?.terminalId ?? '',
      merchantId: config.merchantId ?? this.build.terminal?.merchantId ?? '',
      ...((given.currency ?? this.build.terminal?.currency) && {
        currency: given.currency ?? this.build.terminal?.currency,
      }),
      batch: this.state.batch,
      stan: lazyStan(this.state),
      trackSeparator: builder.trackSeparator,
      ...(given.amount !== undefined && { amount: given.amount }),
      ...(card && { card }),
      ...(card?.pin !== undefined && { pinBlock: () => builder.pinBlock(card.pin!, card.pan, keys()) }),
      ...(given.original && { original: given.original, authCode: authOf(given.original) }),
      ...(given.record && { record: given.record }),
      ...(given.totals && { totals: given.totals }),
      ...(given.reason !== undefined && { reason: given.reason }),
    };
  }

  /** The terminal's own record of an earlier transaction, or one made from the reference alone. */
  #originalOf(ref: TransactionReference | undefined): TxRecord | undefined {
    if (!ref) return undefined;
    const known =
      this.state.find(ref.stan, ref.rrn) ?? (ref.rrn ? this.state.find(undefined, ref.rrn) : undefined);
    if (known) return known;
    const fields: Record<string, string> = {};
    if (ref.stan) fields['11'] = ref.stan;
    if (ref.transmittedAt) fields['7'] = ref.transmittedAt;
    const answer: Record<string, string> = {};
    if (ref.rrn) answer['37'] = ref.rrn;
    if (ref.authCode) answer['38'] = ref.authCode;
    return {
      type: 'sale',
      request: { mti: ref.mti ?? '', fields },
      response: { mti: '', fields: answer },
      amount: ref.amount ?? 0,
      batch: this.state.batch,
    };
  }

  #reference(record: TxRecord): TransactionReference {
    const text = (m: IsoMessage | undefined, id: string) => {
      const v = m?.fields[id];
      return typeof v === 'string' ? v : undefined;
    };
    const ref: TransactionReference = { amount: record.amount, mti: record.request.mti };
    const stan = text(record.request, '11');
    const rrn = text(record.response, '37');
    const auth = text(record.response, '38') ?? text(record.request, '38');
    const at = text(record.request, '7');
    if (stan) ref.stan = stan;
    if (rrn) ref.rrn = rrn;
    if (auth) ref.authCode = auth;
    if (at) ref.transmittedAt = at;
    return ref;
  }

  #declined(type: string, code: string, reference: TransactionReference): EngineOutcome {
    const again = this.#iso.signOnAgainCodes.includes(code) ? ': the terminal signs on again next time' : '';
    return { status: 'declined', responseCode: code, detail: `${type} declined ${code}${again}`, reference };
  }

  #noAnswer(r: Exclude<Exchanged, { kind: 'answer' }>, what: string): EngineOutcome {
    if (r.kind === 'bad-mac')
      return { status: 'declined', detail: `${what}: answer with a MAC that does not verify` };
    return {
      status: 'timed-out',
      detail: r.kind === 'unreachable' ? `host unreachable: ${r.detail}` : r.detail,
    };
  }

  #approved(name: MessageName, code: string): boolean {
    const template = this.#iso.messages[name];
    return (template?.approvedCodes ?? this.#iso.approvedCodes).includes(code);
  }

  #unbalanced(response: IsoMessage, code: string): boolean {
    const u = this.#iso.unbalanced;
    if (u.responseCodes.includes(code)) return true;
    if (!u.field) return false;
    const v = getField(response, u.field.path);
    if (typeof v !== 'string') return false;
    const at = u.field.offset ?? 0;
    return v.slice(at, at + u.field.value.length) === u.field.value;
  }

  #timeout(name: MessageName): number {
    return this.#iso.messages[name]?.timeoutMs ?? this.profile.timeouts.responseMs;
  }

  #keys(): Record<string, string> {
    return { ...this.#config?.keys, ...this.state.workingKeys };
  }

  #scaled(ms: number): number {
    return ms * (this.#config?.timeScale ?? 1);
  }
}

/** The STAN is taken when a template first uses it, once per message. */
function lazyStan(state: IsoTerminalState): () => string {
  let stan: string | undefined;
  return () => {
    stan ??= state.takeStan();
    return stan;
  };
}

function authOf(r: TxRecord): string | undefined {
  const v = r.response?.fields['38'] ?? r.request.fields['38'];
  return typeof v === 'string' ? v : undefined;
}

function stanOf(m: IsoMessage): string {
  const v = m.fields['11'];
  return typeof v === 'string' ? v : '-';
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

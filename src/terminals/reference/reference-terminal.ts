import type { FirmwareBuild } from '../firmware-loader.js';
import type {
  Capability,
  DriverOptions,
  Terminal,
  TerminalConfig,
  TerminalEvent,
  TerminalIdentity,
  TerminalMessage,
  TransactionOutcome,
  TransactionRequest,
} from '../terminal.js';
import type { EngineOutcome, ProtocolEngine, TransactionContext } from './protocol-engine.js';
import { TerminalFault } from './terminal-fault.js';

/**
 * The built-in reference terminal: a Terminal whose behaviour is its build's profile. This part is
 * what every protocol shares — one transaction at a time, the event stream, the messages and
 * duration of each outcome, cancel and the transaction deadline — and hands the protocol work to
 * its engine (ISO 8583 over TCP: iso/; REST to a payment gateway: rest/).
 */
export class ReferenceTerminal implements Terminal {
  readonly #listeners = new Set<(event: TerminalEvent) => void>();
  #config: TerminalConfig | undefined;
  #running: AbortController | undefined;
  /** Settles when the outstanding transaction has ended (reset and close wait for it). */
  #settled: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly build: FirmwareBuild,
    private readonly engine: ProtocolEngine,
    private readonly options: DriverOptions = {},
  ) {}

  async identify(): Promise<TerminalIdentity> {
    const { id, vendor, model, version } = this.build;
    return { build: id, vendor, model, version };
  }

  async capabilities(): Promise<readonly Capability[]> {
    return this.build.capabilities;
  }

  async configure(config: TerminalConfig): Promise<void> {
    if (this.#running) throw new Error('cannot configure while a transaction is outstanding');
    this.engine.configure(config);
    this.#config = config;
  }

  run(request: TransactionRequest): Promise<TransactionOutcome> {
    if (this.#running)
      return Promise.reject(new Error('a transaction is outstanding: the terminal runs one at a time'));
    const outcome = this.#run(request);
    this.#settled = outcome.catch(() => {});
    return outcome;
  }

  async #run(request: TransactionRequest): Promise<TransactionOutcome> {
    const abort = new AbortController();
    this.#running = abort;
    const started = performance.now();
    const messages: TerminalMessage[] = [];
    const tx: TransactionContext = {
      signal: abort.signal,
      emit: (kind, detail, message) =>
        this.#emit({ kind, at: new Date().toISOString(), detail, ...(message && { message }) }),
      record: (direction, message) =>
        messages.push({ direction, atMs: Math.round(performance.now() - started), message }),
    };
    // The whole transaction's deadline (request, else driver default), scaled like every duration.
    const deadlineMs = request.timeoutMs ?? this.options.timeoutMs;
    const timer =
      deadlineMs === undefined
        ? undefined
        : setTimeout(
            () =>
              abort.abort(new TerminalFault('deadline', `transaction deadline of ${deadlineMs} ms passed`)),
            deadlineMs * (this.#config?.timeScale ?? 1),
          );
    let outcome: EngineOutcome;
    try {
      if (!this.#config) throw new TerminalFault('not-configured', 'configure() the terminal first');
      if (!this.build.capabilities.includes(request.type))
        throw new TerminalFault('unsupported', `build ${this.build.id} does not declare "${request.type}"`);
      outcome = await this.engine.run(request, tx);
    } catch (err) {
      outcome = failed(err);
    } finally {
      clearTimeout(timer);
      this.#running = undefined;
    }
    return { ...outcome, messages, durationMs: Math.round(performance.now() - started) };
  }

  async cancel(): Promise<void> {
    this.#running?.abort(new TerminalFault('cancelled', 'cancelled'));
  }

  async reset(): Promise<void> {
    await this.cancel();
    await this.#settled;
    this.engine.reset();
  }

  onEvent(listener: (event: TerminalEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    await this.cancel();
    await this.#settled;
    this.engine.close();
  }

  #emit(event: TerminalEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's bug must not break the transaction it listens to.
      }
    }
  }
}

function failed(err: unknown): EngineOutcome {
  if (err instanceof TerminalFault) {
    // Running out of time is the transaction timing out, not the harness failing.
    if (err.code === 'deadline') return { status: 'timed-out', detail: err.message };
    return { status: 'error', detail: err.message, error: { code: err.code, message: err.message } };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    status: 'error',
    detail: `reference terminal failed: ${message}`,
    error: { code: 'internal', message },
  };
}

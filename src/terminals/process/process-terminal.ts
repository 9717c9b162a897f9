import type { FirmwareBuild } from '../firmware-loader.js';
import type {
  Capability,
  HostEndpoint,
  Terminal,
  TerminalConfig,
  TerminalEvent,
  TerminalIdentity,
  TerminalMessage,
  TransactionOutcome,
  TransactionRequest,
} from '../terminal.js';
import { EmulatorProcess } from './emulator-process.js';
import type { OutputMasker } from './output-masker.js';
import type { ProcessSpec, ProcessTimeouts } from './process-schema.js';
import { ProcessTerminalError } from './process-terminal-error.js';
import { CONTROL_PROTOCOL, type EventParams, type ParamsOf, type RunResult } from './protocol-schema.js';

export interface ProcessTerminalOptions {
  build: FirmwareBuild;
  spec: ProcessSpec;
  /** Absolute working folder of the emulator. */
  cwd: string;
  timeouts: ProcessTimeouts;
  masker: OutputMasker;
}

/**
 * A Terminal played by an external emulator (paymatrix-control/1 over stdio). Failures of the
 * emulator never hang or throw out of run(): they become `error` outcomes with the reason and the
 * stderr tail. identify/configure/reset reject with a ProcessTerminalError instead. A broken
 * emulator stays broken until reset(), which starts a fresh process (a power cycle).
 */
export class ProcessTerminal implements Terminal {
  readonly #o: ProcessTerminalOptions;
  #proc?: EmulatorProcess;
  #identity?: TerminalIdentity;
  #config?: TerminalConfig;
  #running = false;
  #closed = false;
  readonly #listeners = new Set<(event: TerminalEvent) => void>();
  /** Messages seen in `sent`/`received` events of the running transaction: evidence when it fails. */
  #seen?: { startedAt: number; messages: TerminalMessage[] };

  constructor(options: ProcessTerminalOptions) {
    this.#o = options;
  }

  /** Starts the emulator and checks it is the build it should be (hello). */
  async start(): Promise<void> {
    const { build, spec, cwd, timeouts, masker } = this.#o;
    const proc = new EmulatorProcess({
      command: spec.command,
      cwd,
      env: spec.env ?? {},
      timeouts,
      masker,
      onEvent: (e) => this.#onEvent(e),
    });
    this.#proc = proc;
    try {
      const hello = await proc.request(
        'hello',
        {
          protocol: CONTROL_PROTOCOL,
          build: { id: build.id, vendor: build.vendor, model: build.model, version: build.version },
        },
        timeouts.startMs,
        'start-up timeout, wall clock',
      );
      const problem = mismatch(build, hello);
      if (problem) throw new ProcessTerminalError('emulator-identity', problem, proc.stderrTail());
      this.#identity = { build: build.id, ...hello.identity };
    } catch (err) {
      await proc.kill();
      throw err;
    }
  }

  /** The emulator's process id (for diagnostics), while it runs. */
  get pid(): number | undefined {
    return this.#proc?.alive ? this.#proc.pid : undefined;
  }

  async identify(): Promise<TerminalIdentity> {
    this.#usable();
    return this.#identity!;
  }

  /** What the build file declares (start() checked the emulator offers all of it). */
  async capabilities(): Promise<readonly Capability[]> {
    return this.#o.build.capabilities;
  }

  async configure(config: TerminalConfig): Promise<void> {
    const proc = this.#usable();
    const terminal = this.#o.build.terminal;
    const keys = config.keys;
    // A client key's PEM line by line too: an emulator may print one line of it.
    const pem = config.clientCertificate?.key;
    const pemLines = pem?.split('\n').filter((line) => !line.startsWith('-----')) ?? [];
    this.#o.masker.addSecrets(...Object.values(keys ?? {}), config.apiKey, pem, ...pemLines);
    const params: ParamsOf<'configure'> = {
      primary: endpoint(config.primary),
      ...(config.backup && { backup: endpoint(config.backup) }),
      ...((config.terminalId ?? terminal?.terminalId) && {
        terminalId: config.terminalId ?? terminal?.terminalId,
      }),
      ...((config.merchantId ?? terminal?.merchantId) && {
        merchantId: config.merchantId ?? terminal?.merchantId,
      }),
      ...(terminal?.currency && { currency: terminal.currency }),
      ...(keys && { keys }),
      ...(config.apiKey && { apiKey: config.apiKey }),
      ...(config.ca && { ca: config.ca }),
      ...(config.clientCertificate && { clientCertificate: config.clientCertificate }),
      timeScale: config.timeScale ?? 1,
      ...(config.seed !== undefined && { seed: config.seed }),
    };
    await proc.request('configure', params, this.#o.timeouts.requestMs, 'request timeout, wall clock');
    this.#config = config;
  }

  async run(request: TransactionRequest): Promise<TransactionOutcome> {
    if (this.#running) throw new Error('a transaction is already running on this terminal');
    this.#running = true;
    const startedAt = performance.now();
    this.#seen = { startedAt, messages: [] };
    try {
      return await this.#run(request, startedAt);
    } catch (err) {
      const e =
        err instanceof ProcessTerminalError
          ? err
          : new ProcessTerminalError('emulator-protocol', String(err));
      return this.#errorOutcome(e, startedAt);
    } finally {
      this.#running = false;
      this.#seen = undefined;
    }
  }

  async #run(request: TransactionRequest, startedAt: number): Promise<TransactionOutcome> {
    const proc = this.#usable();
    const config = this.#config;
    if (!config) throw new ProcessTerminalError('not-configured', 'configure() the terminal before run()');
    const { timeouts, masker } = this.#o;
    const timeoutMs = request.timeoutMs ?? timeouts.transactionMs;
    const scale = config.timeScale ?? 1;
    masker.addSecrets(request.card?.pan);
    const currency = request.currency ?? this.#o.build.terminal?.currency;
    const params: ParamsOf<'run'> = {
      type: request.type,
      ...(request.amount !== undefined && { amount: request.amount }),
      ...(currency && { currency }),
      ...(request.card && { card: request.card }),
      ...(request.original && { original: request.original }),
      timeoutMs,
      ...(config.now && { now: config.now().toISOString() }),
    };
    // The emulator applies the scaled deadline itself; the grace covers its own overhead (wall clock).
    const watchdog = Math.ceil(timeoutMs * scale) + timeouts.graceMs;
    const deadline = `deadline ${Math.ceil(timeoutMs * scale)} ms (${timeoutMs} ms x time scale ${scale}) + grace ${timeouts.graceMs} ms`;
    const result = await proc.request('run', params, watchdog, deadline);
    return this.#outcome(result, startedAt);
  }

  #outcome(result: RunResult, startedAt: number): TransactionOutcome {
    const m = this.#o.masker;
    return {
      status: result.status,
      ...(result.responseCode !== undefined && { responseCode: result.responseCode }),
      detail: m.text(result.detail),
      ...(result.reference && { reference: m.deep(result.reference) as TransactionOutcome['reference'] }),
      messages: result.messages.map((x) => ({
        direction: x.direction,
        atMs: x.atMs,
        message: m.message(x.message),
      })),
      durationMs: result.durationMs ?? Math.round(performance.now() - startedAt),
      ...(result.error && { error: { code: result.error.code, message: m.text(result.error.message) } }),
    };
  }

  #errorOutcome(err: ProcessTerminalError, startedAt: number): TransactionOutcome {
    return {
      status: 'error',
      detail: `emulator failed: ${err.reason}`,
      messages: this.#seen?.messages ?? [],
      durationMs: Math.round(performance.now() - startedAt),
      error: { code: err.code, message: err.reason, ...(err.stderr && { stderr: err.stderr }) },
    };
  }

  async cancel(): Promise<void> {
    if (!this.#running || !this.#proc?.alive) return;
    // If the emulator does not acknowledge, it is hung: the failure ends the run with an error.
    await this.#proc.request('cancel', {}, this.#o.timeouts.requestMs).catch(() => {});
  }

  async reset(): Promise<void> {
    if (this.#closed) throw new Error('the terminal is closed');
    const proc = this.#proc;
    if (proc?.alive) {
      await proc.request('reset', {}, this.#o.timeouts.requestMs, 'request timeout, wall clock');
      return;
    }
    // A broken emulator is power-cycled: a fresh process, told the last configuration again.
    await proc?.kill();
    await this.start();
    if (this.#config) await this.configure(this.#config);
  }

  onEvent(listener: (event: TerminalEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#proc?.close();
  }

  /** The process, or the reason it cannot be used. */
  #usable(): EmulatorProcess {
    if (this.#closed) throw new ProcessTerminalError('emulator-closed', 'the terminal is closed');
    const proc = this.#proc;
    if (!proc) throw new ProcessTerminalError('emulator-start', 'the emulator was not started');
    if (proc.failure) throw proc.failure;
    return proc;
  }

  #onEvent(e: EventParams): void {
    const m = this.#o.masker;
    const event: TerminalEvent = {
      kind: e.kind,
      at: e.at,
      detail: m.text(e.detail),
      ...(e.message && { message: m.message(e.message) }),
    };
    const seen = this.#seen;
    if (seen && event.message && (event.kind === 'sent' || event.kind === 'received')) {
      seen.messages.push({
        direction: event.kind,
        atMs: Math.round(performance.now() - seen.startedAt),
        message: event.message,
      });
    }
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // one listener's mistake must not stop the others
      }
    }
  }
}

function endpoint(e: HostEndpoint): ParamsOf<'configure'>['primary'] {
  return 'url' in e ? { url: e.url } : { host: e.host, port: e.port };
}

/** Why the emulator is not the build the file describes, or undefined. */
function mismatch(
  build: FirmwareBuild,
  hello: {
    protocol: string;
    identity: { vendor: string; model: string; version: string };
    capabilities: string[];
  },
): string | undefined {
  if (hello.protocol !== CONTROL_PROTOCOL)
    return `the emulator speaks ${hello.protocol}; paymatrix speaks ${CONTROL_PROTOCOL}`;
  const said = hello.identity;
  if (said.vendor !== build.vendor || said.model !== build.model || said.version !== build.version) {
    return (
      `the emulator says it is ${said.vendor} ${said.model} ${said.version}; ` +
      `the build file ${build.id} says ${build.vendor} ${build.model} ${build.version}`
    );
  }
  const missing = build.capabilities.filter((c) => !hello.capabilities.includes(c));
  if (missing.length > 0)
    return `the build file ${build.id} declares ${missing.join(', ')}, which the emulator does not offer`;
  return undefined;
}

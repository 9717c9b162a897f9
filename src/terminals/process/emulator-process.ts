import { Buffer } from 'node:buffer';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { TSchema } from '@sinclair/typebox';
import { DataFileError } from '../../data/data-file-error.js';
import { validateData } from '../../data/load-data-file.js';
import type { OutputMasker } from './output-masker.js';
import type { ProcessTimeouts } from './process-schema.js';
import { type ProcessErrorCode, ProcessTerminalError } from './process-terminal-error.js';
import {
  ErrorResponseSchema,
  EventNotificationSchema,
  type EventParams,
  type Method,
  type ParamsOf,
  type ResultOf,
  requestSchema,
  responseSchema,
} from './protocol-schema.js';

export interface EmulatorProcessOptions {
  command: readonly string[];
  cwd: string;
  env: Record<string, string>;
  timeouts: ProcessTimeouts;
  masker: OutputMasker;
  onEvent(event: EventParams): void;
}

interface Pending {
  method: Method;
  resolve(result: unknown): void;
  reject(err: ProcessTerminalError): void;
  timer: NodeJS.Timeout;
}

/** A line longer than this is not a control message: the emulator is writing something else. */
const MAX_LINE_BYTES = 4 * 1024 * 1024;
/** stderr kept (raw) for error reports; what is reported is its masked tail. */
const STDERR_KEEP = 16 * 1024;
const STDERR_REPORT = 4 * 1024;

const live = new Set<EmulatorProcess>();
let exitHook = false;

/**
 * One running emulator speaking paymatrix-control/1 on stdio: JSON-RPC requests with ids, answers
 * matched by id, events at any time. Every line it writes is validated; anything else (garbage, an
 * answer nobody asked for, a hang past a deadline, an exit) breaks it for good: the process is
 * killed and every waiting request fails with the reason and the stderr tail. Runs in its own
 * process group so a wrapper script's children die with it.
 */
export class EmulatorProcess {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #options: EmulatorProcessOptions;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #stdout = Buffer.alloc(0);
  #line = 0;
  #stderr = '';
  #failure?: ProcessTerminalError;
  /** The reason decided while the process is still being killed; becomes #failure at exit. */
  #failing?: { code: ProcessErrorCode; message: string };
  #closing = false;
  #exited = false;
  readonly #exit: Promise<void>;
  #markExited!: () => void;

  constructor(options: EmulatorProcessOptions) {
    this.#options = options;
    this.#exit = new Promise((resolve) => {
      this.#markExited = resolve;
    });
    const [program, ...args] = options.command;
    this.#child = spawn(program!, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    live.add(this);
    if (!exitHook) {
      exitHook = true;
      // paymatrix itself exiting must not leave emulators behind.
      process.once('exit', () => {
        for (const p of live) p.#signal('SIGKILL');
      });
    }
    const child = this.#child;
    child.stdin.on('error', () => {}); // EPIPE after a crash: the exit handler reports it
    child.stdout.on('data', (chunk: Buffer) => this.#onStdout(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      this.#stderr += text;
      if (this.#stderr.length > STDERR_KEEP) {
        // Cut at a line start so a PAN is never split into pieces too short to recognise.
        const cut = this.#stderr.indexOf('\n', this.#stderr.length - STDERR_KEEP);
        this.#stderr = cut < 0 ? '' : this.#stderr.slice(cut + 1);
      }
    });
    let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let lateClose: NodeJS.Timeout | undefined;
    const finish = () => {
      if (this.#exited) return;
      clearTimeout(lateClose);
      this.#exited = true;
      live.delete(this);
      const how = exitInfo?.signal
        ? `was killed by ${exitInfo.signal}`
        : `exited with code ${exitInfo?.code}`;
      const reason = this.#failing ?? {
        code: (this.#closing ? 'emulator-closed' : 'emulator-exited') as ProcessErrorCode,
        message: this.#closing ? 'the terminal was closed' : `the emulator ${how}`,
      };
      this.#failure ??= new ProcessTerminalError(reason.code, reason.message, this.stderrTail());
      for (const [id, p] of this.#pending) {
        clearTimeout(p.timer);
        this.#pending.delete(id);
        p.reject(this.#failure);
      }
      this.#markExited();
    };
    child.on('error', (err) => {
      // Could not start at all (ENOENT, EACCES): no exit event follows.
      if (child.pid === undefined) {
        this.#failing ??= {
          code: 'emulator-start',
          message: `cannot start ${JSON.stringify(program)}: ${err.message}`,
        };
        finish();
      }
    });
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      // 'close' follows once stdout/stderr are drained; a grandchild holding them must not delay us.
      lateClose = setTimeout(finish, 250);
    });
    child.on('close', (code, signal) => {
      exitInfo ??= { code, signal };
      finish();
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Set once the emulator is unusable (exited, killed, broke the protocol). */
  get failure(): ProcessTerminalError | undefined {
    return this.#failure;
  }

  get alive(): boolean {
    return !this.#exited && !this.#failing;
  }

  /** The end of what the emulator wrote to stderr, masked. */
  stderrTail(): string {
    let tail = this.#options.masker.text(this.#stderr);
    if (tail.length > STDERR_REPORT) {
      const cut = tail.indexOf('\n', tail.length - STDERR_REPORT);
      tail = cut < 0 ? tail.slice(-STDERR_REPORT) : tail.slice(cut + 1);
    }
    return tail.trimEnd();
  }

  /**
   * Sends one request; resolves with the validated result. `timeoutMs` is a wall-clock deadline:
   * past it the emulator counts as hung and is killed. `deadline` explains it in the error.
   */
  request<M extends Method>(
    method: M,
    params: ParamsOf<M>,
    timeoutMs: number,
    deadline?: string,
  ): Promise<ResultOf<M>> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#failing || this.#exited) return this.#exit.then(() => Promise.reject(this.#failure));
    const id = this.#nextId++;
    const message = { jsonrpc: '2.0', id, method, params };
    try {
      validateOwn(method, message);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<ResultOf<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        const seconds = (timeoutMs / 1000).toFixed(timeoutMs < 10_000 ? 2 : 0);
        this.#fail(
          'emulator-timeout',
          `no answer to ${method} within ${seconds} s${deadline ? ` (${deadline})` : ''}`,
        );
      }, timeoutMs);
      this.#pending.set(id, { method, resolve: resolve as (r: unknown) => void, reject, timer });
      this.#child.stdin.write(`${JSON.stringify(message)}\n`);
    });
  }

  /**
   * Asks the emulator to shut down, then escalates: SIGTERM after `shutdownMs`, SIGKILL after
   * `killMs`. Resolves once the process is gone.
   */
  async close(): Promise<void> {
    if (this.#exited) return;
    this.#closing = true;
    const { shutdownMs } = this.#options.timeouts;
    if (this.alive) {
      this.request('shutdown', {}, shutdownMs).catch(() => {});
      this.#child.stdin.end(); // EOF is the other way to say "exit" (an emulator must honour it)
      if (await this.#exitedWithin(shutdownMs)) return;
    }
    await this.kill();
  }

  /** SIGTERM, then SIGKILL after `killMs`. */
  async kill(): Promise<void> {
    if (this.#exited) return;
    this.#signal('SIGTERM');
    if (await this.#exitedWithin(this.#options.timeouts.killMs)) return;
    this.#signal('SIGKILL');
    await this.#exitedWithin(2_000);
  }

  #exitedWithin(ms: number): Promise<boolean> {
    if (this.#exited) return Promise.resolve(true);
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      this.#exit.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  #signal(signal: NodeJS.Signals): void {
    const pid = this.#child.pid;
    if (pid === undefined || this.#exited) return;
    try {
      process.kill(-pid, signal); // the whole group: wrappers and their children too
    } catch {
      try {
        this.#child.kill(signal);
      } catch {
        // gone already
      }
    }
  }

  /** The emulator is unusable: remember why, kill it; waiting requests fail once it is gone. */
  #fail(code: ProcessErrorCode, message: string): void {
    if (this.#failing || this.#exited) return;
    this.#failing = { code, message };
    void this.kill();
  }

  #onStdout(chunk: Buffer): void {
    if (this.#failing) return;
    let data = this.#stdout.length ? Buffer.concat([this.#stdout, chunk]) : chunk;
    let nl = data.indexOf(10);
    while (nl >= 0) {
      this.#line++;
      this.#onLine(data.subarray(0, nl).toString('utf8').replace(/\r$/, ''));
      if (this.#failing) return;
      data = data.subarray(nl + 1);
      nl = data.indexOf(10);
    }
    this.#stdout = Buffer.from(data);
    if (this.#stdout.length > MAX_LINE_BYTES)
      this.#fail('emulator-protocol', `stdout line ${this.#line + 1} is longer than ${MAX_LINE_BYTES} bytes`);
  }

  #onLine(line: string): void {
    if (line.trim() === '') return;
    const where = `stdout line ${this.#line}`;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      this.#fail('emulator-protocol', `${where} is not a JSON message: ${this.#quote(line)}`);
      return;
    }
    const msg = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
    if ('method' in msg) {
      if (!this.#valid(where, 'event', data, EventNotificationSchema)) return;
      try {
        this.#options.onEvent((data as { params: EventParams }).params);
      } catch {
        // a listener's mistake is not the emulator's
      }
      return;
    }
    const id = msg.id;
    const pending = typeof id === 'number' ? this.#pending.get(id) : undefined;
    if (!pending) {
      const what =
        'id' in msg
          ? `answers request id ${JSON.stringify(id)}, which is not waiting`
          : 'is neither an answer (id) nor an event (method)';
      this.#fail('emulator-protocol', `${where} ${what}: ${this.#quote(line)}`);
      return;
    }
    if ('error' in msg) {
      if (!this.#valid(where, 'error response', data, ErrorResponseSchema)) return;
      this.#settle(id as number);
      const e = (data as { error: { code: number; message: string } }).error;
      const text = this.#options.masker.text(e.message);
      pending.reject(
        new ProcessTerminalError(
          'emulator-refused',
          `${pending.method} refused by the emulator: ${text} (code ${e.code})`,
          this.stderrTail(),
        ),
      );
      return;
    }
    if (!this.#valid(where, `${pending.method} response`, data, cachedResponseSchema(pending.method))) return;
    this.#settle(id as number);
    pending.resolve((data as { result: unknown }).result);
  }

  #settle(id: number): void {
    clearTimeout(this.#pending.get(id)?.timer);
    this.#pending.delete(id);
  }

  #valid(where: string, what: string, data: unknown, schema: TSchema): boolean {
    try {
      validateData(where, data, schema);
      return true;
    } catch (err) {
      const e = err as Error;
      const problem = e instanceof DataFileError ? `${e.path ? `at ${e.path} ` : ''}${e.problem}` : e.message;
      this.#fail('emulator-protocol', `${where} is not a valid ${what}: ${problem}`);
      return false;
    }
  }

  /** A line for an error message: short, card data masked. */
  #quote(line: string): string {
    const masked = this.#options.masker.text(line);
    return JSON.stringify(masked.length > 120 ? `${masked.slice(0, 120)}…` : masked);
  }
}

const responseSchemas = new Map<Method, TSchema>();
function cachedResponseSchema(method: Method): TSchema {
  let s = responseSchemas.get(method);
  if (!s) {
    s = responseSchema(method);
    responseSchemas.set(method, s);
  }
  return s;
}

const requestSchemas = new Map<Method, TSchema>();
/** What paymatrix sends is checked too: a bad request is our bug (or the executor's), not the emulator's. */
function validateOwn(method: Method, message: unknown): void {
  let s = requestSchemas.get(method);
  if (!s) {
    s = requestSchema(method);
    requestSchemas.set(method, s);
  }
  try {
    validateData(`${method} request`, message, s);
  } catch (err) {
    const e = err as Error;
    throw new ProcessTerminalError(
      'invalid-request',
      e instanceof DataFileError
        ? `${method} request ${e.path ? `at ${e.path} ` : ''}${e.problem}`
        : e.message,
    );
  }
}

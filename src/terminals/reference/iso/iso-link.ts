import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { type Frame, FrameStreamDecoder, type FramingSpec } from '../../../protocols/iso8583/index.js';
import type { TerminalEventKind } from '../../terminal.js';

/** No host took the connection: every attempt on the primary (and the backup) failed. */
export class HostUnreachable extends Error {
  override readonly name = 'HostUnreachable';
}

export interface Endpoint {
  host: string;
  port: number;
}

export interface LinkOptions {
  framing: FramingSpec;
  primary: Endpoint;
  backup?: Endpoint;
  /** Already scaled. */
  connectTimeoutMs: number;
  retryDelayMs: number;
  /** Attempts per host. */
  attempts: number;
  /** Failed connects to the primary before the backup (no failover when undefined). */
  failoverAfter?: number;
  /**
   * ISO 8583 inside TLS: the CA to trust (PEM; default the system's), the newest version offered,
   * and the client certificate and key to present (mutual TLS).
   */
  tls?: { ca?: string; maxVersion: 'TLSv1.2' | 'TLSv1.3'; client?: { cert: string; key: string } };
  emit(kind: TerminalEventKind, detail: string): void;
}

export type NextFrame = { frame: Frame } | { closed: string } | { timeout: true };

/**
 * The terminal's TCP link to its acquirer: dial the primary, after N failed connects the backup,
 * then read whole frames (FrameStreamDecoder) one at a time. Frames that arrive while nobody waits
 * are kept, so a late answer is seen (and discarded by correlation) rather than lost.
 */
export class IsoLink {
  #socket: Socket | undefined;
  #frames: Frame[] = [];
  #closed: string | undefined;
  #wake: (() => void) | undefined;
  /** Which host the open connection goes to. */
  via: 'primary' | 'backup' | undefined;

  constructor(private readonly options: LinkOptions) {}

  get open(): boolean {
    return !!this.#socket && !this.#socket.destroyed && this.#closed === undefined;
  }

  /** Connects unless a connection is open; throws HostUnreachable when no host takes it. */
  async connect(signal: AbortSignal): Promise<void> {
    if (this.open) return;
    const o = this.options;
    const plan: { via: 'primary' | 'backup'; at: Endpoint; tries: number }[] = [];
    const failover = o.backup !== undefined && o.failoverAfter !== undefined;
    plan.push({ via: 'primary', at: o.primary, tries: failover ? o.failoverAfter! : o.attempts });
    if (failover) plan.push({ via: 'backup', at: o.backup!, tries: o.attempts });
    const failures: string[] = [];
    for (const [i, step] of plan.entries()) {
      for (let n = 1; n <= step.tries; n++) {
        signal.throwIfAborted();
        const where = `${step.via} ${step.at.host}:${step.at.port}`;
        try {
          this.#attach(await this.#dial(step.at, signal), step.via);
          o.emit('connected', where);
          return;
        } catch (err) {
          signal.throwIfAborted();
          const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
          failures.push(`${where} ${why}`);
          o.emit('connect-failed', `${where}: ${why} (attempt ${n} of ${step.tries})`);
        }
        if (n < step.tries) await pause(o.retryDelayMs, signal);
      }
      const next = plan[i + 1];
      if (next) {
        o.emit(
          'failover',
          `${step.tries} failed connects to the primary: moving to the backup ${next.at.host}:${next.at.port}`,
        );
      }
    }
    throw new HostUnreachable(failures.join('; '));
  }

  send(bytes: Buffer): void {
    this.#socket?.write(bytes);
  }

  /** The next frame, or why none came: the connection closed, or the wait ran out. */
  async next(timeoutMs: number, signal: AbortSignal): Promise<NextFrame> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const frame = this.#frames.shift();
      if (frame) return { frame };
      if (this.#closed !== undefined || !this.#socket) return { closed: this.#closed ?? 'not connected' };
      const left = deadline - performance.now();
      if (left <= 0) return { timeout: true };
      await new Promise<void>((resolve, reject) => {
        const settle = (then: () => void) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', aborted);
          this.#wake = undefined;
          then();
        };
        const done = () => settle(resolve);
        const aborted = () => settle(() => reject(signal.reason));
        const timer = setTimeout(done, left);
        this.#wake = done;
        if (signal.aborted) aborted();
        else signal.addEventListener('abort', aborted, { once: true });
      });
    }
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
    this.#frames = [];
    this.via = undefined;
  }

  #attach(socket: Socket, via: 'primary' | 'backup'): void {
    this.close();
    this.#socket = socket;
    this.#closed = undefined;
    this.via = via;
    const decoder = new FrameStreamDecoder(this.options.framing);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.#frames.push(...decoder.push(chunk));
      } catch (err) {
        // A broken length prefix: nothing after it can be trusted.
        this.#closed = `unusable frame from the host: ${(err as Error).message}`;
        this.options.emit('discarded', this.#closed);
        socket.destroy();
      }
      this.#wake?.();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.#closed ??= err.code ?? err.message;
    });
    socket.on('close', () => {
      if (this.#socket !== socket) return;
      this.#closed ??= 'the host closed the connection';
      this.#wake?.();
    });
  }

  #dial(at: Endpoint, signal: AbortSignal): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const tls = this.options.tls;
      // A connect counts once the TLS handshake is done: a host that refuses it took no connection.
      const socket = tls
        ? tlsConnect({
            host: at.host,
            port: at.port,
            maxVersion: tls.maxVersion,
            ...(tls.ca && { ca: tls.ca }),
            ...(tls.client && { cert: tls.client.cert, key: tls.client.key }),
          })
        : connect({ host: at.host, port: at.port });
      const timer = setTimeout(
        () => fail(new Error(`no connection in ${this.options.connectTimeoutMs} ms`)),
        this.options.connectTimeoutMs,
      );
      const aborted = () => fail(signal.reason as Error);
      const fail = (err: Error) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', aborted);
        socket.destroy();
        reject(err);
      };
      signal.addEventListener('abort', aborted, { once: true });
      socket.once('error', fail);
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', aborted);
        socket.off('error', fail);
        resolve(socket);
      });
    });
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', aborted);
      resolve();
    }, ms);
    const aborted = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', aborted, { once: true });
  });
}

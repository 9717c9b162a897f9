import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import type { ApiVersion } from '../../../protocols/rest/api-loader.js';
import {
  createGatewayClient,
  type GatewayClient,
  GatewayClientError,
  type GatewayResponse,
} from '../../../protocols/rest/gateway-client.js';
import { scaledConnectTimeout } from '../connect-timeout.js';
import type { TransactionContext } from '../protocol-engine.js';
import { TerminalFault } from '../terminal-fault.js';

/** What came of sending one request, retries included. */
export type Sent =
  | { kind: 'answer'; response: GatewayResponse; attempts: number }
  /** Sent, but no conclusive answer: a timeout, a broken connection or a 5xx, on every attempt. */
  | { kind: 'unknown'; detail: string; attempts: number }
  /** Never sent: no connection could be made (nothing happened at the gateway). */
  | { kind: 'unreachable'; detail: string; attempts: number };

export interface SendRequest {
  /** Lifecycle action or operationId. */
  operation: string;
  body?: unknown;
  paymentId?: string;
  /** The same on every attempt; absent: none sent. */
  idempotencyKey?: string;
  /** One attempt's deadline, ms before time scaling. */
  timeoutMs: number;
}

export interface RestLinkOptions {
  api: ApiVersion;
  primary: string;
  backup?: string;
  apiKey?: string;
  /** PEM certificate(s) to trust: a TLS gateway's test certificate. */
  ca?: string;
  /** Over HTTPS: the newest TLS version offered, and the client certificate presented (mutual TLS). */
  tls?: { maxVersion: 'TLSv1.2' | 'TLSv1.3'; client?: { cert: string; key: string } };
  pinVersion: boolean;
  authScheme?: 'bearer' | 'basic' | 'header';
  /** ms before time scaling. */
  connectTimeoutMs: number;
  retry: { maxAttempts: number; backoffMs: number; backoffFactor: number; maxRetryAfterMs: number };
  /** false (the no-retry-on-timeout defect): a timeout, 5xx or broken connection is not retried. */
  retryUnknown: boolean;
  /** Refused connects to the primary before the rest of the request's attempts go to the backup. */
  failoverAfter?: number;
  timeScale: number;
}

/**
 * The reference terminal's line to its gateway: the typed gateway client (one per endpoint) plus
 * what a terminal adds around it — the retry policy (the same idempotency key on every attempt,
 * exponential backoff, Retry-After on 429), failover to a backup URL after refused connects, every
 * message recorded and reported as an event. Every pause is multiplied by the time scale.
 */
export class RestLink {
  readonly #agent: Agent;
  readonly #primary: GatewayClient;
  readonly #backup: GatewayClient | undefined;
  /** Monotonic ms (performance.now) before which the gateway asked not to be called (its last 429). */
  #notBefore = 0;
  /** That 429: the answer to a request the build will not wait that long to send. */
  #limited: GatewayResponse | undefined;

  constructor(private readonly o: RestLinkOptions) {
    // Own dispatcher: the connect timeout is the build's, scaled like every duration. It is the
    // dispatcher that connects, so the CA goes here (the client reads `ca` only for its own Agent).
    this.#agent = new Agent({
      connect: {
        timeout: scaledConnectTimeout(o.connectTimeoutMs, o.timeScale),
        ...(o.ca !== undefined && { ca: o.ca }),
        ...(o.tls && { maxVersion: o.tls.maxVersion }),
        ...(o.tls?.client && { cert: o.tls.client.cert, key: o.tls.client.key }),
      },
      keepAliveTimeout: 4_000,
    });
    const client = (baseUrl: string) =>
      createGatewayClient({
        baseUrl,
        api: o.api,
        ...(o.apiKey !== undefined && { apiKey: o.apiKey }),
        ...(o.ca !== undefined && { ca: o.ca }),
        pinVersion: o.pinVersion,
        ...(o.authScheme && { authScheme: o.authScheme }),
        dispatcher: this.#agent,
      });
    this.#primary = client(o.primary);
    this.#backup = o.backup === undefined ? undefined : client(o.backup);
  }

  async send(req: SendRequest, tx: TransactionContext): Promise<Sent> {
    const { retry, timeScale } = this.o;
    let client = this.#primary;
    let refused = 0;
    let onlyRefused = true;
    let detail = '';
    let pause = retry.backoffMs;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= retry.maxAttempts;
      let wait: number | undefined;
      // A Retry-After outlives the request it answered: the next request waits it out too (when it
      // is within what the build accepts to wait), as a gateway limits a client that asks sooner.
      // Checked again after each pause: a timer may fire a little before its time by the monotonic
      // clock (it counts from the event loop's cached time).
      let left = this.#notBefore - performance.now();
      if (left > retry.maxRetryAfterMs * timeScale && this.#limited) {
        // Longer than the build waits: not sent (the gateway would only limit it again).
        const seconds = Math.ceil(left / Math.max(timeScale, 1e-9) / 1000);
        tx.emit('log', `not sent: the gateway asked to wait ${seconds} s more (Retry-After)`);
        return { kind: 'answer', response: this.#limited, attempts: attempt - 1 };
      }
      for (; left > 0; left = this.#notBefore - performance.now()) await this.#pause(left, tx);
      try {
        const r = await client.call(req.operation, {
          ...(req.body !== undefined && { body: req.body }),
          ...(req.paymentId !== undefined && { paymentId: req.paymentId }),
          ...(req.idempotencyKey !== undefined && { idempotencyKey: req.idempotencyKey }),
          timeoutMs: Math.max(1, Math.round(req.timeoutMs * timeScale)),
          signal: tx.signal,
        });
        tx.record('sent', r.request);
        tx.emit('sent', r.request.summary, r.request);
        tx.record('received', r.response);
        tx.emit('received', r.response.summary, r.response);
        onlyRefused = false;
        refused = 0;
        if (r.status === 429) {
          const after = retryAfterMs(r.headers['retry-after']);
          if (after !== undefined) {
            this.#notBefore = performance.now() + after * timeScale;
            this.#limited = r;
          }
          if (last || (after ?? 0) > retry.maxRetryAfterMs)
            return { kind: 'answer', response: r, attempts: attempt };
          wait = after;
          tx.emit(
            'log',
            `429: retrying after ${after ?? pause} ms (attempt ${attempt} of ${retry.maxAttempts})`,
          );
        } else if (r.status >= 500 || r.status === 409 || unreadable(r)) {
          // 5xx: it may or may not have run; 409: the same key is still running; a 2xx whose body
          // cannot be read: it ran, but the terminal cannot tell how (nor the payment id). Ask again.
          detail = unreadable(r)
            ? `answered ${r.status} with a body that is not JSON (${r.parseError ?? 'empty'})`
            : `answered ${r.status}${r.result.errorCode ? ` ${r.result.errorCode}` : ''}`;
          if (last || !this.o.retryUnknown) return { kind: 'unknown', detail, attempts: attempt };
          tx.emit(
            'log',
            `${detail}: retrying ${req.idempotencyKey === undefined ? 'without an idempotency key' : 'with the same key'} (attempt ${attempt} of ${retry.maxAttempts})`,
          );
        } else {
          return { kind: 'answer', response: r, attempts: attempt };
        }
      } catch (err) {
        if (!(err instanceof GatewayClientError)) throw err;
        // A refused connect sent nothing; anything else may have reached the gateway.
        if (err.code !== 'refused') {
          tx.record('sent', err.request);
          tx.emit('sent', err.request.summary, err.request);
        }
        if (err.code === 'aborted') {
          const reason = tx.signal.reason;
          throw reason instanceof TerminalFault ? reason : new TerminalFault('cancelled', 'cancelled');
        }
        detail = err.message;
        if (err.code === 'refused') {
          refused++;
          tx.emit('connect-failed', `${err.message} (attempt ${attempt} of ${retry.maxAttempts})`);
          if (
            client === this.#primary &&
            this.#backup &&
            this.o.failoverAfter &&
            refused >= this.o.failoverAfter
          ) {
            client = this.#backup;
            refused = 0;
            tx.emit(
              'failover',
              `${this.o.failoverAfter} refused connects: switching to the backup ${this.o.backup}`,
            );
          }
        } else {
          onlyRefused = false;
          tx.emit(err.code === 'timeout' ? 'timed-out' : 'log', `${req.operation}: ${err.message}`);
        }
        const retryable = err.code === 'refused' || this.o.retryUnknown;
        if (last || !retryable)
          return { kind: onlyRefused ? 'unreachable' : 'unknown', detail, attempts: attempt };
      }
      // A Retry-After is waited out at the top of the loop.
      if (wait === undefined) {
        await this.#pause(pause * timeScale, tx);
        pause *= retry.backoffFactor;
      }
    }
  }

  /** Sleeps ms (already time-scaled), cut short by the transaction's cancel or deadline. */
  async #pause(ms: number, tx: TransactionContext): Promise<void> {
    await sleep(ms, undefined, { signal: tx.signal }).catch(() => {
      const reason = tx.signal.reason;
      throw reason instanceof TerminalFault ? reason : new TerminalFault('cancelled', 'cancelled');
    });
  }

  close(): void {
    void this.#agent.destroy().catch(() => {});
  }
}

/**
 * A success whose body is not JSON (or is empty where the operation answers with a body): the
 * request ran, but neither its outcome nor its payment id can be read. A 4xx without a readable
 * body is still a refusal: its status alone says the request was not taken.
 */
function unreadable(r: GatewayResponse): boolean {
  return r.status >= 200 && r.status < 300 && (r.parseError !== undefined || r.text === '');
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^[0-9]+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

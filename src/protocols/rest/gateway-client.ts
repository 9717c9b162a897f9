import { Buffer } from 'node:buffer';
import { Agent, type Dispatcher, request } from 'undici';
import type { RecordedMessage } from '../../mocks/exchange.js';
import { type GatewayResult, readAnswer } from './answer-reader.js';
import type { ApiOperation, ApiVersion } from './api-loader.js';
import type { LifecycleAction } from './api-schema.js';
import { maskHeaders, maskJson } from './mask.js';
import { requestSummary } from './summary.js';

export type { GatewayResult } from './answer-reader.js';

/**
 * A typed HTTP client for one API version of a payment gateway, built on undici: what the
 * reference terminal uses to talk REST. Per operation it builds the URL (the version's path
 * prefix), the version header when the API is header-versioned (unless told not to pin), the
 * credentials the operation's security asks for, and the idempotency key; it returns the status,
 * headers, JSON body and timings, what the answer means in the lifecycle's words (payment id,
 * state, decline code), and both messages recorded in the exchange model with card data masked.
 */

export interface GatewayClientOptions {
  /** `http://127.0.0.1:8080` or `https://…`: the gateway's root (the client adds `/v3` etc.). */
  baseUrl: string;
  /** The API version the terminal was built against. */
  api: ApiVersion;
  apiKey?: string;
  /**
   * Header-versioned APIs: send the version header (default true). A build that does not pin
   * gets the gateway's account default, whatever it was built for.
   */
  pinVersion?: boolean;
  /** Which security scheme to use when an operation accepts several (default: the first listed). */
  authScheme?: 'bearer' | 'basic' | 'header';
  /** PEM certificate(s) to trust, e.g. a mock gateway's test certificate. */
  ca?: string;
  /** Whole-request deadline (headers and body), ms. Default 30,000. */
  timeoutMs?: number;
  /** An undici dispatcher to use instead of the client's own keep-alive Agent. */
  dispatcher?: Dispatcher;
}

export interface CallOptions {
  /** The JSON body; absent: no body. */
  body?: unknown;
  /** Fills the operation's payment id path parameter. */
  paymentId?: string;
  /** Other path parameters by name. */
  params?: Record<string, string>;
  query?: Record<string, string>;
  idempotencyKey?: string;
  /** Extra headers (they win over the client's own). */
  headers?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface GatewayResponse {
  operation: string;
  action?: LifecycleAction;
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The parsed JSON body; undefined when the body is empty or not JSON (see `text`). */
  body: unknown;
  text: string;
  /** Set when the body was not JSON (a malformed answer). */
  parseError?: string;
  result: GatewayResult;
  timings: {
    /** ISO 8601, when the request left. */
    startedAt: string;
    /** Until the status line and headers arrived. */
    headersMs: number;
    /** Until the whole body arrived. */
    totalMs: number;
  };
  /** The request and the answer in the exchange model, secrets and card data masked. */
  request: RecordedMessage;
  response: RecordedMessage;
}

export type GatewayErrorCode = 'timeout' | 'refused' | 'reset' | 'closed' | 'tls' | 'aborted' | 'other';

/** The exchange did not complete (no answer, or half an answer): a transport failure, not a gateway error. */
export class GatewayClientError extends Error {
  override readonly name = 'GatewayClientError';
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    readonly request: RecordedMessage,
    /** ms from sending until the failure. */
    readonly elapsedMs: number,
    /** The status, when the head arrived before the failure (a truncated or slow body). */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface GatewayClient {
  readonly api: ApiVersion;
  /** Calls an operation by operationId or lifecycle action. */
  call(operation: string, options?: CallOptions): Promise<GatewayResponse>;
  authorize(body: unknown, options?: CallOptions): Promise<GatewayResponse>;
  capture(paymentId: string, body?: unknown, options?: CallOptions): Promise<GatewayResponse>;
  cancel(paymentId: string, body?: unknown, options?: CallOptions): Promise<GatewayResponse>;
  refund(paymentId: string, body?: unknown, options?: CallOptions): Promise<GatewayResponse>;
  retrieve(paymentId: string, options?: CallOptions): Promise<GatewayResponse>;
  /** Closes the client's own connections (not a dispatcher passed in). */
  close(): Promise<void>;
}

export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const { api } = options;
  const base = options.baseUrl.replace(/\/+$/, '');
  const own = options.dispatcher
    ? undefined
    : new Agent({ connect: options.ca ? { ca: options.ca } : {}, keepAliveTimeout: 4_000 });
  const dispatcher = options.dispatcher ?? own!;
  const secretHeaders = [...new Set(api.operations.flatMap((o) => o.security.flat().map((s) => s.header)))];

  async function call(name: string, opts: CallOptions = {}): Promise<GatewayResponse> {
    const op = api.operation(name);
    if (!op) {
      const known = api.operations.map((o) => o.action ?? o.operationId).join(', ');
      throw new TypeError(`${api.ref} has no operation "${name}" (known: ${known})`);
    }
    const path = fillPath(op, opts);
    const query = opts.query ? `?${new URLSearchParams(opts.query).toString()}` : '';
    const headers: Record<string, string> = { accept: 'application/json', ...authHeaders(op) };
    if (api.versionHeader && options.pinVersion !== false)
      headers[api.versionHeader.toLowerCase()] = api.version;
    if (opts.idempotencyKey !== undefined)
      headers[api.binding.idempotencyHeader.toLowerCase()] = opts.idempotencyKey;
    const text = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    if (text !== undefined) headers['content-type'] = 'application/json';
    for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;

    const requestRecord = recorded(
      requestSummary(op.method, path, op, opts.body),
      text === undefined ? 0 : Buffer.byteLength(text),
      { method: op.method, path: path + query, operation: op.operationId, headers, body: opts.body },
    );
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    const deadline = AbortSignal.timeout(opts.timeoutMs ?? options.timeoutMs ?? 30_000);
    const signal = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
    let status: number | undefined;
    try {
      const res = await request(`${base}${path}${query}`, {
        method: op.method as Dispatcher.HttpMethod,
        headers,
        ...(text !== undefined && { body: text }),
        dispatcher,
        signal,
      });
      status = res.statusCode;
      const headersMs = performance.now() - t0;
      const body = await res.body.text();
      const totalMs = performance.now() - t0;
      const answerHeaders = flatHeaders(res.headers);
      let json: unknown;
      let parseError: string | undefined;
      if (body !== '') {
        try {
          json = JSON.parse(body);
        } catch (err) {
          parseError = (err as Error).message;
        }
      }
      const result = readAnswer(api, op, res.statusCode, json);
      const summary = [
        String(res.statusCode),
        result.errorCode ?? result.status,
        result.declineCode,
        parseError ? 'body is not JSON' : undefined,
      ]
        .filter(Boolean)
        .join(' ');
      return {
        operation: op.operationId,
        ...(op.action && { action: op.action }),
        status: res.statusCode,
        headers: answerHeaders,
        body: json,
        text: body,
        ...(parseError !== undefined && { parseError }),
        result,
        timings: { startedAt, headersMs, totalMs },
        request: requestRecord,
        response: recorded(summary, Buffer.byteLength(body), {
          status: res.statusCode,
          headers: answerHeaders,
          body: json ?? (body === '' ? undefined : `[not JSON: ${body.length} chars]`),
        }),
      };
    } catch (err) {
      const elapsed = performance.now() - t0;
      const code = classify(err as Error & { code?: string }, deadline, opts.signal);
      throw new GatewayClientError(code, describe(code, err as Error), requestRecord, elapsed, status);
    }
  }

  function fillPath(op: ApiOperation, opts: CallOptions): string {
    const params = {
      ...opts.params,
      ...(op.paymentIdParam && opts.paymentId !== undefined && { [op.paymentIdParam]: opts.paymentId }),
    };
    return op.fullPath.replace(/\{([^}]+)\}/g, (_m, name: string) => {
      const v = params[name];
      if (v === undefined) throw new TypeError(`${op.operationId} needs the path parameter ${name}`);
      return encodeURIComponent(v);
    });
  }

  function authHeaders(op: ApiOperation): Record<string, string> {
    const key = options.apiKey;
    if (key === undefined || op.security.length === 0) return {};
    const chosen =
      op.security.find((alt) => alt.some((s) => s.kind === options.authScheme)) ?? op.security[0]!;
    const out: Record<string, string> = {};
    for (const s of chosen) {
      if (s.kind === 'bearer') out.authorization = `Bearer ${key}`;
      else if (s.kind === 'basic') out.authorization = `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
      else out[s.header] = key;
    }
    return out;
  }

  function recorded(
    summary: string,
    size: number,
    http: {
      method?: string;
      path?: string;
      operation?: string;
      status?: number;
      headers: Record<string, string>;
      body: unknown;
    },
  ): RecordedMessage {
    return {
      summary,
      size,
      http: {
        ...(http.method !== undefined && { method: http.method }),
        ...(http.path !== undefined && { path: http.path }),
        ...(http.operation !== undefined && { operation: http.operation }),
        ...(http.status !== undefined && { status: http.status }),
        headers: maskHeaders(http.headers, secretHeaders),
        ...(http.body !== undefined && { body: maskJson(http.body, api.mask) }),
      },
    };
  }

  return {
    api,
    call,
    authorize: (body, opts) => call('authorize', { ...opts, body }),
    capture: (paymentId, body, opts) =>
      call('capture', { ...opts, paymentId, ...(body !== undefined && { body }) }),
    cancel: (paymentId, body, opts) =>
      call('cancel', { ...opts, paymentId, ...(body !== undefined && { body }) }),
    refund: (paymentId, body, opts) =>
      call('refund', { ...opts, paymentId, ...(body !== undefined && { body }) }),
    retrieve: (paymentId, opts) => call('retrieve', { ...opts, paymentId }),
    close: async () => {
      await own?.close();
    },
  };
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers))
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function classify(
  err: Error & { code?: string },
  deadline: AbortSignal,
  user: AbortSignal | undefined,
): GatewayErrorCode {
  if (user?.aborted) return 'aborted';
  if (deadline.aborted || err.name === 'TimeoutError' || /Timeout/i.test(err.code ?? '')) return 'timeout';
  const code = err.code ?? (err.cause as { code?: string } | undefined)?.code ?? '';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'reset';
  if (code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') return 'closed';
  if (/CERT|SSL|TLS|ERR_TLS/i.test(code) || /certificate|TLS/i.test(err.message)) return 'tls';
  return 'other';
}

function describe(code: GatewayErrorCode, err: Error): string {
  const words: Record<GatewayErrorCode, string> = {
    timeout: 'no complete answer before the deadline',
    refused: 'connection refused',
    reset: 'connection reset',
    closed: 'connection closed before a complete answer',
    tls: 'TLS failed',
    aborted: 'aborted',
    other: 'request failed',
  };
  return `${words[code]}: ${err.message}`;
}

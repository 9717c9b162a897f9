import { Buffer } from 'node:buffer';
import { type Server, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { jsonErrorMessage } from '../../data/json-error.js';
import type { ApiOperation, ApiVersion } from '../../protocols/rest/api-loader.js';
import type { ErrorKind } from '../../protocols/rest/api-schema.js';
import { withoutSecrets } from '../../protocols/rest/mask.js';
import { destroySockets } from '../close-sockets.js';
import { Delays } from '../delays.js';
import { type Exchange, TERMINAL_GONE, type Violation } from '../exchange.js';
import type { HttpAnswer, HttpExchangePlan, HttpFaultContext } from '../faults/http/types.js';
import { createRandom, HttpFaultSet } from '../faults/index.js';
import type { CardBook } from '../hosts/card-book.js';
import {
  type GatewayVersion,
  type HostRegistry,
  workspaceCards,
  workspaceHosts,
} from '../hosts/host-loader.js';
import { checkClient, HANG_UPS, handshakeFailure, hostTls } from '../iso-host/host-tls.js';
import { Journal } from '../journal.js';
import { listenAgain } from '../listen-again.js';
import { maskViolations } from '../mask-quoted-card-data.js';
import type { TlsCredentials } from '../test-certificate.js';
import { TurnBatch } from '../turn-batch.js';
import { type AnswerHeaders, answerHeaders, type ErrorDetails, errorAnswer, TextAnswer } from './answers.js';
import { authChallenges, authenticate } from './auth.js';
import { DOCS_PATH, registerDocsPage } from './docs-page.js';
import { fingerprintOf, type IdempotencyBegin, IdempotencyStore, type StoredAnswer } from './idempotency.js';
import { type LifecycleContext, runAction } from './lifecycle.js';
import { PaymentStore } from './payments.js';
import { type EarlyRetry, RateLimits } from './rate-limits.js';
import { HttpExchangeRecord, lazyHttpRequest, lazyHttpResponse, type MaskContext } from './record.js';
import { gatewayScopeCheck } from './scope-check.js';

export interface StartGatewayOptions {
  /** `gateway@version`, e.g. `nimbus-pay@2024-06-15`, or a loaded version. */
  host: string | GatewayVersion;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: a mock gateway never listens on the network unless told to. */
  bind?: string;
  /** Fault specs active from the start (docs/faults.md); each needs an http implementation. */
  faults?: unknown[];
  seed?: number;
  /** Multiplies every duration the gateway applies (delays, key retention). Default 1. */
  timeScale?: number;
  /**
   * HTTPS with a generated self-signed test certificate (true), with these PEMs, or plain HTTP
   * (false). Default: as the version says (its `tls`, which may also require client certificates).
   */
  tls?: boolean | TlsCredentials;
  /** Exchanges the journal keeps (oldest dropped first; default 10,000). */
  journalLimit?: number;
  /**
   * Bytes of header lines and bodies the journal keeps, oldest dropped first; default 32 MiB
   * (JOURNAL_BYTES). Counted in characters, which for ASCII JSON are bytes.
   */
  journalBytes?: number;
  /** Payments kept (oldest forgotten first); default: the version's limits.payments, else 10,000. */
  paymentsLimit?: number;
  /** Where gateways and cards come from when `host` is a string (default: built-in + current dir). */
  registry?: HostRegistry;
  cards?: CardBook;
  /** Clock for created times and expiry checks (tests pin it). */
  now?: () => Date;
  /** Name in the journal, e.g. `primary`. */
  label?: string;
  /**
   * Checks every answer against the API version's own response schemas; a mismatch is recorded as
   * a violation with rule `response-contract` (the mock broke its contract). Tests turn it on.
   */
  validateResponses?: boolean;
  /** Request bodies above this many bytes are refused (413). Default 1 MiB. */
  bodyLimit?: number;
  /**
   * Payments and idempotency keys shared with another instance (see gatewayStores): a primary and
   * its backup are two front ends of one gateway, so a retry on the backup finds the first answer.
   * reset() and close() of either instance empty them (instances sharing stores end together).
   */
  stores?: GatewayStores;
  /**
   * Serve a Swagger UI page of the served API versions: true at /docs, or at this path
   * (docs-page.ts). Off by default: a matrix cell's gateway needs none.
   */
  docs?: boolean | string;
}

/** What a gateway remembers between requests. */
export interface GatewayStores {
  payments: PaymentStore;
  idempotency: IdempotencyStore;
}

/** Fresh stores for a gateway version (the payment ids' random letters come from the seed). */
export function gatewayStores(
  version: GatewayVersion,
  options: { seed?: number; timeScale?: number; paymentsLimit?: number } = {},
): GatewayStores {
  return {
    payments: new PaymentStore(
      options.paymentsLimit ?? version.spec.limits?.payments ?? 10_000,
      createRandom(options.seed ?? 0, version.ref, 'payment-ids'),
    ),
    idempotency: new IdempotencyStore(version.spec.idempotency, { timeScale: options.timeScale ?? 1 }),
  };
}

/** A running mock payment gateway. */
export interface MockGateway {
  readonly kind: 'rest';
  readonly ref: string;
  readonly version: GatewayVersion;
  readonly address: { host: string; port: number };
  /** `http://127.0.0.1:port` or `https://…` */
  readonly url: string;
  /** The test certificate (PEM) of a TLS gateway: a client passes it as its CA. */
  readonly certificate?: string;
  /**
   * A gateway that requires client certificates (mutual TLS): a TEST certificate and key (PEM) its
   * terminal CA issued, for a terminal to present. It is key material: never log it.
   */
  readonly terminalCertificate?: TlsCredentials;
  /** The fastify instance, e.g. for `inject()` (no socket: connection-level faults do not apply). */
  readonly app: FastifyInstance;
  readonly journal: Journal;
  readonly faults: HttpFaultSet;
  readonly payments: PaymentStore;
  readonly idempotency: IdempotencyStore;
  /** Forgets every payment, idempotency key and exchange (faults stay). */
  reset(): void;
  close(): Promise<void>;
}

/** What every exchange of one served API version shares, made once per gateway. */
interface ApiContext {
  api: ApiVersion;
  /** Headers every answer carries (the selected version). */
  headers: AnswerHeaders;
  /** What the journal masks. */
  mask: MaskContext;
  /** The idempotency key's header, lower case. */
  idempotencyHeader: string;
}

interface Served {
  api: ApiVersion;
  op: ApiOperation;
  ctx: ApiContext;
}

/** One fastify route: a method and path that one or more served API versions define. */
interface Route {
  byVersion: Map<string, Served>;
  /** The first of them (a path-versioned route has exactly one). */
  first: Served;
}

/** What the body parser leaves on the request: the text, or nothing for a request without a body. */
type RawBody = string | undefined;

interface Outcome {
  answer: HttpAnswer | undefined;
  /** The answer's body as already serialized (a replay). */
  text?: string;
  /** Shared and frozen when empty: copied before anything is added. */
  violations: Violation[];
}

// Most exchanges break no rule and fire no fault: they share these (frozen: never written to).
const NO_VIOLATIONS = Object.freeze([]) as unknown as Violation[];
const NO_FAULTS = Object.freeze([]) as unknown as string[];
const EMPTY_OUTCOME: Outcome = Object.freeze({ answer: undefined, violations: NO_VIOLATIONS });

/** A client that asked again before its Retry-After was over. */
function earlyViolation(early: EarlyRetry): Violation {
  const message = `asked again ${(early.waitedMs / 1000).toFixed(1)} s after a 429 that said Retry-After: ${early.seconds}`;
  return { path: 'header retry-after', rule: 'rate-limit', message };
}

/** One request on its way through the gateway. */
interface Exchange_ {
  req: FastifyRequest;
  reply: FastifyReply;
  api: ApiVersion;
  op: ApiOperation | undefined;
  ctx: ApiContext;
  /** Headers every answer to it carries (the selected version). */
  headers: AnswerHeaders;
  requestId: string;
  plan: HttpExchangePlan;
  /** Arrival, wall clock (ms) and monotonic. */
  at: number;
  t0: number;
  path: string;
  /** The version's error renderer, once a fault fired. */
  error: HttpFaultContext['error'] | undefined;
  /** The request body was read as JSON (the journal's summary line shows its amount). */
  json: boolean;
  /** Stores the answer under the request's idempotency key (after the faults' answer stage). */
  complete: ((answer: StoredAnswer | undefined) => void) | undefined;
  /** The lifecycle's reasons for its decision (Exchange.notes). */
  notes: string[] | undefined;
}

const JSON_MEDIA = /^application\/([a-z0-9.+-]*\+)?json\b/i;

// Clients send the same content type on every request: the last one that passed is remembered.
let jsonType = 'application/json';
function isJsonMedia(type: string): boolean {
  if (!JSON_MEDIA.test(type)) return false;
  jsonType = type;
  return true;
}

export async function startGateway(options: StartGatewayOptions): Promise<MockGateway> {
  const version =
    typeof options.host === 'string'
      ? (options.registry ?? workspaceHosts()).getGateway(options.host)
      : options.host;
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale >= 0)) throw new RangeError(`timeScale must be >= 0, got ${timeScale}`);
  const seed = options.seed ?? 0;
  const journal = new Journal(options.journalLimit ?? 10_000, options.journalBytes);
  const faults = new HttpFaultSet(options.faults ?? [], {
    seed,
    timeScale,
    checkScope: gatewayScopeCheck(version),
  });
  const { payments, idempotency } =
    options.stores ??
    gatewayStores(version, {
      seed,
      timeScale,
      ...(options.paymentsLimit !== undefined && { paymentsLimit: options.paymentsLimit }),
    });
  const apiKeys = version.spec.auth.keys;
  const keys = new Set(apiKeys);
  const lifecycle: LifecycleContext = {
    cards: options.cards ?? workspaceCards(),
    payments,
    now: options.now ?? (() => new Date()),
    ...(!options.now && { nowMs: Date.now }),
    ...(options.label !== undefined && { label: options.label }),
  };
  const hostName = options.label ? `${version.ref} (${options.label})` : version.ref;
  const validateResponses = options.validateResponses ?? false;
  const processingMs = version.spec.processingDelayMs;
  const delays = new Delays();
  const versionHeader = version.api.versionHeader;
  const versionKey = versionHeader?.toLowerCase();
  const servedByVersion = new Map(version.apis.map((a) => [a.version, a]));
  const secretHeaders = [
    ...new Set(
      version.known.flatMap((a) => a.operations.flatMap((o) => o.security.flat().map((s) => s.header))),
    ),
  ].filter((h) => h !== 'authorization');
  // Clients told to wait by a 429, by their API key (however it was sent: bearer, basic, header),
  // else by the credential headers as sent.
  const rateLimits = new RateLimits(timeScale);
  const clientOf = (headers: FastifyRequest['headers'], op: ApiOperation | undefined): string => {
    const auth = op ? authenticate(headers, op.security, keys) : undefined;
    if (auth?.ok && auth.key !== '') return auth.key;
    let id = String(headers.authorization ?? '');
    for (const h of secretHeaders) if (headers[h] !== undefined) id += `\u0000${String(headers[h])}`;
    return id;
  };
  let requestCount = 0;
  const contexts = new Map<ApiVersion, ApiContext>(
    version.apis.map((api) => [
      api,
      {
        api,
        // Header-versioned answers say which version served them (as Stripe-Version does).
        headers: answerHeaders(api, versionKey ? { [versionKey]: api.version } : {}),
        // The gateway's own keys are masked wherever a terminal puts them (a body member, a header).
        mask: { mask: { ...api.mask, secrets: apiKeys }, secretHeaders },
        idempotencyHeader: api.binding.idempotencyHeader.toLowerCase(),
      },
    ]),
  );
  const contextOf = (api: ApiVersion) => contexts.get(api)!;

  const tls = await hostTls(version, options.tls);
  const common = {
    logger: false,
    forceCloseConnections: true,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    clientErrorHandler: (err: NodeJS.ErrnoException, socket: Socket) => notHttp(err, socket),
  } as const;
  const https = tls && {
    key: tls.credentials.key,
    cert: tls.credentials.cert,
    minVersion: tls.minVersion,
    // Mutual TLS: asked for, and checked once the handshake is done (checkClient), so that the
    // journal says why a terminal was refused, as an ISO host's does.
    ...(tls.clients && { requestCert: true, rejectUnauthorized: false, ca: tls.certificate }),
  };
  const app = (https ? Fastify({ ...common, https }) : Fastify(common)) as unknown as FastifyInstance;

  // One parser for every content type: the raw text, parsed (or refused) by the handler in the
  // version's own error shape rather than fastify's.
  app.removeAllContentTypeParsers();
  const asText = (_req: unknown, body: string | Buffer, done: (err: null, body: unknown) => void) =>
    done(null, body);
  // The same parser under the JSON type too: fastify caches a named type's lookup, where the
  // catch-all parses the content-type header afresh on every request.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, asText);
  app.addContentTypeParser('*', { parseAs: 'string' }, asText);

  // ── connections ─────────────────────────────────────────────────────────────────────────────────
  const sockets = new Set<Socket>();
  const connectionIds = new WeakMap<Socket, number>();
  let connections = 0;
  const server = app.server as Server;
  const track = (socket: Socket, detail = '') => {
    const id = ++connections;
    connectionIds.set(socket, id);
    record({
      connection: id,
      event: { kind: 'connected', detail: `${socket.remoteAddress}:${socket.remotePort}${detail}` },
    });
    // A turn later: node's HTTP layer tells of a request the hang-up cut short only after this
    // listener has run, and the journal should say what was cut before saying the terminal left.
    socket.once('close', () =>
      setImmediate(() => record({ connection: id, event: { kind: 'disconnected', detail: '' } })),
    );
  };
  // Connections a fault dropped. One closed gently is still read to its end (so that it ends with
  // a FIN, not a RST), and node's HTTP parser, which takes the socket after this listener, may see
  // the request the terminal sent at once: it is never served (start()).
  const dropped = new WeakSet<Socket>();
  server.prependListener('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {}); // resets and aborted clients are normal for a mock gateway
    const accepted = faults.accept(socket);
    if (accepted.dropped) {
      dropped.add(socket);
      record({
        connection: ++connections,
        event: { kind: 'refused', detail: accepted.notes.join('; ') || 'host-down' },
        faults: accepted.fired.map((f) => f.id),
      });
      return;
    }
    if (!tls) track(socket);
  });
  if (tls) {
    // Before node's own listener, which hands the socket to HTTP: a terminal refused here is
    // closed before a byte of its request is read.
    server.prependListener('secureConnection', (socket: TLSSocket) => {
      const refused =
        tls.clients && checkClient(socket.getPeerX509Certificate(), tls.clients.ca, new Date(), 'gateway');
      if (refused) {
        refuse(`TLS handshake refused: ${refused}`, refused);
        socket.destroy();
        return;
      }
      track(socket, ` ${socket.getProtocol() ?? 'TLS'} ${socket.getCipher()?.name ?? 'unknown cipher'}`);
    });
    server.on('tlsClientError', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      // A hang-up or an alert of the terminal's (it does not trust the certificate) is the terminal
      // giving up, not the gateway refusing it: an event, never a violation.
      if (HANG_UPS.has(code) || code.includes('_ALERT_')) {
        const how = code.includes('_ALERT_')
          ? `the terminal refused it (${handshakeFailure(err, tls.minVersion)})`
          : `the terminal hung up during it (${code})`;
        record({
          connection: ++connections,
          event: {
            kind: 'disconnected',
            detail: `TLS handshake not completed: ${how}; does it trust this gateway's certificate?`,
          },
        });
        return;
      }
      const why =
        code === 'ERR_SSL_HTTP_REQUEST'
          ? 'the terminal speaks plain HTTP to a gateway that serves HTTPS only'
          : handshakeFailure(err, tls.minVersion, 'gateway');
      refuse(`TLS handshake failed: ${why}`, why);
    });
  }

  /** A connection the gateway refused during or right after its TLS handshake. */
  function refuse(detail: string, message: string): void {
    record({
      connection: ++connections,
      event: { kind: 'malformed', detail },
      violations: [{ path: 'tls', rule: 'tls', message }],
    });
  }

  /** `bytes`: the message text the entry holds, counted against the journal's byte bound. */
  function record(
    entry: Partial<Omit<Exchange, 'seq' | 'transport' | 'host'>> & { connection: number },
    bytes = 0,
  ): void {
    const { violations = [], event } = entry;
    journal.record(
      {
        transport: 'http',
        host: hostName,
        at: new Date().toISOString(),
        faults: [],
        ...entry,
        violations: scrubbed(violations),
        ...(event && { event: { ...event, detail: withoutKeys(event.detail) } }),
      },
      bytes,
    );
  }

  /**
   * Rules' messages without the gateway's own API keys: one may quote what a terminal sent (a path
   * with a key in it). The journal masks card numbers; only the gateway knows its keys.
   */
  function withoutKeys(text: string): string {
    return withoutSecrets(text, apiKeys);
  }
  function scrubbed(violations: Violation[]): Violation[] {
    return maskViolations(violations, withoutKeys);
  }

  // ── routes ──────────────────────────────────────────────────────────────────────────────────────
  const routes = new Map<string, Route>();
  for (const api of version.apis) {
    for (const op of api.operations) {
      if (!op.action) continue; // not bound to the lifecycle: not served
      const key = `${op.method} ${op.fullPath}`;
      const served: Served = { api, op, ctx: contextOf(api) };
      const route = routes.get(key) ?? { byVersion: new Map(), first: served };
      route.byVersion.set(api.version, served);
      routes.set(key, route);
    }
  }
  const documents = new Map(version.apis.map((a) => [a, JSON.stringify(a.document)]));
  if (versionKey) {
    app.get('/openapi.json', (req, reply) => {
      const api = selectByHeader(req);
      if (!api) {
        // A version the gateway does not serve has no document: refused as the API itself would.
        const wanted = String(req.headers[versionKey]);
        const list = version.apis.map((a) => a.version).join(', ');
        const answer = errorAnswer(
          version.api,
          'unsupported-version',
          { message: `${versionHeader} "${wanted}" is not served here (served: ${list})` },
          nextRequestId(),
          contextOf(version.api).headers,
        );
        reply.code(answer.status).headers(answer.headers).send(JSON.stringify(answer.body));
        return;
      }
      reply.header('content-type', 'application/json').send(documents.get(api));
    });
  } else {
    app.get('/openapi.json', (_req, reply) => {
      reply.header('content-type', 'application/json').send(documents.get(version.api));
    });
    for (const api of version.apis) {
      app.get(`${api.prefix}/openapi.json`, (_req, reply) => {
        reply.header('content-type', 'application/json').send(documents.get(api));
      });
    }
  }
  for (const [key, route] of routes) {
    const space = key.indexOf(' ');
    app.route({
      method: key.slice(0, space) as 'GET',
      url: key.slice(space + 1).replace(/\{([^}]+)\}/g, ':$1'),
      // For the error handler: a request cut short or refused after routing still names its operation.
      config: { route },
      handler: (req, reply) => start(req, reply, route),
    });
  }
  app.setNotFoundHandler((req, reply) => start(req, reply, undefined));
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const mask = contextOf(version.api).mask;
    const request = () =>
      lazyHttpRequest(
        `${req.method} ${pathOf(req.url)}`,
        req.method,
        req.url,
        operationOf(req),
        req.headers,
        undefined,
        mask,
      );
    // The terminal hung up in the middle of its body: a malformed request (as a frame cut short is
    // on an ISO host), with nothing to answer, and nothing was.
    if (req.raw.aborted || err.message === 'aborted' || err.code === 'ECONNRESET') {
      reply.hijack();
      const detail = 'the terminal hung up before its request body was complete';
      record({
        connection: connectionIds.get(req.raw.socket) ?? 0,
        request: request(),
        event: { kind: 'malformed', detail },
        violations: [{ path: 'body', rule: 'http', message: detail }],
      });
      return;
    }
    // Fastify's own refusals (a body over the limit, a bad URL): answered in the version's shape.
    const status =
      err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    const api = version.api;
    const violations: Violation[] = status < 500 ? [{ path: '', rule: 'http', message: err.message }] : [];
    const answer = errorAnswer(
      api,
      status < 500 ? 'invalid-request' : 'server-error',
      { status, message: err.message, violations },
      nextRequestId(),
      contextOf(api).headers,
    );
    const text = JSON.stringify(answer.body);
    reply.code(answer.status).headers(answer.headers).send(text);
    record(
      {
        connection: connectionIds.get(req.raw.socket) ?? 0,
        request: request(),
        response: lazyHttpResponse(
          answer.summary ?? String(answer.status),
          answer.status,
          answer.headers,
          text,
          mask,
        ),
        // Sent: a time, so that metrics and filters count its status (none is for answers kept).
        durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
        violations,
      },
      text.length,
    );
  });

  /**
   * Bytes node's HTTP parser could not read as a request (not HTTP, headers too large, too slow):
   * answered in the version's error shape, journaled as malformed, and the connection closed.
   */
  function notHttp(err: NodeJS.ErrnoException, socket: Socket): void {
    // The terminal is gone: reset, or a FIN in the middle of its request (the request, if it got
    // that far, is journaled by the error handler as cut by a hang-up).
    if (err.code === 'ECONNRESET' || err.code === 'HPE_INVALID_EOF_STATE' || socket.destroyed) {
      socket.destroy();
      return;
    }
    sends.flush(); // answers to the requests before the bad bytes go first
    const status =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const why =
      status === 408
        ? 'the request did not arrive in time'
        : status === 431
          ? 'the request headers are too large'
          : `the bytes are not an HTTP request (${err.code ?? err.message})`;
    const api = version.api;
    const violations: Violation[] = [{ path: '', rule: 'http', message: why }];
    const answer = errorAnswer(
      api,
      'invalid-request',
      { status, message: why, violations },
      nextRequestId(),
      contextOf(api).headers,
    );
    const text = JSON.stringify(answer.body);
    if (socket.writable) {
      const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status]}`, 'connection: close'];
      for (const [name, value] of Object.entries(answer.headers)) head.push(`${name}: ${value}`);
      head.push(`content-length: ${Buffer.byteLength(text)}`);
      socket.end(`${head.join('\r\n')}\r\n\r\n${text}`);
    }
    setTimeout(() => socket.destroy(), 1000).unref();
    record({
      connection: connectionIds.get(socket) ?? 0,
      event: { kind: 'malformed', detail: `answered ${status}: ${why}` },
      violations,
    });
  }

  function nextRequestId(): string {
    return `req_${(++requestCount).toString(36).padStart(6, '0')}`;
  }

  function selectByHeader(req: FastifyRequest): ApiVersion | undefined {
    const raw = req.headers[versionKey!];
    const wanted = Array.isArray(raw) ? raw[0] : raw;
    if (wanted === undefined || wanted.trim() === '') return version.api;
    return servedByVersion.get(wanted.trim());
  }

  function start(req: FastifyRequest, reply: FastifyReply, route: Route | undefined): void {
    if (dropped.has(req.raw.socket)) return; // the fault closes it; no answer, no journal entry
    inflight++;
    let job: Promise<void> | undefined;
    try {
      job = handle(req, reply, route);
    } catch (err) {
      failed(reply, err as Error);
    }
    if (job)
      job.then(settle, (err: Error) => {
        failed(reply, err);
        settle();
      });
    else settle();
  }

  // In-flight exchanges are counted, not collected: close() waits for the count to reach zero.
  let inflight = 0;
  let drained: (() => void) | undefined;
  function settle(): void {
    if (--inflight === 0) drained?.();
  }

  /** Rule 8: a bug answers 500 in the version's shape; it never takes the gateway down. */
  function failed(reply: FastifyReply, err: Error): void {
    if (reply.sent || reply.raw.headersSent) return;
    const answer = errorAnswer(
      version.api,
      'server-error',
      { message: err.message },
      nextRequestId(),
      contextOf(version.api).headers,
    );
    reply.code(answer.status).headers(answer.headers).send(JSON.stringify(answer.body));
  }

  // Answers leave at the end of the event loop's turn, together (see TurnBatch).
  // Journaled when written, not when queued: the client may have gone (or close() cut the
  // connection) within the turn, and then the answer never left.
  const sends = new TurnBatch<[Exchange_, HttpAnswer, string, Violation[]]>(
    ([x, answer, text, violations]) => {
      // The connection, not the response's socket: a pipelined response has none until its turn.
      const gone = x.reply.raw.destroyed || x.req.raw.socket.destroyed;
      if (!gone) x.reply.code(answer.status).headers(answer.headers).send(text);
      journalize(x, answer, text, violations, !gone, gone ? TERMINAL_GONE : undefined);
    },
    ([x], err) => failed(x.reply, err as Error),
  );

  /** The operation a routed request was for (its version's, when a header selects it); undefined unrouted. */
  function operationOf(req: FastifyRequest): string | undefined {
    const route = (req.routeOptions.config as { route?: Route }).route;
    if (!route) return undefined;
    const api = versionKey ? selectByHeader(req) : route.first.api;
    return (api && route.byVersion.get(api.version))?.op.operationId;
  }

  // ── one exchange ────────────────────────────────────────────────────────────────────────────────
  /** Synchronous until something has to wait (a slow issuer, a duplicate in flight, a fault). */
  function handle(
    req: FastifyRequest,
    reply: FastifyReply,
    route: Route | undefined,
  ): Promise<void> | undefined {
    const at = Date.now();
    const t0 = performance.now();
    const requestId = nextRequestId();
    const method = req.method;
    const path = pathOf(req.url);

    // Which API version: the route's (path-versioned) or the header's (else the account default).
    let api = version.api;
    let served: Served | undefined;
    let early: { kind: ErrorKind; details: ErrorDetails } | undefined;
    if (route && versionKey) {
      const selected = selectByHeader(req);
      if (!selected) {
        const wanted = String(req.headers[versionKey]);
        const list = version.apis.map((a) => a.version).join(', ');
        early = {
          kind: 'unsupported-version',
          details: { message: `${versionHeader} "${wanted}" is not served here (served: ${list})` },
        };
      } else {
        api = selected;
        served = route.byVersion.get(api.version);
        if (!served)
          early = { kind: 'not-found', details: { message: `${api.ref} has no ${method} ${path}` } };
      }
    } else if (route) {
      served = route.first;
      api = served.api;
    } else {
      ({ api, early } = unrouted(req, method, path));
    }
    const op = served?.op;
    const ctx = served ? served.ctx : contextOf(api);
    const headers = ctx.headers;
    const plan = faults.select({ method, path, operation: op?.operationId, action: op?.action });
    const x: Exchange_ = {
      req,
      reply,
      api,
      op,
      ctx,
      headers,
      requestId,
      plan,
      at,
      t0,
      path,
      error: undefined,
      json: false,
      complete: undefined,
      notes: undefined,
    };
    if (plan.requestLost) {
      // The rate-limit fault answers in the gateway's stead: a client it holds to a wait is still
      // journaled for asking early. A request lost on the way was never seen.
      const limiter = rateLimits.active && plan.fired.some((f) => f.fault === 'rate-limit');
      const early = limiter ? rateLimits.check(clientOf(req.headers, x.op)) : undefined;
      return finish(x, early ? { answer: undefined, violations: [earlyViolation(early)] } : EMPTY_OUTCOME);
    }
    if (early) {
      // Recorded as the rule the request broke, so a matrix cell quotes the gateway's own words.
      const rule = early.kind === 'unsupported-version' ? 'version' : 'route';
      return finish(x, {
        answer: errorAnswer(api, early.kind, early.details, requestId, headers),
        violations: [{ path: '', rule, message: early.details.message ?? early.kind }],
      });
    }
    const outcome = respond(x, op!);
    return outcome instanceof Promise ? outcome.then((o) => finish(x, o)) : finish(x, outcome);
  }

  /** Authentication, body, validation, idempotency and the lifecycle: the answer (and its delay). */
  function respond(x: Exchange_, op: ApiOperation): Outcome | Promise<Outcome> {
    const { req, api } = x;
    const raw = req.body as RawBody;
    const auth = authenticate(req.headers, op.security, keys);
    if (!auth.ok) {
      const message = `${api.binding.errors.kinds.authentication.message.replace(/\.?$/, '.')} ${auth.problem}`;
      // The violation is the journal's (a cell's reason quotes it); the answer stays the version's.
      const out = fail(x, 'authentication', { message });
      const challenge = out.answer!.status === 401 ? authChallenges(op.security, version.host) : undefined;
      return {
        answer: challenge
          ? { ...out.answer!, headers: { ...out.answer!.headers, 'www-authenticate': challenge } }
          : out.answer,
        violations: [{ path: '', rule: 'authentication', message: auth.problem }],
      };
    }

    if (rateLimits.active) {
      const early = rateLimits.check(clientOf(req.headers, op));
      if (early) {
        const v = earlyViolation(early);
        const out = fail(x, 'rate-limited', { message: `Too many requests: ${v.message}.` }, [v]);
        const answer = {
          ...out.answer!,
          headers: { ...out.answer!.headers, 'retry-after': String(early.leftSeconds) },
        };
        return { ...out, answer };
      }
    }

    let body: unknown;
    const hasBody = raw !== undefined && raw !== '';
    if (hasBody) {
      const type = String(req.headers['content-type'] ?? '');
      if (type !== jsonType && !isJsonMedia(type)) {
        const v = {
          path: '',
          rule: 'content-type',
          message: `the body must be JSON (content-type was "${type}")`,
        };
        return fail(x, 'invalid-request', { message: v.message }, [v]);
      }
      try {
        body = JSON.parse(raw);
        x.json = true;
      } catch (err) {
        const v = { path: '', rule: 'json', message: `the body is not JSON: ${jsonErrorMessage(err)}` };
        return fail(x, 'invalid-request', { message: v.message }, [v]);
      }
    }
    const violations = op.validateRequest({
      body,
      hasBody,
      headers: req.headers,
      query: req.query as Record<string, unknown>,
      params: req.params as Record<string, string>,
    });
    if (violations.length > 0) {
      return fail(
        x,
        'invalid-request',
        { message: `Invalid request: ${violations[0]!.message}` },
        violations,
      );
    }

    const idemRaw = op.method === 'GET' ? undefined : req.headers[x.ctx.idempotencyHeader];
    const idemKey = Array.isArray(idemRaw) ? idemRaw[0] : idemRaw;
    if (!idemKey) return run(x, op, body);
    // Node joins a repeated header with ", ": two keys would pass as one. Counted only when the
    // value could be such a join (a key of one's own may hold ", " too).
    if (idemKey.includes(', ') && headerCount(req.raw.rawHeaders, x.ctx.idempotencyHeader) > 1) {
      const header = x.api.binding.idempotencyHeader;
      const v = {
        path: `header ${header}`,
        rule: 'idempotency',
        message: `${header} was sent more than once`,
      };
      return fail(x, 'invalid-request', { message: `Invalid request: ${v.message}` }, [v]);
    }
    // The parameters a key was first used with: method, path and the body as data.
    const fingerprint = fingerprintOf(op.method, x.path, body);
    // Joined, not concatenated: the store keeps the key, and a concatenation stays a rope that holds
    // on to the whole Authorization header it was sliced from.
    const begun = idempotency.begin([auth.key, idemKey].join('\u0000'), fingerprint);
    return begun instanceof Promise
      ? begun.then((b) => proceed(x, op, body, b))
      : proceed(x, op, body, begun);
  }

  /** What the idempotency store said: replay, refuse, or run it (and store its answer in finish()). */
  function proceed(
    x: Exchange_,
    op: ApiOperation,
    body: unknown,
    b: IdempotencyBegin,
  ): Outcome | Promise<Outcome> {
    if (b.kind === 'replay') {
      const a = b.answer;
      const answer = new TextAnswer(a.status, a.headers, a.text, a.summary);
      return { answer, text: a.text, violations: NO_VIOLATIONS };
    }
    // A key reused with other parameters broke the idempotency rule. A retry of a request still
    // running broke nothing: it is how a terminal should ask again after a timeout; the 409 only
    // says "later".
    if (b.kind === 'in-flight') return fail(x, 'idempotency-in-flight', {});
    if (b.kind === 'mismatch') {
      const path = `header ${x.api.binding.idempotencyHeader}`;
      const message = 'the key was first used with other parameters';
      return fail(x, 'idempotency-mismatch', {}, [{ path, rule: 'idempotency', message }]);
    }
    x.complete = b.complete;
    try {
      const out = run(x, op, body);
      if (out instanceof Promise) {
        return out.catch((err: unknown) => {
          b.complete(undefined);
          throw err;
        });
      }
      return out;
    } catch (err) {
      b.complete(undefined);
      throw err;
    }
  }

  /** The version's error answer for the request, with the rules it broke. */
  function fail(
    x: Exchange_,
    kind: ErrorKind,
    details: ErrorDetails,
    violations: Violation[] = NO_VIOLATIONS,
  ): Outcome {
    return {
      answer: errorAnswer(x.api, kind, { ...details, violations }, x.requestId, x.headers),
      violations,
    };
  }

  /** The lifecycle action, then the gateway's own time plus a slow issuer's (time-scaled; close() cuts it short). */
  function run(x: Exchange_, op: ApiOperation, body: unknown): Outcome | Promise<Outcome> {
    const params = x.req.params as Record<string, string>;
    const result = runAction(lifecycle, {
      api: x.api,
      op,
      body,
      params,
      requestId: x.requestId,
      headers: x.headers,
    });
    const outcome: Outcome = { answer: result.answer, violations: NO_VIOLATIONS };
    x.notes = result.notes;
    const scaled = (processingMs + result.delayMs) * timeScale;
    if (!(scaled > 0)) return outcome;
    return delays.wait(scaled).then(() => outcome);
  }

  /** The faults' answer stage, the idempotency record, the answer on the wire, the journal. */
  function finish(x: Exchange_, outcome: Outcome): Promise<void> | undefined {
    const { req, api, op, plan } = x;
    let answer = outcome.answer;
    let text = outcome.text;
    if (plan.fired.length > 0) {
      const error: HttpFaultContext['error'] = (kind, opts = {}) =>
        errorAnswer(api, kind, { status: opts.status, message: opts.message }, x.requestId, x.headers);
      const before = answer;
      answer = plan.answer(answer, req.raw.socket, error);
      if (answer !== before) text = undefined;
      x.error = error;
    }
    if (answer?.status === 429) rateLimits.answered(clientOf(req.headers, op), answer.headers['retry-after']);
    if (answer && text === undefined) text = answer.body === undefined ? '' : JSON.stringify(answer.body);
    x.complete?.(
      answer && { status: answer.status, headers: answer.headers, text: text!, summary: answer.summary },
    );
    let violations = outcome.violations;
    if (validateResponses && op && answer) {
      const broken = op.validateResponse(answer.status, answer.headers['content-type'], answer.body);
      if (broken.length > 0) {
        violations = [
          ...violations,
          ...broken.map((v) => ({
            path: `response ${v.path}`.trim(),
            rule: 'response-contract',
            message: v.message,
          })),
        ];
      }
    }
    if (plan.fired.length === 0) {
      if (delays.stopped) return undefined;
      // A terminal that gave up while the gateway worked (its own timeout) gets nothing: sends says so.
      sends.add([x, answer!, text!, violations]);
      return undefined;
    }
    return deliver(x, answer, text, violations);
  }

  /** A fault fired: the fault set writes the answer (or does not) through the raw response. */
  async function deliver(
    x: Exchange_,
    answer: HttpAnswer | undefined,
    text: string | undefined,
    violations: Violation[],
  ): Promise<void> {
    const { reply, plan } = x;
    const socket = x.req.raw.socket;
    reply.hijack();
    const res = reply.raw;
    const report = await plan.run({
      socket,
      writeHead: (status, h) => {
        res.writeHead(status, h);
      },
      write: (bytes) =>
        new Promise<void>((resolve) => {
          if (res.destroyed || socket.destroyed) return resolve();
          res.write(bytes, () => resolve());
        }),
      end: () => {
        if (!res.writableEnded) res.end();
      },
      answer,
      serialize: (a) => Buffer.from(a === answer && text !== undefined ? text : JSON.stringify(a.body ?? '')),
      error: x.error!,
    });
    const sent = report.outcome === 'sent';
    let event: Exchange['event'];
    if (plan.requestLost && !answer) {
      event = {
        kind: 'lost',
        detail: ['request lost before the gateway saw it', ...report.notes].join('; '),
      };
    } else if (!sent || report.notes.length > 0) {
      event = {
        kind: report.outcome === 'reset' ? 'reset' : 'fault',
        detail: [`response ${report.outcome}`, ...report.notes].join('; '),
      };
    }
    journalize(x, answer, report.body?.toString('utf8') ?? text ?? '', violations, sent, event);
  }

  function journalize(
    x: Exchange_,
    answer: HttpAnswer | undefined,
    text: string,
    violations: Violation[],
    sent: boolean,
    event: Exchange['event'],
  ): void {
    const { req, op } = x;
    // The route's own copy of the path when that is the whole URL: one string less per entry.
    const url = op && req.url === op.fullPath ? op.fullPath : req.url;
    const entry = new HttpExchangeRecord(
      hostName,
      connectionIds.get(req.raw.socket) ?? 0,
      isoTime(x.at),
      req.method,
      url,
      op,
      req.raw.rawHeaders,
      req.body as RawBody,
      x.json,
      answer,
      text,
      x.ctx.mask,
      event,
      sent && answer ? Math.round((performance.now() - x.t0) * 1000) / 1000 : undefined,
      scrubbed(violations),
      x.plan.fired.length === 0 ? NO_FAULTS : x.plan.fired.map((f) => f.id),
      x.notes,
    );
    journal.record(entry, entry.textLength);
  }

  /** No route matched: a retired or unknown API version's path, or no such resource. */
  const versionShaped = versionSegmentPattern(version.apis.map((a) => a.prefix));

  function unrouted(
    req: FastifyRequest,
    method: string,
    path: string,
  ): { api: ApiVersion; early: { kind: ErrorKind; details: ErrorDetails } } {
    if (versionKey) {
      const api = selectByHeader(req) ?? version.api;
      return {
        api,
        early: { kind: 'not-found', details: { message: `No such resource: ${method} ${path}` } },
      };
    }
    const servedHere = version.apis.find((a) => path === a.prefix || path.startsWith(`${a.prefix}/`));
    if (servedHere) {
      return {
        api: servedHere,
        early: { kind: 'not-found', details: { message: `No such resource: ${method} ${path}` } },
      };
    }
    const other = version.known.find((a) => path === a.prefix || path.startsWith(`${a.prefix}/`));
    const served = version.apis.map((a) => a.prefix).join(', ');
    // A version segment shaped like the served ones (`/v5` beside `/v4`) names a version, unknown.
    const unknown = other ? undefined : versionShaped.exec(path)?.[1];
    return {
      api: version.api,
      early:
        other || unknown
          ? {
              kind: 'unsupported-version',
              details: {
                message: `API ${other ? other.version : unknown} is not served here (served: ${served})`,
              },
            }
          : { kind: 'not-found', details: { message: `No such resource: ${method} ${path}` } },
    };
  }

  if (options.docs) await registerDocsPage(app, version, options.docs === true ? DOCS_PATH : options.docs);

  // ── listening ───────────────────────────────────────────────────────────────────────────────────
  const bind = options.bind ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host: bind });
  const port = (server.address() as { port: number }).port;
  if (!faults.listening) server.close();
  // host-down (refuse): stop listening while that fault is active, listen on the same port after.
  let sync = Promise.resolve();
  const offChange = faults.onChange(() => {
    sync = sync.then(async () => {
      if (!faults.listening && server.listening) server.close();
      else if (faults.listening && !server.listening && !delays.stopped) {
        await listenAgain(
          () =>
            new Promise<void>((resolve, reject) => {
              server.once('error', reject);
              server.listen(port, bind, () => {
                server.off('error', reject);
                resolve();
              });
            }),
          {
            stopped: () => delays.stopped,
            failed: (err) =>
              record({
                connection: 0,
                event: {
                  kind: 'fault',
                  detail: `host-down ended, but the gateway could not listen on port ${port} again (${err.message}): it stays down`,
                },
              }),
          },
        );
      }
    });
  });

  const shown = bind.includes(':') ? `[${bind}]` : bind;
  return {
    kind: 'rest',
    ref: version.ref,
    version,
    address: { host: bind, port },
    url: `${tls ? 'https' : 'http'}://${shown}:${port}`,
    ...(tls && { certificate: tls.certificate }),
    ...(tls?.clients && { terminalCertificate: tls.clients.terminal }),
    app,
    journal,
    faults,
    payments,
    idempotency,
    reset() {
      payments.clear();
      idempotency.clear();
      rateLimits.clear();
      journal.clear();
    },
    async close() {
      delays.stop();
      faults.stop();
      offChange();
      await sync.catch(() => {});
      idempotency.clear();
      await destroySockets(sockets);
      await new Promise((resolve) => setImmediate(resolve)); // the disconnects, journaled a turn later
      if (inflight > 0) await new Promise<void>((resolve) => (drained = resolve));
      await app.close();
    },
  };
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

// Under load many exchanges arrive in the same millisecond: format each millisecond once.
let lastMs = -1;
let lastIso = '';
function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/** `/v4` → /^\/(v[0-9]+)(?:\/|$)/: the shape of a gateway's version segments, whatever the digits. */
function versionSegmentPattern(prefixes: readonly string[]): RegExp {
  const shapes = new Set(
    prefixes.map((p) =>
      p
        .slice(1)
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/[0-9]+/g, '[0-9]+'),
    ),
  );
  return new RegExp(`^/(${[...shapes].join('|')})(?:/|$)`);
}

/** How many times a header (lower case) was sent, from node's raw name/value list. */
function headerCount(rawHeaders: readonly string[], name: string): number {
  let n = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === name) n++;
  return n;
}

import { setImmediate } from 'node:timers/promises';
import { type Static, Type as T } from '@sinclair/typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from 'fastify';
import { AJV_CODE } from '../../data/ajv-code.js';
import { didYouMean } from '../../data/closest-word.js';
import type { Exchange } from '../exchange.js';
import { FaultSpecError } from '../faults/index.js';
import { paymentTotals } from '../gateway/payments.js';
import type { MockGateway } from '../gateway/start-gateway.js';
import type { Ledger } from '../iso-host/ledger.js';
import type { IsoHost } from '../iso-host/start-iso-host.js';
import { filterMismatch, journalFilter } from '../journal-filter.js';
import { LABEL } from './host-label.js';
import { filterOf, JournalQuery } from './journal-query.js';
import { summarizeLedger } from './ledger-summary.js';
import { MockMetrics } from './metrics.js';
import { schemaErrorFormatter } from './schema-errors.js';

/** Exchanges a journal query looks at before letting the host's own work run. */
const SCAN_SLICE = 500;

/** A running mock of either kind: an ISO 8583 host or a REST gateway. */
export type MockHost = IsoHost | MockGateway;

function isGateway(host: MockHost): host is MockGateway {
  return (host as MockGateway).kind === 'rest';
}

export interface AdminApiOptions {
  /** The hosts this API controls, e.g. a primary and its backup, or a gateway. At least one. */
  hosts: MockHost[];
  /** Names for the hosts (`?host=` and the `host` metric label). Default: primary, backup, backup-2… */
  labels?: string[];
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the admin API can change how the bank answers, so it stays local unless told. */
  bind?: string;
  /** Metrics to serve; default: a new registry observing `hosts`. */
  metrics?: MockMetrics;
  /** Add Node process metrics (CPU, memory, event loop) to a new registry. Default false. */
  defaultMetrics?: boolean;
  /** Where fastify logs its own errors; request logging is always off (the CLI logs exchanges). */
  logger?: FastifyBaseLogger;
}

export interface AdminApi {
  /** The fastify instance, e.g. for `inject()`. */
  readonly app: FastifyInstance;
  readonly address: { host: string; port: number };
  /** `http://host:port` */
  readonly url: string;
  readonly metrics: MockMetrics;
  close(): Promise<void>;
}

interface Entry {
  label: string;
  host: MockHost;
}

const HostQuery = T.Object(
  {
    host: T.Optional(
      T.String({ pattern: LABEL, description: 'a host label (GET /hosts); default: every host' }),
    ),
  },
  { additionalProperties: false },
);
type HostQuery = Static<typeof HostQuery>;

const ResetQuery = T.Object(
  {
    host: HostQuery.properties.host,
    faults: T.Boolean({ default: false, description: 'also remove every active fault' }),
  },
  { additionalProperties: false },
);
type ResetQuery = Static<typeof ResetQuery>;

const NoQuery = T.Object({}, { additionalProperties: false });

const FaultIdParams = T.Object({ id: T.String({ minLength: 1, maxLength: 64 }) });
type FaultIdParams = Static<typeof FaultIdParams>;

// Only the shape is checked here: IsoFaultSet.add() gives the precise error with the spec's own path
// (`fault.params.delayMs: must be >= 0`), which says more than a generic schema error could.
const FaultBody = T.Union(
  [
    T.Object(
      {},
      { additionalProperties: true, description: 'one fault spec: { fault, params?, scope?, id? }' },
    ),
    T.Array(T.Object({}, { additionalProperties: true }), { minItems: 1, maxItems: 100 }),
  ],
  { description: 'a fault spec ({ "fault": "latency", "params": …, "scope": … }) or a list of 1 to 100' },
);

const Problem = T.Object({
  statusCode: T.Integer(),
  error: T.String(),
  message: T.String(),
  code: T.Optional(T.String()),
  path: T.Optional(T.String()),
  problem: T.Optional(T.String()),
});

const ActiveFault = T.Object({
  host: T.String(),
  id: T.String(),
  fault: T.String(),
  params: T.Record(T.String(), T.Unknown()),
  scope: T.Record(T.String(), T.Unknown()),
  matched: T.Integer(),
  fired: T.Integer(),
});
const FaultList = T.Object({ faults: T.Array(ActiveFault) });

const Labels = T.Array(T.String());

/**
 * Builds the admin HTTP API of one or more running mock hosts without listening: journal, faults,
 * state reset, ledger totals and Prometheus metrics. Tests use `app.inject()`; startAdminApi() listens.
 */
export function buildAdminApp(options: AdminApiOptions): { app: FastifyInstance; metrics: MockMetrics } {
  if (options.hosts.length === 0) throw new TypeError('startAdminApi: at least one host is required');
  const entries: Entry[] = options.hosts.map((host, i) => ({
    host,
    label: labelOf(host, i, options.labels),
  }));
  const seen = new Set<string>();
  for (const e of entries) {
    if (!new RegExp(LABEL).test(e.label)) throw new TypeError(`host label "${e.label}" must match ${LABEL}`);
    if (seen.has(e.label)) throw new TypeError(`host label "${e.label}" is used twice`);
    seen.add(e.label);
  }
  const metrics = options.metrics ?? new MockMetrics({ defaultMetrics: options.defaultMetrics ?? false });
  const unsubscribe = options.metrics
    ? []
    : entries.map((e) =>
        metrics.observe({
          label: e.label,
          ref: e.host.ref,
          address: e.host.address,
          journal: e.host.journal,
        }),
      );
  const started = Date.now();

  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    logController: new LogController({ disableRequestLogging: true }),
    // Unknown query keys are mistakes to report (`?limt=5`), not to drop silently; verbose errors
    // carry the schema, whose description says what a pattern wants.
    ajv: { customOptions: { removeAdditional: false, verbose: true, code: AJV_CODE } },
    schemaErrorFormatter,
    forceCloseConnections: true,
  });
  app.addHook('onClose', async () => {
    for (const off of unsubscribe) off();
  });

  const labels = entries.map((e) => e.label);
  const badRequest = (reply: FastifyReply, message: string, extra: Record<string, string> = {}) =>
    reply.code(400).send({ statusCode: 400, error: 'Bad Request', message, ...extra });

  /** The hosts a `?host=` names (all when absent); undefined after answering 400. */
  function pick(
    reply: FastifyReply,
    label: string | undefined,
    fallback: 'all' | 'first',
  ): Entry[] | undefined {
    if (label === undefined) return fallback === 'all' ? entries : entries.slice(0, 1);
    const found = entries.find((e) => e.label === label);
    if (!found) {
      void badRequest(
        reply,
        `unknown host "${label}"${didYouMean(label, labels)} (hosts here: ${labels.join(', ')})`,
        {
          path: 'querystring/host',
        },
      );
      return undefined;
    }
    return [found];
  }

  const problems = { 400: Problem, 404: Problem, 409: Problem };

  const routes: string[] = [];
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const m of methods) if (m !== 'HEAD') routes.push(`${m} ${r.url}`);
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({
      statusCode: 404,
      error: 'Not Found',
      message: `no route ${req.method} ${req.url.split('?')[0]}; routes: ${routes.join(', ')}`,
    }),
  );

  // liveness: the API answers and which hosts listen
  app.get(
    '/health',
    {
      schema: {
        querystring: NoQuery,
        response: {
          200: T.Object({
            status: T.Literal('ok'),
            uptimeSeconds: T.Number(),
            hosts: T.Array(T.Object({ host: T.String(), ref: T.String(), listening: T.Boolean() })),
          }),
        },
      },
    },
    async () => ({
      status: 'ok' as const,
      uptimeSeconds: (Date.now() - started) / 1000,
      // false while a host-down (refuse) fault holds the listener closed.
      hosts: entries.map((e) => ({ host: e.label, ref: e.host.ref, listening: e.host.faults.listening })),
    }),
  );

  // the hosts behind this API
  app.get(
    '/hosts',
    {
      schema: {
        querystring: NoQuery,
        response: {
          200: T.Object({
            hosts: T.Array(
              T.Object({
                label: T.String(),
                ref: T.String(),
                host: T.String(),
                version: T.String(),
                kind: T.Union([T.Literal('iso8583'), T.Literal('rest')]),
                dialect: T.Optional(T.String({ description: 'ISO 8583 hosts: the dialect' })),
                api: T.Optional(T.String({ description: 'REST gateways: the default API version' })),
                apis: T.Optional(
                  T.Array(T.String(), { description: 'REST gateways: every API version served' }),
                ),
                address: T.Object({ host: T.String(), port: T.Integer() }),
                url: T.String(),
                certificate: T.Optional(
                  T.String({
                    description: 'a host that speaks TLS: its test certificate (PEM), for terminals to trust',
                  }),
                ),
                faults: T.Integer(),
                journal: T.Object({
                  last: T.Integer(),
                  size: T.Integer(),
                  bytes: T.Integer({ description: 'message text the kept exchanges hold' }),
                  dropped: T.Integer(),
                }),
              }),
            ),
          }),
        },
      },
    },
    async () => ({
      hosts: entries.map(({ label, host }) => {
        const journal = host.journal;
        return {
          label,
          ref: host.ref,
          host: host.version.host,
          version: host.version.version,
          ...(isGateway(host)
            ? {
                kind: 'rest' as const,
                api: host.version.api.ref,
                apis: host.version.apis.map((a) => a.ref),
              }
            : { kind: 'iso8583' as const, dialect: host.version.dialect.id }),
          address: host.address,
          url: isGateway(host) ? host.url : `tcp://${host.address.host}:${host.address.port}`,
          ...(host.certificate !== undefined && { certificate: host.certificate }),
          faults: host.faults.list().length,
          journal: { last: journal.last, size: journal.size, bytes: journal.bytes, dropped: journal.dropped },
        };
      }),
    }),
  );

  // exchanges after `since`, oldest first, card data masked; page with `last`
  app.get<{ Querystring: JournalQuery }>(
    '/journal',
    {
      schema: {
        querystring: JournalQuery,
        response: {
          200: T.Object({
            host: T.String(),
            ref: T.String(),
            exchanges: T.Array(T.Object({}, { additionalProperties: true })),
            last: T.Integer({
              description: 'the last exchange looked at (filtered or not): pass as `since` for the next page',
            }),
            more: T.Boolean({ description: 'the page filled before the end of the journal' }),
            dropped: T.Integer({ description: 'oldest exchanges the bounded journal let go' }),
          }),
          ...problems,
        },
      },
    },
    async (req, reply) => {
      const [entry] = pick(reply, req.query.host, 'first') ?? [];
      if (!entry) return reply;
      const filter = filterOf(req.query);
      const mismatch = filterMismatch(filter, isGateway(entry.host) ? 'http' : 'iso8583');
      if (mismatch) return badRequest(reply, `${entry.label}: ${mismatch}`, { path: 'querystring' });
      const match = journalFilter(filter);
      const { limit } = req.query;
      const journal = entry.host.journal;
      // In slices, the host answering its terminals in between: the first scan of a full ISO journal
      // decodes every exchange (measured: 151 ms for 10,000 in one go).
      const exchanges: Exchange[] = [];
      let page = journal.page(req.query.since, limit, match, SCAN_SLICE);
      exchanges.push(...page.exchanges);
      while (page.more && exchanges.length < limit) {
        await setImmediate();
        page = journal.page(page.last, limit - exchanges.length, match, SCAN_SLICE);
        exchanges.push(...page.exchanges);
      }
      return {
        host: entry.label,
        ref: entry.host.ref,
        exchanges,
        last: page.last,
        more: page.more,
        dropped: journal.dropped,
      };
    },
  );

  // forget the recorded exchanges (the ledger stays)
  app.delete<{ Querystring: HostQuery }>(
    '/journal',
    {
      schema: {
        querystring: HostQuery,
        response: { 200: T.Object({ cleared: Labels }), ...problems },
      },
    },
    async (req, reply) => {
      const chosen = pick(reply, req.query.host, 'all');
      if (!chosen) return reply;
      for (const e of chosen) e.host.journal.clear();
      return { cleared: chosen.map((e) => e.label) };
    },
  );

  // active faults with their resolved params and counters
  app.get<{ Querystring: HostQuery }>(
    '/faults',
    {
      schema: {
        querystring: HostQuery,
        response: { 200: FaultList, ...problems },
      },
    },
    async (req, reply) => {
      const chosen = pick(reply, req.query.host, 'all');
      if (!chosen) return reply;
      return { faults: chosen.flatMap((e) => e.host.faults.list().map((f) => ({ host: e.label, ...f }))) };
    },
  );

  // add one fault spec (or a list) to every host, or to `?host=`
  app.post<{ Querystring: HostQuery; Body: unknown }>(
    '/faults',
    {
      schema: {
        querystring: HostQuery,
        body: FaultBody,
        response: { 201: FaultList, ...problems },
      },
    },
    async (req, reply) => {
      const chosen = pick(reply, req.query.host, 'all');
      if (!chosen) return reply;
      const specs = Array.isArray(req.body) ? req.body : [req.body];
      const added: Array<{ entry: Entry; id: string }> = [];
      try {
        for (const entry of chosen) {
          specs.forEach((spec, i) => {
            // Each host validates its own copy: resolving fills defaults into the params object.
            const info = entry.host.faults.add(
              structuredClone(spec),
              Array.isArray(req.body) ? `faults[${i}]` : 'fault',
            );
            added.push({ entry, id: info.id });
          });
        }
      } catch (err) {
        // All or nothing: a list that fails half-way leaves the hosts as they were.
        for (const a of added) a.entry.host.faults.remove(a.id);
        if (!(err instanceof FaultSpecError)) throw err;
        const status = err.code === 'duplicate-id' ? 409 : 400;
        return reply.code(status).send({
          statusCode: status,
          error: status === 409 ? 'Conflict' : 'Bad Request',
          message: err.message,
          code: err.code,
          path: err.path,
          problem: err.problem,
        });
      }
      const faults = added.map((a) => {
        const info = a.entry.host.faults.list().find((f) => f.id === a.id)!;
        return { host: a.entry.label, ...info };
      });
      return reply.code(201).send({ faults });
    },
  );

  // remove one fault by id
  app.delete<{ Querystring: HostQuery; Params: FaultIdParams }>(
    '/faults/:id',
    {
      schema: {
        params: FaultIdParams,
        querystring: HostQuery,
        response: {
          200: T.Object({ removed: T.Array(T.Object({ host: T.String(), id: T.String() })) }),
          ...problems,
        },
      },
    },
    async (req, reply) => {
      const chosen = pick(reply, req.query.host, 'all');
      if (!chosen) return reply;
      const removed = chosen.filter((e) => e.host.faults.remove(req.params.id));
      if (removed.length === 0) {
        const active = chosen.flatMap((e) => e.host.faults.list().map((f) => f.id));
        return reply.code(404).send({
          statusCode: 404,
          error: 'Not Found',
          message: `no active fault "${req.params.id}" (active: ${[...new Set(active)].join(', ') || 'none'})`,
        });
      }
      return { removed: removed.map((e) => ({ host: e.label, id: req.params.id })) };
    },
  );

  // remove every fault
  app.delete<{ Querystring: HostQuery }>(
    '/faults',
    {
      schema: {
        querystring: HostQuery,
        response: {
          200: T.Object({ cleared: T.Array(T.Object({ host: T.String(), count: T.Integer() })) }),
          ...problems,
        },
      },
    },
    async (req, reply) => {
      const chosen = pick(reply, req.query.host, 'all');
      if (!chosen) return reply;
      const cleared = chosen.map((e) => {
        const count = e.host.faults.list().length;
        e.host.faults.clear();
        return { host: e.label, count };
      });
      return { cleared };
    },
  );

  // forget ledger and journal (and faults with ?faults=true); metrics keep counting
  app.post<{ Querystring: ResetQuery }>(
    '/reset',
    {
      schema: {
        querystring: ResetQuery,
        response: { 200: T.Object({ reset: Labels, faultsCleared: T.Boolean() }), ...problems },
      },
    },
    async (req, reply) => {
      const chosen = pick(reply, req.query.host, 'all');
      if (!chosen) return reply;
      for (const e of chosen) {
        e.host.reset();
        if (req.query.faults) e.host.faults.clear();
      }
      return { reset: chosen.map((e) => e.label), faultsCleared: req.query.faults };
    },
  );

  // per-terminal totals: counts, amounts, sign-on, batch; PANs masked
  app.get<{ Querystring: HostQuery }>(
    '/ledger',
    {
      schema: {
        querystring: HostQuery,
        response: {
          200: T.Object({
            ledgers: T.Array(
              T.Object({
                hosts: Labels,
                duplicateWindow: T.Object(
                  {
                    keys: T.Integer(),
                    limit: T.Integer(),
                    forgottenEarly: T.Integer({
                      description: 'keys forgotten before their window ended, to stay within the limit',
                    }),
                    shortestWindowMs: T.Optional(T.Integer()),
                  },
                  { description: 'terminal + STAN keys within the duplicate-detection window' },
                ),
                terminals: T.Array(T.Object({}, { additionalProperties: true })),
              }),
            ),
          }),
          ...problems,
        },
      },
    },
    async (req, reply) => {
      const chosen = pick(reply, req.query.host, 'all');
      if (!chosen) return reply;
      // A primary and its backup usually share one ledger: show it once, naming both. Gateways keep
      // payments instead of a ledger (GET /payments).
      const groups = new Map<Ledger, Entry[]>();
      for (const e of chosen) {
        if (isGateway(e.host)) continue;
        groups.set(e.host.ledger, [...(groups.get(e.host.ledger) ?? []), e]);
      }
      return {
        ledgers: [...groups].map(([ledger, group]) => ({
          hosts: group.map((e) => e.label),
          duplicateWindow: ledger.duplicates.stats(),
          terminals: summarizeLedger(
            ledger,
            group.map((e) => e.host.journal),
          ),
        })),
      };
    },
  );

  // gateways: their payments (state and amounts; only the card's last 4 digits are kept)
  app.get<{ Querystring: HostQuery }>(
    '/payments',
    {
      schema: {
        querystring: HostQuery,
        response: {
          200: T.Object({
            gateways: T.Array(
              T.Object({
                host: T.String(),
                evicted: T.Integer({ description: 'oldest payments forgotten to stay within the limit' }),
                payments: T.Array(T.Object({}, { additionalProperties: true })),
              }),
            ),
          }),
          ...problems,
        },
      },
    },
    async (req, reply) => {
      const chosen = pick(reply, req.query.host, 'all');
      if (!chosen) return reply;
      return {
        gateways: chosen.flatMap(({ label, host }) =>
          isGateway(host)
            ? [
                {
                  host: label,
                  evicted: host.payments.evicted,
                  payments: host.payments.list().map((p) => ({
                    ...paymentTotals(p),
                    outcome: p.outcome,
                    createdAt: new Date(p.createdMs).toISOString(),
                    ...(p.cardLast4 !== undefined && { cardLast4: p.cardLast4 }),
                    ...(p.cardScheme !== undefined && { cardScheme: p.cardScheme }),
                  })),
                },
              ]
            : [],
        ),
      };
    },
  );

  // Prometheus text exposition
  app.get('/metrics', { schema: { querystring: NoQuery } }, async (_req, reply) =>
    reply.type(metrics.contentType).send(await metrics.text()),
  );

  return { app, metrics };
}

/** Starts the admin API on `bind:port` (default 127.0.0.1 and a free port). */
export async function startAdminApi(options: AdminApiOptions): Promise<AdminApi> {
  const { app, metrics } = buildAdminApp(options);
  const bind = options.bind ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host: bind });
  const port = (app.server.address() as { port: number }).port;
  const shown = bind.includes(':') ? `[${bind}]` : bind;
  return {
    app,
    address: { host: bind, port },
    url: `http://${shown}:${port}`,
    metrics,
    close: () => app.close(),
  };
}

function labelOf(host: MockHost, i: number, labels: string[] | undefined): string {
  const given = labels?.[i] ?? (host as MockHost & { label?: unknown }).label;
  if (typeof given === 'string' && given !== '') return given;
  return i === 0 ? 'primary' : i === 1 ? 'backup' : `backup-${i}`;
}

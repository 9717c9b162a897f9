// A server under test for bench/gateway.ts, run as a child process of it (never on its own), so that
// each contender has a process of its own: its CPU and RSS are read from /proc the same way as the
// peers', the load generator (autocannon, in the parent) never shares its heap or event loop, and
// `--cpu-prof` can profile the gateway alone. It serves one of:
//   - paymatrix: startGateway() at a host version, every feature on (validation, idempotency, state,
//     journal);
//   - bare: a fastify route answering the authorize POST with a fixed JSON body, the ceiling of a
//     fastify server on this machine;
//   - contract: the same route doing what any gateway that keeps to its OpenAPI contract must do:
//     parse the JSON body, validate the request against the version's operation (the very ajv
//     validator paymatrix uses), and serialize its answer. No auth, idempotency, state or journal:
//     the ceiling of a validating fastify gateway, and what paymatrix's own logic costs beyond it.
import Fastify from 'fastify';
import { LOOPBACK } from './support.js';

export type ServeRequest =
  | { type: 'start'; kind: 'paymatrix'; host: string; journalLimit?: number }
  | {
      type: 'start';
      kind: 'bare';
      method: string;
      path: string;
      status: number;
      contentType: string;
      body: string;
    }
  | {
      type: 'start';
      kind: 'contract';
      /** The gateway version whose default API version's operation validates the request. */
      host: string;
      method: string;
      path: string;
      status: number;
      contentType: string;
      body: string;
    }
  | { type: 'stores' }
  | { type: 'exit' };

/** How much the gateway holds: its bounded stores, and the V8 heap (against RSS). */
export interface Stores {
  journal: number;
  journalDropped: number;
  payments: number;
  paymentsEvicted: number;
  idempotencyKeys: number;
  idempotencyEvicted: number;
  heapUsed: number;
  /** Heap used after a full collection (the live data), when the process runs with --expose-gc. */
  heapLive?: number;
}

export type ServeReply =
  | { type: 'listening'; port: number; note?: string }
  | { type: 'failed'; error: string }
  | ({ type: 'stores' } & Stores);

interface Running {
  close(): Promise<void>;
  stores?: () => Omit<Stores, 'heapUsed'>;
}

let running: Running | undefined;
const reply = (msg: ServeReply) => process.send!(msg);

async function start(req: Extract<ServeRequest, { type: 'start' }>): Promise<void> {
  if (req.kind === 'paymatrix') {
    // Loaded here only: the bare server's process holds none of paymatrix.
    const { startGateway } = await import('../src/mocks/gateway/index.js');
    const gateway = await startGateway({
      host: req.host,
      port: 0,
      ...(req.journalLimit !== undefined && { journalLimit: req.journalLimit }),
    });
    running = {
      close: () => gateway.close(),
      stores: () => ({
        journal: gateway.journal.entries().length,
        journalDropped: gateway.journal.dropped,
        payments: gateway.payments.size,
        paymentsEvicted: gateway.payments.evicted,
        idempotencyKeys: gateway.idempotency.size,
        idempotencyEvicted: gateway.idempotency.evicted,
      }),
    };
    reply({ type: 'listening', port: gateway.address.port });
    return;
  }
  if (req.kind === 'contract') {
    await startContract(req);
    return;
  }
  // Logger off and no hooks: the least a fastify route can do. Fastify still parses the JSON body.
  const app = Fastify({ logger: false });
  app.route({
    method: req.method as 'POST',
    url: req.path,
    handler: (_request, res) => {
      res.code(req.status).header('content-type', req.contentType).send(req.body);
    },
  });
  await listen(app);
}

/** The contract baseline: body parsed, request validated, answer serialized; nothing else. */
async function startContract(req: Extract<ServeRequest, { kind: 'contract' }>): Promise<void> {
  const { workspaceHosts } = await import('../src/mocks/hosts/host-loader.js');
  const api = workspaceHosts().getGateway(req.host).api;
  const op = api.operations.find((o) => o.method === req.method && o.fullPath === req.path);
  if (!op) throw new Error(`${api.ref} has no ${req.method} ${req.path}`);
  const answer: unknown = JSON.parse(req.body);
  const app = Fastify({ logger: false });
  // The raw text, parsed by the handler (as paymatrix does, to answer a bad body in its own shape).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_r, body, done) => done(null, body));
  app.route({
    method: req.method as 'POST',
    url: req.path,
    handler: (request, res) => {
      const text = request.body as string | undefined;
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        res.code(400).send({ error: 'the body is not JSON' });
        return;
      }
      const violations = op.validateRequest({
        body,
        hasBody: text !== undefined && text !== '',
        headers: request.headers,
        query: request.query as Record<string, unknown>,
        params: request.params as Record<string, string>,
      });
      if (violations.length > 0) {
        res.code(400).header('content-type', req.contentType).send(JSON.stringify({ violations }));
        return;
      }
      res.code(req.status).header('content-type', req.contentType).send(JSON.stringify(answer));
    },
  });
  await listen(app);
}

async function listen(app: ReturnType<typeof Fastify>): Promise<void> {
  await app.listen({ host: LOOPBACK, port: 0 });
  running = { close: () => app.close() };
  reply({ type: 'listening', port: (app.server.address() as { port: number }).port });
}

if (!process.send)
  throw new Error('bench/gateway-server runs as a child of bench/gateway (npm run bench:gateway)');
process.on('message', (msg: ServeRequest) => {
  if (msg.type === 'start') {
    start(msg).catch((err: Error) => reply({ type: 'failed', error: err.stack ?? err.message }));
  } else if (msg.type === 'stores') {
    const none = { journal: -1, journalDropped: -1, payments: -1, paymentsEvicted: -1 };
    const stores = running?.stores?.() ?? { ...none, idempotencyKeys: -1, idempotencyEvicted: -1 };
    const heapUsed = process.memoryUsage().heapUsed;
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const live = gc ? { heapLive: process.memoryUsage().heapUsed } : {};
    reply({ type: 'stores', ...stores, heapUsed, ...live });
  } else if (msg.type === 'exit') {
    // A normal exit, so that --cpu-prof writes its profile.
    void (running?.close() ?? Promise.resolve()).finally(() => process.exit(0));
  }
});

// Mock payment gateway throughput: requests per second and p50/p99 latency of an authorize POST
// against paymatrix's gateway (startGateway at a host version: schema validation, auth, version
// selection, idempotency, payment state and the journal all on), side by side in the same run with:
//   - bare fastify: one route answering the same POST with the canned JSON our gateway gave to a
//     probe; the ceiling of a fastify server on this machine;
//   - fastify route + contract: that route also parsing the body, validating it against the
//     version's OpenAPI operation (paymatrix's own ajv validator) and serializing the answer: the
//     ceiling of any fastify gateway that keeps to its contract (a baseline, not a target);
//   - Stoplight Prism mocking the same OpenAPI document (validates the request, answers an example);
//   - a mountebank HTTP imposter answering the canned JSON (keep-alive);
//   - WireMock (npm `wiremock`: a bundled jar on the machine's java) with a stub answering the canned
//     JSON, warmed up for 20 s (the JIT needs it), twice: as it runs by default, keeping a request
//     journal as paymatrix does (like for like), and with --no-request-journal (the least it can do).
// Peers are installed on demand into .bench/<name> (ignored by git, never in package.json).
// Every contender runs in a process of its own (ours and the fastify baselines in bench/gateway-server.ts);
// the load generator is autocannon in this process: the same client, the same requests (a unique
// idempotency key each), for all of them; rounds alternate between the servers so that background
// load on a shared machine hits them alike.
//
// Run: npm run bench:gateway            the comparison
//      npm run bench:gateway -- --soak   1,000,000 authorizations against paymatrix alone, its RSS
//                                        (peak while loaded; after the run, once a full GC has run)
//      npm run bench:gateway -- --cpu-prof   also profile our gateway (self time per function)
// Knobs (env): BENCH_GATEWAY (nimbus-pay@2024-06-15), BENCH_CONNECTIONS (32), BENCH_WARMUP_MS (3000),
// BENCH_WIREMOCK_WARMUP_MS (20000), BENCH_ROUND_MS (5000), BENCH_ROUNDS (3),
// BENCH_SERVERS (paymatrix,bare,contract,prism,mountebank,wiremock,wiremock-nojournal), BENCH_JOURNAL_LIMIT (the
// gateway's default), BENCH_WIREMOCK_JOURNAL (the first WireMock's journal: unbounded, its default;
// off; or N entries).
// Read "server CPU µs/req" first on a shared machine: req/s moves with whatever else runs there, the
// CPU each server spends per answer much less.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Expect, type LoadRequest, runLoad } from './gateway-load.js';
import {
  type Canned,
  httpImposter,
  MB_VERSION,
  PRISM_VERSION,
  startPrism,
  startWireMock,
  WIREMOCK_VERSION,
  type WireMockJournal,
} from './gateway-peers.js';
import type { ServeReply, ServeRequest, Stores } from './gateway-server.js';
import { installPeer, type Peer, startMountebank, type Unavailable } from './peer-process.js';
import {
  check,
  fmtCount,
  Latencies,
  LOOPBACK,
  median,
  printTable,
  procCpu,
  procRss,
  repoRoot,
} from './support.js';

const env = process.env;
const GATEWAY = env.BENCH_GATEWAY ?? 'nimbus-pay@2024-06-15';
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 32);
const WARMUP_MS = Number(env.BENCH_WARMUP_MS ?? 3000);
const WIREMOCK_WARMUP_MS = Number(env.BENCH_WIREMOCK_WARMUP_MS ?? 20_000);
const ROUND_MS = Number(env.BENCH_ROUND_MS ?? 5000);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
const SERVERS = (
  env.BENCH_SERVERS ?? 'paymatrix,bare,contract,prism,mountebank,wiremock,wiremock-nojournal'
).split(',');
// The request journal of the first WireMock contender: WireMock's own default (every request kept),
// as paymatrix keeps a journal too. 'off' (or 0), or N (its --max-request-journal-entries: measured
// here at about 1,000 req/s for N = 10,000, so not the default) run it the other ways.
const JOURNAL_LIMIT = env.BENCH_JOURNAL_LIMIT === undefined ? undefined : Number(env.BENCH_JOURNAL_LIMIT);
const WIREMOCK_JOURNAL: WireMockJournal = wireMockJournal(env.BENCH_WIREMOCK_JOURNAL);
// Targets (issue 4): paymatrix at least 60% of bare fastify and ahead of every peer; RSS of the
// gateway under 200 MB after a million authorizations.
const VS_BARE = 0.6;
const SOAK_RSS_MB = 200;
const SETTLE_MS = 2000;
const MB = 1024 * 1024;

function wireMockLabel(journal: WireMockJournal): string {
  const how =
    journal === 'off'
      ? '--no-request-journal'
      : journal === 'unbounded'
        ? 'journal'
        : `journal ${fmtCount(journal)}`;
  return `WireMock ${WIREMOCK_VERSION} (${how})`;
}

function wireMockJournal(v: string | undefined): WireMockJournal {
  if (v === undefined || v === '') return 'unbounded';
  if (v === '0' || v === 'off') return 'off';
  if (v === '1' || v === 'unbounded') return 'unbounded';
  check(
    /^[0-9]+$/.test(v),
    `BENCH_WIREMOCK_JOURNAL must be off, unbounded or a number of entries, not "${v}"`,
  );
  return Number(v);
}

// ---- the servers in bench/gateway-server.ts -----------------------------------------------------

interface ServerChild extends Peer {
  pid: number;
  /** What the gateway holds (-1: not a gateway). */
  stores(): Promise<Stores | undefined>;
}

/** Forks bench/gateway-server.js and has it start `req`; `execArgv` e.g. for --cpu-prof. */
async function startServerChild(
  root: string,
  req: Extract<ServeRequest, { type: 'start' }>,
  execArgv: string[] = [],
): Promise<ServerChild | Unavailable> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./gateway-server.js', import.meta.url)), [], {
    cwd: root,
    execArgv,
    serialization: 'advanced',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = <T extends ServeReply['type']>(type: T) =>
    new Promise<Extract<ServeReply, { type: T }> | Extract<ServeReply, { type: 'failed' }>>((resolve) => {
      const on = (msg: ServeReply) => {
        if (msg.type !== type && msg.type !== 'failed') return;
        child.off('message', on);
        resolve(msg as Extract<ServeReply, { type: T }>);
      };
      child.on('message', on);
      void exited.then(() => resolve({ type: 'failed', error: 'the server process exited' }));
    });
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.send({ type: 'exit' } satisfies ServeRequest);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const listening = next('listening');
  child.send(req);
  const answer = await listening;
  if (answer.type === 'failed') {
    await close();
    return { unavailable: answer.error.split('\n')[0]! };
  }
  const pid = child.pid!;
  return {
    pid,
    port: answer.port,
    close,
    cpu: () => procCpu(pid),
    rss: () => procRss(pid),
    async stores() {
      const r = next('stores');
      child.send({ type: 'stores' } satisfies ServeRequest);
      const answer = await r;
      if (answer.type !== 'stores') return undefined;
      const { type: _, ...stores } = answer;
      return stores;
    },
  };
}

// ---- probes ---------------------------------------------------------------------------------------

interface Answer {
  status: number;
  contentType: string;
  connection: string;
  body: string;
}

let probeKey = 1;

/** One request with its own idempotency key, as the load generator would send it. */
async function send(port: number, request: LoadRequest, body = request.body): Promise<Answer> {
  const headers: Record<string, string> = { ...request.headers };
  if (request.idempotencyHeader)
    headers[request.idempotencyHeader] = `bench-probe-${process.pid}-${probeKey++}`;
  const res = await fetch(`http://${LOOPBACK}:${port}${request.path}`, {
    method: request.method,
    headers,
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    connection: res.headers.get('connection') ?? '',
    body: await res.text(),
  };
}

// ---- the authorize operation ------------------------------------------------------------------------

interface Operation {
  request: LoadRequest;
  /** The same request made invalid for the API version's schema: a validating server answers 4xx. */
  invalidBody: string;
  /** What is wrong with it, for the report. */
  invalidWhat: string;
  /** What an approved authorization's body contains. */
  approved: string;
  /** The OpenAPI document of the API version (Prism mocks it). */
  document: string;
  describe: string;
}

// The public test key of mocks/hosts/nimbus-pay.yaml (it opens nothing but the mock).
const NIMBUS_KEY = 'sk_test_nimbus_4eC39HqLyjWDarjtT1zdp7dc';

/**
 * The authorize operation of the gateway under test, per host version: a manual-capture
 * PaymentIntent of 10.00 USD on the everyday approved card of mocks/cards.yaml (visa-credit-chip,
 * expiry 12/30; an amount ending in 00 fires no trigger), pinned to the version's API, as a
 * 2024-06-15 terminal sends it (Idempotency-Key and return_url are required from that version on).
 */
function authorizeOperation(root: string): Operation {
  const [host, version] = GATEWAY.split('@');
  check(
    host === 'nimbus-pay' && version === '2024-06-15',
    `no authorize request written for ${GATEWAY} (bench/gateway.ts knows nimbus-pay@2024-06-15)`,
  );
  const body = {
    amount: { value: 1000, currency: 'USD' },
    capture_method: 'manual',
    return_url: 'https://terminal.paymatrix.test/return',
    payment_method_data: {
      type: 'card',
      card: { number: '4111111111111111', exp_month: 12, exp_year: 2030, cvc: '123' },
    },
  };
  return {
    request: {
      method: 'POST',
      path: '/v1/payment_intents',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${NIMBUS_KEY}`,
        'nimbus-version': version,
      },
      idempotencyHeader: 'Idempotency-Key',
      body: JSON.stringify(body),
    },
    // A 2023-10-16 amount (an integer) where 2024-06-15 wants { value, currency }.
    invalidBody: JSON.stringify({ ...body, amount: 1000 }),
    invalidWhat: 'amount as a 2023-10-16 integer instead of { value, currency }',
    approved: '"status":"authorized"',
    document: join(root, 'protocols', 'rest', host, `${version}.yaml`),
    describe: 'POST /v1/payment_intents 10.00 USD, manual capture, Visa 411111…1111',
  };
}

// ---- contenders ---------------------------------------------------------------------------------------

type Key = 'paymatrix' | 'bare' | 'contract' | 'prism' | 'mountebank' | 'wiremock' | 'wiremock-nojournal';

interface Target {
  key: Key;
  label: string;
  peer?: Peer;
  unavailable?: string;
  expect?: Expect;
  /** How it answered the invalid request: 'yes (422)' when it rejected it. */
  validates?: string;
  warmupMs: number;
}

/** Probes a started contender: the valid request must get `status` (and `bodyHas`), keep-alive. */
async function admit(
  t: Target,
  started: Peer | Unavailable,
  op: Operation,
  expect: (a: Answer) => Expect | string,
): Promise<void> {
  if ('unavailable' in started) {
    t.unavailable = started.unavailable;
    console.log(`${t.key}: unavailable: ${t.unavailable}`);
    return;
  }
  const fail = async (why: string) => {
    t.unavailable = `probe failed: ${why}`;
    console.log(`${t.key}: unavailable: ${t.unavailable}`);
    await started.close();
  };
  const ok = await send(started.port, op.request).catch((e: Error) => e);
  if (ok instanceof Error) return fail(ok.message);
  const e = expect(ok);
  if (typeof e === 'string') return fail(e);
  if (ok.connection.toLowerCase() === 'close') return fail('it closes the connection after each answer');
  const bad = await send(started.port, op.request, op.invalidBody).catch((err: Error) => err);
  if (bad instanceof Error) return fail(`invalid request: ${bad.message}`);
  t.validates = bad.status >= 400 && bad.status < 500 ? `yes (${bad.status})` : `no (${bad.status})`;
  t.peer = started;
  t.expect = e;
}

const expectExactly =
  (canned: Canned, approved: string) =>
  (a: Answer): Expect | string =>
    a.status === canned.status && a.body === canned.body
      ? { status: canned.status, bodyHas: approved }
      : `answered ${a.status} ${a.body.slice(0, 200)}, not the canned answer`;

async function startContenders(root: string, op: Operation, prof: string[]): Promise<Target[]> {
  const want = (k: Key) => SERVERS.includes(k);
  const targets: Target[] = [];

  // Ours first: its answer to a probe is the canned answer of bare fastify, mountebank and WireMock.
  const ours: Target = { key: 'paymatrix', label: `paymatrix ${GATEWAY}`, warmupMs: WARMUP_MS };
  const gateway = await startServerChild(
    root,
    {
      type: 'start',
      kind: 'paymatrix',
      host: GATEWAY,
      ...(JOURNAL_LIMIT !== undefined && { journalLimit: JOURNAL_LIMIT }),
    },
    prof,
  );
  let canned: Canned | undefined;
  await admit(ours, gateway, op, (a) => {
    if (a.status < 200 || a.status > 299 || !a.body.includes(op.approved))
      return `answered ${a.status} ${a.body.slice(0, 300)}, not an approved authorization`;
    canned = {
      method: op.request.method,
      path: op.request.path,
      status: a.status,
      contentType: a.contentType,
      body: a.body,
    };
    return { status: a.status, bodyHas: op.approved };
  });
  check(canned && ours.peer, `${GATEWAY} did not approve the probe authorization: ${ours.unavailable}`);
  console.log(
    `${GATEWAY}: probe answered ${canned.status}, ${canned.body.length} B: ${canned.body.slice(0, 160)}…`,
  );
  if (want('paymatrix')) targets.push(ours);
  else await ours.peer.close();

  // The fastify baselines answer with our canned answer: each is probed for exactly that.
  const baselines = [
    { key: 'bare', label: 'bare fastify route', serve: { kind: 'bare' } },
    { key: 'contract', label: 'fastify route + contract', serve: { kind: 'contract', host: GATEWAY } },
  ] as const;
  for (const { key, label, serve } of baselines) {
    if (!want(key)) continue;
    const t: Target = { key, label, warmupMs: WARMUP_MS };
    const { method, path, status, contentType, body } = canned;
    const answer = { type: 'start', method, path, status, contentType, body } as const;
    const started = await startServerChild(root, { ...answer, ...serve });
    await admit(t, started, op, expectExactly(canned, op.approved));
    targets.push(t);
  }
  if (want('prism')) {
    const t: Target = { key: 'prism', label: `Prism ${PRISM_VERSION}`, warmupMs: WARMUP_MS };
    const install = installPeer(root, 'prism', '@stoplight/prism-cli', PRISM_VERSION);
    const prism = 'unavailable' in install ? install : await startPrism(install, op.document);
    // Prism answers the document's example, not our body: its status is the check.
    await admit(t, prism, op, (a) =>
      a.status >= 200 && a.status <= 299
        ? { status: a.status }
        : `answered ${a.status} ${a.body.slice(0, 300)}`,
    );
    targets.push(t);
  }
  if (want('mountebank')) {
    const t: Target = { key: 'mountebank', label: `mountebank ${MB_VERSION}`, warmupMs: WARMUP_MS };
    const install = installPeer(root, 'mountebank', 'mountebank', MB_VERSION);
    const mb = 'unavailable' in install ? install : await startMountebank(install, httpImposter(canned));
    await admit(t, mb, op, expectExactly(canned, op.approved));
    targets.push(t);
  }
  // WireMock twice: as it runs out of the box, keeping a request journal as paymatrix does (the
  // like-for-like comparison), and without any journal (the least it can do).
  const wiremocks: Array<[Key, WireMockJournal, string]> = [
    ['wiremock', WIREMOCK_JOURNAL, wireMockLabel(WIREMOCK_JOURNAL)],
    ['wiremock-nojournal', 'off', wireMockLabel('off')],
  ];
  for (const [key, journal, label] of wiremocks) {
    if (!want(key)) continue;
    const t: Target = { key, label, warmupMs: WIREMOCK_WARMUP_MS };
    const install = installPeer(root, 'wiremock', 'wiremock', WIREMOCK_VERSION);
    const wm = 'unavailable' in install ? install : await startWireMock(install, canned, journal);
    await admit(t, wm, op, expectExactly(canned, op.approved));
    targets.push(t);
  }
  return targets;
}

// ---- comparison -----------------------------------------------------------------------------------------

interface Cell {
  rates: number[];
  cpuUs: number;
  requests: number;
  clientBusy: number[];
  latencies: Latencies;
  errors: number;
  firstError?: string;
  rss?: number;
}

async function compare(root: string, prof: string[]): Promise<void> {
  const op = authorizeOperation(root);
  console.log(
    `request: ${op.describe}; a unique ${op.request.idempotencyHeader ?? '(no idempotency key)'} each`,
  );
  console.log(`OpenAPI document: ${op.document}`);
  const targets = await startContenders(root, op, prof);
  try {
    const live = targets.filter((t) => t.peer);
    console.log(
      `load: autocannon in this process, ${CONNECTIONS} connections, closed loop; warm-up per server ` +
        `(${WARMUP_MS} ms, WireMock ${WIREMOCK_WARMUP_MS} ms), then ${ROUNDS} rounds of ${ROUND_MS} ms ` +
        'alternating servers; median req/s, p50/p99 over all rounds',
    );
    console.log('');
    for (const t of live) {
      const w = await runLoad({
        port: t.peer!.port,
        request: op.request,
        expect: t.expect!,
        connections: CONNECTIONS,
        durationMs: t.warmupMs,
      });
      console.log(
        `  warm-up ${t.key}: ${fmtCount(w.completed / (w.elapsedMs / 1000))}/s${w.errors ? ` (${w.errors} errors: ${w.firstError})` : ''}`,
      );
    }
    const cells = new Map<Key, Cell>();
    for (const t of live)
      cells.set(t.key, {
        rates: [],
        cpuUs: 0,
        requests: 0,
        clientBusy: [],
        latencies: new Latencies(),
        errors: 0,
      });
    for (let r = 1; r <= ROUNDS; r++) {
      const line: string[] = [];
      for (const t of live) {
        const cell = cells.get(t.key)!;
        const cpu0 = t.peer!.cpu();
        const res = await runLoad({
          port: t.peer!.port,
          request: op.request,
          expect: t.expect!,
          connections: CONNECTIONS,
          durationMs: ROUND_MS,
          latencies: cell.latencies,
        });
        const cpu1 = t.peer!.cpu();
        if (cpu0 !== undefined && cpu1 !== undefined) {
          cell.cpuUs += cpu1 - cpu0;
          cell.requests += res.completed;
        }
        const rate = res.completed / (res.elapsedMs / 1000);
        cell.rates.push(rate);
        cell.clientBusy.push(res.clientBusy);
        cell.errors += res.errors;
        if (res.firstError !== undefined) cell.firstError ??= res.firstError;
        line.push(`${t.key} ${fmtCount(rate)}/s`);
      }
      console.log(`  round ${r}: ${line.join(', ')}`);
    }
    for (const t of live) cells.get(t.key)!.rss = t.peer!.rss();
    report(op, targets, cells);
  } finally {
    for (const t of targets) await t.peer?.close();
  }
}

function report(op: Operation, targets: Target[], cells: Map<Key, Cell>): void {
  const rate = (k: Key) => {
    const c = cells.get(k);
    return c ? median(c.rates) : undefined;
  };
  const ours = rate('paymatrix');
  const rows = targets.map((t) => {
    const cell = cells.get(t.key);
    const rt = rate(t.key);
    const na = t.unavailable ? 'unavailable' : '';
    const spread =
      cell && cell.rates.length > 1
        ? `±${((50 * (Math.max(...cell.rates) - Math.min(...cell.rates))) / median(cell.rates)).toFixed(0)}%`
        : '';
    return {
      server: t.label + (cell?.errors ? ' (!)' : ''),
      'req/s': rt === undefined ? na : fmtCount(rt),
      spread,
      'p50 ms': cell ? cell.latencies.percentile(50).toFixed(3) : '',
      'p99 ms': cell ? cell.latencies.percentile(99).toFixed(3) : '',
      'server CPU µs/req': cell?.requests ? (cell.cpuUs / cell.requests).toFixed(0) : '',
      'RSS MB': cell?.rss ? (cell.rss / MB).toFixed(0) : '',
      'client busy': cell ? `${(100 * median(cell.clientBusy)).toFixed(0)}%` : '',
      validates: t.validates ?? '',
      'paymatrix / this':
        t.key !== 'paymatrix' && ours !== undefined && rt !== undefined ? `${(ours / rt).toFixed(2)}x` : '',
    };
  });
  console.log('');
  printTable(rows);
  console.log(
    'server CPU µs/req: CPU time of the server process (all threads, from /proc) per request. RSS: after the ' +
      'rounds. client busy: share of a core autocannon used; near 100% means that row measures the client. ' +
      `validates: how it answered the same request with ${op.invalidWhat}.`,
  );
  if (targets.some((t) => t.key.startsWith('wiremock')))
    console.log(
      "WireMock: 'journal' keeps every request (its default; its heap grows by the gigabyte under load), " +
        `'journal N' the newest N; BENCH_WIREMOCK_JOURNAL=unbounded|off|<N> sets the first WireMock's journal.`,
    );
  for (const t of targets) if (t.unavailable) console.log(`${t.key}: unavailable: ${t.unavailable}`);
  for (const [k, cell] of cells)
    if (cell.errors > 0)
      console.log(`(!) ${k}: ${cell.errors} bad or missing answers, first: ${cell.firstError}`);

  const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'met' : 'NOT MET');
  console.log('');
  console.log(`targets at ${CONNECTIONS} connections:`);
  if (ours === undefined) {
    console.log('  paymatrix not measured');
    return;
  }
  const bare = rate('bare');
  console.log(
    `  ${verdict(bare === undefined ? undefined : ours / bare >= VS_BARE)}: req/s >= ${VS_BARE * 100}% of bare fastify` +
      // One decimal: a ratio just under the target must not round up to it.
      (bare === undefined ? ' (bare not measured)' : `: ${((100 * ours) / bare).toFixed(1)}%`),
  );
  const cpu = (k: Key) => {
    const c = cells.get(k);
    return c?.requests ? c.cpuUs / c.requests : undefined;
  };
  const [ourCpu, bareCpu] = [cpu('paymatrix'), cpu('bare')];
  if (ourCpu !== undefined && bareCpu !== undefined)
    console.log(
      `  (server CPU per answer, steadier than req/s on a shared machine: paymatrix ${ourCpu.toFixed(0)} µs, ` +
        `bare fastify ${bareCpu.toFixed(0)} µs, ${((100 * bareCpu) / ourCpu).toFixed(0)}% of it)`,
    );
  const contract = rate('contract');
  if (contract !== undefined && bare !== undefined)
    console.log(
      `  (for scale: fastify route + contract reaches ${((100 * contract) / bare).toFixed(0)}% of bare fastify; ` +
        `paymatrix ${((100 * ours) / contract).toFixed(0)}% of it, the rest being auth, idempotency, payment state and journal)`,
    );
  for (const t of targets) {
    if (t.key === 'paymatrix' || t.key === 'bare' || t.key === 'contract') continue;
    const theirs = rate(t.key);
    console.log(
      `  ${verdict(theirs === undefined ? undefined : ours > theirs)}: ahead of ${t.label}` +
        (theirs === undefined ? ` (${t.unavailable ?? 'not measured'})` : `: ${(ours / theirs).toFixed(2)}x`),
    );
  }
}

// ---- soak ------------------------------------------------------------------------------------------------

async function soak(root: string, total: number, prof: string[]): Promise<void> {
  const op = authorizeOperation(root);
  const t: Target = { key: 'paymatrix', label: `paymatrix ${GATEWAY}`, warmupMs: 0 };
  // --expose-gc only for the end: the live data, and the RSS once garbage is gone. Nothing calls gc() before.
  const started = await startServerChild(
    root,
    {
      type: 'start',
      kind: 'paymatrix',
      host: GATEWAY,
      ...(JOURNAL_LIMIT !== undefined && { journalLimit: JOURNAL_LIMIT }),
    },
    [...prof, '--expose-gc'],
  );
  await admit(t, started, op, (a) =>
    a.status >= 200 && a.status <= 299 && a.body.includes(op.approved)
      ? { status: a.status, bodyHas: op.approved }
      : `answered ${a.status} ${a.body.slice(0, 300)}, not an approved authorization`,
  );
  check(t.peer && t.expect, `${GATEWAY}: ${t.unavailable}`);
  const gateway = t.peer as ServerChild;
  try {
    const rss0 = gateway.rss() ?? 0;
    console.log(
      `soak: ${fmtCount(total)} authorizations (${op.describe}), ${CONNECTIONS} connections, each with its own idempotency key`,
    );
    console.log(
      `${GATEWAY} in its own process (pid ${gateway.pid}), RSS at start ${(rss0 / MB).toFixed(0)} MB`,
    );
    let answered = 0;
    let peak = rss0;
    const step = Math.max(1, Math.round(total / 10));
    const began = performance.now();
    let lastAt = began;
    let lastCount = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, gateway.rss() ?? 0);
    }, 250);
    const res = await runLoad({
      port: gateway.port,
      request: op.request,
      expect: t.expect,
      connections: CONNECTIONS,
      amount: total,
      onAnswer: () => {
        if (++answered % step !== 0) return;
        const now = performance.now();
        const rss = gateway.rss() ?? 0;
        peak = Math.max(peak, rss);
        const rate = ((answered - lastCount) * 1000) / (now - lastAt);
        console.log(
          `  ${fmtCount(answered).padStart(10)} answered  ${fmtCount(rate).padStart(7)}/s  RSS ${(rss / MB).toFixed(0)} MB`,
        );
        lastAt = now;
        lastCount = answered;
      },
    });
    clearInterval(sampler);
    const seconds = (performance.now() - began) / 1000;
    const rss = gateway.rss() ?? 0;
    peak = Math.max(peak, rss);
    const stores = await gateway.stores();
    // The stores message ran a full GC; V8 hands the freed pages back on a background thread.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const settled = gateway.rss() ?? 0;
    console.log('');
    console.log(
      `${fmtCount(res.completed)} approved of ${fmtCount(total)} in ${seconds.toFixed(1)} s ` +
        `(${fmtCount(res.completed / seconds)}/s), ${res.errors} errors${res.firstError ? ` (first: ${res.firstError})` : ''}`,
    );
    const mb = (n: number | undefined) => (n === undefined ? '?' : `${(n / MB).toFixed(0)} MB`);
    if (stores) {
      const n = fmtCount;
      console.log(
        `it holds: journal ${n(stores.journal)} exchanges (${n(stores.journalDropped)} dropped), ` +
          `${n(stores.payments)} payments (${n(stores.paymentsEvicted)} evicted), ` +
          `${n(stores.idempotencyKeys)} idempotency keys (${n(stores.idempotencyEvicted)} evicted)`,
      );
      console.log(
        `V8 heap used ${mb(stores.heapUsed)} at the end; after a full GC ${mb(stores.heapLive)} live`,
      );
    }
    console.log(
      `gateway RSS: peak ${mb(peak)} under load, ${mb(rss)} when the last answer came, ` +
        `${mb(settled)} after the run (full GC, ${SETTLE_MS / 1000} s later)`,
    );
    // Judged after the run: under load RSS swings with V8's collections (the old generation grows to
    // about 4x the live data between full GCs), so a value taken mid-run measures where that cycle
    // stood. What stays after a collection is what the gateway holds; the peak is reported next to it.
    const ok = settled < SOAK_RSS_MB * MB && res.errors === 0;
    console.log(
      `  ${ok ? 'met' : 'NOT MET'}: RSS under ${SOAK_RSS_MB} MB after ${fmtCount(total)} requests (${mb(settled)}; ` +
        `peak under load ${mb(peak)}), no errors`,
    );
  } finally {
    await gateway.close();
  }
}

// ---- --cpu-prof ---------------------------------------------------------------------------------------------

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Where a frame's code lives: a package, a project file, Node itself, or V8's own (GC, idle…). */
function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:')) return 'node internals';
  const project = /\/(src|bench)\/(.*)$/.exec(url);
  return project ? `${project[1]}/${project[2]}` : url;
}

/** Self time by area and by function from the newest profile in `dir`. */
function summarizeProfile(dir: string): void {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort();
  const file = files.at(-1);
  if (!file) {
    console.log(`--cpu-prof: no profile written in ${dir}`);
    return;
  }
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[] };
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (hits === 0) continue;
    total += hits;
    const { functionName, url, lineNumber } = n.callFrame;
    const a = area(url, functionName);
    byArea.set(a, (byArea.get(a) ?? 0) + hits);
    // V8 names a regular expression's code after its pattern: ajv's URI format is 1,000+ characters.
    const name = functionName.length > 60 ? `${functionName.slice(0, 59)}…` : functionName;
    const f = `${name || '(anonymous)'} ${url ? `${a}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(f, (byFunction.get(f) ?? 0) + hits);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => ({ share: `${((100 * v) / total).toFixed(1)}%`, where: k }));
  console.log('');
  console.log(`CPU profile of the gateway process: ${join(dir, file)} (self time, all phases of the run)`);
  printTable(top(byArea, 15).map((r) => ({ area: r.where, share: r.share })));
  console.log('');
  printTable(top(byFunction, 20).map((r) => ({ function: r.where, share: r.share })));
}

// ---- main --------------------------------------------------------------------------------------------------

function cli(): { soak?: number; cpuProf: boolean } {
  const argv = process.argv.slice(2);
  const out: { soak?: number; cpuProf: boolean } = { cpuProf: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--cpu-prof') out.cpuProf = true;
    else if (a === '--soak') {
      const n = argv[i + 1];
      if (n !== undefined && /^\d+$/.test(n.replaceAll('_', ''))) {
        out.soak = Number(n.replaceAll('_', ''));
        i++;
      } else out.soak = 1_000_000;
    } else throw new Error(`unknown option ${a} (known: --soak [N], --cpu-prof)`);
  }
  return out;
}

async function main(): Promise<void> {
  const started = Date.now();
  const opts = cli();
  const root = repoRoot();
  const cpu = cpus();
  console.log(`node ${process.version}, ${cpu[0]?.model ?? 'unknown CPU'} (${cpu.length} cpus)`);
  const profDir = join(root, '.bench', 'prof');
  const prof = opts.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [];
  if (opts.cpuProf) mkdirSync(profDir, { recursive: true });
  if (opts.soak !== undefined) await soak(root, opts.soak, prof);
  else await compare(root, prof);
  if (opts.cpuProf) summarizeProfile(profDir);
  console.log(`${((Date.now() - started) / 1000).toFixed(1)} s`);
}

await main();

// Mock bank host throughput: round trips per second and p50/p99 latency of a 0200 sale against
// startIsoHost('harbor-bank@2019.4') over real TCP (decode, validate, duplicate check, authorize,
// ledger, journal, encode), side by side in the same run with two peers answering the very same
// request bytes with a canned 0210 (the one our host gave to a probe sale):
//   - bare node:net: a net.Server that splits frames with our FrameStreamDecoder and writes the
//     canned frame for each; the ceiling of a Node TCP server on this machine;
//   - mountebank: a TCP imposter (binary mode, one stub returning the canned bytes), installed on
//     demand into .bench/mountebank (ignored by git, never in package.json);
// and a baseline: bare node:net that also decodes each request with the dialect and encodes the
// canned answer again (its STAN and terminal id from the request), the ceiling of any host that
// reads its messages; the paymatrix/codec ratio is what the host's own work costs beyond the codec.
// Load comes from a child process (bench/host-load.ts): closed-loop connections, each sending the
// next sale when the previous answer is complete; rounds alternate between the servers so that
// background load on a shared machine hits them alike. The host runs with timeScale 0 by default,
// so the version's processing delay does not count.
// Run: npm run bench:host. Knobs (env): BENCH_WARMUP_MS (3000), BENCH_ROUND_MS (3000),
// BENCH_ROUNDS (3), BENCH_CONCURRENCY (1,32), BENCH_TIME_SCALE (0),
// BENCH_SERVERS (paymatrix,bare,codec,mountebank), BENCH_HOST_RESET (0; 1 empties the host's ledger and
// journal before each round, which otherwise carry the earlier rounds' sales up to their bounds).
// BENCH_TIME_SCALE=1 BENCH_CONCURRENCY=1500 BENCH_SERVERS=paymatrix: a fleet of terminals at the
// bank's real processing delay and duplicate window. After the rounds a line says what the host
// holds (journal, ledger, duplicate window, heap; run with node --expose-gc to collect first).
import { fork } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startIsoHost } from '../src/mocks/iso-host/start-iso-host.js';
import { type Dialect, encodeFrame } from '../src/protocols/iso8583/index.js';
import type { RunFailed, RunRequest, RunResult } from './host-load.js';
import { codecAnswer, PEER_LABELS, startNetPeer } from './net-peer.js';
import { installPeer, type Peer, startMountebank } from './peer-process.js';
import { HOST_REF, offsetOf, probe, SALE, saleFrame } from './sale.js';
import {
  check,
  Latencies,
  LOOPBACK,
  median,
  ownCpu,
  printTable,
  procMainThreadCpu,
  repoRoot,
} from './support.js';

const env = process.env;
const WARMUP_MS = Number(env.BENCH_WARMUP_MS ?? 3000);
const ROUND_MS = Number(env.BENCH_ROUND_MS ?? 3000);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = (env.BENCH_CONCURRENCY ?? '1,32').split(',').map(Number);
const TIME_SCALE = Number(env.BENCH_TIME_SCALE ?? 0);
const SERVERS = (env.BENCH_SERVERS ?? 'paymatrix,bare,codec,mountebank').split(',');
const RESET = env.BENCH_HOST_RESET === '1';
const MB_VERSION = '2.9.1';
// Targets, at the highest concurrency (32 by default).
const VS_BARE = 0.5;
const VS_MOUNTEBANK = 2;
const P99_MS = 5;

// ---- setup helpers --------------------------------------------------------------------------

// ---- peer: mountebank -----------------------------------------------------------------------

/**
 * One TCP imposter in binary mode whose only stub returns the canned bytes. No endOfRequestResolver:
 * mountebank treats each packet as one request by default, and a resolver is JavaScript injection;
 * a closed-loop client writes each ~135-byte frame in one write, which loopback delivers as one packet.
 */
const tcpImposter = (response: Buffer) => ({
  protocol: 'tcp',
  mode: 'binary',
  name: 'paymatrix-bench canned 0210',
  stubs: [{ responses: [{ is: { data: response.toString('base64') } }] }],
});

// ---- load generator -------------------------------------------------------------------------

type Job = Omit<RunRequest, 'type' | 'id' | 'host' | 'port' | 'concurrency' | 'durationMs'>;

/**
 * The client child. A separate process, not a worker thread: on a 2-core machine the server under
 * test and the client each get a core and their own heap and GC, whichever server runs, the client
 * is the same process for all three peers, and `node --cpu-prof` on this process profiles the
 * servers (execArgv is not passed on) without the client in the way.
 */
interface Client {
  run(port: number, concurrency: number, durationMs: number): Promise<RunResult>;
  stop(): void;
}

function startClient(job: Job): Client {
  const child = fork(fileURLToPath(new URL('./host-load.js', import.meta.url)), [], {
    execArgv: [],
    serialization: 'advanced',
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve(r: RunResult): void; reject(e: Error): void }>();
  child.on('message', (msg: RunResult | RunFailed) => {
    const w = waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id);
    if (msg.type === 'result') w.resolve(msg);
    else w.reject(new Error(`load generator: ${msg.error}`));
  });
  child.on('exit', (code) => {
    for (const w of waiting.values()) w.reject(new Error(`load generator exited (${code})`));
    waiting.clear();
  });
  return {
    run(port, concurrency, durationMs) {
      const id = nextId++;
      const req: RunRequest = { type: 'run', id, host: LOOPBACK, port, concurrency, durationMs, ...job };
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.send(req);
      });
    },
    stop() {
      if (child.connected) child.send({ type: 'exit' });
    },
  };
}

// ---- statistics -----------------------------------------------------------------------------

interface Cell {
  rates: number[];
  /** Server CPU µs and round trips over the measured rounds. */
  cpuUs: number;
  trips: number;
  /** The server's main thread: CPU µs and wall µs over the measured rounds. */
  mainUs: number;
  wallUs: number;
  clientBusy: number[];
  latencies: Latencies;
  errors: number;
  firstError?: string;
}

// ---- run ------------------------------------------------------------------------------------

interface Target {
  key: 'paymatrix' | 'bare' | 'codec' | 'mountebank';
  label: string;
  port?: number;
  unavailable?: string;
  close?: () => Promise<void>;
  cpu?: () => number | undefined;
  /** CPU of the server's main thread (its event loop), µs. */
  mainCpu?: () => number | undefined;
}

async function main(): Promise<void> {
  const started = Date.now();
  const root = repoRoot();
  const cpu = cpus();
  console.log(`node ${process.version}, ${cpu[0]?.model ?? 'unknown CPU'} (${cpu.length} cpus)`);

  const want = (k: string) => SERVERS.includes(k);
  const install = want('mountebank') ? installPeer(root, 'mountebank', 'mountebank', MB_VERSION) : undefined;

  const host = await startIsoHost({ host: HOST_REF, timeScale: TIME_SCALE });
  const servers: Target[] = [];
  let client: Client | undefined;
  try {
    const dialect: Dialect = host.version.dialect;
    const framing = dialect.framing!;
    const delay = host.version.spec.timeouts.processingDelayMs;
    const { request, stanOffset, terminalOffset } = saleFrame(dialect);

    // The host must approve the sale, or the bench would time a decline path.
    const probeSale = Buffer.from(request);
    probeSale.write('PROBE001', terminalOffset, 'latin1');
    const answer = await probe(host.address.port, framing, probeSale);
    const decoded = dialect.unpack(answer.body);
    check(
      decoded.mti === '0210' && decoded.fields['39'] === '00',
      `${HOST_REF} answered the probe sale ${decoded.mti} DE39=${String(decoded.fields['39'])}, not 0210/00`,
    );
    check(dialect.pack(decoded).equals(answer.body), 'the probe answer does not re-encode to its own bytes');
    const codeOffset = offsetOf(dialect.pack, decoded, '39', '00', 'ZZ');
    const canned = encodeFrame(framing, answer);
    host.reset();

    console.log(
      `${HOST_REF} (${dialect.id}, ${framing.length} length prefix) via startIsoHost, timeScale ${TIME_SCALE}: ` +
        `its processingDelayMs ${delay} ms becomes ${delay * TIME_SCALE} ms`,
    );
    console.log(
      `request: 0200 sale 10.00, swiped Visa test card, ${request.length} B framed; unique DE41 + DE11 per request; ` +
        `approved (DE39 00) in a ${canned.length} B 0210`,
    );

    if (want('paymatrix')) {
      servers.push({
        key: 'paymatrix',
        label: `paymatrix ${HOST_REF}`,
        port: host.address.port,
        cpu: ownCpu,
        mainCpu: procMainThreadCpu,
      });
    }
    let bare: Peer | undefined;
    if (want('bare')) {
      bare = await startNetPeer(framing, () => canned);
      const echo = await probe(bare.port, framing, request);
      check(encodeFrame(framing, echo).equals(canned), 'bare server answer');
      servers.push({
        key: 'bare',
        label: PEER_LABELS.bare,
        port: bare.port,
        close: bare.close,
        cpu: bare.cpu,
        mainCpu: procMainThreadCpu, // bare runs in this process too
      });
    }
    if (want('codec')) {
      const codec = await startNetPeer(framing, codecAnswer(dialect, decoded));
      const echo = await probe(codec.port, framing, request);
      const expected = { ...decoded.fields, '11': SALE.fields['11']!, '41': SALE.fields['41']! };
      check(
        encodeFrame(framing, echo).equals(
          dialect.packFrame({ message: { mti: decoded.mti, fields: expected } }),
        ),
        'codec server answer',
      );
      servers.push({
        key: 'codec',
        label: PEER_LABELS.codec,
        port: codec.port,
        close: codec.close,
        cpu: codec.cpu,
        mainCpu: procMainThreadCpu, // in this process too
      });
    }
    if (install) {
      const label = `mountebank ${MB_VERSION}`;
      const mb = 'unavailable' in install ? install : await startMountebank(install, tcpImposter(canned));
      if ('unavailable' in mb) {
        if (mb !== install) console.log(`mountebank: unavailable: ${mb.unavailable}`);
        servers.push({ key: 'mountebank', label, unavailable: mb.unavailable });
      } else {
        const echo = await probe(mb.port, framing, request).catch((e: Error) => e);
        if (echo instanceof Error || !encodeFrame(framing, echo).equals(canned)) {
          const why = echo instanceof Error ? echo.message : 'answer differs from the canned bytes';
          console.log(`mountebank: unavailable: imposter probe failed: ${why}`);
          await mb.close();
          servers.push({ key: 'mountebank', label, unavailable: `imposter probe failed: ${why}` });
        } else {
          console.log(`mountebank ${MB_VERSION}: mb on loopback, TCP imposter (binary) on port ${mb.port}`);
          servers.push({
            key: 'mountebank',
            label,
            port: mb.port,
            close: mb.close,
            cpu: mb.cpu,
            ...(mb.mainCpu && { mainCpu: mb.mainCpu }),
          });
        }
      }
    }
    console.log(
      `load: child process, closed loop; per concurrency ${WARMUP_MS} ms warm-up per server, then ` +
        `${ROUNDS} rounds of ${ROUND_MS} ms alternating servers; median round trips/s, p50/p99 over all rounds`,
    );
    console.log('');

    const load = startClient({
      framing,
      template: request,
      stanOffset,
      terminalOffset,
      expect: { bodyLength: answer.body.length, codeOffset, code: '00' },
    });
    client = load;
    const live = servers.filter((s) => s.port !== undefined);
    const cells = new Map<string, Cell>();
    const cellOf = (s: Target, c: number) => {
      const k = `${s.key}|${c}`;
      let cell = cells.get(k);
      if (!cell) {
        cell = {
          rates: [],
          cpuUs: 0,
          trips: 0,
          mainUs: 0,
          wallUs: 0,
          clientBusy: [],
          latencies: new Latencies(),
          errors: 0,
        };
        cells.set(k, cell);
      }
      return cell;
    };
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

    for (const c of CONCURRENCY) {
      for (const s of live) await load.run(s.port!, c, WARMUP_MS);
      for (let r = 1; r <= ROUNDS; r++) {
        const line: string[] = [];
        for (const s of live) {
          if (RESET) host.reset();
          const cpu0 = s.cpu?.();
          const main0 = s.mainCpu?.();
          const t0 = process.hrtime.bigint();
          const res = await load.run(s.port!, c, ROUND_MS);
          const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
          const cpu1 = s.cpu?.();
          const main1 = s.mainCpu?.();
          const cell = cellOf(s, c);
          if (cpu0 !== undefined && cpu1 !== undefined) {
            cell.cpuUs += cpu1 - cpu0;
            cell.trips += res.completed;
          }
          if (main0 !== undefined && main1 !== undefined) {
            cell.mainUs += main1 - main0;
            cell.wallUs += wallUs;
          }
          const rate = res.completed / (res.elapsedNs / 1e9);
          cell.rates.push(rate);
          cell.clientBusy.push(res.clientBusy);
          cell.latencies.add(res.histogram);
          cell.errors += res.errors;
          if (res.firstError !== undefined) cell.firstError ??= res.firstError;
          line.push(`${s.key} ${fmt(rate)}/s`);
        }
        console.log(`  ${c} conn, round ${r}: ${line.join(', ')}`);
      }
    }

    // ---- report -------------------------------------------------------------------------------
    const rate = (k: Target['key'], c: number) => {
      const cell = cells.get(`${k}|${c}`);
      return cell ? median(cell.rates) : undefined;
    };
    const rows = CONCURRENCY.flatMap((c) =>
      servers.map((s) => {
        const cell = cells.get(`${s.key}|${c}`);
        const rt = rate(s.key, c);
        const ours = rate('paymatrix', c);
        const ratio = (k: Target['key']) => {
          const theirs = rate(k, c);
          return s.key === 'paymatrix' && ours !== undefined && theirs !== undefined
            ? `${(ours / theirs).toFixed(2)}x`
            : '';
        };
        const na = s.unavailable ? 'unavailable' : '';
        const spread =
          cell && cell.rates.length > 1
            ? `±${((50 * (Math.max(...cell.rates) - Math.min(...cell.rates))) / median(cell.rates)).toFixed(0)}%`
            : '';
        return {
          server: s.label + (cell?.errors ? ' (!)' : ''),
          conns: String(c),
          'round trips/s': rt === undefined ? na : fmt(rt),
          spread,
          'p50 ms': cell ? cell.latencies.percentile(50).toFixed(3) : na,
          'p99 ms': cell ? cell.latencies.percentile(99).toFixed(3) : na,
          'server CPU µs/rt': cell?.trips ? (cell.cpuUs / cell.trips).toFixed(1) : '',
          'server loop busy': cell?.wallUs ? `${((100 * cell.mainUs) / cell.wallUs).toFixed(0)}%` : '',
          'client busy': cell ? `${(100 * median(cell.clientBusy)).toFixed(0)}%` : '',
          'paymatrix/bare': ratio('bare'),
          'paymatrix/codec': ratio('codec'),
          'paymatrix/mountebank': ratio('mountebank'),
        };
      }),
    );
    console.log('');
    printTable(rows, 2);
    console.log(
      'server CPU µs/rt: CPU time of the server process (all threads; mountebank read from /proc) per round trip. ' +
        'server loop busy: share of a core the main thread of the server (its event loop) used; near 100% means the server is the limit. ' +
        'client busy: share of a core the load generator used; near 100% means that row measures the client.',
    );

    if (want('paymatrix')) {
      // What the host holds after the run: journal, ledger and duplicate window are all bounded.
      // With `node --expose-gc`, what is live rather than what the collector has not got to yet.
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      const mem = process.memoryUsage();
      const dup = host.ledger.duplicates.stats();
      const mb = (n: number) => (n / 1e6).toFixed(0);
      console.log(
        `paymatrix after the run (this process${gc ? ', after a full GC' : ''}): RSS ${mb(mem.rss)} MB, heap ${mb(mem.heapUsed)} MB; ` +
          `journal ${fmt(host.journal.size)} exchanges (${(host.journal.bytes / 1e6).toFixed(1)} MB of frames), ledger ${fmt(host.ledger.list().length)} entries and ${fmt(host.ledger.terminalCount)} terminals' state, ` +
          `duplicate window ${fmt(dup.keys)} keys of ${fmt(dup.limit)}` +
          (dup.forgottenEarly > 0
            ? ` (${fmt(dup.forgottenEarly)} forgotten early; it covered ${fmt(dup.shortestWindowMs ?? 0)} ms at the least)`
            : ''),
      );
    }
    for (const [k, cell] of cells) {
      if (cell.errors > 0)
        console.log(`(!) ${k}: ${cell.errors} bad or missing answers, first: ${cell.firstError}`);
    }

    const top = Math.max(...CONCURRENCY);
    const ours = rate('paymatrix', top);
    const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'PASS' : 'NOT MET');
    console.log('');
    console.log(`targets at ${top} connections:`);
    if (ours === undefined) {
      console.log('  paymatrix not measured (BENCH_SERVERS)');
    } else {
      const vsBare = rate('bare', top);
      const vsMb = rate('mountebank', top);
      const p99 = cellOf(servers.find((s) => s.key === 'paymatrix')!, top).latencies.percentile(99);
      console.log(
        `  ${verdict(vsBare === undefined ? undefined : ours / vsBare >= VS_BARE)}: round trips/s >= ${VS_BARE * 100}% of bare node:net` +
          // One decimal: 49.6% is not met, and must not read as "50%".
          (vsBare === undefined ? ' (bare not measured)' : `: ${((100 * ours) / vsBare).toFixed(1)}%`),
      );
      console.log(
        `  ${verdict(vsMb === undefined ? undefined : ours / vsMb >= VS_MOUNTEBANK)}: round trips/s >= ${VS_MOUNTEBANK}x mountebank` +
          (vsMb === undefined ? ' (mountebank unavailable)' : `: ${(ours / vsMb).toFixed(2)}x`),
      );
      console.log(`  ${verdict(p99 < P99_MS)}: p99 < ${P99_MS} ms: ${p99.toFixed(3)} ms`);
      const codec = rate('codec', top);
      if (codec !== undefined && vsBare !== undefined)
        console.log(
          `  (for scale: node:net + paymatrix codec, no host logic, reaches ${((100 * codec) / vsBare).toFixed(0)}% of bare node:net by itself)`,
        );
    }
    console.log(`${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    client?.stop();
    for (const s of servers) await s.close?.();
    await host.close();
  }
}

await main();

// Machine instructions per sale: the mock bank host and the node:net peers of bench/host.ts, each
// run under valgrind's callgrind, counted over the same sequential sales on one loopback connection.
// An instruction count does not move with the machine's load or clock as a rate does (bench:host's
// rates move ±10–25% between runs on a shared VM), so it can judge a change of 1–2%: a build's
// rounds agree within 0.3%, its runs within about 1%. It is not a rate: the kernel's share of a
// round trip (the socket calls) is not counted, and that share is most of the bare server's. So it
// says where the host's own work goes; bench:host says what that means at 32 connections.
// What is counted: the server process's instructions between two callgrind_control calls around N
// sales (after W sales of warm-up), less the collector (Heap::CollectGarbage) and the background
// threads (the optimizing compiler, concurrent marking), each printed on its own.
// Run: npm run bench:host-instructions (needs valgrind: apt-get install valgrind). Knobs (env):
// BENCH_SERVERS (paymatrix,bare,codec), BENCH_WARMUP (15000 sales), BENCH_SALES (2000),
// BENCH_ROUNDS (3). Takes ~2 minutes per server: valgrind runs Node 30–100x slower.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startIsoHost } from '../src/mocks/iso-host/start-iso-host.js';
import { type Dialect, encodeFrame, type Frame, FrameStreamDecoder } from '../src/protocols/iso8583/index.js';
import { PEER_LABELS } from './net-peer.js';
import { HOST_REF, probe, saleFrame } from './sale.js';
import { check, fmtCount, median, printTable } from './support.js';

const env = process.env;
const SERVERS = (env.BENCH_SERVERS ?? 'paymatrix,bare,codec').split(',');
const WARMUP = Number(env.BENCH_WARMUP ?? 15000);
const SALES = Number(env.BENCH_SALES ?? 2000);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
const LABELS: Record<string, string> = {
  paymatrix: `paymatrix ${HOST_REF}`,
  ...PEER_LABELS,
};

/** Per sale, from one callgrind dump: everything, the collector, the background threads. */
interface Count {
  total: number;
  gc: number;
  background: number;
}

/** Installed: it ran (callgrind_annotate --version exits 255, so only a missing program counts). */
function tool(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).error === undefined;
}

/** Inclusive cost of the first function matching `name` in callgrind_annotate's listing; 0 if none. */
function inclusive(listing: string, name: string): number {
  const line = listing.split('\n').find((l) => l.includes(name));
  const figure = line?.trim().split(/\s+/)[0];
  // A function listed without a cost (a thread that did nothing in this dump) shows a dot.
  return figure === undefined || figure === '.' ? 0 : Number(figure.replace(/,/g, ''));
}

function readDump(file: string, sales: number): Count {
  const listing = execFileSync('callgrind_annotate', ['--inclusive=yes', '--threshold=100', file], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  return {
    total: inclusive(listing, 'PROGRAM TOTALS') / sales,
    gc: inclusive(listing, 'Heap::CollectGarbage(') / sales,
    background: inclusive(listing, 'PlatformWorkerThread') / sales,
  };
}

/** Sends `n` sales one after the other on `socket`, each answered before the next; checks DE39. */
async function sales(socket: Socket, dialect: Dialect, next: () => Buffer, n: number): Promise<void> {
  const decoder = new FrameStreamDecoder(dialect.framing!);
  for (let i = 0; i < n; i++) {
    const frame = await new Promise<Frame>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        const [f] = decoder.push(chunk);
        if (!f) return;
        socket.off('data', onData);
        socket.off('error', reject);
        resolve(f);
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.write(next());
    });
    const code = dialect.unpack(frame.body).fields['39'];
    check(code === '00', `sale answered DE39=${String(code)}, not 00`);
  }
}

async function measure(mode: string, dialect: Dialect, canned: Buffer, next: () => Buffer): Promise<Count[]> {
  const dir = mkdtempSync(join(tmpdir(), 'paymatrix-callgrind-'));
  const server = fileURLToPath(new URL('./instructions-server.js', import.meta.url));
  const child: ChildProcess = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      `--callgrind-out-file=${join(dir, 'cg.out')}`,
      process.execPath,
      server,
      mode,
      canned.toString('hex'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve((JSON.parse(line) as { port: number }).port);
      });
      child.once('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
    });
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const control = (flag: string) =>
      execFileSync('callgrind_control', [flag, String(child.pid)], { stdio: 'ignore' });
    process.stdout.write(`${LABELS[mode]}: ${WARMUP} sales of warm-up`);
    await sales(socket, dialect, next, WARMUP);
    for (let r = 0; r < ROUNDS; r++) {
      control('-z');
      await sales(socket, dialect, next, SALES);
      control('-d');
      process.stdout.write(`, round ${r + 1}`);
    }
    process.stdout.write('\n');
    socket.destroy();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
    // Dumps are cg.out.1 … cg.out.R (callgrind_control -d), then cg.out at exit.
    return Array.from({ length: ROUNDS }, (_, i) => {
      const file = join(dir, `cg.out.${i + 1}`);
      check(readdirSync(dir).includes(`cg.out.${i + 1}`), `no callgrind dump ${file}`);
      return readDump(file, SALES);
    });
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  for (const t of ['valgrind', 'callgrind_control', 'callgrind_annotate']) {
    if (!tool(t)) {
      console.log(`${t} not found: this benchmark needs valgrind (Debian: apt-get install valgrind)`);
      process.exit(1);
    }
  }
  // The request and the canned answer, as bench:host makes them: the host's own answer to the sale.
  const host = await startIsoHost({ host: HOST_REF, timeScale: 0 });
  const dialect = host.version.dialect;
  const framing = dialect.framing!;
  const { request, stanOffset, terminalOffset } = saleFrame(dialect);
  const canned = encodeFrame(framing, await probe(host.address.port, framing, request));
  await host.close();
  // Every sale a new STAN; 32 terminals in turn, as bench:host's 32 connections: no duplicates.
  let n = 0;
  const next = () => {
    const bytes = Buffer.from(request);
    bytes.write(String(n % 1_000_000).padStart(6, '0'), stanOffset, 'latin1');
    bytes.write(`B${String(n % 32).padStart(7, '0')}`, terminalOffset, 'latin1');
    n++;
    return bytes;
  };
  console.log(
    `node ${process.version} under valgrind callgrind; one connection, ${WARMUP} sales of warm-up, ` +
      `then ${ROUNDS} rounds of ${SALES} sales (${HOST_REF}, timeScale 0)`,
  );
  const results = new Map<string, Count[]>();
  for (const mode of SERVERS) results.set(mode, await measure(mode, dialect, canned, next));

  const own = (c: Count) => c.total - c.gc - c.background;
  const bare = results.get('bare');
  const codec = results.get('codec');
  const rows = [...results].map(([mode, counts]) => {
    const mine = median(counts.map(own));
    const row: Record<string, string> = {
      server: LABELS[mode]!,
      'instructions/sale': fmtCount(mine),
      'rounds (min–max)': `${fmtCount(Math.min(...counts.map(own)))}–${fmtCount(Math.max(...counts.map(own)))}`,
      'collector/sale': fmtCount(median(counts.map((c) => c.gc))),
      'background/sale': fmtCount(median(counts.map((c) => c.background))),
    };
    row['x bare'] = bare ? `${(mine / median(bare.map(own))).toFixed(2)}x` : '';
    row['x codec'] = codec ? `${(mine / median(codec.map(own))).toFixed(2)}x` : '';
    return row;
  });
  console.log();
  printTable(rows);
  console.log(
    'instructions/sale: the server process per sale, less the collector and the background threads ' +
      '(median of the rounds). collector/sale: Heap::CollectGarbage. background/sale: compiler and marking threads.',
  );
}

await main();

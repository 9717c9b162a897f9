// Matrix runner benchmark: wall time and CPU per cell of the default run (the built-in catalogue at
// time scale 0.01), how wall time grows with 1x, 2x and 4x the cells, wall time against concurrency,
// and the runner's own overhead (plan, schedule, results.jsonl with fsync, reports) with a cell
// runner that does nothing. Run: npm run bench:matrix. Knobs (env): BENCH_TIME_SCALE (0.01),
// BENCH_CONCURRENCY (2 x cores), BENCH_GROWTH (1,2,4), BENCH_SWEEP (2,4,8,16; empty: skip).
// CPU is this process's (hosts and reference terminals run in it); process-driver emulators are
// child processes and are not counted.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Cell, type CellResult, cellKey } from '../src/matrix/cell.js';
import type { PlanBuild, PlanCatalogue } from '../src/matrix/planner.js';
import type { RunSettings } from '../src/matrix/run-manifest.js';
import { runMatrix } from '../src/matrix/run-matrix.js';
import type { CellRunner } from '../src/matrix/scheduler.js';
import { openWorkspace } from '../src/matrix/workspace-runner.js';

const TIME_SCALE = Number(process.env.BENCH_TIME_SCALE ?? 0.01);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? availableParallelism() * 2);
const GROWTH = (process.env.BENCH_GROWTH ?? '1,2,4').split(',').filter(Boolean).map(Number);
const SWEEP = (process.env.BENCH_SWEEP ?? '2,4,8,16').split(',').filter(Boolean).map(Number);

const settings: RunSettings = {
  firmware: [],
  hosts: [],
  suites: [],
  seed: 0,
  timeScale: TIME_SCALE,
  cellTimeoutMs: Math.max(10_000, 300_000 * TIME_SCALE),
  retryFailed: true,
  shard: null,
};

interface Measure {
  cells: number;
  played: number;
  wallS: number;
  cpuMsPerCell: number;
  /** CPU of the warm-up before the first cell (included in cpuMsPerCell). */
  warmMs: number;
  counts: Record<string, number>;
}

type WarmUp = (cells: readonly Cell[]) => Promise<void>;

/** Every build k times (ids `build~2` …), each copy played as the original build. */
function replicate(
  catalogue: PlanCatalogue,
  runner: CellRunner,
  k: number,
  warmUp?: WarmUp,
): [PlanCatalogue, CellRunner, WarmUp | undefined] {
  const original = new Map<string, string>();
  const builds: PlanBuild[] = catalogue.firmware.list().flatMap((b) =>
    Array.from({ length: k }, (_, i) => {
      const id = i === 0 ? b.id : `${b.id}~${i + 1}`;
      original.set(id, b.id);
      return { ...b, id };
    }),
  );
  const wrapped: CellRunner = async (cell, options) => {
    const firmware = original.get(cell.firmware)!;
    const inner = { ...cell, firmware, key: cellKey({ ...cell, firmware }) };
    return { ...(await runner(inner, options)), ...cell };
  };
  const warm: WarmUp | undefined =
    warmUp && ((cells) => warmUp(cells.map((c) => ({ ...c, firmware: original.get(c.firmware)! }))));
  return [{ ...catalogue, firmware: { list: () => builds } }, wrapped, warm];
}

// The warm-up (what every cell shares, readied before the first is scheduled) counts in wall and CPU.
async function measure(
  catalogue: PlanCatalogue,
  runner: CellRunner,
  warmUp: WarmUp | undefined,
  concurrency: number,
): Promise<Measure> {
  const out = mkdtempSync(join(tmpdir(), 'pm-bench-'));
  let warmMs = 0;
  const timed: WarmUp | undefined =
    warmUp &&
    (async (cells) => {
      const at = process.cpuUsage();
      await warmUp(cells);
      const d = process.cpuUsage(at);
      warmMs = (d.user + d.system) / 1000;
    });
  const cpu = process.cpuUsage();
  const started = performance.now();
  const r = await runMatrix({
    catalogue,
    runner,
    ...(timed && { warmUp: timed }),
    out,
    settings,
    concurrency,
  });
  const wallS = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  rmSync(out, { recursive: true, force: true });
  const played = r.results.filter((x) => x.status !== 'n/a').length;
  return {
    cells: r.results.length,
    played,
    wallS,
    cpuMsPerCell: (used.user + used.system) / 1000 / Math.max(1, played),
    warmMs,
    counts: r.matrix.counts,
  };
}

const noop: CellRunner = async (cell, options): Promise<CellResult> => ({
  ...cell,
  status: 'pass',
  reasons: [],
  title: cell.scenario,
  tags: [],
  durationMs: 0,
  finishedAt: new Date().toISOString(),
  seed: options.seed,
});

const fmt = (m: Measure) =>
  `${String(m.cells).padStart(5)} cells (${String(m.played).padStart(4)} played)  ` +
  `wall ${m.wallS.toFixed(1).padStart(6)} s  CPU ${m.cpuMsPerCell.toFixed(2).padStart(7)} ms/cell` +
  (m.warmMs > 0 ? ` (warm-up ${m.warmMs.toFixed(0)} ms CPU)` : '');

const { catalogue, runner, warmUp } = openWorkspace('.');
console.log(
  `paymatrix bench:matrix — Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}`,
);
console.log(`time scale ${TIME_SCALE}, concurrency ${CONCURRENCY}, seed 0\n`);

const overhead = await measure(...replicate(catalogue, noop, 4), CONCURRENCY);
console.log(`runner overhead (no-op cells, 4x plan)   ${fmt(overhead)}`);

const base = await measure(catalogue, runner, warmUp, CONCURRENCY);
console.log(`default run                              ${fmt(base)}`);
console.log(`  ${JSON.stringify(base.counts)}`);

for (const k of GROWTH.filter((g) => g !== 1)) {
  const m = await measure(...replicate(catalogue, runner, k, warmUp), CONCURRENCY);
  console.log(
    `${k}x cells                                 ${fmt(m)}  (${(m.wallS / base.wallS).toFixed(2)}x wall)`,
  );
}

for (const c of SWEEP) {
  const m = await measure(catalogue, runner, warmUp, c);
  console.log(`concurrency ${String(c).padEnd(3)}                          ${fmt(m)}`);
}

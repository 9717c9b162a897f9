import { randomUUID } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type ProgressSink, silentProgress } from '../report/progress.js';
import { removeReports, writeReports } from '../report/write-reports.js';
import type { Matrix } from './aggregate.js';
import type { Cell, CellResult } from './cell.js';
import { ConfigError } from './config-error.js';
import { type PlanCatalogue, planCells } from './planner.js';
import { RESULTS_FILE, ResultStore } from './result-store.js';
import { lockRunFolder } from './run-lock.js';
import {
  MANIFEST_FILE,
  planHash,
  type RunManifest,
  type RunSettings,
  readManifest,
  writeManifest,
} from './run-manifest.js';
import { type CellRunner, scheduleCells } from './scheduler.js';
import { inShard } from './shard.js';

export interface RunMatrixOptions {
  /** Builds, host versions and scenarios to plan from. */
  catalogue: PlanCatalogue;
  /** Plays one cell (the scenario executor, or a fake in tests). */
  runner: CellRunner;
  /**
   * Called once with the cells about to be played (n/a and already finished ones left out), before
   * the first is scheduled: openWorkspace's warmUp readies what they share, so the first cells'
   * time budgets are not spent on it.
   */
  warmUp?: (cells: readonly Cell[]) => void | Promise<void>;
  /** The run folder: results.jsonl, manifest.json, matrix.json, junit.xml. */
  out: string;
  workspace?: string;
  /** What to run; ignored on --resume of a folder with a manifest (the run's own settings are used). */
  settings: RunSettings;
  concurrency: number;
  /** Finish the run in `out`: skip the cells already in its results.jsonl. */
  resume?: boolean;
  /** fsync every result line (default true: ~0.25 ms a line here, survives a power cut too). */
  durable?: boolean;
  /** Stops the run: cells in flight are dropped (they play on --resume), reports are written for what finished. */
  signal?: AbortSignal;
  progress?: ProgressSink;
  /** Passed to the scheduler; see ScheduleOptions.backstopGraceMs. */
  backstopGraceMs?: number;
}

export interface RunMatrixResult {
  manifest: RunManifest;
  /** Every result of this run folder's cells (earlier ones when resumed), in plan order. */
  results: CellResult[];
  matrix: Matrix;
  /** Cells played by this invocation (n/a ones included). */
  played: number;
  /** Cells found already done when resuming. */
  resumed: number;
  /** The signal stopped the run before every cell was played. */
  interrupted: boolean;
}

/**
 * A run: plan → manifest → scheduler (each result appended to results.jsonl as it finishes) →
 * matrix.json and junit.xml. Incompatibilities are results, not errors; it throws only when the
 * run cannot be planned or resumed (ConfigError, DataFileError).
 */
export async function runMatrix(options: RunMatrixOptions): Promise<RunMatrixResult> {
  const out = resolve(options.out);
  try {
    mkdirSync(out, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR')
      throw new ConfigError(`${out} is a file: --out names a folder`);
    throw err;
  }
  const release = lockRunFolder(out);
  try {
    return await runLocked(options, out);
  } finally {
    release();
  }
}

async function runLocked(options: RunMatrixOptions, out: string): Promise<RunMatrixResult> {
  const progress = options.progress ?? silentProgress;
  const earlier = options.resume ? readManifest(out) : undefined;
  // Results without a manifest are no run to resume, and a new run would empty them: refuse.
  if (options.resume && !earlier && hasResults(out)) {
    throw new ConfigError(
      `cannot resume ${out}: it holds ${RESULTS_FILE} but no ${MANIFEST_FILE}, so what it was a run of is unknown; ` +
        'move the folder away (or run without --resume to start over in it)',
    );
  }
  const settings = earlier?.settings ?? options.settings;

  const plan = planCells(options.catalogue, {
    firmware: settings.firmware,
    hosts: settings.hosts,
    suites: settings.suites,
  });
  if (plan.length === 0) {
    // Filters that select nothing, or builds whose acquirers name no chosen host: an empty matrix
    // that exits 0 would pass a CI gate while testing nothing.
    throw new ConfigError(
      'no cells to play: no chosen build is planned against a chosen host version (a build plays the ' +
        'hosts its acquirers name, of its protocol family); see paymatrix firmware and paymatrix hosts',
    );
  }
  const keys = plan.map((p) => p.cell.key);
  const hash = planHash(keys, settings);
  if (earlier && earlier.plan.hash !== hash) {
    throw new ConfigError(
      `cannot resume ${out}: the catalogue now plans different cells than when the run began ` +
        `(${earlier.plan.cells.length} then, ${keys.length} now); run again without --resume`,
    );
  }
  const manifest: RunManifest = earlier ?? {
    format: 'paymatrix-run/1',
    runId: `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`,
    createdAt: new Date().toISOString(),
    workspace: resolve(options.workspace ?? '.'),
    settings,
    plan: { hash, cells: keys },
  };
  if (!earlier) {
    removeReports(out);
    writeManifest(out, manifest);
  }

  const mine = inShard(plan, (p) => p.cell.key, settings.shard ?? undefined);
  const store = ResultStore.open(out, { resume: Boolean(earlier), durable: options.durable ?? true });
  try {
    const wanted = new Set(mine.map((p) => p.cell.key));
    const done = new Map<string, CellResult>();
    for (const r of store.previous) if (wanted.has(r.key)) done.set(r.key, r);
    const todo = mine.filter((p) => !done.has(p.cell.key));
    await options.warmUp?.(todo.filter((p) => !p.notApplicable).map((p) => p.cell));

    progress.begin(todo.length, done.size);
    const fresh = await scheduleCells(todo, options.runner, (r) => store.append(r), {
      concurrency: options.concurrency,
      timeScale: settings.timeScale,
      seed: settings.seed,
      cellTimeoutMs: settings.cellTimeoutMs,
      retryFailed: settings.retryFailed,
      ...(options.backstopGraceMs !== undefined ? { backstopGraceMs: options.backstopGraceMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      onResult: (r, n, total) => progress.result(r, n, total),
    });
    progress.end();

    for (const r of fresh) done.set(r.key, r);
    const results = mine.flatMap((p) => done.get(p.cell.key) ?? []);
    const matrix = writeReports(out, results, manifest);
    return {
      manifest,
      results,
      matrix,
      played: fresh.length,
      resumed: mine.length - todo.length,
      interrupted: results.length < mine.length,
    };
  } finally {
    store.close();
  }
}

/** A non-empty results.jsonl in the folder. */
function hasResults(dir: string): boolean {
  try {
    return statSync(join(dir, RESULTS_FILE)).size > 0;
  } catch {
    return false;
  }
}

import type { CellRunOptions } from '../suites/executor.js';
import type { Cell, CellResult, Reason } from './cell.js';
import { cellSeed } from './cell-seed.js';
import type { PlannedCell } from './planner.js';

/** What a cell runner gets: the scenario executor's options (one definition, the executor's). */
export type { CellRunOptions };

/** Plays one cell; never throws (the scheduler turns a throw into an `error` result anyway). */
export type CellRunner = (cell: Cell, options: CellRunOptions) => Promise<CellResult>;

export interface ScheduleOptions {
  /** Cells in flight at once. */
  concurrency: number;
  timeScale: number;
  /** The run seed; each cell gets cellSeed(seed, key). */
  seed: number;
  /** Per-cell budget handed to the runner. */
  cellTimeoutMs: number;
  /**
   * How long past cellTimeoutMs the scheduler waits before it cuts a cell off itself (a runner whose
   * own timeout failed to fire). Default: max(1 s, cellTimeoutMs / 2).
   */
  backstopGraceMs?: number;
  /** Play a failed or errored cell once more with the same seed; a pass then makes it `flaky`. */
  retryFailed: boolean;
  /** Stops starting cells; cells in flight are aborted and their results dropped (they run on --resume). */
  signal?: AbortSignal;
  onStart?(cell: Cell): void;
  /** Called as each cell finishes, after it was recorded. */
  onResult?(result: CellResult, done: number, total: number): void;
}

/**
 * The scheduler: plays the cells with at most `concurrency` in flight and hands each result to
 * `record` the moment it finishes (finish order, not plan order). n/a cells are recorded without
 * running. Returns the results in finish order.
 */
export async function scheduleCells(
  cells: readonly PlannedCell[],
  runner: CellRunner,
  record: (result: CellResult) => void,
  options: ScheduleOptions,
): Promise<CellResult[]> {
  const results: CellResult[] = [];
  const total = cells.length;
  const finish = (r: CellResult) => {
    record(r);
    results.push(r);
    options.onResult?.(r, results.length, total);
  };
  const toRun: PlannedCell[] = [];
  for (const planned of cells) {
    if (options.signal?.aborted) return results;
    if (planned.notApplicable) finish(notApplicableResult(planned, options.seed));
    else toRun.push(planned);
  }

  let next = 0;
  const worker = async () => {
    while (next < toRun.length && !options.signal?.aborted) {
      const planned = toRun[next++]!;
      options.onStart?.(planned.cell);
      const result = await playWithRetry(planned, runner, options);
      if (options.signal?.aborted) return; // interrupted: not a result, the cell runs again on resume
      finish(result);
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(options.concurrency), toRun.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

async function playWithRetry(
  planned: PlannedCell,
  runner: CellRunner,
  options: ScheduleOptions,
): Promise<CellResult> {
  const first = await playOnce(planned, runner, options);
  if (!options.retryFailed || (first.status !== 'fail' && first.status !== 'error')) return first;
  if (options.signal?.aborted || rejectedByHost(first)) return first;
  const second = await playOnce(planned, runner, options);
  if (second.status !== 'pass') return first;
  // Same seed, different outcome: timing, not the protocol. Keep the failed attempt's reasons and evidence.
  return {
    ...first,
    status: 'flaky',
    reasons: [
      { kind: 'harness', message: `${first.status} on the first attempt, passed when played again` },
      ...first.reasons,
    ],
    durationMs: first.durationMs + second.durationMs,
    finishedAt: second.finishedAt,
  };
}

/**
 * A fail whose reasons include the host rejecting what the terminal sent, and nothing timing-bound
 * (no cut-off, no harness trouble), comes from the bytes the build produces: replaying it would
 * only double the run's time (about 40% of the default run).
 */
function rejectedByHost(result: CellResult): boolean {
  return (
    result.status === 'fail' &&
    result.reasons.some((r) => r.kind === 'violation') &&
    !result.reasons.some((r) => r.kind === 'timeout' || r.kind === 'harness')
  );
}

async function playOnce(
  planned: PlannedCell,
  runner: CellRunner,
  options: ScheduleOptions,
): Promise<CellResult> {
  const { cell } = planned;
  const seed = cellSeed(options.seed, cell.key);
  const controller = new AbortController();
  const onRunAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onRunAbort, { once: true });
  const started = performance.now();
  const grace = options.backstopGraceMs ?? Math.max(1000, options.cellTimeoutMs / 2);
  const backstopMs = options.cellTimeoutMs + grace;
  let timer: NodeJS.Timeout | undefined;
  const backstop = new Promise<CellResult>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error('cell timeout'));
      resolve(
        errorResult(planned, seed, performance.now() - started, {
          kind: 'timeout',
          message:
            `cell did not finish within ${Math.round(backstopMs)} ms and was cut off by the runner ` +
            `(its own ${options.cellTimeoutMs} ms timeout did not stop it)`,
        }),
      );
    }, backstopMs);
  });
  const played = Promise.resolve()
    .then(() =>
      runner(cell, {
        timeScale: options.timeScale,
        seed,
        timeoutMs: options.cellTimeoutMs,
        signal: controller.signal,
      }),
    )
    .then(
      (r): CellResult => ({ ...r, ...cell, seed: r.seed ?? seed }),
      (err: unknown): CellResult =>
        errorResult(planned, seed, performance.now() - started, {
          kind: 'harness',
          message: `the cell runner failed: ${err instanceof Error ? err.message : String(err)}`,
        }),
    );
  try {
    return await Promise.race([played, backstop]);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onRunAbort);
  }
}

function notApplicableResult(planned: PlannedCell, runSeed: number): CellResult {
  return {
    ...planned.cell,
    status: 'n/a',
    reasons: planned.notApplicable ?? [],
    title: planned.title,
    tags: planned.tags,
    durationMs: 0,
    finishedAt: new Date().toISOString(),
    seed: cellSeed(runSeed, planned.cell.key),
  };
}

function errorResult(planned: PlannedCell, seed: number, durationMs: number, reason: Reason): CellResult {
  return {
    ...planned.cell,
    status: 'error',
    reasons: [reason],
    title: planned.title,
    tags: planned.tags,
    durationMs: Math.round(durationMs),
    finishedAt: new Date().toISOString(),
    seed,
  };
}

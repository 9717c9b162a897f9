import type { CellResult, CellStatus } from '../matrix/cell.js';

/**
 * How a cell moved between a baseline run and this one:
 *   worse / better  its status moved along pass < flaky < error < fail
 *   changed         it became n/a or stopped being n/a (a capability or plan change, not a finding)
 *   new             the baseline has no such cell
 *   same
 */
export type CellChange = 'worse' | 'better' | 'changed' | 'new' | 'same';

const SEVERITY: Record<Exclude<CellStatus, 'n/a'>, number> = { pass: 0, flaky: 1, error: 2, fail: 3 };

export interface ChangedCell {
  key: string;
  firmware: string;
  host: string;
  version: string;
  /** `suite/scenario` */
  scenario: string;
  change: Exclude<CellChange, 'same'>;
  /** Absent for a new cell. */
  from?: CellStatus;
  to: CellStatus;
  /** The current first reason, for people. */
  why?: string;
}

export interface Comparison {
  /** Every cell of the current run that is not `same`, in the current run's order. */
  changed: ChangedCell[];
  worse: ChangedCell[];
  better: ChangedCell[];
  /** Baseline cell keys the current run does not have. */
  gone: string[];
  /** Per build × host version (`firmware|host@version`): worse if any scenario got worse, else better if any did. */
  pairs: Map<string, 'worse' | 'better'>;
  /** Status of every baseline cell by key. */
  before: Map<string, CellStatus>;
}

export function changeOf(from: CellStatus | undefined, to: CellStatus): CellChange {
  if (from === undefined) return 'new';
  if (from === to) return 'same';
  if (from === 'n/a' || to === 'n/a') return 'changed';
  return SEVERITY[to] > SEVERITY[from] ? 'worse' : 'better';
}

/** Compares cells by key (same build, host version and scenario). */
export function compareRuns(current: readonly CellResult[], baseline: readonly CellResult[]): Comparison {
  const before = new Map(baseline.map((r) => [r.key, r.status]));
  const now = new Set<string>();
  const changed: ChangedCell[] = [];
  const pairs = new Map<string, 'worse' | 'better'>();
  for (const r of current) {
    now.add(r.key);
    const from = before.get(r.key);
    const change = changeOf(from, r.status);
    if (change === 'same') continue;
    changed.push({
      key: r.key,
      firmware: r.firmware,
      host: r.host,
      version: r.version,
      scenario: `${r.suite}/${r.scenario}`,
      change,
      ...(from !== undefined ? { from } : {}),
      to: r.status,
      ...(r.reasons[0] ? { why: r.reasons[0].message } : {}),
    });
    const pair = `${r.firmware}|${r.host}@${r.version}`;
    if (change === 'worse') pairs.set(pair, 'worse');
    else if (change === 'better' && !pairs.has(pair)) pairs.set(pair, 'better');
  }
  return {
    changed,
    worse: changed.filter((c) => c.change === 'worse'),
    better: changed.filter((c) => c.change === 'better'),
    gone: baseline.filter((r) => !now.has(r.key)).map((r) => r.key),
    pairs,
    before,
  };
}

/**
 * A note when the baseline does not cover the run: cells it has no result for are "new", not
 * compared — expected for a new build, a surprise when the baseline is a shard or another plan.
 */
export function baselineCoverageNote(
  current: readonly CellResult[],
  baseline: readonly CellResult[],
  baselineDir: string,
): string | undefined {
  const known = new Set(baseline.map((r) => r.key));
  const uncovered = current.filter((r) => !known.has(r.key)).length;
  if (uncovered === 0) return undefined;
  return `the baseline ${baselineDir} has no result for ${uncovered} of this run's ${current.length} cells (a shard, another plan, or new builds): they count as new, not compared`;
}

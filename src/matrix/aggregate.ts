import type { CellResult, CellStatus, Reason } from './cell.js';

/**
 * The matrix a person reads: cell results grouped by firmware build × host version. Its status:
 *
 *   fail   some scenario failed — an incompatibility was found (it outranks everything: it is the finding)
 *   error  none failed, but some could not be played (timeout, harness): the pair is not known to work
 *   flaky  every applicable scenario passed, some only when played again
 *   pass   every applicable scenario passed
 *   n/a    no scenario applies (the build lacks what every scenario needs)
 */
export interface MatrixScenario {
  /** `suite/scenario` */
  id: string;
  suite: string;
  scenario: string;
  title: string;
  tags: string[];
  status: CellStatus;
  reasons: Reason[];
  durationMs: number;
  seed: number;
}

export type StatusCounts = Record<CellStatus, number>;

export interface MatrixCell {
  firmware: string;
  host: string;
  version: string;
  status: CellStatus;
  counts: StatusCounts;
  scenarios: MatrixScenario[];
}

export interface Matrix {
  /** Build ids and `host@version` refs in plan order: the table's rows and columns. */
  firmware: string[];
  hostVersions: string[];
  cells: MatrixCell[];
  counts: StatusCounts;
}

const RANK: CellStatus[] = ['fail', 'error', 'flaky', 'pass', 'n/a'];

export function emptyCounts(): StatusCounts {
  return { pass: 0, fail: 0, error: 0, 'n/a': 0, flaky: 0 };
}

export function aggregateStatus(statuses: Iterable<CellStatus>): CellStatus {
  let best = RANK.length - 1;
  for (const s of statuses) best = Math.min(best, RANK.indexOf(s));
  return RANK[best]!;
}

/**
 * Builds the matrix from results. `order` (the plan's cell keys) fixes the order of rows, columns and
 * scenarios; results without a planned key go last in the order they came.
 */
export function buildMatrix(results: readonly CellResult[], order: readonly string[] = []): Matrix {
  const position = new Map(order.map((k, i) => [k, i]));
  const sorted = [...results]
    .map((r, i) => ({ r, at: position.get(r.key) ?? order.length + i }))
    .sort((a, b) => a.at - b.at)
    .map(({ r }) => r);
  const groups = new Map<string, MatrixCell>();
  const firmware = new Set<string>();
  const hostVersions = new Set<string>();
  const counts = emptyCounts();
  for (const r of sorted) {
    const id = `${r.firmware}|${r.host}@${r.version}`;
    let cell = groups.get(id);
    if (!cell) {
      cell = {
        firmware: r.firmware,
        host: r.host,
        version: r.version,
        status: 'n/a',
        counts: emptyCounts(),
        scenarios: [],
      };
      groups.set(id, cell);
    }
    firmware.add(r.firmware);
    hostVersions.add(`${r.host}@${r.version}`);
    cell.counts[r.status]++;
    counts[r.status]++;
    cell.scenarios.push({
      id: `${r.suite}/${r.scenario}`,
      suite: r.suite,
      scenario: r.scenario,
      title: r.title,
      tags: r.tags,
      status: r.status,
      reasons: r.reasons,
      durationMs: r.durationMs,
      seed: r.seed,
    });
  }
  for (const cell of groups.values()) cell.status = aggregateStatus(cell.scenarios.map((s) => s.status));
  // Columns: hosts by id, each host's versions in the order the plan has them (oldest first).
  const seen = [...hostVersions];
  const columns = seen.sort((a, b) => {
    const ha = a.slice(0, a.lastIndexOf('@'));
    const hb = b.slice(0, b.lastIndexOf('@'));
    return ha === hb ? 0 : ha.localeCompare(hb);
  });
  return { firmware: [...firmware], hostVersions: columns, cells: [...groups.values()], counts };
}

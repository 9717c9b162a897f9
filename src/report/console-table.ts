import type { Matrix, MatrixCell } from '../matrix/aggregate.js';
import type { CellStatus } from '../matrix/cell.js';

const MARK: Record<CellStatus, string> = { pass: '✓', fail: '✗', error: '!', flaky: '~', 'n/a': '' };

/**
 * The console matrix: rows firmware builds, columns host versions, each cell `passed/applicable` and
 * a mark (✓ pass, ✗ fail, ! error, ~ flaky); `n/a` when no scenario applies, `·` when the pair was
 * not planned (different protocol families, or not one of the build's acquirers).
 */
export function renderMatrixTable(matrix: Matrix): string {
  const byPair = new Map(matrix.cells.map((c) => [`${c.firmware}|${c.host}@${c.version}`, c]));
  const header = ['firmware', ...matrix.hostVersions];
  const rows = matrix.firmware.map((fw) => [
    fw,
    ...matrix.hostVersions.map((hv) => cellText(byPair.get(`${fw}|${hv}`))),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cols: string[]) =>
    cols
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function cellText(cell: MatrixCell | undefined): string {
  if (!cell) return '·';
  if (cell.status === 'n/a') return 'n/a';
  const applicable = cell.scenarios.length - cell.counts['n/a'];
  const passed = cell.counts.pass + cell.counts.flaky;
  return `${passed}/${applicable} ${MARK[cell.status]}`;
}

/** Totals, then each non-passing scenario with its first reason (at most `limit` lines). */
export function renderFindings(matrix: Matrix, limit = 40): string {
  const c = matrix.counts;
  const out = [
    `${c.pass} pass, ${c.fail} fail, ${c.error} error, ${c.flaky} flaky, ${c['n/a']} n/a`,
    'legend: passed/applicable; ✓ pass  ✗ fail  ! error  ~ flaky  · not planned',
  ];
  const findings = matrix.cells.flatMap((cell) =>
    cell.scenarios
      .filter((s) => s.status === 'fail' || s.status === 'error' || s.status === 'flaky')
      .map(
        (s) =>
          `  ${s.status.padEnd(5)} ${cell.firmware} × ${cell.host}@${cell.version}  ${s.id}: ${s.reasons[0]?.message ?? ''}`,
      ),
  );
  out.push(...findings.slice(0, limit));
  if (findings.length > limit) out.push(`  … ${findings.length - limit} more in matrix.json`);
  return out.join('\n') + '\n';
}

// Progress in CI or piped: plain lines, one per cell that did not pass and a count every 10 %.
import { describe, expect, it } from 'vitest';
import type { CellResult, CellStatus } from '../../src/matrix/cell.js';
import { consoleProgress } from '../../src/report/progress.js';

const cell = (i: number, status: CellStatus): CellResult =>
  ({
    key: `b|h@1|s/c${i}`,
    status,
    reasons: status === 'fail' ? [{ kind: 'expectation', message: 'declined' }] : [],
  }) as unknown as CellResult;

describe('console progress without a terminal', () => {
  it('says how many cells are n/a, so a stretch of cells that run nothing does not look stalled', () => {
    const lines: string[] = [];
    const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const progress = consoleProgress(stream);
    const statuses: CellStatus[] = [
      'n/a',
      'n/a',
      'n/a',
      'n/a',
      'fail',
      'pass',
      'pass',
      'n/a',
      'pass',
      'pass',
    ];
    progress.begin(statuses.length, 0);
    for (const [i, s] of statuses.entries()) progress.result(cell(i, s), i + 1, statuses.length);
    progress.end();
    expect(lines[0]).toBe('playing 10 cells\n');
    expect(lines).toContain('4/10 cells (0 pass, 0 fail, 0 error, 4 n/a)\n');
    expect(lines).toContain('[5] fail b|h@1|s/c4: declined\n');
    expect(lines.at(-1)).toBe('10/10 cells (4 pass, 1 fail, 0 error, 5 n/a)\n');
  });

  it('counts one cell as one cell', () => {
    const lines: string[] = [];
    const stream = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const progress = consoleProgress(stream);
    progress.begin(1, 0);
    expect(lines[0]).toBe('playing 1 cell\n');
  });
});

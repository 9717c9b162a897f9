import { describe, expect, it } from 'vitest';
import type { CellResult, CellStatus } from '../../src/matrix/cell.js';
import { evaluateGate } from '../../src/matrix/gate.js';
import type { GateRule } from '../../src/matrix/gate-policy.js';
import { changeOf, compareRuns } from '../../src/report/compare.js';
import { result } from '../report/html/run-fixtures.js';

const cell = (firmware: string, hv: string, scenario: string, status: CellStatus) =>
  result({ firmware, hv, scenario, status, tags: scenario === 'sale' ? ['critical'] : [] });

const baseline: CellResult[] = [
  cell('fw-a', 'bank@1', 'sale', 'pass'),
  cell('fw-a', 'bank@1', 'void', 'pass'),
  cell('fw-a', 'bank@1', 'tip', 'fail'),
  cell('fw-a', 'bank@1', 'refund', 'pass'),
  cell('fw-b', 'bank@1', 'sale', 'error'),
  cell('fw-b', 'bank@1', 'void', 'n/a'),
  cell('fw-b', 'bank@1', 'gone', 'pass'),
];
const current: CellResult[] = [
  cell('fw-a', 'bank@1', 'sale', 'fail'), // worse
  cell('fw-a', 'bank@1', 'void', 'flaky'), // worse, but only flaky
  cell('fw-a', 'bank@1', 'tip', 'pass'), // better
  cell('fw-a', 'bank@1', 'refund', 'pass'), // same
  cell('fw-b', 'bank@1', 'sale', 'fail'), // worse: error → fail
  cell('fw-b', 'bank@1', 'void', 'pass'), // changed (was n/a)
  cell('fw-b', 'bank@1', 'new', 'fail'), // new
];

describe('baseline comparison', () => {
  it('orders statuses pass < flaky < error < fail; n/a moves are changes, not findings', () => {
    expect(changeOf('pass', 'fail')).toBe('worse');
    expect(changeOf('error', 'fail')).toBe('worse');
    expect(changeOf('pass', 'flaky')).toBe('worse');
    expect(changeOf('fail', 'error')).toBe('better');
    expect(changeOf('n/a', 'fail')).toBe('changed');
    expect(changeOf('pass', 'n/a')).toBe('changed');
    expect(changeOf(undefined, 'pass')).toBe('new');
    expect(changeOf('fail', 'fail')).toBe('same');
  });

  it('marks cells and build × host version pairs worse or better', () => {
    const c = compareRuns(current, baseline);
    expect(c.worse.map((x) => `${x.scenario} ${x.from}→${x.to}`)).toEqual([
      'core/sale pass→fail',
      'core/void pass→flaky',
      'core/sale error→fail',
    ]);
    expect(c.better.map((x) => x.key)).toEqual(['fw-a|bank@1|core/tip']);
    expect(c.changed.filter((x) => x.change === 'changed').map((x) => x.key)).toEqual([
      'fw-b|bank@1|core/void',
    ]);
    expect(c.changed.filter((x) => x.change === 'new').map((x) => x.key)).toEqual(['fw-b|bank@1|core/new']);
    expect(c.gone).toEqual(['fw-b|bank@1|core/gone']);
    expect(c.pairs.get('fw-a|bank@1')).toBe('worse');
    expect(c.worse[0]!.why).toBe('sale on bank@1: fail');
    // Only better: the pair is better.
    expect(compareRuns([cell('fw-a', 'bank@1', 'tip', 'pass')], baseline).pairs.get('fw-a|bank@1')).toBe(
      'better',
    );
  });
});

describe('no-regressions', () => {
  const gate = (rule: GateRule, base?: CellResult[]) =>
    evaluateGate({ policy: { rules: [rule] }, results: current, ...(base ? { baseline: base } : {}) });

  it('fails on each cell that got worse, flaky ones ignored by default', () => {
    const v = gate({ rule: 'no-regressions' }, baseline);
    expect(v.verdict).toBe('no-go');
    expect(v.reasons).toEqual([
      expect.objectContaining({
        kind: 'regression',
        build: 'fw-a',
        host: 'bank',
        version: '1',
        scenario: 'core/sale',
        from: 'pass',
        to: 'fail',
        message: 'fw-a × bank@1 core/sale: pass → fail — sale on bank@1: fail',
      }),
      expect.objectContaining({ kind: 'regression', build: 'fw-b', from: 'error', to: 'fail' }),
    ]);
    expect(gate({ rule: 'no-regressions', ignoreFlaky: false }, baseline).reasons).toHaveLength(3);
  });

  const kinds = (v: ReturnType<typeof gate>) => v.reasons.map((r) => r.kind);

  it('looks only at the cells it selects', () => {
    expect(gate({ rule: 'no-regressions', builds: ['fw-b'] }, baseline).reasons.map((r) => r.kind)).toEqual([
      'regression',
    ]);
    // A tag no cell has selects nothing: a no-go, not a pass on 0 cells.
    expect(kinds(gate({ rule: 'no-regressions', tags: ['nothing-has-this'] }, baseline))).toEqual([
      'selects-nothing',
    ]);
  });

  it('passes against itself', () => {
    const v = gate({ rule: 'no-regressions' }, current);
    expect(v.verdict).toBe('go');
    expect(v.rules[0]!.summary).toBe('no cell got worse than in the baseline (7 compared)');
  });

  it('without a baseline it is skipped, or a no-go when the policy requires one', () => {
    expect(gate({ rule: 'no-regressions' }).rules[0]).toMatchObject({ outcome: 'skip', reasons: [] });
    const v = gate({ rule: 'no-regressions', requireBaseline: true });
    expect(v.verdict).toBe('no-go');
    expect(v.reasons.map((r) => r.kind)).toEqual(['no-baseline']);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellResult } from '../../src/matrix/cell.js';
import { toFleet } from '../../src/matrix/fleet.js';
import { gateRun } from '../../src/matrix/gate-run.js';
import { readRunFolder } from '../../src/report/run-folder.js';
import { code, renderSummaryMd, text } from '../../src/report/summary-md.js';
import { tempDir } from '../support/temp-dir.js';
import { result, writeRun } from './html/run-fixtures.js';

const HOSTILE =
  'DE43 was "<script>alert(1)</script>" | @everyone *bold* [link](http://x) `tick`\nnext line\u0007';

const current: CellResult[] = [
  result({ firmware: 'fw-a', hv: 'bank@1', scenario: 'sale', status: 'pass', tags: ['critical'] }),
  result({ firmware: 'fw-a', hv: 'bank@1', scenario: 'void', status: 'pass' }),
  result({ firmware: 'fw-a', hv: 'bank@2', scenario: 'sale', status: 'fail', tags: ['critical'] }),
  result({
    firmware: 'fw-a',
    hv: 'bank@2',
    scenario: 'void',
    status: 'fail',
    reasons: [{ kind: 'violation', message: HOSTILE }],
  }),
  result({ firmware: 'fw-b', hv: 'bank@2', scenario: 'sale', status: 'error', tags: ['critical'] }),
  result({ firmware: 'fw-b', hv: 'bank@2', scenario: 'void', status: 'n/a' }),
  result({ firmware: 'fw-c', hv: 'other@9', scenario: 'sale', status: 'flaky' }),
];
const baseline: CellResult[] = current.map((r) =>
  r.key === 'fw-a|bank@2|core/sale' ? { ...r, status: 'pass', reasons: [] } : r,
);
const fleet = toFleet('fleet.yaml', {
  title: 'test fleet',
  deployments: [
    { build: 'fw-a', terminals: 3000 },
    { build: 'fw-b', terminals: 1000 },
    { build: 'fw-z', terminals: 6000 },
  ],
});

describe('summary.md', () => {
  const dir = writeRun(tempDir('pm-sum-'), current, { runId: 'run-42' });
  const base = writeRun(tempDir('pm-sum-base-'), baseline, { runId: 'run-41' });
  const md = renderSummaryMd({ run: readRunFolder(dir), fleet, baseline: readRunFolder(base) });

  it('leads with the counts', () => {
    expect(md).toMatch(/^## paymatrix: 3 of 6 applicable cells pass\n/);
    expect(md).toContain('Run `run-42` · 3 builds × 3 host versions · 7 cells · seed 7 · time scale 0.01');
    expect(md).toContain(
      '| pass | fail | error | flaky | n/a |\n|---:|---:|---:|---:|---:|\n| 2 | 2 | 1 | 1 | 1 |',
    );
  });

  it('draws the matrix with passed/applicable per cell and marks pairs worse than the baseline', () => {
    expect(md).toContain('| build | `bank@1` | `bank@2` | `other@9` |');
    expect(md).toContain('| `fw-a` | ✅ 2/2 | ❌ 0/2 🔻 | · |');
    expect(md).toContain('| `fw-b` | · | ⚠️ 0/1 | · |');
    expect(md).toContain('| `fw-c` | · | · | 🟡 1/1 |');
  });

  it('weighs the findings by the fleet', () => {
    expect(md).toContain('### Fleet impact (10,000 terminals)');
    expect(md).toContain('- bank&#64;2 breaks 2 builds = 4,000 terminals, 40% of the fleet: `fw-a`, `fw-b`');
    expect(md).toContain('- not in this run (unknown): `fw-z`');
  });

  it('lists regressions against the baseline and the worst cells', () => {
    expect(md).toContain('### Against the baseline `run-41`: 1 worse, 0 better');
    expect(md).toContain('- 🔻 `fw-a` × `bank@2` core/sale: pass → fail — sale on bank&#64;2: fail');
    expect(md).toContain('### Worst cells\n\n- `fw-a` × `bank@2`: 2 fail, 0 error of 2 — core/sale: ');
    expect(md).toContain('- `fw-b` × `bank@2`: 0 fail, 1 error of 1');
  });

  it('never lets run text become markup, a mention or a second line', () => {
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('@everyone');
    expect(md).not.toContain('\u0007');
    expect(text(HOSTILE)).toBe(
      'DE43 was "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" \\| &#64;everyone \\*bold\\* \\[link\\]\\(http://x\\) \\`tick\\` next line\\x07',
    );
    expect(code('a|b`c\u001b')).toBe("a\\|b'c\\x1b");
    expect(text('x'.repeat(500))).toHaveLength(241);
  });

  it('gate adds its verdict, rule by rule', () => {
    const { report } = gateRun(dir, {
      rules: [{ rule: 'complete' }, { rule: 'must-pass', tags: ['critical'] }],
    });
    expect(report.verdict).toBe('no-go');
    const written = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(written).toMatch(/^## paymatrix: 3 of 6 applicable cells pass · gate \*\*NO GO\*\* ⛔/);
    expect(written).toContain('### Gate: NO GO');
    expect(written).toContain('- ✅ **complete**: every one of 7 planned cells has a result');
    expect(written).toContain(
      '- ⛔ **must-pass \\[critical\\] on all builds × all host versions**: 2 of 3 applicable cells did not pass',
    );
    expect(written).toContain('  - fw-a × bank&#64;2 core/sale: fail — sale on bank&#64;2: fail');
  });

  it('gate with its verdict elsewhere (-o) names that file; a baseline that misses cells is noted', () => {
    // Five failing cells: a rule lists three, the summary points at the file for the rest.
    const many = ['a', 'b', 'c', 'd', 'e'].map((scenario) =>
      result({ firmware: 'fw-a', hv: 'bank@2', scenario, status: 'fail' }),
    );
    const run = writeRun(tempDir('pm-sum-many-'), many, { runId: 'run-43' });
    const out = join(tempDir('pm-sum-out-'), 'verdict.json');
    const partial = writeRun(tempDir('pm-sum-part-'), many.slice(0, 2), { runId: 'run-40' });
    const { notes } = gateRun(run, { rules: [{ rule: 'must-pass' }] }, partial, { out });
    const written = readFileSync(join(run, 'summary.md'), 'utf8');
    expect(written).toContain(`  - … 2 more in ${out.replace(/@/g, '&#64;')}`);
    expect(written).not.toContain('more in gate.json');
    expect(notes).toEqual([
      `the baseline ${partial} has no result for 3 of this run's 5 cells (a shard, another plan, or new builds): they count as new, not compared`,
    ]);
  });
});

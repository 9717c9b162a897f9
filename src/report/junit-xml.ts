import { create } from 'xmlbuilder2';
import type { Matrix, MatrixCell, MatrixScenario } from '../matrix/aggregate.js';
import type { Reason } from '../matrix/cell.js';

/**
 * junit.xml: one <testsuite> per firmware build × host version, one <testcase> per scenario, in the
 * shape Jenkins, GitLab and GitHub reporters read. fail → <failure>, error → <error>, n/a → <skipped>,
 * flaky → a passed case whose <system-out> says it failed once. Reason text is already masked.
 */
export function renderJunit(
  matrix: Matrix,
  options: { name?: string; timestamp?: string; missing?: readonly string[] } = {},
): string {
  const { counts } = matrix;
  const missing = options.missing ?? [];
  const total = matrix.cells.reduce((n, c) => n + c.scenarios.length, 0) + missing.length;
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: options.name ?? 'paymatrix',
    tests: total,
    failures: counts.fail,
    errors: counts.error + missing.length,
    skipped: counts['n/a'],
    time: seconds(matrix.cells.flatMap((c) => c.scenarios)),
  });
  matrix.cells.forEach((cell, id) => {
    const suite = root.ele('testsuite', {
      name: suiteName(cell),
      id,
      tests: cell.scenarios.length,
      failures: cell.counts.fail,
      errors: cell.counts.error,
      skipped: cell.counts['n/a'],
      time: seconds(cell.scenarios),
      ...(options.timestamp ? { timestamp: options.timestamp } : {}),
    });
    const props = suite.ele('properties');
    props.ele('property', { name: 'firmware', value: cell.firmware });
    props.ele('property', { name: 'host', value: `${cell.host}@${cell.version}` });
    props.ele('property', { name: 'status', value: cell.status });
    for (const s of cell.scenarios) {
      const tc = suite.ele('testcase', {
        name: xmlText(`${s.id}: ${s.title}`),
        classname: `${cell.firmware}.${cell.host}@${cell.version}`,
        time: seconds([s]),
      });
      const first = xmlText(s.reasons[0]?.message ?? s.status);
      if (s.status === 'fail')
        tc.ele('failure', { message: first, type: s.reasons[0]?.kind ?? 'fail' }).txt(
          xmlText(details(s.reasons)),
        );
      else if (s.status === 'error')
        tc.ele('error', { message: first, type: s.reasons[0]?.kind ?? 'error' }).txt(
          xmlText(details(s.reasons)),
        );
      else if (s.status === 'n/a') tc.ele('skipped', { message: `n/a: ${first}` });
      else if (s.status === 'flaky')
        tc.ele('system-out').txt(xmlText(`flaky (seed ${s.seed})\n${details(s.reasons)}`));
    }
  });
  // Planned but not played: errors, so that a CI reading junit.xml never sees an incomplete run as green.
  if (missing.length > 0) {
    const suite = root.ele('testsuite', {
      name: 'not played',
      id: matrix.cells.length,
      tests: missing.length,
      failures: 0,
      errors: missing.length,
      skipped: 0,
      time: '0.000',
      ...(options.timestamp ? { timestamp: options.timestamp } : {}),
    });
    for (const key of missing) {
      const [build = '', hv = '', scenario = ''] = key.split('|');
      suite
        .ele('testcase', { name: xmlText(scenario), classname: xmlText(`${build}.${hv}`), time: '0.000' })
        .ele('error', { message: NOT_PLAYED, type: 'not-played' });
    }
  }
  return root.end({ prettyPrint: true });
}

const NOT_PLAYED =
  'planned but not played: the run was cut short (run --resume) or a shard is missing (merge every shard)';

export function suiteName(cell: Pick<MatrixCell, 'firmware' | 'host' | 'version'>): string {
  return `${cell.firmware} × ${cell.host}@${cell.version}`;
}

// XML 1.0 cannot carry most control characters, even escaped: show them as \xNN instead.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
function xmlText(text: string): string {
  return text.replace(NOT_XML, (c) => `\\x${c.codePointAt(0)!.toString(16).padStart(2, '0')}`);
}

function details(reasons: readonly Reason[]): string {
  return reasons
    .map((r) => {
      const step = r.step !== undefined ? ` (step ${r.step + 1})` : '';
      const diff =
        r.expected !== undefined || r.actual !== undefined
          ? `\n    expected: ${r.expected ?? '-'}\n    actual:   ${r.actual ?? '-'}`
          : '';
      return `[${r.kind}]${step} ${r.message}${diff}`;
    })
    .join('\n');
}

function seconds(scenarios: readonly MatrixScenario[]): string {
  return (scenarios.reduce((ms, s) => ms + s.durationMs, 0) / 1000).toFixed(3);
}

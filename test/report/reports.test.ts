import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { aggregateStatus, buildMatrix } from '../../src/matrix/aggregate.js';
import type { CellResult, CellStatus } from '../../src/matrix/cell.js';
import { cellText, renderFindings, renderMatrixTable } from '../../src/report/console-table.js';
import { renderJunit } from '../../src/report/junit-xml.js';

function r(firmware: string, hv: string, scenario: string, status: CellStatus, message?: string): CellResult {
  const [host, version] = hv.split('@') as [string, string];
  return {
    key: `${firmware}|${hv}|core/${scenario}`,
    firmware,
    host,
    version,
    suite: 'core',
    scenario,
    status,
    reasons: message
      ? [
          {
            kind: status === 'n/a' ? 'capability' : 'expectation',
            message,
            step: 1,
            expected: '00',
            actual: '30',
          },
        ]
      : [],
    title: `${scenario} <title> & "quotes"`,
    tags: [],
    durationMs: 250,
    finishedAt: '2025-01-01T00:00:00.000Z',
    seed: 9,
  };
}

const results = [
  r('fw-a', 'bank@1', 'sale', 'pass'),
  r(
    'fw-a',
    'bank@1',
    'refund',
    'fail',
    "host bank@1 rejected 0200: DE22 expected an12 POS data code, got n3 '051' <&>\u0001",
  ),
  r('fw-a', 'bank@1', 'void', 'n/a', 'fw-a lacks void (required by core/void)'),
  r('fw-a', 'bank@2', 'sale', 'pass'),
  r('fw-a', 'bank@2', 'refund', 'flaky', 'fail on the first attempt, passed when played again'),
  r('fw-a', 'bank@2', 'void', 'error', 'cell did not finish within 150 ms'),
  r('fw-b', 'bank@2', 'sale', 'n/a', 'fw-b lacks sale'),
  r('fw-b', 'acme@9', 'sale', 'pass'),
];

describe('the matrix', () => {
  it('aggregates a build × host version: fail > error > flaky > pass > n/a', () => {
    expect(aggregateStatus(['pass', 'n/a', 'fail', 'error'])).toBe('fail');
    expect(aggregateStatus(['pass', 'error', 'flaky'])).toBe('error');
    expect(aggregateStatus(['pass', 'flaky', 'n/a'])).toBe('flaky');
    expect(aggregateStatus(['pass', 'n/a'])).toBe('pass');
    expect(aggregateStatus(['n/a', 'n/a'])).toBe('n/a');
    const m = buildMatrix(results);
    expect(m.cells.map((c) => `${c.firmware} ${c.host}@${c.version} ${c.status}`)).toEqual([
      'fw-a bank@1 fail',
      'fw-a bank@2 error',
      'fw-b bank@2 n/a',
      'fw-b acme@9 pass',
    ]);
    expect(m.hostVersions).toEqual(['acme@9', 'bank@1', 'bank@2']);
    expect(m.counts).toEqual({ pass: 3, fail: 1, error: 1, flaky: 1, 'n/a': 2 });
    expect(m.cells[0]!.scenarios[1]).toMatchObject({ id: 'core/refund', status: 'fail' });
  });

  it('prints rows of builds, columns of host versions, passed/applicable per cell', () => {
    const table = renderMatrixTable(buildMatrix(results));
    expect(table.split('\n')).toEqual([
      'firmware  acme@9  bank@1  bank@2',
      'fw-a           ·   1/2 ✗   2/3 !',
      'fw-b       1/1 ✓       ·     n/a',
      '',
    ]);
    const findings = renderFindings(buildMatrix(results));
    expect(findings).toContain('3 pass, 1 fail, 1 error, 1 flaky, 2 n/a');
    expect(findings).toContain(
      'fail  fw-a × bank@1  core/refund: host bank@1 rejected 0200: DE22 expected an12',
    );
    expect(cellText(undefined)).toBe('·');
  });
});

describe('junit.xml', () => {
  const xml = renderJunit(buildMatrix(results), { timestamp: '2025-01-01T00:00:00' });
  const doc = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (n) => ['testsuite', 'testcase', 'property'].includes(n),
  }).parse(xml);

  it('is well-formed XML', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toContain('\u0001');
  });

  it('has one testsuite per build × host version and one testcase per scenario, with CI counts', () => {
    const root = doc.testsuites;
    expect(root).toMatchObject({
      name: 'paymatrix',
      tests: '8',
      failures: '1',
      errors: '1',
      skipped: '2',
      time: '2.000',
    });
    expect(root.testsuite.map((s: { name: string }) => s.name)).toEqual([
      'fw-a × bank@1',
      'fw-a × bank@2',
      'fw-b × bank@2',
      'fw-b × acme@9',
    ]);
    const [s1, s2, s3] = root.testsuite;
    expect(s1).toMatchObject({ tests: '3', failures: '1', errors: '0', skipped: '1', time: '0.750' });
    expect(s1.testcase.map((t: { name: string }) => t.name)).toEqual([
      'core/sale: sale <title> & "quotes"',
      'core/refund: refund <title> & "quotes"',
      'core/void: void <title> & "quotes"',
    ]);
    expect(s1.testcase[0].classname).toBe('fw-a.bank@1');
    const failure = s1.testcase[1].failure;
    expect(failure.message).toBe(
      "host bank@1 rejected 0200: DE22 expected an12 POS data code, got n3 '051' <&>\\x01",
    );
    expect(failure.type).toBe('expectation');
    expect(failure['#text']).toContain('[expectation] (step 2) host bank@1 rejected 0200');
    expect(failure['#text']).toContain('expected: 00');
    expect(s1.testcase[2].skipped.message).toBe('n/a: fw-a lacks void (required by core/void)');
    expect(s2.testcase[2].error.type).toBe('expectation');
    expect(s2.testcase[1]['system-out']).toContain('flaky (seed 9)');
    expect(s1.testcase[0].failure).toBeUndefined();
    expect(s3.properties.property).toEqual([
      { name: 'firmware', value: 'fw-b' },
      { name: 'host', value: 'bank@2' },
      { name: 'status', value: 'n/a' },
    ]);
  });
});

describe('planned cells without a result', () => {
  it('junit.xml counts them as errors in a "not played" suite, so an incomplete run is never green', () => {
    const missing = ['fw-b|bank@1|core/sale', 'fw-b|bank@1|core/refund'];
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
      renderJunit(buildMatrix(results), { missing }),
    );
    expect(doc.testsuites).toMatchObject({ tests: '10', errors: '3' });
    const notPlayed = doc.testsuites.testsuite.find((s: { name: string }) => s.name === 'not played');
    expect(notPlayed).toMatchObject({ tests: '2', errors: '2' });
    expect(
      notPlayed.testcase.map((t: { classname: string; name: string }) => `${t.classname} ${t.name}`),
    ).toEqual(['fw-b.bank@1 core/sale', 'fw-b.bank@1 core/refund']);
    expect(notPlayed.testcase[0].error.message).toMatch(/^planned but not played: the run was cut short/);
  });
});

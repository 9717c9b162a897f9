import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CLIENT_SCRIPT } from '../../../src/report/html/client-script.js';
import { escapeHtml, renderHtml, scriptSafeJson } from '../../../src/report/html/render-html.js';
import { buildReportData, CELL, CELL_STRIDE } from '../../../src/report/html/report-data.js';
import { failEvidence, result, syntheticRun } from './run-fixtures.js';

const HOSTILE = '</script><script>window.pwned=1</script><!-- "quoted" & \'single\' \u2028 \u0000';

describe('the embedded data', () => {
  it('cannot close its script element, and parses back to the same value', () => {
    const json = scriptSafeJson({ text: HOSTILE });
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual({ text: HOSTILE });
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('keeps passes to a few numbers and evidence only where it explains something', () => {
    const results = [
      result({
        firmware: 'fw-a',
        hv: 'bank@1',
        scenario: 'sale',
        status: 'pass',
        evidence: failEvidence('000001'),
      }),
      result({
        firmware: 'fw-a',
        hv: 'bank@1',
        scenario: 'void',
        status: 'fail',
        reasons: [
          {
            kind: 'expectation',
            message: 'wrong status',
            expected: 'status approved',
            actual: 'status declined 30',
          },
        ],
        evidence: failEvidence('000002'),
      }),
      result({ firmware: 'fw-b', hv: 'bank@2', scenario: 'sale', status: 'n/a' }),
    ];
    const baseline = [{ ...results[1]!, status: 'pass' as const, reasons: [] }];
    const data = buildReportData({ results, baseline: { results: baseline } });
    expect(data.cells).toHaveLength(3 * CELL_STRIDE);
    const cell = (i: number, f: keyof typeof CELL) => data.cells[i * CELL_STRIDE + CELL[f]];
    expect(cell(0, 'detail')).toBe(-1); // a pass carries no evidence
    expect(cell(1, 'detail')).toBe(0);
    expect(data.statuses[cell(1, 'before')!]).toBe('pass');
    expect(data.changes[cell(1, 'change')!]).toBe('worse');
    expect(data.changes[cell(0, 'change')!]).toBe('new');
    expect(data.details).toHaveLength(2);
    const d = data.details[0]!;
    // The expected/actual difference, word by word.
    expect(d.reasons[0]!.diff).toEqual([
      [0, 'status '],
      [-1, 'approved'],
      [1, 'declined 30'],
    ]);
    // No message twice: bodies live in the journal only.
    expect(d.journal).toHaveLength(3);
    expect(d.steps![0]).toEqual({
      request: { type: 'sale', amount: 2500, card: 'visa-credit-chip 476173******0010' },
      outcome: { status: 'declined', responseCode: '30', detail: 'sale declined 30' },
      messages: [],
    });
    expect(d.events![0]).toEqual(['connected', '2025-06-01T10:00:00.000Z', 'primary 127.0.0.1:40000']);
    expect(data.baseline).toEqual({ id: null, worse: 1, better: 0, gone: 0 });
  });
});

describe('index.html', () => {
  const results = [
    result({
      firmware: 'fw-a',
      hv: 'bank@1',
      scenario: 'sale',
      status: 'fail',
      title: HOSTILE,
      reasons: [{ kind: 'violation', message: HOSTILE }],
    }),
  ];
  const html = renderHtml(buildReportData({ results, title: 'report <b>"x"</b>' }));

  it('is one file: no script, style, image or font from anywhere else', () => {
    expect(html).not.toMatch(/\s(src|href)\s*=/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toContain('@import');
    expect(html.match(/<script/g)).toHaveLength(2);
  });

  it('data from the run never appears as markup', () => {
    expect(html).not.toContain('<script>window.pwned');
    expect(html).not.toContain('<!-- "quoted');
    expect(html).toContain('window.pwned=1\\u003c/script\\u003e'); // inside the JSON, escaped
    expect(html).toContain('<title>report &lt;b&gt;&quot;x&quot;&lt;/b&gt;</title>');
  });

  it('its CSP allows exactly the inline script and stylesheet it carries', () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/
      .exec(html)![1]!
      .replace(/&#39;/g, "'");
    const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*)<\/style>/.exec(html)![1]!;
    const hash = (t: string) => `'sha256-${createHash('sha256').update(t).digest('base64')}'`;
    expect(csp).toContain(`script-src ${hash(script)}`);
    expect(csp).toContain(`style-src ${hash(style)}`);
    expect(csp).toContain("default-src 'none'");
  });

  it('its script is valid JavaScript', () => {
    expect(() => new Function(CLIENT_SCRIPT)).not.toThrow();
  });

  it('stays small at 20 builds × 10 host versions × 40 scenarios', () => {
    const big = syntheticRun(20, 10, 40);
    const started = performance.now();
    const page = renderHtml(buildReportData({ results: big }));
    const ms = performance.now() - started;
    const failing = big.filter((r) => r.status === 'fail').length;
    // Measured here: ~2.5 MB for 8,000 cells of which ~1,000 fail with full traces; well under a second.
    expect(big).toHaveLength(8000);
    expect(failing).toBeGreaterThan(500);
    expect(Buffer.byteLength(page)).toBeLessThan(6 * 1024 * 1024);
    expect(ms).toBeLessThan(5000);
  });
});

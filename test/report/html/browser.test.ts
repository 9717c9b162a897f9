import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildMatrix } from '../../../src/matrix/aggregate.js';
import type { CellResult } from '../../../src/matrix/cell.js';
import { runMatrix } from '../../../src/matrix/run-matrix.js';
import { openWorkspace } from '../../../src/matrix/workspace-runner.js';
import { renderHtml } from '../../../src/report/html/render-html.js';
import { buildReportData } from '../../../src/report/html/report-data.js';
import { reportRun } from '../../../src/report/report-run.js';
import { type FirmwareBuild, workspaceFirmware } from '../../../src/terminals/firmware-loader.js';
import { useChromium } from '../../support/chromium.js';
import { tempDir } from '../../support/temp-dir.js';
import { failEvidence, isoExchange, result, syntheticRun, writeRun } from './run-fixtures.js';

const root = resolve(import.meta.dirname, '../../..');
const artifacts = join(root, 'test-artifacts');

const browser = useChromium();

/** Opens a report; fails the test on any script error or on any request leaving the file. */
async function open(file: string): Promise<{ page: Page; renderedAtMs: number; problems: string[] }> {
  const page = await browser().newPage({ viewport: { width: 1400, height: 1000 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('request', (r) => {
    if (r.url() !== pathToFileURL(file).href) problems.push(`request: ${r.url()}`);
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('html[data-ready="1"]', { timeout: 20_000 });
  const { renderedAtMs } = await page.evaluate(
    () => (globalThis as unknown as { paymatrixReport: { renderedAtMs: number } }).paymatrixReport,
  );
  return { page, renderedAtMs, problems };
}

const pairText = (results: CellResult[]) =>
  Object.fromEntries(
    buildMatrix(results).cells.map((c) => {
      const applicable = c.scenarios.length - c.counts['n/a'];
      return [
        `${c.firmware}|${c.host}@${c.version}`,
        applicable === 0 ? 'n/a' : `${c.counts.pass + c.counts.flaky}/${applicable}`,
      ];
    }),
  );

describe('the HTML report in Chromium', () => {
  it('of a real run: the matrix has the right counts, and a failing cell drills down to reasons and the decoded trace', async () => {
    // Real cells of the built-in catalogue: the first reference build of each of two acquirers (two
    // vendors), against every version of its acquirer.
    const picked: FirmwareBuild[] = [];
    for (const b of workspaceFirmware(root).list()) {
      const acquirer = b.acquirers?.[0];
      if (b.driver !== 'reference' || !acquirer || picked.length === 2) continue;
      if (picked.some((p) => p.vendor === b.vendor || p.acquirers?.[0] === acquirer)) continue;
      picked.push(b);
    }
    expect(new Set(picked.map((b) => b.vendor)).size).toBe(2);
    const out = tempDir('pm-html-run-');
    const { catalogue, runner } = openWorkspace(root);
    // A few critical scenarios of the core suite keep it to about 20 cells.
    const scenarios = catalogue.suites
      .list()
      .find((s) => s.id === 'core')!
      .scenarios.filter((sc) => sc.tags.includes('critical'))
      .slice(0, 4)
      .map((sc) => `core/${sc.id}`);
    const run = await runMatrix({
      catalogue,
      runner,
      out,
      workspace: root,
      settings: {
        firmware: picked.map((b) => b.id),
        hosts: picked.map((b) => b.acquirers![0]!),
        suites: scenarios,
        seed: 1,
        timeScale: 0.01,
        cellTimeoutMs: 10_000,
        retryFailed: false,
        shard: null,
      },
      concurrency: 4,
    });
    const failing = run.results.find((r) => r.status === 'fail' && r.evidence && r.reasons.length > 0);
    expect(failing, 'the sample catalogue has a failing cell here').toBeDefined();
    // A baseline in which that cell passed: the report must mark its pair worse.
    const baselineDir = writeRun(
      tempDir('pm-html-base-'),
      run.results.map((r) => (r.key === failing!.key ? { ...r, status: 'pass' as const, reasons: [] } : r)),
    );
    const written = reportRun(out, { baseline: baselineDir });
    expect(written.fleet?.file).toBe(join(root, 'fleet.yaml')); // the workspace's sample fleet

    const { page, renderedAtMs, problems } = await open(join(out, 'index.html'));
    const expected = pairText(run.results);
    const shown: Record<string, string> = {};
    for (const b of await page.locator('button.cell').all()) {
      const key = `${await b.getAttribute('data-build')}|${await b.getAttribute('data-host')}`;
      shown[key] = (await b.evaluate((e) => e.firstChild?.textContent ?? '')).trim();
    }
    expect(shown).toEqual(expected);
    const totals = await page.locator('#totals').textContent();
    expect(totals).toContain(`fail ${run.matrix.counts.fail}`);
    expect(totals).toContain(`pass ${run.matrix.counts.pass}`);
    // The build's vendor comes from the catalogue, its terminals from the fleet.
    const fleetBuild = picked[0]!;
    expect(await page.locator(`tr[data-build="${fleetBuild.id}"] th`).textContent()).toMatch(
      new RegExp(`${fleetBuild.vendor} .*· [\\d,]+ terminals`),
    );
    const pair = `button.cell[data-build="${failing!.firmware}"][data-host="${failing!.host}@${failing!.version}"]`;
    expect(await page.locator(`${pair} .mark.worse`).textContent()).toBe('▼1');
    await page.screenshot({ path: join(mkdir(artifacts), 'report-matrix.png'), fullPage: true });

    // Drill down: cell → its scenarios → the failing one.
    await page.click(pair);
    const rows = page.locator('#scenarios tbody tr');
    expect(await rows.count()).toBe(
      run.results.filter(
        (r) => r.firmware === failing!.firmware && r.host === failing!.host && r.version === failing!.version,
      ).length,
    );
    await page.click(`#scenarios tr[data-scenario="${failing!.suite}/${failing!.scenario}"]`);
    const panel = page.locator('#scenario');
    for (const reason of failing!.reasons) expect(await panel.textContent()).toContain(reason.message);
    // The decoded trace: the cited exchange is open, field by field, with names from the dialect.
    const cited = failing!.reasons.find((r) => r.exchange !== undefined);
    expect(cited).toBeDefined();
    const exchange = panel.locator(`details.exchange#x${cited!.exchange}`);
    expect(await exchange.getAttribute('open')).not.toBeNull();
    expect(await exchange.locator('tr[data-path="MTI"]').count()).toBeGreaterThan(0);
    expect(await exchange.locator('tr[data-path="DE11"] td.n').first().textContent()).toMatch(
      /System trace audit number/,
    );
    const violation = failing!.evidence!.journal.find((x) => x.seq === cited!.exchange)!.violations[0];
    if (violation)
      expect(await exchange.locator(`tr.hi[data-path="DE${violation.path}"]`).count()).toBeGreaterThan(0);
    // Expected vs actual, differences highlighted.
    const diff = panel.locator('table.diff').first();
    expect(await diff.locator('del.d, ins.d').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(artifacts, 'report-drilldown.png'), fullPage: true });

    // Filters: status and vendor.
    await page.selectOption('#filter-status', 'fail');
    expect(await page.locator('#shown').textContent()).toBe(
      `${run.matrix.counts.fail} of ${run.results.length} cells shown`,
    );
    await page.selectOption('#filter-status', '');
    await page.selectOption('#filter-vendor', picked[1]!.vendor);
    expect(await page.locator('#matrix tbody tr').count()).toBe(1);
    expect(problems).toEqual([]);
    console.log(
      `report of a real run (${run.results.length} cells): rendered ${renderedAtMs.toFixed(0)} ms after navigation`,
    );
    await page.close();
  }, 60_000);

  it('shows hostile bytes from messages and files as text', async () => {
    const HOSTILE = `<script>window.pwned=1</script><img src=x onerror="window.pwned=2"> "double" 'single' & </td>`;
    const evidence = failEvidence('000123');
    const exchange = isoExchange(2, '000123', {
      violation: { path: '43', rule: 'format', message: `DE43 ${HOSTILE}` },
    });
    exchange.request!.iso!.fields['43'] = HOSTILE;
    exchange.request!.summary = `0200 ${HOSTILE}`;
    evidence.journal[1] = exchange;
    // The same for a REST gateway's exchange: headers and a JSON body.
    evidence.journal.push({
      seq: 4,
      transport: 'http',
      host: 'gateway@2 (primary)',
      connection: 2,
      at: '2025-06-01T10:00:01.000Z',
      request: {
        summary: 'POST /v2/payments',
        size: 120,
        http: {
          method: 'POST',
          path: '/v2/payments',
          headers: { 'x-note': HOSTILE },
          body: { note: HOSTILE },
        },
      },
      response: { summary: '422', size: 40, http: { status: 422, headers: {}, body: { error: 'amount' } } },
      durationMs: 3,
      notes: [`card ${HOSTILE}`],
      violations: [{ path: '/amount', rule: 'schema', message: `must be integer ${HOSTILE}` }],
      faults: [],
    });
    const results = [
      result({
        firmware: 'fw-evil',
        hv: 'bank@1',
        scenario: 'hostile',
        status: 'fail',
        title: `title ${HOSTILE}`,
        tags: [`tag"${HOSTILE}`],
        reasons: [
          {
            kind: 'violation',
            message: `reason ${HOSTILE}`,
            expected: 'DE43 ans40',
            actual: HOSTILE,
            exchange: 2,
          },
          { kind: 'violation', message: 'gateway rejected the payment', exchange: 4 },
        ],
        evidence,
      }),
    ];
    const file = join(tempDir('pm-html-evil-'), 'index.html');
    writeFileSync(file, renderHtml(buildReportData({ results })));
    const { page, problems } = await open(file);
    await page.click('button.cell');
    expect(await page.locator('#scenarios td').nth(2).textContent()).toBe(`title ${HOSTILE}`);
    await page.click('#scenarios tr.pick');
    const panel = page.locator('#scenario');
    expect(await panel.locator('.reason').first().textContent()).toContain(`reason ${HOSTILE}`);
    expect(await panel.locator('table.diff td.actual').textContent()).toBe(HOSTILE);
    expect(await panel.locator('tr[data-path="DE43"] td.v').textContent()).toBe(HOSTILE);
    const http = panel.locator('details.exchange#x4');
    expect(await http.getAttribute('open')).not.toBeNull();
    expect(await http.locator('pre.body').first().textContent()).toBe(
      JSON.stringify({ note: HOSTILE }, null, 2),
    );
    expect(await http.locator('tr[data-path="x-note"] td.v').textContent()).toBe(HOSTILE);
    expect(await http.locator('.violations').first().textContent()).toContain(
      `/amount [schema] must be integer ${HOSTILE}`,
    );
    // The host's notes, above the rules broken.
    expect(await http.locator('ul.notes li').allTextContents()).toEqual([`card ${HOSTILE}`]);
    // Nothing ran, nothing was added: two scripts (data + report), no image, no handler.
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator('script').count()).toBe(2);
    expect(await page.locator('img').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  }, 30_000);

  it('renders 20 builds × 10 host versions × 40 scenarios quickly', async () => {
    const results = syntheticRun(20, 10, 40);
    const file = join(tempDir('pm-html-big-'), 'index.html');
    const html = renderHtml(buildReportData({ results }));
    writeFileSync(file, html);
    const { page, renderedAtMs, problems } = await open(file);
    expect(await page.locator('button.cell').count()).toBe(200);
    expect(await page.locator('#shown').textContent()).toBe('8,000 of 8,000 cells shown');
    // A filter recomputes all 200 cells from 8,000 results.
    const started = Date.now();
    await page.selectOption('#filter-tag', 'critical');
    const filterMs = Date.now() - started;
    expect(await page.locator('#shown').textContent()).toMatch(/^2,\d{3} of 8,000 cells shown$/);
    await page.locator('button.cell').first().click();
    expect(await page.locator('#scenarios tbody tr').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    // Measured here (2-core Xeon): ~250 ms to a rendered matrix for 2.5 MB; the bound leaves room for a busy CI.
    expect(renderedAtMs).toBeLessThan(5000);
    console.log(
      `20×10×40 report: ${(Buffer.byteLength(html) / 1024 / 1024).toFixed(1)} MiB, rendered ${renderedAtMs.toFixed(0)} ms after navigation, filter ${filterMs} ms`,
    );
    await page.close();
  }, 30_000);
});

function mkdir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

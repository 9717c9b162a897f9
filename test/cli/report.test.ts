import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DataFileError } from '../../src/data/data-file-error.js';
import { ConfigError } from '../../src/matrix/config-error.js';
import { reportRun } from '../../src/report/report-run.js';
import { result, writeRun } from '../report/html/run-fixtures.js';
import { tempDir } from '../support/temp-dir.js';

const root = resolve(import.meta.dirname, '../..');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, ['--import', tsx, join(root, 'src/cli/main.ts'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function setup() {
  const ws = tempDir('pm-report-cli-');
  writeFileSync(
    join(ws, 'fleet.yaml'),
    'deployments:\n  - { build: fw-a, terminals: 1500 }\n  - { build: fw-b, terminals: 500 }\n',
  );
  const results = [
    result({ firmware: 'fw-a', hv: 'bank@1', scenario: 'sale', status: 'pass' }),
    result({ firmware: 'fw-a', hv: 'bank@2', scenario: 'sale', status: 'fail' }),
    result({ firmware: 'fw-b', hv: 'bank@2', scenario: 'sale', status: 'pass' }),
  ];
  const run = writeRun(join(ws, 'run'), results, { workspace: ws, runId: 'run-2' });
  const base = writeRun(
    join(ws, 'base'),
    results.map((r) => ({ ...r, status: 'pass' as const, reasons: [] })),
    { workspace: ws, runId: 'run-1' },
  );
  return { ws, run, base };
}

describe('paymatrix report', () => {
  it('regenerates index.html, summary.md, matrix.json and junit.xml from results.jsonl', () => {
    const { ws, run } = setup();
    const r = cli(['report', 'run', '--baseline', 'base'], ws);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^firmware +bank@1 +bank@2\nfw-a +1\/1 ✓ +0\/1 ✗\nfw-b +· +1\/1 ✓\n/);
    expect(r.out).toContain('bank@2 breaks 1 build = 1,500 terminals, 75% of the fleet');
    expect(r.err).toMatch(
      /wrote run\/matrix\.json, run\/junit\.xml, run\/index\.html, run\/summary\.md \(index\.html \d+ KiB\)/,
    );
    const html = readFileSync(join(run, 'index.html'), 'utf8');
    expect(html).toContain('"baseline":{"id":"run-1","worse":1,"better":0,"gone":0}');
    expect(readFileSync(join(run, 'summary.md'), 'utf8')).toContain('1 worse, 0 better');
    expect(JSON.parse(readFileSync(join(run, 'matrix.json'), 'utf8')).cells).toHaveLength(3);
    expect(readFileSync(join(run, 'junit.xml'), 'utf8')).toContain('<testsuites');
  }, 60_000);

  it('writes what it can without a manifest or a readable catalogue; a missing run or bad fleet is an error', () => {
    const { ws, run } = setup();
    // ConfigError and DataFileError are exit 2 in the CLI.
    expect(() => reportRun(join(ws, 'nowhere'))).toThrow(
      new ConfigError(`no run in ${join(ws, 'nowhere')}: results.jsonl not found`),
    );
    // The run is fine, its baseline is not: the error says which.
    expect(() => reportRun(run, { baseline: join(ws, 'nowhere') })).toThrow(
      new ConfigError(`baseline: no run in ${join(ws, 'nowhere')}: results.jsonl not found`),
    );
    rmSync(join(run, 'manifest.json'));
    const r = reportRun(run, { workspace: join(ws, 'not-a-workspace') });
    expect(r.htmlBytes).toBeGreaterThan(1000);
    expect(r.fleet).toBeUndefined(); // no manifest: no workspace to find a fleet in
    writeFileSync(join(ws, 'bad-fleet.yaml'), 'deployments:\n  - { build: fw-a }\n');
    expect(() => reportRun(run, { fleet: join(ws, 'bad-fleet.yaml') })).toThrow(DataFileError);
  });
});

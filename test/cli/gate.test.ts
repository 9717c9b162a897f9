import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { initWorkspace } from '../../src/cli/init.js';
import type { GateReport } from '../../src/matrix/gate-run.js';
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
const SLOW = 60_000;

/** A workspace with a fleet, a policy, and a run where build old-1 breaks on bank@2. */
function setup() {
  const ws = tempDir('pm-gate-cli-');
  writeFileSync(
    join(ws, 'fleet.yaml'),
    'deployments:\n  - { build: old-1, terminals: 7000 }\n  - { build: new-1, terminals: 3000 }\n',
  );
  writeFileSync(
    join(ws, 'gate.yaml'),
    [
      'title: bank upgrade',
      'targets: [bank@2]',
      'rules:',
      '  - rule: complete',
      '  - rule: must-pass',
      '    builds: fleet',
      '    tags: [critical]',
      '  - rule: max-terminals-affected',
      '    percent: 50',
      '',
    ].join('\n'),
  );
  const results = [
    result({ firmware: 'old-1', hv: 'bank@1', scenario: 'sale', status: 'pass', tags: ['critical'] }),
    result({
      firmware: 'old-1',
      hv: 'bank@2',
      scenario: 'sale',
      status: 'fail',
      tags: ['critical'],
      reasons: [
        { kind: 'violation', message: 'host bank@2 rejected 0200: DE22 expected an12, got n3 \u001b[31m' },
      ],
    }),
    result({ firmware: 'new-1', hv: 'bank@2', scenario: 'sale', status: 'pass', tags: ['critical'] }),
  ];
  const run = writeRun(join(ws, 'run'), results, { workspace: ws });
  return { ws, run };
}

describe('paymatrix gate', () => {
  it(
    'no go: exit 1, the reasons printed (which build, host version, scenario, why) and written as JSON',
    () => {
      const { ws, run } = setup();
      const r = cli(['gate', 'run'], ws); // ./gate.yaml and the workspace's fleet.yaml by default
      expect(r.code).toBe(1);
      expect(r.out).toContain('gate: NO GO — 2 of 3 rules broken');
      expect(r.out).toContain(
        '    [not-passing] old-1 × bank@2 core/sale: fail — host bank@2 rejected 0200: DE22 expected an12, got n3 \\x1b[31m',
      );
      expect(r.out).toContain(
        '    [terminals-affected] bank@2 breaks 1 build = 7,000 terminals, 70% of the fleet (old-1: 7,000); limit 50% of the fleet',
      );
      expect(r.out).not.toContain('\u001b');
      const report = JSON.parse(readFileSync(join(run, 'gate.json'), 'utf8')) as GateReport;
      expect(report).toMatchObject({
        format: 'paymatrix-gate/1',
        verdict: 'no-go',
        policy: { file: join(ws, 'gate.yaml'), title: 'bank upgrade' },
        fleet: { file: join(ws, 'fleet.yaml'), totalTerminals: 10_000 },
        baseline: null,
      });
      expect(report.reasons.map((x) => x.kind)).toEqual(['not-passing', 'terminals-affected']);
      expect(report.reasons[0]).toMatchObject({
        build: 'old-1',
        host: 'bank',
        version: '2',
        scenario: 'core/sale',
      });
      expect(readFileSync(join(run, 'summary.md'), 'utf8')).toContain('### Gate: NO GO (bank upgrade)');
    },
    SLOW,
  );

  it(
    'go: exit 0; with a baseline, --json and --out',
    () => {
      const { ws, run } = setup();
      writeFileSync(
        join(ws, 'lenient.yaml'),
        'rules:\n  - rule: complete\n  - rule: no-regressions\n    requireBaseline: true\n',
      );
      const out = join(ws, 'verdict.json');
      const r = cli(
        ['gate', 'run', '--policy', 'lenient.yaml', '--baseline', run, '--json', '--out', out],
        ws,
      );
      expect(r.code).toBe(0);
      const printed = JSON.parse(r.out) as GateReport;
      expect(printed.verdict).toBe('go');
      expect(printed.baseline).toEqual({ dir: run, id: 'test-run' });
      expect(printed.rules.map((x) => x.outcome)).toEqual(['pass', 'pass']);
      expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(printed);
      expect(existsSync(join(run, 'gate.json'))).toBe(false);
    },
    SLOW,
  );

  it(
    'exit 2 for a bad policy or a missing run: never mistaken for a no go',
    () => {
      const { ws } = setup();
      writeFileSync(join(ws, 'bad.yaml'), 'rules:\n  - rule: must-pass\n    builds: some\n');
      const bad = cli(['gate', 'run', '--policy', 'bad.yaml'], ws);
      expect(bad.code).toBe(2);
      expect(bad.err).toContain(`${join(ws, 'bad.yaml')} at /rules/0/builds:`);
      const missing = cli(['gate', 'no-such-run'], ws);
      expect(missing.code).toBe(2);
      expect(missing.err).toContain(`no run in ${join(ws, 'no-such-run')}: results.jsonl not found`);
    },
    SLOW,
  );

  it(
    'paymatrix run --gate plays the run, then gates it: the exit code is the verdict',
    () => {
      const ws = tempDir('pm-run-gate-');
      initWorkspace(ws); // one build × one host version × one scenario, all of its own
      writeFileSync(
        join(ws, 'rollout.yaml'),
        'targets: [my-bank@1.0, my-bank@2.0]\nrules:\n  - rule: must-pass\n',
      );
      const r = cli(['run', '--gate', 'rollout.yaml'], ws);
      expect(r.code).toBe(1);
      expect(r.out).toContain(
        '✗ must-pass on all builds × my-bank@1.0, my-bank@2.0: 0 of 1 applicable cells did not pass',
      );
      expect(r.out).toContain(
        '[target-not-run] host version my-bank@2.0 was not in the run: nothing shows it works',
      );
      const out = join(ws, 'paymatrix-report');
      for (const f of ['results.jsonl', 'matrix.json', 'junit.xml', 'index.html', 'summary.md', 'gate.json'])
        expect(existsSync(join(out, f)), f).toBe(true);
    },
    SLOW,
  );
});

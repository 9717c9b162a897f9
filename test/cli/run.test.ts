import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { initWorkspace } from '../../src/cli/init.js';
import type { CellResult } from '../../src/matrix/cell.js';
import { readResults } from '../../src/matrix/result-store.js';
import { tempDir } from '../support/temp-dir.js';

const root = resolve(import.meta.dirname, '../..');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
function cli(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, ['--import', tsx, join(root, 'src/cli/main.ts'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const results = (dir: string) =>
  readFileSync(join(dir, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as CellResult);

// Each test spawns the CLI a few times: generous timeouts for a busy 2-core machine.
const SLOW = 90_000;
// Reference builds only: their cells depend on nothing but the seed (no external emulator).
const SUBSET = [
  '--firmware',
  'corvid-c400-4.2',
  'corvid-c500-5.1',
  '--suite',
  'core/sign-on',
  'core/sale-approved',
  'core/sale-declined',
  'core/sale-void',
];

describe('paymatrix run', () => {
  it(
    'init writes a workspace that run plays out of the box',
    () => {
      const ws = tempDir('pm-init-');
      const init = cli(['init', ws], tmpdir());
      expect(init.code).toBe(0);
      expect(init.out).toContain(`wrote ${join(ws, 'paymatrix.config.yaml')}`);
      expect(() => initWorkspace(ws)).toThrow(/would overwrite .*paymatrix\.config\.yaml/); // never silently
      const file = join(ws, 'paymatrix.config.yaml');
      expect(cli(['init', file])).toMatchObject({ code: 2, err: `error: ${file} is a file, not a folder\n` });
      // What init says to do next, from the paymatrix folder: -w reads the workspace's own config.
      expect(init.out).toContain(
        `next, in the paymatrix folder: npx paymatrix validate -w ${ws} && npx paymatrix run -w ${ws}\n`,
      );
      expect(cli(['validate', '-w', ws], root)).toMatchObject({ code: 0 });
      const run = cli(['run', '-w', ws], root);
      expect(run.err).toMatch(/1 cell played in [\d.]+ s; results in /);
      expect(run.code).toBe(0);
      expect(run.out).toMatch(/^firmware +my-bank@1\.0\nmy-terminal-1\.0 +1\/1 ✓\n/);
      const out = join(ws, 'paymatrix-report');
      expect(results(out).map((r) => [r.key, r.status])).toEqual([
        ['my-terminal-1.0|my-bank@1.0|smoke/sale-approved', 'pass'],
      ]);
      expect(XMLValidator.validate(readFileSync(join(out, 'junit.xml'), 'utf8'))).toBe(true);
    },
    SLOW,
  );

  it(
    'plays the catalogue into matrix.json, the same for the same seed, and --resume finishes a cut run',
    () => {
      const a = tempDir('pm-run-a-');
      const b = tempDir('pm-run-b-');
      const ra = cli(['run', ...SUBSET, '--seed', '3', '--out', a]);
      expect(ra.code).toBe(0);
      expect(ra.out).toMatch(/^firmware +harbor-bank@2019\.4 +harbor-bank@2022\.2 +harbor-bank@2025\.1$/m);
      expect(ra.out).toMatch(/^corvid-c400-4\.2 +\d+\/\d+ [✓✗!~]/m);
      const rb = cli(['run', ...SUBSET, '--seed', '3', '--out', b, '--concurrency', '1']);
      expect(rb.code).toBe(0);

      const matrix = JSON.parse(readFileSync(join(a, 'matrix.json'), 'utf8'));
      expect(matrix.cells.length).toBe(6);
      for (const cell of matrix.cells) {
        expect(Object.keys(cell)).toEqual(
          expect.arrayContaining(['firmware', 'host', 'version', 'status', 'scenarios']),
        );
        expect(['pass', 'fail', 'error', 'n/a', 'flaky']).toContain(cell.status);
        for (const s of cell.scenarios)
          expect(s).toMatchObject({
            id: expect.stringMatching(/^core\//),
            status: expect.any(String),
            reasons: expect.any(Array),
          });
      }
      // A fixed seed gives the same statuses, reasons and cell seeds, whatever the concurrency. (Which
      // step a late host-side violation is pinned to can differ with timing: compared without it.)
      const strip = (rs: CellResult[]) =>
        rs
          .map(({ key, status, reasons, seed }) => ({
            key,
            status,
            seed,
            reasons: reasons.map((r) => `${r.kind}: ${r.message}`),
          }))
          .sort((x, y) => x.key.localeCompare(y.key));
      expect(strip(results(b))).toEqual(strip(results(a)));
      const statuses = (dir: string) =>
        JSON.parse(readFileSync(join(dir, 'matrix.json'), 'utf8')).cells.map(
          (c: { status: string }) => c.status,
        );
      expect(statuses(b)).toEqual(statuses(a));
      expect(readFileSync(join(a, 'results.jsonl'), 'utf8')).not.toMatch(/4111111111111111|4761739001010010/);

      // Cut the run short as a crash would (half the lines and a torn one), then resume it.
      const lines = readFileSync(join(a, 'results.jsonl'), 'utf8').split('\n').filter(Boolean);
      const kept = lines.slice(0, 10);
      writeFileSync(join(a, 'results.jsonl'), `${kept.join('\n')}\n${lines[10]!.slice(0, 40)}`);
      const resumed = cli(['run', '--resume', '--out', a, '--firmware', 'ignored-on-resume']);
      expect(resumed.err).toContain('resuming: 10 cells already done, 14 to play');
      expect(resumed.err).toContain(
        'note: --resume finishes the run with its own settings (manifest.json); --firmware not used',
      );
      expect(resumed.code).toBe(0);
      const after = results(a);
      expect(after).toHaveLength(24);
      expect(new Set(after.map((r) => r.key)).size).toBe(24);
      expect(after.slice(0, 10).map((r) => JSON.stringify(r))).toEqual(kept);
      expect(strip(after)).toEqual(strip(results(b)));
    },
    SLOW,
  );

  it(
    'exits 2 on bad configuration, naming the problem',
    () => {
      const out = tempDir('pm-bad-');
      const unknown = cli(['run', '--firmware', 'nope-*', '--out', out]);
      expect(unknown.code).toBe(2);
      expect(unknown.err).toMatch(/error: no firmware build matches "nope-\*" \(builds: .*corvid-c400-4\.2/);
      const config = join(out, 'pm.yaml');
      writeFileSync(config, 'suites: core\n');
      const bad = cli(['run', '--config', config, '--out', out]);
      expect(bad.code).toBe(2);
      expect(bad.err).toContain(`${config} at /suites: must be array`);
      // Filters that meet nothing: a build against hosts it names no acquirer of.
      const empty = cli(['run', '--firmware', 'corvid-c400-4.2', '--hosts', 'lotus-acquirer', '--out', out]);
      expect(empty.code).toBe(2);
      expect(empty.err).toContain(
        'error: no cells to play: no chosen build is planned against a chosen host version',
      );
      // A policy that cannot be read is told before any cell is played.
      const gate = cli([
        'run',
        '--firmware',
        'corvid-c400-4.2',
        '--gate',
        join(out, 'no-gate.yaml'),
        '--out',
        out,
      ]);
      expect(gate.code).toBe(2);
      expect(gate.err).not.toContain('playing');
      expect(gate.err).toContain('no-gate.yaml');
    },
    SLOW,
  );

  it(
    'a reader that stops early (paymatrix run | head) is no error: the run finishes and writes its report',
    async () => {
      const out = tempDir('pm-pipe-');
      const args = ['run', '--firmware', 'corvid-c400-4.2', '--hosts', 'harbor-bank@2019.4', '--out', out];
      const child = spawn(process.execPath, ['--import', tsx, join(root, 'src/cli/main.ts'), ...args], {
        cwd: root,
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      // The reader is gone before the run prints anything: every line it writes hits a closed pipe.
      child.stdout.destroy();
      const code = await new Promise<number | null>((done) => child.on('close', done));
      expect(stderr).not.toMatch(/EPIPE|Unhandled/);
      expect(code).toBe(0);
      expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('corvid-c400-4.2');
    },
    SLOW,
  );

  it(
    'stopped by a signal, exits 128 + its number (SIGINT 130, SIGTERM 143) and says how to resume',
    async () => {
      for (const [signal, expected] of [
        ['SIGTERM', 143],
        ['SIGINT', 130],
      ] as const) {
        const out = join(tempDir('pm-signal-'), 'out');
        // The whole catalogue: ~1,900 cells, far more than are played before the signal.
        const child = spawn(
          process.execPath,
          ['--import', tsx, join(root, 'src/cli/main.ts'), 'run', '--out', out],
          {
            cwd: root,
            env: { ...process.env, CI: 'true' },
          },
        );
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
        });
        child.stdout.resume();
        const closed = new Promise<number | null>((done) => child.on('close', done));
        // Read while the run writes: its last line may be half written, which readResults leaves out.
        const file = join(out, 'results.jsonl');
        const played = () => (existsSync(file) ? readResults(file).results.length : 0);
        for (let i = 0; i < 600 && played() === 0; i++) await new Promise((r) => setTimeout(r, 100));
        expect(played()).toBeGreaterThan(0);
        child.kill(signal);
        expect(await closed).toBe(expected);
        expect(stderr).toContain(`interrupted: run again with --resume --out ${out} to finish`);
      }
    },
    SLOW,
  );
});

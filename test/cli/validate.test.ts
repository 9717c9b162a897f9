import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { initWorkspace } from '../../src/cli/init.js';
import { validateWorkspace } from '../../src/cli/validate.js';
import { minimalHostYaml } from '../support/minimal-host.js';
import { tempDir } from '../support/temp-dir.js';

const root = resolve(import.meta.dirname, '../..');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
function cli(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, ['--import', tsx, join(root, 'src/cli/main.ts'), ...args], {
    cwd,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('paymatrix validate', () => {
  it('lists every problem of the workspace at once, each with file, JSON path and problem', {
    timeout: 60_000,
  }, () => {
    const ws = tempDir('pm-validate-');
    mkdirSync(join(ws, 'mocks/hosts'), { recursive: true });
    mkdirSync(join(ws, 'firmware'), { recursive: true });
    writeFileSync(join(ws, 'mocks/hosts/tiny-bank.yaml'), minimalHostYaml('tiny-bank', 'nope'));
    writeFileSync(
      join(ws, 'mocks/hosts/wee-bank.yaml'),
      minimalHostYaml('wee-bank', 'iso8583-1987-ascii').replace(
        'kind: iso8583',
        'kind: iso8583\ncolour: red',
      ),
    );
    writeFileSync(join(ws, 'mocks/hosts/good-bank.yaml'), minimalHostYaml('good-bank', 'iso8583-1987-ascii'));
    writeFileSync(join(ws, 'firmware/acme.yaml'), 'id: acme-2\ntitle: x\n');
    writeFileSync(join(ws, 'paymatrix.config.yaml'), 'timeScale: fast\n');
    mkdirSync(join(ws, 'suites/smoke'), { recursive: true });
    writeFileSync(
      join(ws, 'suites/smoke/odd.yaml'),
      'id: odd\ntitle: Odd\nwhy: no reason\nwhen: [{ dance: 1 }]\nthen: { outcomes: approved }\n',
    );
    const r = cli(['validate', '-w', ws], tmpdir());
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `${join(ws, 'mocks/hosts/tiny-bank.yaml')} at /versions/1.0/dialect: unknown dialect "nope"`,
    );
    expect(r.err).toContain(`${join(ws, 'mocks/hosts/wee-bank.yaml')} at /: unknown property "colour"`);
    expect(r.err).not.toContain('good-bank');
    expect(r.err).toMatch(new RegExp(`${join(ws, 'firmware/acme.yaml')} at /: missing property`));
    expect(r.err).toContain(`${join(ws, 'paymatrix.config.yaml')} at /timeScale: must be number`);
    expect(r.err).toMatch(
      new RegExp(`${join(ws, 'suites/smoke/odd.yaml')} at /when/0: unknown property "dance"`),
    );
    expect(r.err).toMatch(/\d+ problem\(s\) in \d+ file\(s\); loaded \d+ dialects, \d+ host versions/);
  });

  it('a build whose acquirers, or a run config whose hosts, name no host is a problem (they would play nothing)', {
    timeout: 60_000,
  }, () => {
    const ws = join(tempDir('pm-validate-'), 'lab');
    initWorkspace(ws);
    const build = join(ws, 'firmware/my-terminal-1.0.yaml');
    writeFileSync(
      build,
      readFileSync(build, 'utf8').replace('acquirers: [my-bank]', 'acquirers: [my-bnk, my-bank@1.0]'),
    );
    const config = join(ws, 'paymatrix.config.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('hosts: [my-bank]', 'hosts: [my-bnk]'));
    const r = cli(['validate', '-w', ws], tmpdir());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      new RegExp(
        `${build} at /acquirers/0: unknown host "my-bnk" \\(did you mean "my-bank"\\?\\) \\(known: [^)]*my-bank`,
      ),
    );
    expect(r.err).toContain(
      `${build} at /acquirers/1: unknown host "my-bank@1.0" (a host id, without @version)`,
    );
    expect(r.err).toContain(`${config}: unknown host "my-bnk" (did you mean "my-bank"?) (hosts: `);
    // Every host file loaded: the builds' acquirer problems above are not why.
    expect(r.err).not.toContain('may be the one it names');
  });

  it("a run config naming a build whose file is broken points at that file's problem", () => {
    const ws = join(tempDir('pm-validate-'), 'lab');
    initWorkspace(ws);
    const build = join(ws, 'firmware/my-terminal-1.0.yaml');
    writeFileSync(build, readFileSync(build, 'utf8').replace('driver: reference', 'driver: referense'));
    const messages = validateWorkspace(ws).problems.map((p) => p.message);
    expect(messages).toContain(
      `${build} at /driver: must be one of "reference", "process" (did you mean "reference"?)`,
    );
    expect(messages).toContainEqual(
      expect.stringMatching(
        /paymatrix\.config\.yaml: no firmware build matches "my-terminal-1\.0" \(builds: .*\) \(a file with a problem above may be the one it names\)$/,
      ),
    );
  });

  it('a workspace folder that does not exist is bad usage, for every command that takes one', () => {
    for (const command of [['validate'], ['hosts'], ['run'], ['suites']]) {
      const r = cli([...command, '-w', join(tmpdir(), 'no-such-lab')]);
      expect(r.code, command[0]).toBe(2);
      expect(r.err).toMatch(
        /option '-w, --workspace <dir>' argument '.*no-such-lab' is invalid\. no such folder/,
      );
    }
  });
});

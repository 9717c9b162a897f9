import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunSettings } from '../../src/matrix/run-manifest.js';
import { runMatrix } from '../../src/matrix/run-matrix.js';
import { fakeCatalogue, fakeRunner } from '../matrix/support/fake-catalogue.js';
import { tempDir } from '../support/temp-dir.js';

const root = resolve(import.meta.dirname, '../..');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', tsx, join(root, 'src/cli/main.ts'), ...args], {
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const settings: RunSettings = {
  firmware: [],
  hosts: [],
  suites: [],
  seed: 1,
  timeScale: 0.01,
  cellTimeoutMs: 5000,
  retryFailed: false,
  shard: null,
};

describe('paymatrix merge', () => {
  it('joins shard folders, prints the matrix, and exits 2 when a shard is missing', {
    timeout: 60_000,
  }, async () => {
    const dirs: string[] = [];
    for (const index of [1, 2]) {
      const out = tempDir(`pm-cli-shard${index}-`);
      await runMatrix({
        catalogue: fakeCatalogue(),
        runner: fakeRunner(),
        out,
        settings: { ...settings, shard: { index, count: 2 } },
        concurrency: 2,
      });
      dirs.push(out);
    }
    const out = tempDir('pm-cli-merged-');
    const ok = cli(['merge', ...dirs, '--out', out]);
    expect(ok.err).toContain(`merged 45 of 45 cells into ${out}`);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(
      /^firmware +bank-a@1\.0 +bank-a@2\.0 +bank-b@1\.0 +nimbus-pay@2023-10-16 +nimbus-pay@2024-06-15$/m,
    );
    expect(ok.out).toMatch(/^iso-full +4\/4 ✓ +3\/4 ✗ +4\/4 ✓ +· +·$/m);
    expect(JSON.parse(readFileSync(join(out, 'matrix.json'), 'utf8')).counts.fail).toBe(1);

    const partial = cli(['merge', dirs[0]!, '--out', tempDir('pm-cli-partial-')]);
    expect(partial.code).toBe(2);
    expect(partial.err).toMatch(/missing: \d+ planned cell\(s\) have no result in any folder/);

    const bad = cli(['merge', dirs[0]!, tmpdir(), '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/is not a run folder \(no manifest\.json\)/);
  });
});

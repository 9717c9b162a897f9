import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CellResult } from '../../src/matrix/cell.js';
import { planCells } from '../../src/matrix/planner.js';
import { readResults } from '../../src/matrix/result-store.js';
import { type RunSettings, readManifest } from '../../src/matrix/run-manifest.js';
import { runMatrix } from '../../src/matrix/run-matrix.js';
import type { CellRunner } from '../../src/matrix/scheduler.js';
import { tempDir } from '../support/temp-dir.js';
import { fakeCatalogue, fakeRunner } from './support/fake-catalogue.js';

const root = resolve(import.meta.dirname, '../..');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const settings: RunSettings = {
  firmware: [],
  hosts: [],
  suites: [],
  seed: 5,
  timeScale: 0.01,
  cellTimeoutMs: 5000,
  retryFailed: true,
  shard: null,
};
const allKeys = planCells(fakeCatalogue()).map((p) => p.cell.key);
/** `run --resume` of the fake catalogue in `out`. */
const resumeIn = (out: string) =>
  runMatrix({
    catalogue: fakeCatalogue(),
    runner: fakeRunner(),
    out,
    settings,
    concurrency: 2,
    resume: true,
  });
const lines = (dir: string) =>
  existsSync(join(dir, 'results.jsonl'))
    ? readFileSync(join(dir, 'results.jsonl'), 'utf8').split('\n').filter(Boolean)
    : [];
const keysOf = (dir: string) => lines(dir).map((l) => (JSON.parse(l) as CellResult).key);

function counting(inner: CellRunner): { runner: CellRunner; played: string[] } {
  const played: string[] = [];
  return {
    played,
    runner: (c, o) => {
      played.push(c.key);
      return inner(c, o);
    },
  };
}

describe('runMatrix', () => {
  it('writes the manifest, every result, matrix.json and junit.xml', async () => {
    const out = tempDir('pm-run-');
    const r = await runMatrix({
      catalogue: fakeCatalogue(),
      runner: fakeRunner(),
      out,
      settings,
      concurrency: 4,
    });
    expect(r.results.map((x) => x.key)).toEqual(allKeys);
    expect(new Set(keysOf(out))).toEqual(new Set(allKeys));
    expect(r.interrupted).toBe(false);
    const manifest = readManifest(out)!;
    expect(manifest.plan.cells).toEqual(allKeys);
    expect(manifest.settings).toEqual(settings);
    const matrix = JSON.parse(readFileSync(join(out, 'matrix.json'), 'utf8'));
    expect(
      matrix.cells.find(
        (c: { firmware: string; version: string }) => c.firmware === 'iso-full' && c.version === '2.0',
      ).status,
    ).toBe('fail');
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/^<\?xml/);
  });

  it('gives the same results for the same seed (statuses, reasons and seeds)', async () => {
    const strip = (rs: CellResult[]) =>
      rs.map(({ key, status, reasons, seed }) => ({ key, status, reasons, seed }));
    const a = await runMatrix({
      catalogue: fakeCatalogue(),
      runner: fakeRunner(),
      out: tempDir('pm-a-'),
      settings,
      concurrency: 3,
    });
    const b = await runMatrix({
      catalogue: fakeCatalogue(),
      runner: fakeRunner(),
      out: tempDir('pm-b-'),
      settings,
      concurrency: 1,
    });
    expect(strip(b.results)).toEqual(strip(a.results));
  });

  it('after a SIGKILL mid-run, --resume plays every remaining cell exactly once', {
    timeout: 60_000,
  }, async () => {
    const out = tempDir('pm-kill-');
    const child = spawn(
      process.execPath,
      ['--import', tsx, join(root, 'test/matrix/support/slow-run.ts'), out],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const deadline = Date.now() + 15_000;
    while (lines(out).length < 10) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`child did not get going: ${stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const before = keysOf(out);
    expect(before.length).toBeGreaterThanOrEqual(10);
    expect(before.length).toBeLessThan(allKeys.length);
    // The crash may have torn the line being written: simulate the worst case too.
    appendFileSync(join(out, 'results.jsonl'), '{"key":"iso-full|bank-a@1.0|core/sa');
    const runId = readManifest(out)!.runId;

    const { runner, played } = counting(fakeRunner());
    const r = await runMatrix({
      catalogue: fakeCatalogue(),
      runner,
      out,
      settings: { ...settings, seed: 999 }, // ignored: the run's own settings are resumed
      concurrency: 4,
      resume: true,
    });
    expect(r.manifest.runId).toBe(runId);
    expect(r.resumed).toBe(before.length);
    expect(played.filter((k) => before.includes(k))).toEqual([]);
    const after = keysOf(out);
    expect(after).toHaveLength(allKeys.length);
    expect(new Set(after)).toEqual(new Set(allKeys));
    expect(readResults(join(out, 'results.jsonl')).results.every((x) => x.seed !== undefined)).toBe(true);
    expect(r.results.map((x) => x.key)).toEqual(allKeys);

    // Resuming a finished run plays nothing.
    const again = counting(fakeRunner());
    await runMatrix({
      catalogue: fakeCatalogue(),
      runner: again.runner,
      out,
      settings,
      concurrency: 4,
      resume: true,
    });
    expect(again.played).toEqual([]);
    expect(keysOf(out)).toHaveLength(allKeys.length);
  });

  it('refuses to resume when the catalogue now plans other cells', async () => {
    const out = tempDir('pm-changed-');
    await runMatrix({
      catalogue: fakeCatalogue(),
      runner: fakeRunner(),
      out,
      settings: { ...settings, firmware: ['iso-basic'] },
      concurrency: 2,
    });
    const changed = fakeCatalogue();
    const hosts = changed.hosts.list();
    changed.hosts = {
      list: () => [...hosts, { id: 'bank-c', kind: 'iso8583', versions: [{ version: '1' }] }],
    };
    await expect(
      runMatrix({ catalogue: changed, runner: fakeRunner(), out, settings, concurrency: 2, resume: true }),
    ).rejects.toThrow(
      /cannot resume .*: the catalogue now plans different cells than when the run began \(15 then, 20 now\)/,
    );
  });

  it('a shard runs only its slice; --resume without a manifest starts afresh', async () => {
    const out = tempDir('pm-shard-');
    const r = await runMatrix({
      catalogue: fakeCatalogue(),
      runner: fakeRunner(),
      out,
      settings: { ...settings, shard: { index: 2, count: 3 } },
      concurrency: 2,
      resume: true,
    });
    expect(r.results.length).toBeGreaterThan(0);
    expect(r.results.length).toBeLessThan(allKeys.length);
    expect(readManifest(out)!.plan.cells).toEqual(allKeys);
    // The other shards' cells are not this folder's to play: nothing is missing from it.
    expect(JSON.parse(readFileSync(join(out, 'matrix.json'), 'utf8')).missing).toEqual({
      count: 0,
      cells: [],
    });
  });

  it('an interrupted run lists the planned cells it did not play in matrix.json', async () => {
    const out = tempDir('pm-cut-');
    const stop = new AbortController();
    const inner = fakeRunner();
    const r = await runMatrix({
      catalogue: fakeCatalogue(),
      runner: async (c, o) => {
        const result = await inner(c, o);
        stop.abort();
        return result;
      },
      out,
      settings,
      concurrency: 1,
      signal: stop.signal,
    });
    expect(r.interrupted).toBe(true);
    const missing = JSON.parse(readFileSync(join(out, 'matrix.json'), 'utf8')).missing;
    expect(missing.count).toBe(allKeys.length - r.results.length);
    expect(missing.cells).toEqual(allKeys.filter((k) => !r.results.some((x) => x.key === k)));
  });

  it('an --out that is a file is a configuration error naming it', async () => {
    const file = join(tempDir('pm-file-'), 'report');
    writeFileSync(file, '');
    await expect(
      runMatrix({ catalogue: fakeCatalogue(), runner: fakeRunner(), out: file, settings, concurrency: 1 }),
    ).rejects.toThrow(`${file} is a file: --out names a folder`);
  });

  it('--resume refuses a folder that holds results but no manifest, and leaves them alone', async () => {
    const out = tempDir('pm-nomanifest-');
    writeFileSync(join(out, 'results.jsonl'), '{"key":"someone else\'s"}\n');
    await expect(resumeIn(out)).rejects.toThrow(
      /cannot resume .*: it holds results.jsonl but no manifest.json/,
    );
    expect(lines(out)).toHaveLength(1);
  });

  it("a new run in a folder removes the earlier run's reports and gate verdict before its first cell", async () => {
    const out = tempDir('pm-stale-');
    for (const f of ['summary.md', 'index.html', 'gate.json', 'matrix.json'])
      writeFileSync(join(out, f), 'old');
    let seen: string[] = [];
    const inner = fakeRunner();
    await runMatrix({
      catalogue: fakeCatalogue(),
      runner: (c, o) => {
        seen = ['summary.md', 'index.html', 'gate.json', 'matrix.json'].filter((f) =>
          existsSync(join(out, f)),
        );
        return inner(c, o);
      },
      out,
      settings: { ...settings, firmware: ['iso-basic'] },
      concurrency: 1,
    });
    expect(seen).toEqual([]);
  });

  it('two runs writing one folder at once: the second is refused while the first holds it', async () => {
    const out = tempDir('pm-lock-');
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const inner = fakeRunner();
    const first = runMatrix({
      catalogue: fakeCatalogue(),
      runner: async (c, o) => {
        await held;
        return inner(c, o);
      },
      out,
      settings,
      concurrency: 2,
    });
    await new Promise((r) => setTimeout(r, 50));
    await expect(
      runMatrix({ catalogue: fakeCatalogue(), runner: fakeRunner(), out, settings, concurrency: 2 }),
    ).rejects.toThrow(/is being written by another paymatrix run/);
    release();
    expect((await first).results).toHaveLength(allKeys.length);
    expect(existsSync(join(out, '.paymatrix.lock'))).toBe(false);
    // Released: the folder can be run again.
    await resumeIn(out);
  });
});

import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellResult } from '../../src/matrix/cell.js';
import { mergeRuns } from '../../src/matrix/merge.js';
import type { RunSettings } from '../../src/matrix/run-manifest.js';
import { runMatrix } from '../../src/matrix/run-matrix.js';
import { tempDir } from '../support/temp-dir.js';
import { fakeCatalogue, fakeRunner } from './support/fake-catalogue.js';

const settings: RunSettings = {
  firmware: [],
  hosts: [],
  suites: [],
  seed: 3,
  timeScale: 0.01,
  cellTimeoutMs: 5000,
  retryFailed: false,
  shard: null,
};
async function shards(count: number, s: RunSettings = settings): Promise<string[]> {
  const dirs: string[] = [];
  for (let index = 1; index <= count; index++) {
    const out = tempDir(`pm-shard${index}-`);
    await runMatrix({
      catalogue: fakeCatalogue(),
      runner: fakeRunner(),
      out,
      settings: { ...s, shard: { index, count } },
      concurrency: 2,
    });
    dirs.push(out);
  }
  return dirs;
}
const strip = (rs: CellResult[]) =>
  rs.map(({ key, status, reasons, seed }) => ({ key, status, reasons, seed }));

describe('mergeRuns', () => {
  it('joins the shards of a plan into the same results and matrix as one whole run', async () => {
    const whole = await runMatrix({
      catalogue: fakeCatalogue(),
      runner: fakeRunner(),
      out: tempDir('pm-whole-'),
      settings,
      concurrency: 2,
    });
    const dirs = await shards(3);
    const out = tempDir('pm-merged-');
    const m = mergeRuns(dirs, out);
    expect(m.duplicates).toEqual([]);
    expect(m.conflicts).toEqual([]);
    expect(m.missing).toEqual([]);
    expect(strip(m.results)).toEqual(strip(whole.results));
    expect(m.manifest.settings.shard).toBeNull();
    const json = JSON.parse(readFileSync(join(out, 'matrix.json'), 'utf8'));
    expect(json.cells.map((c: { status: string }) => c.status)).toEqual(
      whole.matrix.cells.map((c) => c.status),
    );
    expect(readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n')).toHaveLength(
      whole.results.length,
    );
  });

  it('refuses a folder a live run is writing (its lock), and leaves no lock of its own', async () => {
    const dirs = await shards(2);
    const out = tempDir('pm-merge-locked-');
    const lock = join(out, '.paymatrix.lock');
    writeFileSync(lock, `${JSON.stringify({ pid: process.pid, host: hostname(), since: 'now' })}\n`);
    expect(() => mergeRuns(dirs, out)).toThrow(/is being written by another paymatrix run \(pid \d+/);
    unlinkSync(lock);
    mergeRuns(dirs, out);
    expect(existsSync(lock)).toBe(false);
  });

  it('reports missing cells, duplicates and conflicts', async () => {
    const [a, b, c] = await shards(3);
    const partial = mergeRuns([a!, b!], tempDir('pm-m-'));
    expect(partial.missing.length).toBeGreaterThan(0);
    expect(partial.missing.length + partial.results.length).toBe(45);

    const dup = mergeRuns([a!, b!, c!, a!], tempDir('pm-m-'));
    expect(dup.duplicates.length).toBe(
      readFileSync(join(a!, 'results.jsonl'), 'utf8').trim().split('\n').length,
    );
    expect(dup.conflicts).toEqual([]);

    // A copy of shard a whose first result disagrees.
    const other = tempDir('pm-other-');
    const results = readFileSync(join(a!, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as CellResult);
    const flipped = { ...results[0]!, status: results[0]!.status === 'fail' ? 'pass' : 'fail' } as CellResult;
    writeFileSync(
      join(other, 'results.jsonl'),
      [flipped, ...results.slice(1)].map((r) => JSON.stringify(r) + '\n').join(''),
    );
    writeFileSync(join(other, 'manifest.json'), readFileSync(join(a!, 'manifest.json')));
    const conflicting = mergeRuns([a!, other], tempDir('pm-m-'));
    expect(conflicting.conflicts).toEqual([
      {
        key: flipped.key,
        found: [
          { dir: a!, status: results[0]!.status },
          { dir: other, status: flipped.status },
        ],
      },
    ]);
    expect(conflicting.results.find((r) => r.key === flipped.key)!.status).toBe(results[0]!.status);
  });

  it('refuses folders of different plans and folders that are not runs', async () => {
    const [a] = await shards(2);
    const [x] = await shards(2, { ...settings, seed: 4 });
    expect(() => mergeRuns([a!, x!], tempDir('pm-m-'))).toThrow(/is not a shard of the same plan as/);
    expect(() => mergeRuns([a!, tempDir('pm-empty-')], tempDir('pm-m-'))).toThrow(
      /is not a run folder \(no manifest\.json\)/,
    );
  });
});

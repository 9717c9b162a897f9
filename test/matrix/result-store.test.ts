import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellResult } from '../../src/matrix/cell.js';
import { ResultStore, readResults } from '../../src/matrix/result-store.js';
import { tempDir } from '../support/temp-dir.js';

const result = (scenario: string): CellResult => ({
  key: `fw|h@1|s/${scenario}`,
  firmware: 'fw',
  host: 'h',
  version: '1',
  suite: 's',
  scenario,
  status: 'pass',
  reasons: [],
  title: scenario,
  tags: [],
  durationMs: 1,
  finishedAt: '2025-01-01T00:00:00.000Z',
  seed: 1,
});

describe('ResultStore', () => {
  it('appends one line per result, readable while the run goes on', () => {
    const dir = tempDir('pm-store-');
    const store = ResultStore.open(dir, { durable: true });
    store.append(result('a'));
    expect(readResults(store.file).results.map((r) => r.scenario)).toEqual(['a']);
    store.append(result('b'));
    store.close();
    expect(readFileSync(store.file, 'utf8').split('\n')).toHaveLength(3);
  });

  it('on resume, cuts off a torn last line and keeps appending after the whole ones', () => {
    const dir = tempDir('pm-store-');
    const s1 = ResultStore.open(dir);
    s1.append(result('a'));
    s1.close();
    appendFileSync(s1.file, JSON.stringify(result('b')).slice(0, 30));
    const s2 = ResultStore.open(dir, { resume: true });
    expect(s2.previous.map((r) => r.scenario)).toEqual(['a']);
    s2.append(result('c'));
    s2.close();
    expect(readResults(s2.file).results.map((r) => r.scenario)).toEqual(['a', 'c']);
    // A new run (no resume) starts an empty file.
    ResultStore.open(dir).close();
    expect(readFileSync(s2.file, 'utf8')).toBe('');
  });

  it('names the line of a damaged file', () => {
    const dir = tempDir('pm-store-');
    const file = join(dir, 'results.jsonl');
    writeFileSync(file, `${JSON.stringify(result('a'))}\nnot json\n${JSON.stringify(result('b'))}\n`);
    expect(() => readResults(file)).toThrow(`${file} line 2: not a JSON line (the results file is damaged)`);
    writeFileSync(file, '{"key":"x"}\n');
    expect(() => readResults(file)).toThrow(/line 1: not a cell result/);
  });
});

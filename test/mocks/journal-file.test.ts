import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../src/mocks/exchange.js';
import { Journal } from '../../src/mocks/journal.js';
import { JournalFile } from '../../src/mocks/journal-file.js';
import { tempDir } from '../support/temp-dir.js';

const entry = (host: string, detail: string): Omit<Exchange, 'seq'> => ({
  transport: 'iso8583',
  host,
  connection: 1,
  at: new Date(0).toISOString(),
  event: { kind: 'connected', detail },
  violations: [],
  faults: [],
});

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Exchange);

describe('JournalFile', () => {
  it('appends every exchange of the journals it follows, one JSON line each, in the order recorded', async () => {
    const path = join(tempDir('journal-file-'), 'journal.ndjson');
    const primary = new Journal(2);
    const backup = new Journal();
    primary.record(entry('primary', 'before')); // not followed yet: not in the file
    const file = await JournalFile.open(path);
    file.follow(primary);
    file.follow(backup);
    primary.record(entry('primary', 'a'));
    backup.record(entry('backup', 'b'));
    // Built for the file as it is recorded (a listener builds deferred entries at once).
    primary.recordLater((d: string) => entry('primary', d), 'c');
    for (let i = 0; i < 5; i++) primary.record(entry('primary', `more ${i}`)); // beyond the journal's bound
    await file.close();
    primary.record(entry('primary', 'after')); // closed: not in the file
    const written = lines(path);
    expect(written.map((e) => `${e.host}:${e.seq}:${e.event?.detail}`)).toEqual([
      'primary:2:a',
      'backup:1:b',
      'primary:3:c',
      'primary:4:more 0',
      'primary:5:more 1',
      'primary:6:more 2',
      'primary:7:more 3',
      'primary:8:more 4',
    ]);
    expect(primary.size).toBeLessThan(8); // the file keeps what the journal let go

    // A second run appends.
    const again = await JournalFile.open(path);
    again.follow(backup);
    backup.record(entry('backup', 'next run'));
    await again.close();
    expect(lines(path).map((e) => e.event?.detail)).toHaveLength(9);
    expect(lines(path).at(-1)!.event?.detail).toBe('next run');
  });

  it('skips and counts exchanges while the disk is behind, rather than holding them all in memory', async () => {
    const path = join(tempDir('journal-file-'), 'journal.ndjson');
    let behind = 0;
    // One byte waiting is already too many: every exchange recorded before the first line is on
    // disk is skipped.
    const file = await JournalFile.open(path, { maxPendingBytes: 1, onBehind: () => behind++ });
    const journal = new Journal();
    file.follow(journal);
    for (let i = 0; i < 5; i++) journal.record(entry('primary', String(i)));
    await file.close();
    expect(lines(path).map((e) => e.event?.detail)).toEqual(['0']);
    expect([file.skipped, behind]).toEqual([4, 1]); // counted each, said once
  });

  it('refuses a path it cannot write at once', async () => {
    await expect(JournalFile.open(join(tmpdir(), 'no-such-dir-paymatrix', 'j.ndjson'))).rejects.toThrow(
      /ENOENT/,
    );
  });
});

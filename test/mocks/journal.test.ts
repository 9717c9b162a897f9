import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../src/mocks/exchange.js';
import { Journal } from '../../src/mocks/journal.js';

const entry = (detail: string): Omit<Exchange, 'seq'> => ({
  transport: 'iso8583',
  host: 'harbor-bank@2019.4',
  connection: 1,
  at: new Date(0).toISOString(),
  event: { kind: 'connected', detail },
  violations: [],
  faults: [],
});

describe('Journal', () => {
  it('numbers exchanges in order and tells listeners', () => {
    const journal = new Journal();
    const seen: number[] = [];
    const stop = journal.onExchange((e) => seen.push(e.seq));
    journal.record(entry('a'));
    journal.record(entry('b'));
    stop();
    journal.record(entry('c'));
    expect(journal.entries().map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(journal.entries(2).map((e) => e.event?.detail)).toEqual(['c']);
    expect(seen).toEqual([1, 2]);
  });

  it('keeps about its limit, dropping the oldest in batches and counting them', () => {
    const journal = new Journal(10);
    for (let i = 1; i <= 11; i++) journal.record(entry(String(i)));
    expect(journal.entries()).toHaveLength(11); // within the 10% slack
    journal.record(entry('12'));
    expect(journal.entries().map((e) => e.event?.detail)).toEqual([
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      '10',
      '11',
      '12',
    ]);
    expect(journal.dropped).toBe(2);
    journal.clear();
    expect(journal.entries()).toEqual([]);
    expect(journal.record(entry('x')).seq).toBe(13);
  });

  it('builds a deferred exchange once, when first read, numbered where it was recorded', () => {
    const journal = new Journal();
    let builds = 0;
    journal.record(entry('a'));
    journal.recordLater((detail) => {
      builds++;
      return entry(detail);
    }, 'b');
    journal.record(entry('c'));
    expect(builds).toBe(0);
    expect(journal.entries(1).map((e) => [e.seq, e.event?.detail])).toEqual([
      [2, 'b'],
      [3, 'c'],
    ]);
    const again = journal.entries();
    expect(builds).toBe(1);
    expect(again[1]).toBe(journal.entries()[1]); // the built entry replaced its recipe
    journal.recordLater((detail) => {
      builds++;
      return entry(detail);
    }, 'd');
    expect(journal.entries(4)).toEqual([]); // `since` skips a deferred entry without building it
    expect(builds).toBe(1);
  });

  it('builds at once when someone listens, and drops deferred exchanges like any other', () => {
    const journal = new Journal(2);
    const seen: string[] = [];
    const stop = journal.onExchange((e) => seen.push(`${e.seq}:${e.event?.detail}`));
    journal.recordLater(entry, 'heard');
    stop();
    expect(seen).toEqual(['1:heard']);
    for (let i = 0; i < 3; i++) journal.recordLater(entry, String(i));
    expect(journal.dropped).toBe(2);
    expect(journal.entries().map((e) => [e.seq, e.event?.detail])).toEqual([
      [3, '1'],
      [4, '2'],
    ]);
  });
});

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

/** The details of the exchanges a journal keeps, in order. */
const details = (journal: Journal) => journal.entries().map((e) => e.event?.detail);
/** '3', '4' … '12' */
const numbered = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

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

  it('masks a card number that an event, a rule or a note quotes', () => {
    const journal = new Journal();
    const pan = '4111111111111111';
    journal.record({
      ...entry(`card ${pan}`),
      notes: [`the card ${pan} is not in the card book`, 'card visa-blocked is blocked'],
      violations: [{ path: '', rule: 'version', message: `/v1/${pan}` }],
    });
    const [e] = journal.entries();
    expect(JSON.stringify(e)).not.toContain(pan);
    expect(e!.notes).toEqual([
      'the card 411111******1111 is not in the card book',
      'card visa-blocked is blocked',
    ]);
  });

  it('keeps about its limit, dropping the oldest in batches and counting them', () => {
    const journal = new Journal(10);
    for (let i = 1; i <= 11; i++) journal.record(entry(String(i)));
    expect(journal.entries()).toHaveLength(11); // within the 10% slack
    journal.record(entry('12'));
    expect(details(journal)).toEqual(numbered(3, 12));
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

  it('keeps at most its bytes of message text, down to 90% when over, and always the newest', () => {
    const journal = new Journal(1000, 100);
    for (let i = 1; i <= 10; i++) journal.record(entry(String(i)), 10);
    expect(journal.bytes).toBe(100); // at the bound, not over it
    expect(journal.dropped).toBe(0);
    journal.record(entry('11'), 10);
    // 110 > 100: the oldest go until 90 remain.
    expect(details(journal)).toEqual(numbered(3, 11));
    expect([journal.bytes, journal.dropped, journal.size, journal.last]).toEqual([90, 2, 9, 11]);
    // One exchange heavier than the whole bound: everything older goes, it stays.
    journal.recordLater(entry, 'huge', 500);
    expect(journal.entries().map((e) => [e.seq, e.event?.detail])).toEqual([[12, 'huge']]);
    expect([journal.bytes, journal.dropped]).toEqual([500, 11]);
    journal.record(entry('13'), 1);
    expect(details(journal)).toEqual(['13']);
    expect(journal.bytes).toBe(1);
    journal.clear();
    expect([journal.bytes, journal.size, journal.last, journal.dropped]).toEqual([0, 0, 0, 0]);
  });

  it('counts and bytes bound together: the count trims first, the bytes of what is left after', () => {
    const journal = new Journal(4, 30);
    for (let i = 1; i <= 5; i++) journal.record(entry(String(i)), 5); // the limit plus its slack of one
    expect(journal.size).toBe(5);
    journal.record(entry('6'), 5); // past the slack: back to 4 by count (20 bytes)
    expect(details(journal)).toEqual(['3', '4', '5', '6']);
    expect(journal.bytes).toBe(20);
    journal.record(entry('7'), 15); // 35 > 30: down to at most 27
    expect(details(journal)).toEqual(['5', '6', '7']);
    expect([journal.bytes, journal.dropped]).toEqual([25, 4]);
  });

  it('reads a page: `since` and `limit` build only the exchanges returned', () => {
    const journal = new Journal();
    const built: string[] = [];
    const build = (detail: string) => {
      built.push(detail);
      return entry(detail);
    };
    for (let i = 1; i <= 6; i++) journal.recordLater(build, String(i));
    expect(journal.page(2, 2).exchanges.map((e) => e.seq)).toEqual([3, 4]);
    expect(built).toEqual(['3', '4']);
    expect(journal.page(5, 10).exchanges.map((e) => e.seq)).toEqual([6]);
    expect(journal.entries(6)).toEqual([]);
    expect(journal.page(0, 0).exchanges).toEqual([]);
    expect(built).toEqual(['3', '4', '6']);
    expect(journal.last).toBe(6);
  });
});

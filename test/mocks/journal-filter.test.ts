import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../src/mocks/exchange.js';
import { Journal } from '../../src/mocks/journal.js';
import { type JournalFilter, journalFilter } from '../../src/mocks/journal-filter.js';

const base = {
  transport: 'iso8583',
  host: 'harbor-bank@2019.4',
  connection: 1,
  at: '2026-03-14T10:20:30.000Z',
} as const;

/** An ISO exchange: request MTI, terminal, STAN; the answer's code unless none was sent. */
function iso(
  seq: number,
  mti: string,
  terminal: string,
  stan: string,
  code: string | undefined,
  extra: Partial<Exchange> = {},
): Exchange {
  const word = mti === '0400' ? 'reversal' : 'sale';
  return {
    ...base,
    seq,
    request: {
      summary: `${mti} ${word} 10.00 STAN ${stan}`,
      size: 100,
      iso: { mti, fields: { 11: stan, 41: terminal } },
    },
    ...(code !== undefined && {
      response: {
        summary: `${mti.slice(0, 2)}10 10.00 STAN ${stan} code ${code}`,
        size: 90,
        iso: { mti: `${mti.slice(0, 2)}10`, fields: { 11: stan, 39: code, 41: terminal } },
      },
      durationMs: 3, // sent
    }),
    violations: [],
    faults: [],
    ...extra,
  };
}

const http = (seq: number, operation: string, status: number): Exchange => ({
  ...base,
  transport: 'http',
  seq,
  request: {
    summary: `POST /v1/payment_intents ${operation}`,
    size: 300,
    http: { method: 'POST', operation, headers: {} },
  },
  response: { summary: `${status} pi_00001abc`, size: 200, http: { status, headers: {} } },
  durationMs: 4,
  violations: [],
  faults: [],
});

const journal: Exchange[] = [
  { ...base, seq: 1, event: { kind: 'connected', detail: '127.0.0.1:5000' }, violations: [], faults: [] },
  iso(2, '0200', 'HB000001', '000001', '00'),
  iso(3, '0200', 'HB000002', '000001', '51'),
  iso(4, '0200', 'HB000001', '000002', undefined, {
    faults: ['no-response'],
    event: { kind: 'fault', detail: 'response dropped' },
  }),
  iso(5, '0400', 'HB000001', '000002', '00'),
  iso(6, '0200', 'HB000001', '000003', '30', {
    violations: [{ path: '22', rule: 'field-format', message: 'DE22 must match ^[0-9A-Z]{12}$' }],
  }),
  http(7, 'createPaymentIntent', 200),
  http(8, 'capturePaymentIntent', 402),
];

const seqs = (filter: JournalFilter) => journal.filter(journalFilter(filter)).map((e) => e.seq);

describe('journalFilter', () => {
  it('lets everything through when empty', () => {
    expect(seqs({})).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('matches each criterion on the decoded exchange', () => {
    expect(seqs({ mti: ['0400'] })).toEqual([5]);
    expect(seqs({ mti: ['0200', '0400'] })).toEqual([2, 3, 4, 5, 6]);
    expect(seqs({ operation: ['capturePaymentIntent'] })).toEqual([8]);
    expect(seqs({ terminal: 'HB000002' })).toEqual([3]);
    // A short terminal id arrives padded to ans8.
    expect(journalFilter({ terminal: 'HB01' })(iso(9, '0800', 'HB01    ', '000009', '00'))).toBe(true);
    expect(seqs({ stan: '2' })).toEqual([4, 5]); // zeros in front optional
    expect(seqs({ stan: '000002' })).toEqual([4, 5]);
    expect(seqs({ code: ['00'] })).toEqual([2, 5]);
    // No answer left: none was sent (seq 4), or one a fault kept (the journal shows the 00 built, no duration).
    expect(seqs({ code: ['none'] })).toEqual([4]);
    const kept = { ...iso(9, '0200', 'HB000001', '000004', '00'), durationMs: undefined };
    expect(journalFilter({ code: ['none'] })(kept)).toBe(true);
    expect(journalFilter({ code: ['00'] })(kept)).toBe(false);
    expect(seqs({ code: ['51', '402'] })).toEqual([3, 8]); // ISO codes and HTTP statuses alike
    expect(seqs({ violations: true })).toEqual([6]);
    expect(seqs({ violations: false })).not.toContain(6);
    expect(seqs({ event: ['fault', 'connected'] })).toEqual([1, 4]);
    expect(seqs({ fault: ['no-response'] })).toEqual([4]);
    expect(seqs({ fault: ['latency'] })).toEqual([]);
    expect(seqs({ text: 'REVERSAL' })).toEqual([5]);
    expect(seqs({ text: 'code 30' })).toEqual([6]); // the response's summary too
    expect(seqs({ text: 'pi_00001' })).toEqual([7, 8]);
  });

  it('needs every criterion given to hold', () => {
    expect(seqs({ mti: ['0200'], terminal: 'HB000001' })).toEqual([2, 4, 6]);
    expect(seqs({ mti: ['0200'], terminal: 'HB000001', code: ['00'] })).toEqual([2]);
    expect(seqs({ terminal: 'HB000002', code: ['00'] })).toEqual([]);
  });
});

describe('Journal.page with a filter', () => {
  const filled = () => {
    const j = new Journal();
    for (const e of journal) {
      const { seq: _seq, ...entry } = e;
      j.record(entry);
    }
    return j;
  };

  it('pages through the matches; `last` is the last exchange looked at, so an empty page moves on', () => {
    const j = filled();
    const match = journalFilter({ terminal: 'HB000001' });
    const first = j.page(0, 2, match);
    expect(first.exchanges.map((e) => e.seq)).toEqual([2, 4]);
    expect([first.last, first.more]).toEqual([4, true]);
    const second = j.page(first.last, 2, match);
    expect(second.exchanges.map((e) => e.seq)).toEqual([5, 6]);
    expect([second.last, second.more]).toEqual([6, true]);
    const third = j.page(second.last, 2, match);
    expect(third.exchanges).toEqual([]);
    expect([third.last, third.more]).toEqual([8, false]); // looked at 7 and 8: none matched
    expect(j.page(8, 2, match)).toEqual({ exchanges: [], last: 8, more: false });
  });

  it('maxLook stops a page after looking at that many exchanges, to scan a long journal in slices', () => {
    const j = filled();
    const match = journalFilter({ terminal: 'HB000001' });
    const slice = j.page(0, 10, match, 3); // looks at 1, 2, 3: one match
    expect(slice.exchanges.map((e) => e.seq)).toEqual([2]);
    expect([slice.last, slice.more]).toEqual([3, true]);
    const rest = j.page(slice.last, 10, match, 3); // 4, 5, 6
    expect(rest.exchanges.map((e) => e.seq)).toEqual([4, 5, 6]);
    expect([rest.last, rest.more]).toEqual([6, true]);
    expect(j.page(rest.last, 10, match, 3)).toMatchObject({ exchanges: [], last: 8, more: false });
  });

  it('without a filter, a page is the next `limit` exchanges', () => {
    const j = filled();
    const page = j.page(3, 2);
    expect(page.exchanges.map((e) => e.seq)).toEqual([4, 5]);
    expect([page.last, page.more]).toEqual([5, true]);
    expect(j.page(6, 2)).toMatchObject({ last: 8, more: false });
  });
});

import { describe, expect, it } from 'vitest';
import { matchContains } from '../../../src/suites/matchers/contains.js';
import { checkAbsent, checkCount } from '../../../src/suites/matchers/counts.js';
import { matchSequence } from '../../../src/suites/matchers/sequence.js';
import { context, ex, observe, reversal87, sale87 } from '../support/messages.js';
import { hosts } from '../support/world.js';

const v = hosts.get('harbor-bank@2019.4');
const s1 = sale87('000001', '000000002500');
const s2 = sale87('000002', '000000001000');
const signOn = { mti: '0800', fields: { 7: '0314102030', 11: '000003', 70: '001' } };
const sale = (m: typeof s1, seq: number, amount: string) =>
  ex(seq, m.request, { response: m.response, summary: `0200 sale ${amount} STAN ${m.request.fields['11']}` });

describe('ordered sequences', () => {
  const reversed = () =>
    observe(v, [
      ex(1, signOn),
      sale(s1, 2, '25.00'),
      ex(3, reversal87('000004', s1.request), { summary: '0400 reversal 25.00 STAN 000004' }),
      sale(s2, 4, '10.00'),
    ]);
  const expectation = [
    { kind: 'sale' as const, as: 'first' },
    { kind: 'reversal' as const, original: 'first', note: 'reverse before the next sale' },
    { kind: 'sale' as const, fields: { amount: { equals: 1000 } } },
  ];

  it('matches in order with gaps allowed, and returns the captures', () => {
    const r = matchSequence(expectation, reversed(), context(v));
    expect(r.ok).toBe(true);
    expect(r.captures.get('first')?.exchange.seq).toBe(2);
  });

  it('exact: every message counts, network management skipped unless named', () => {
    expect(matchSequence(expectation, reversed(), context(v), { exact: true }).ok).toBe(true);
    const named = matchSequence([{ kind: 'sale' }], reversed(), context(v), { exact: true, ignore: [] });
    expect(named.ok).toBe(false);
    expect(named.finding?.message).toBe('expected message 1 to be sale, got 0800 STAN 000003 (exchange 1)');
  });

  it('exact: a message out of place is named with what was expected there', () => {
    // The reversal comes after the next sale: too late.
    const late = observe(v, [
      sale(s1, 1, '25.00'),
      sale(s2, 2, '10.00'),
      ex(3, reversal87('000004', s1.request), { summary: '0400 reversal 25.00 STAN 000004' }),
    ]);
    const r = matchSequence(expectation, late, context(v), { exact: true });
    expect(r.ok).toBe(false);
    expect(r.finding).toMatchObject({
      message:
        'expected message 2 to be reversal of first (0200 sale 25.00 STAN 000001), got 0200 sale 10.00 STAN 000002 (exchange 2) — reverse before the next sale',
      exchange: 2,
      actual:
        'host received: 0200 sale 25.00 STAN 000001, 0200 sale 10.00 STAN 000002, 0400 reversal 25.00 STAN 000004',
    });
    const extra = matchSequence(expectation.slice(0, 1), reversed(), context(v), { exact: true });
    expect(extra.finding?.message).toMatch(
      /^expected nothing more after 0200 sale 25.00 STAN 000001 \(exchange 2\), got 0400/,
    );
  });

  it('says "none sent" when nothing of the kind came', () => {
    const r = matchSequence(
      expectation,
      observe(v, [sale(s1, 1, '25.00'), sale(s2, 2, '10.00')]),
      context(v),
    );
    expect(r.finding?.message).toBe(
      'expected reversal of first (0200 sale 25.00 STAN 000001) after 0200 sale 25.00 STAN 000001 (exchange 1), none sent — reverse before the next sale',
    );
  });

  it('backtracks over captures: the reversed sale is the second one', () => {
    const msgs = observe(v, [
      sale(s1, 1, '25.00'),
      sale(s2, 2, '10.00'),
      ex(3, reversal87('000004', s2.request)),
    ]);
    const r = matchSequence(
      [
        { kind: 'sale', as: 'x' },
        { kind: 'reversal', original: 'x' },
      ],
      msgs,
      context(v),
    );
    expect(r.ok).toBe(true);
    expect(r.captures.get('x')?.exchange.seq).toBe(2);
  });

  it('names the closest candidate and what it got wrong', () => {
    const other = sale87('000777').request;
    const msgs = observe(v, [
      sale(s1, 1, '25.00'),
      ex(2, reversal87('000004', other), { summary: '0400 reversal STAN 000004' }),
    ]);
    const r = matchSequence(expectation.slice(0, 2), msgs, context(v));
    expect(r.finding?.message).toBe(
      'expected reversal of first (0200 sale 25.00 STAN 000001) after 0200 sale 25.00 STAN 000001 (exchange 1); ' +
        'the closest, 0400 reversal STAN 000004 (exchange 2), has DE90.2 expected DE11 of first ("000001"), got "000777" — reverse before the next sale',
    );
  });
});

describe('unordered sets, counts and absence', () => {
  const msgs = () =>
    observe(v, [
      sale(s2, 1, '10.00'),
      sale(s1, 2, '25.00'),
      ex(3, reversal87('000004', s1.request), { summary: '0400 reversal STAN 000004' }),
    ]);

  it('contains: each item takes a different message, in any order, captures flowing down', () => {
    const ok = matchContains(
      [
        { kind: 'reversal', as: 'rev' },
        { kind: 'sale', fields: { stan: { echo: 'rev.original.11' } } },
        { kind: 'sale' },
      ],
      msgs(),
      context(v),
    );
    expect(ok.ok).toBe(true);
    const twice = matchContains([{ kind: 'reversal' }, { kind: 'reversal' }], msgs(), context(v));
    expect(twice.finding?.message).toBe('expected reversal, none sent');
    const wrong = matchContains(
      [{ kind: 'reversal', fields: { amount: { equals: 99 } } }],
      msgs(),
      context(v),
    );
    expect(wrong.finding?.message).toMatch(
      /^expected reversal \(amount = 99\); the closest, 0400 reversal STAN 000004 \(exchange 3\), has amount \(DE4\) expected 99/,
    );
  });

  it('counts: exact numbers and ranges; absent: none at all', () => {
    const ctx = context(v);
    expect(checkCount({ kind: 'sale', count: 2 }, msgs(), ctx)).toBeUndefined();
    expect(checkCount({ kind: 'sale', count: { min: 1, max: 2 } }, msgs(), ctx)).toBeUndefined();
    expect(checkCount({ kind: 'sale', count: 1, note: 'no retransmission' }, msgs(), ctx)?.message).toBe(
      'expected 1 × sale, got 2: 0200 sale 10.00 STAN 000002 (exchange 1), 0200 sale 25.00 STAN 000001 (exchange 2) — no retransmission',
    );
    expect(checkCount({ kind: 'void', count: { min: 1 } }, msgs(), ctx)?.message).toBe(
      'expected at least 1 × void, got 0',
    );
    expect(checkAbsent({ kind: 'void' }, msgs(), ctx)).toBeUndefined();
    expect(checkAbsent({ kind: 'reversal' }, msgs(), ctx)).toMatchObject({
      message: 'expected no reversal, got 0400 reversal STAN 000004 (exchange 3)',
      exchange: 3,
    });
  });
});

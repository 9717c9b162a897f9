import { describe, expect, it } from 'vitest';
import { stanUnique } from '../../../src/suites/invariants/stan-unique.js';
import { ex, observe, reversal87, sale87 } from '../support/messages.js';
import { hosts } from '../support/world.js';

const options = { expectedViolations: [] };
const check = (ref: string, exchanges: ReturnType<typeof ex>[]) => {
  const version = hosts.get(ref);
  return stanUnique.check(
    { hostRef: ref, version, messages: observe(version, exchanges), steps: [] },
    options,
  );
};

describe('STAN uniqueness per terminal per day', () => {
  it('flags a STAN used twice by the same terminal on the same day', () => {
    const found = check('harbor-bank@2019.4', [
      ex(1, sale87('000001').request),
      ex(2, sale87('000001').request),
    ]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      message:
        'terminal HB000001 used STAN 000001 twice on 2026-03-14: 0200 STAN 000001 (exchange 1) and 0200 STAN 000001 (exchange 2)',
      exchange: 2,
    });
  });

  it('lets the same STAN pass for other terminals and other days', () => {
    const other = sale87('000001').request;
    other.fields['41'] = 'HB000002';
    expect(check('harbor-bank@2019.4', [ex(1, sale87('000001').request), ex(2, other)])).toEqual([]);
    expect(
      check('harbor-bank@2019.4', [
        ex(1, sale87('000001').request, { at: '2026-03-14T23:59:59.000Z' }),
        ex(2, sale87('000001').request, { at: '2026-03-15T00:00:01.000Z' }),
      ]),
    ).toEqual([]);
  });

  it('a repeat MTI repeats its message’s STAN (0401 after 0400), but a new 0400 may not reuse a sale’s', () => {
    const { request } = sale87('000001');
    const rev = reversal87('000002', request);
    expect(check('harbor-bank@2019.4', [ex(1, request), ex(2, rev), ex(3, { ...rev, mti: '0401' })])).toEqual(
      [],
    );
    expect(check('harbor-bank@2019.4', [ex(1, request), ex(2, reversal87('000001', request))])).toHaveLength(
      1,
    );
  });

  it('a CUP reversal identifies its original by the original’s STAN, so it may carry it', () => {
    const sale = {
      mti: '0200',
      fields: { 3: '000000', 11: '000005', 41: 'LT000001', 60: { 1: '22', 2: '000001' } },
    };
    const rev = {
      mti: '0400',
      fields: { 3: '000000', 11: '000005', 39: '98', 41: 'LT000001', 60: { 1: '22', 2: '000001' } },
    };
    expect(check('lotus-acquirer@2024.1', [ex(1, sale), ex(2, rev)])).toEqual([]);
    expect(check('lotus-acquirer@2024.1', [ex(1, sale), ex(2, sale)])).toHaveLength(1);
  });

  it('ignores requests a fault lost before the host saw them', () => {
    const lost = { event: { kind: 'lost' as const, detail: 'request lost before the host saw it' } };
    expect(
      check('harbor-bank@2019.4', [ex(1, sale87('000001').request, lost), ex(2, sale87('000001').request)]),
    ).toEqual([]);
  });
});

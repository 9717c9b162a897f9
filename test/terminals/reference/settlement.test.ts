// Settlement: the terminal's own batch totals against the host's; in balance the batch closes, out
// of balance the terminal uploads its batch as each host version documents (harbor 1987: 0320s then
// a 0500 with processing code 96; lotus: 0320 records, a 0320 with 60.3 202, a second 0500) or,
// where the host expects no upload (harbor 2025.1), reports the difference.

import { describe, expect, it } from 'vitest';
import { build, host, play, seen, UNIONPAY, VISA, violations } from './world.js';

describe('settlement', () => {
  it('harbor 2019.4 in balance: 0500 with the totals, the batch closes and the next one starts empty', async () => {
    const h = await host('harbor-bank@2019.4');
    const { terminal: t } = await play(build('test-harbor-87'), h);
    await t.run({ type: 'sale', amount: 2500, card: VISA() });
    const declined = await t.run({ type: 'sale', amount: 1051, card: VISA() });
    expect([declined.status, declined.responseCode]).toEqual(['declined', '51']);
    await t.run({ type: 'refund', amount: 700, card: VISA() });
    const first = await t.run({ type: 'settlement' });
    expect([first.status, first.responseCode]).toEqual(['approved', '00']);
    expect(first.detail).toBe('in balance: debits 1 (2500), credits 1 (700); batch closed');
    const second = await t.run({ type: 'settlement' });
    expect(second.detail).toBe('in balance: debits 0 (0), credits 0 (0); batch closed');
    expect(violations(h)).toEqual([]);
  });

  it('harbor 2019.4 out of balance (95): a 0320 per transaction, then the closing 0500 (96)', async () => {
    const h = await host('harbor-bank@2019.4');
    const { terminal: t } = await play(build('test-harbor-87'), h);
    // Another terminal with the same id books a sale this one knows nothing about.
    const { terminal: other } = await play(build('test-harbor-87', { stan: { initial: 500 } }), h);
    await t.run({ type: 'sale', amount: 2500, card: VISA() });
    await t.run({ type: 'sale', amount: 1500, card: VISA() });
    await other.run({ type: 'sale', amount: 999, card: VISA() });
    const o = await t.run({ type: 'settlement' });
    expect([o.status, o.responseCode]).toEqual(['approved', '00']);
    expect(o.detail).toBe('out of balance (95): 2 records uploaded, batch closed');
    expect(seen(h).slice(3)).toEqual([
      '0500 settlement',
      '0320 batch-upload',
      '0320 batch-upload',
      '0500 settlement',
    ]);
    expect(o.messages.map((m) => m.message.summary)).toContainEqual(
      expect.stringMatching(/^0510 STAN \d{6} code 95$/),
    );
    // The other terminal's sale was in no upload record: the host leaves it out of the batch.
    expect(violations(h)).toEqual(['0500: batch-upload batch-upload']);
    expect(h.ledger.list().map((e) => [e.amountMinor, e.settled])).toEqual([
      [2500, true],
      [1500, true],
      [999, false],
    ]);
  });

  it('lotus 2021.2 out of balance (DE48 result 2): 0320 records, 0320 202, 0500 again; then the next batch', async () => {
    const h = await host('lotus-acquirer@2021.2');
    const { terminal: t } = await play(build('test-lotus'), h);
    const { terminal: other } = await play(build('test-lotus', { stan: { initial: 500 } }), h);
    await t.run({ type: 'sale', amount: 2500, card: UNIONPAY() });
    await other.run({ type: 'sale', amount: 999, card: UNIONPAY() });
    const o = await t.run({ type: 'settlement' });
    expect(o.status).toBe('approved');
    expect(o.detail).toBe('out of balance (00): 1 records uploaded, batch closed');
    expect(seen(h)).toEqual([
      '0800 sign-on',
      '0200 sale',
      '0800 sign-on',
      '0200 sale',
      '0500 settlement',
      '0320 batch-upload',
      '0320 batch-upload',
      '0500 settlement',
    ]);
    expect(violations(h)).toEqual(['0500: batch-upload batch-upload']);
    // Terminal and centre both moved to batch 000002: the next settlement is no batch mismatch (77).
    await t.run({ type: 'sale', amount: 300, card: UNIONPAY() });
    const next = await t.run({ type: 'settlement' });
    expect([next.status, next.responseCode, next.detail]).toEqual([
      'approved',
      '00',
      'in balance: debits 1 (300), credits 0 (0); batch closed',
    ]);
  });

  it('harbor 2025.1 out of balance: 501 is reported, no upload (the host expects none)', async () => {
    const h = await host('harbor-bank@2025.1');
    const { terminal: t } = await play(build('test-harbor-93'), h);
    const { terminal: other } = await play(build('test-harbor-93', { stan: { initial: 500 } }), h);
    await t.run({ type: 'sale', amount: 2500, card: VISA() });
    await other.run({ type: 'sale', amount: 999, card: VISA() });
    const o = await t.run({ type: 'settlement' });
    expect([o.status, o.responseCode]).toEqual(['declined', '501']);
    expect(o.detail).toBe('out of balance (501): debits 1 (2500), credits 0 (0)');
    expect(seen(h).at(-1)).toBe('1500 settlement');
  });
});

// The ledger keeps state only for terminals the host changed something for (sign-on, sign-off,
// batch, settlement): a load test whose terminal ids never repeat must not grow it per request.
import { describe, expect, it } from 'vitest';
import { code, de60, host, session, signOn, UNIONPAY, VISA } from './world.js';

const n = (value: number, width: number) => String(value).padStart(width, '0');

describe('terminal state in the ledger', () => {
  it('sales from 40 terminals that never signed on leave no terminal state, only ledger entries', async () => {
    const h = await host('harbor-bank@2019.4');
    for (let i = 0; i < 40; i++) {
      const { t, c } = await session(h, `HB${n(i, 6)}`);
      const sale = t.build('0200', { 3: '000000', 4: '000000001000' }, { read: { card: VISA } });
      expect(code(await t.exchange(c, sale))).toBe('00');
      // A sign-off of a terminal that never signed on changes nothing either.
      expect(code(await t.exchange(c, t.build('0800', { 70: '002' })))).toBe('00');
    }
    expect(h.ledger.list()).toHaveLength(40);
    expect(h.ledger.terminalCount).toBe(0);
  });

  it('a sign-on keeps the terminal state, and a later sale of that terminal reads it', async () => {
    const h = await host('lotus-acquirer@2021.2');
    const { t, c } = await session(h);
    const sale = () =>
      t.build(
        '0200',
        { 3: '000000', 4: '000000001000', 25: '00', 60: de60(t, '22') },
        { read: { card: UNIONPAY } },
      );
    // Not signed on: refused (A0), and the refusal keeps nothing.
    expect(code(await t.exchange(c, sale()))).toBe('A0');
    expect(h.ledger.terminalCount).toBe(0);
    await signOn(t, c);
    expect(h.ledger.terminalCount).toBe(1);
    expect(code(await t.exchange(c, sale()))).toBe('00');
    expect(h.ledger.terminalCount).toBe(1);
  });
});

// Primary and backup host instances sharing one ledger, as the two front ends of one bank share a
// back end: when the primary goes down the terminal moves to the backup, and a reversal sent there
// finds the sale the primary approved.

import { describe, expect, it } from 'vitest';
import { Ledger } from '../../../src/mocks/iso-host/ledger.js';
import type { IsoHost } from '../../../src/mocks/iso-host/start-iso-host.js';
import { IsoConnection, type TestTerminal } from '../../support/iso-terminal.js';
import { code, de60, de90, exchanges, host, signOn, terminal, UNIONPAY, VISA } from './world.js';

async function pair(ref: string) {
  const ledger = new Ledger();
  const primary = await host(ref, { ledger, label: 'primary' });
  const backup = await host(ref, { ledger, label: 'backup' });
  return { ledger, primary, backup };
}

/** The terminal's dual-host logic: the primary first, the backup when the primary refuses. */
async function connectWithFailover(
  t: TestTerminal,
  hosts: IsoHost[],
): Promise<{ c: IsoConnection; via: IsoHost }> {
  let last: unknown;
  for (const via of hosts) {
    try {
      return { c: await IsoConnection.open(via.address.port, t.framing, t.dialect), via };
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

describe('failover', () => {
  it('harbor 2019.4: primary down, the backup reverses the sale the primary approved (DE90)', async () => {
    const { ledger, primary, backup } = await pair('harbor-bank@2019.4');
    const t = terminal(primary);
    const first = await connectWithFailover(t, [primary, backup]);
    expect(first.via).toBe(primary);
    const sale = t.build('0200', { 3: '000000', 4: '000000002500' }, { read: { card: VISA } });
    expect(code(await t.exchange(first.c, sale))).toBe('00');
    first.c.close();

    primary.faults.add({ fault: 'host-down', id: 'primary-outage' });
    const second = await connectWithFailover(t, [primary, backup]);
    expect(second.via).toBe(backup);
    const reversal = t.build(
      '0400',
      { 3: '000000', 4: '000000002500', 90: de90(sale) },
      { read: { card: VISA } },
    );
    const r = await t.exchange(second.c, reversal);
    second.c.close();
    expect([r.mti, code(r)]).toEqual(['0410', '00']);
    const [booked] = ledger.list();
    expect(booked).toMatchObject({ kind: 'sale', approved: true });
    expect(booked!.cancelledBy).toBeDefined();
    expect(exchanges(primary).map((e) => e.host)).toEqual(['harbor-bank@2019.4 (primary)']);
    expect(exchanges(backup).map((e) => [e.host, e.request?.summary.split(' ')[1]])).toEqual([
      ['harbor-bank@2019.4 (backup)', 'reversal'],
    ]);
    // A reversal of a sale neither instance saw is still unknown to both.
    const stray = { ...sale, fields: { ...sale.fields, 11: '555555' } };
    const third = await connectWithFailover(t, [primary, backup]);
    expect(
      code(
        await t.exchange(
          third.c,
          t.build('0400', { 3: '000000', 4: '000000002500', 90: de90(stray) }, { read: { card: VISA } }),
        ),
      ),
    ).toBe('25');
    third.c.close();
  });

  it('lotus 2021.2: a sign-on at the primary holds at the backup; the signed 0400 finds the sale by DE11 + DE60.2', async () => {
    const { primary, backup } = await pair('lotus-acquirer@2021.2');
    const t = terminal(primary);
    const first = await connectWithFailover(t, [primary, backup]);
    await signOn(t, first.c);
    const sale = t.build(
      '0200',
      { 3: '000000', 4: '000000002500', 25: '00', 60: de60(t, '22') },
      { read: { card: UNIONPAY } },
    );
    // The primary approves but the answer never arrives, then the primary goes away.
    primary.faults.add({ fault: 'no-response', id: 'lost', scope: { firstN: 1 } });
    first.c.write(t.frame(sale));
    await expect(first.c.next(200)).rejects.toMatchObject({ reason: 'timeout' });
    first.c.close();
    primary.faults.add({ fault: 'host-down', id: 'down' });

    const second = await connectWithFailover(t, [primary, backup]);
    expect(second.via).toBe(backup);
    const reversal = t.build(
      '0400',
      {
        3: '000000',
        4: '000000002500',
        11: String(sale.fields['11']),
        25: '00',
        39: '98',
        60: de60(t, '22'),
      },
      { read: { card: UNIONPAY } },
    );
    second.c.write(t.frame(reversal));
    const answer = await second.c.next();
    second.c.close();
    expect([answer.message!.mti, code(answer.message!)]).toEqual(['0410', '00']);
    expect(t.verifyMac(answer)).toBe(true);
    expect(primary.ledger.list()[0]!.cancelledBy).toBeDefined();

    // The primary comes back and serves the next sale.
    primary.faults.remove('down');
    let back: IsoConnection | undefined;
    for (let i = 0; !back && i < 50; i++) {
      back = await IsoConnection.open(primary.address.port, t.framing, t.dialect).catch(async () => {
        await new Promise((r) => setTimeout(r, 10));
        return undefined;
      });
    }
    const next = t.build(
      '0200',
      { 3: '000000', 4: '000000001000', 25: '00', 60: de60(t, '22') },
      { read: { card: UNIONPAY } },
    );
    expect(code(await t.exchange(back!, next))).toBe('00');
    back!.close();
  });
});

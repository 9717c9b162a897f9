// Store-and-forward and failover: offline approvals and advices queued while no host answers and
// forwarded, in order, before the next online transaction or at settlement, with a retry limit;
// primary -> backup after N failed connects, the backup sharing the primary's ledger.

import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { IsoHost } from '../../../src/mocks/iso-host/start-iso-host.js';
import { build, host, hostPair, play, seen, VISA, violations } from './world.js';

/** Resolves once the host accepts connections again (host-down refuse re-listens asynchronously). */
async function listening(h: IsoHost): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(h.address.port, h.address.host);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('host did not come back');
}

describe('store-and-forward', () => {
  it('host down: a small sale is approved offline and its 0220 advice drains before the next sale', async () => {
    const h = await host('harbor-bank@2019.4', { faults: [{ fault: 'host-down', id: 'outage' }] });
    const { terminal: t, kinds } = await play(build('test-harbor-87'), h);
    const offline = await t.run({ type: 'sale', amount: 2000, card: VISA() });
    expect([offline.status, offline.responseCode]).toEqual(['approved', 'Y1']);
    expect(offline.detail).toBe('approved offline (host unreachable, up to 5000): advice queued');
    expect(offline.reference).toMatchObject({ stan: '000001', authCode: 'Y10001' });
    expect(kinds()).toEqual(['connect-failed', 'saf-queued']);
    // Above the floor limit nothing can be done without the host.
    const big = await t.run({ type: 'sale', amount: 9000, card: VISA() });
    expect(big.status).toBe('timed-out');
    expect(big.detail).toMatch(/^host unreachable: primary 127\.0\.0\.1:[0-9]+ ECONNREFUSED$/);

    h.faults.remove('outage');
    await listening(h);
    const next = await t.run({ type: 'sale', amount: 1000, card: VISA() });
    expect(next.status).toBe('approved');
    expect(next.messages.map((m) => m.message.summary.split(' ').slice(0, 2).join(' '))).toEqual([
      '0220 advice',
      '0230 20.00',
      '0200 sale',
      '0210 10.00',
    ]);
    expect(kinds()).toContain('saf-uploaded');
    expect(seen(h)).toEqual(['0220 advice', '0200 sale']);
    expect(violations(h)).toEqual([]);
    // The offline sale counts in the batch like any other: the settlement balances.
    const settled = await t.run({ type: 'settlement' });
    expect(settled.detail).toContain('in balance: debits 2 (3000)');
  });

  it('a completion (an advice) waits while the host is down and is forwarded at settlement', async () => {
    const h = await host('harbor-bank@2019.4');
    const { terminal: t } = await play(build('test-harbor-87'), h);
    const pre = await t.run({ type: 'pre-auth', amount: 5000, card: VISA() });
    h.faults.add({ fault: 'host-down', id: 'outage' });
    const completion = await t.run({ type: 'completion', amount: 4500, original: pre.reference! });
    expect(completion.status).toBe('approved');
    expect(completion.detail).toBe('host unreachable: completion stored for forwarding');
    h.faults.remove('outage');
    await listening(h);
    const settled = await t.run({ type: 'settlement' });
    expect(settled.status).toBe('approved');
    expect(settled.detail).toContain('in balance: debits 1 (4500)');
    expect(seen(h)).toEqual(['0100 pre-auth', '0220 completion', '0500 settlement']);
    expect(violations(h)).toEqual([]);
  });

  it('an advice without an answer waits for the next occasion, and is dropped after saf.maxAttempts', async () => {
    const h = await host('harbor-bank@2019.4', {
      faults: [{ fault: 'no-response', scope: { mti: ['0220'] } }],
    });
    const { terminal: t, events } = await play(
      build('test-harbor-87', { saf: { maxAttempts: 2, offlineFloorMinor: 5000 } }),
      h,
    );
    const pre = await t.run({ type: 'pre-auth', amount: 3000, card: VISA() });
    const completion = await t.run({ type: 'completion', amount: 3000, original: pre.reference! });
    expect(completion.detail).toBe('completion stored for forwarding: no answer yet');
    await t.run({ type: 'echo' });
    const sale = await t.run({ type: 'sale', amount: 100, card: VISA() });
    expect(sale.status).toBe('approved');
    expect(seen(h)).toEqual([
      '0100 pre-auth',
      '0220 completion',
      '0800 echo',
      '0220 completion',
      '0200 sale',
    ]);
    expect(events.map((e) => e.detail)).toContain('advice STAN 000002 dropped after 2 attempts');
  });
});

describe('failover', () => {
  it('after two failed connects to the primary the terminal moves to the backup', async () => {
    const { primary, backup } = await hostPair('harbor-bank@2019.4');
    primary.faults.add({ fault: 'host-down' });
    const { terminal: t, kinds } = await play(build('test-harbor-87'), primary, { backup });
    const sale = await t.run({ type: 'sale', amount: 2500, card: VISA() });
    expect(sale.status).toBe('approved');
    expect(kinds()).toEqual([
      'connect-failed',
      'connect-failed',
      'failover',
      'connected',
      'sent',
      'received',
    ]);
    expect(seen(backup)).toEqual(['0200 sale']);
    expect(seen(primary)).toEqual([]);
  });

  it('a reversal owed to the primary is delivered to the backup, which finds the sale in the shared ledger', async () => {
    const { primary, backup } = await hostPair('harbor-bank@2025.1');
    primary.faults.add({ fault: 'no-response', scope: { mti: ['1200'], nth: [1] } });
    const { terminal: t } = await play(build('test-harbor-93'), primary, { backup });
    expect((await t.run({ type: 'sale', amount: 2500, card: VISA() })).status).toBe('timed-out');
    primary.faults.add({ fault: 'host-down', id: 'down' });
    const next = await t.run({ type: 'sale', amount: 1000, card: VISA() });
    expect(next.status).toBe('approved');
    expect(seen(backup)).toEqual(['1420 reversal', '1200 sale']);
    expect(violations(backup)).toEqual([]);
    expect(primary.ledger.list()[0]).toMatchObject({ kind: 'sale' });
    expect(primary.ledger.list()[0]!.cancelledBy).toBeDefined();
  });
});

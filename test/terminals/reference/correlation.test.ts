// Response correlation and the STAN: an answer with another STAN or MTI is discarded and the
// terminal keeps waiting until its timeout; a stale copy on a kept-open connection is discarded
// too; STANs increment per message, wrap 999999 -> 000001 and start over after reset(); one
// transaction at a time.

import { describe, expect, it } from 'vitest';
import { build, field, host, play, requests, seen, VISA } from './world.js';

describe('response correlation', () => {
  it('an answer with a wrong STAN is discarded; the sale times out and is reversed', async () => {
    const h = await host('harbor-bank@2019.4', {
      faults: [{ fault: 'wrong-stan', scope: { mti: ['0200'], nth: [1] } }],
    });
    const { terminal: t, events, kinds } = await play(build('test-harbor-87'), h);
    const o = await t.run({ type: 'sale', amount: 2500, card: VISA() });
    expect(o.status).toBe('timed-out');
    expect(kinds()).toEqual(['connected', 'sent', 'discarded', 'timed-out', 'reversal-queued']);
    expect(events.find((e) => e.kind === 'discarded')!.detail).toBe(
      '0210 25.00 STAN 000002 code 00: STAN 000002 is not 000001',
    );
    // The discarded answer is part of what the transaction caused.
    expect(o.messages.map((m) => m.direction)).toEqual(['sent', 'received']);
    await t.run({ type: 'sale', amount: 1000, card: VISA() });
    expect(seen(h)).toEqual(['0200 sale', '0400 reversal', '0200 sale']);
  });

  it('an answer with a wrong MTI is discarded', async () => {
    const h = await host('harbor-bank@2019.4', {
      faults: [{ fault: 'wrong-mti', scope: { mti: ['0200'], nth: [1] } }],
    });
    const { terminal: t, events } = await play(build('test-harbor-87'), h);
    expect((await t.run({ type: 'sale', amount: 2500, card: VISA() })).status).toBe('timed-out');
    expect(events.find((e) => e.kind === 'discarded')!.detail).toMatch(
      /^0200 .*: MTI 0200 does not answer 0200$/,
    );
  });

  it('on a kept-open connection, a duplicate of the last answer is discarded while the next one is awaited', async () => {
    const h = await host('harbor-bank@2019.4', {
      faults: [{ fault: 'duplicate-response', params: { gapMs: 500 }, scope: { mti: ['0200'], nth: [1] } }],
    });
    const { terminal: t, events } = await play(
      build('test-harbor-87', { connection: { keepOpen: true } }),
      h,
    );
    expect((await t.run({ type: 'sale', amount: 2500, card: VISA() })).status).toBe('approved');
    await new Promise((r) => setTimeout(r, 20));
    const second = await t.run({ type: 'sale', amount: 1000, card: VISA() });
    expect(second.status).toBe('approved');
    expect(events.filter((e) => e.kind === 'discarded').map((e) => e.detail)).toEqual([
      '0210 25.00 STAN 000001 code 00: STAN 000001 is not 000002',
    ]);
    expect(events.filter((e) => e.kind === 'connected')).toHaveLength(1);
    expect(new Set(requests(h).map((e) => e.connection)).size).toBe(1);
  });
});

describe('STAN', () => {
  it('increments per message, wraps 999999 -> 000001, and starts over after reset()', async () => {
    const h = await host('harbor-bank@2019.4');
    const { terminal: t } = await play(build('test-harbor-87', { stan: { initial: 999998 } }), h);
    for (const amount of [100, 200, 300]) await t.run({ type: 'sale', amount, card: VISA() });
    await t.run({ type: 'echo' });
    await t.reset();
    await t.run({ type: 'echo' });
    expect(requests(h).map((e) => e.request!.iso!.fields['11'])).toEqual([
      '999998',
      '999999',
      '000001',
      '000002',
      '999998',
    ]);
    expect(field(h, '0200', '11', 2)).toBe('000001');
  });

  it('one transaction at a time: a second run() while one is outstanding rejects', async () => {
    const h = await host('harbor-bank@2019.4', { faults: [{ fault: 'latency', params: { delayMs: 5000 } }] });
    const { terminal: t } = await play(build('test-harbor-87'), h);
    const first = t.run({ type: 'echo' });
    await expect(t.run({ type: 'echo' })).rejects.toThrow('a transaction is outstanding');
    expect((await first).status).toBe('approved');
  });
});

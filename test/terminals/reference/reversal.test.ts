// Reversals: stored before the request leaves, delivered before the next online transaction (or at
// once, by policy), retried with the repeat MTI, abandoned after the retry limit; cancel and the
// transaction deadline leave one behind too. Real sockets, host faults for the lost answers.

import { describe, expect, it } from 'vitest';
import { build, field, host, play, requests, seen, UNIONPAY, VISA, violations } from './world.js';

describe('timeout -> reversal', () => {
  it('harbor 2019.4: the sale without an answer is reversed (0400 with DE90) before the next sale', async () => {
    const h = await host('harbor-bank@2019.4', {
      faults: [{ fault: 'no-response', scope: { mti: ['0200'], nth: [1] } }],
    });
    const { terminal: t, kinds } = await play(build('test-harbor-87'), h);
    const lost = await t.run({ type: 'sale', amount: 2500, card: VISA() });
    expect(lost.status).toBe('timed-out');
    expect(lost.detail).toBe('no answer to sale STAN 000001 in 45 s: reversal queued');
    expect(kinds()).toEqual(['connected', 'sent', 'timed-out', 'reversal-queued']);

    const next = await t.run({ type: 'sale', amount: 1000, card: VISA() });
    expect(next.status).toBe('approved');
    expect(next.messages.map((m) => m.message.summary)).toEqual([
      '0400 reversal 25.00 STAN 000002',
      '0410 25.00 STAN 000002 code 00',
      '0200 sale 10.00 STAN 000003',
      '0210 10.00 STAN 000003 code 00',
    ]);
    expect(kinds()).toContain('reversal-sent');
    expect(seen(h)).toEqual(['0200 sale', '0400 reversal', '0200 sale']);
    expect(field(h, '0400', '90')).toMatchObject({ 1: '0200', 2: '000001', 3: field(h, '0200', '7') });
    expect(violations(h)).toEqual([]);
    // The host had approved the lost sale; the reversal cancelled it.
    expect(h.ledger.list().map((e) => [e.kind, e.cancelledBy !== undefined])).toEqual([
      ['sale', true],
      ['reversal', false],
      ['sale', false],
    ]);
  });

  it('a connection closed after the request also leaves a reversal', async () => {
    const h = await host('harbor-bank@2019.4', {
      faults: [{ fault: 'close-after-request', scope: { mti: ['0200'], nth: [1] } }],
    });
    const { terminal: t } = await play(build('test-harbor-87'), h);
    const lost = await t.run({ type: 'sale', amount: 2500, card: VISA() });
    expect(lost.status).toBe('timed-out');
    expect(lost.detail).toContain('reversal queued');
    expect((await t.run({ type: 'echo' })).status).toBe('approved');
    // An echo is not a financial transaction: the reversal waits for the next one.
    expect(seen(h)).toEqual(['0200 sale', '0800 echo']);
    await t.run({ type: 'refund', amount: 100, card: VISA() });
    expect(seen(h)).toEqual(['0200 sale', '0800 echo', '0400 reversal', '0200 refund']);
  });

  it.each([
    ['harbor-bank@2019.4', 'test-harbor-87', '0200', '0400', '0401'],
    ['harbor-bank@2025.1', 'test-harbor-93', '1200', '1420', '1421'],
  ])(
    '%s: a reversal without an answer is repeated with the repeat MTI and the same STAN',
    async (ref, id, sale, first, repeat) => {
      const h = await host(ref, {
        faults: [
          { fault: 'no-response', scope: { mti: [sale], nth: [1] } },
          { fault: 'no-response', scope: { mti: [first], nth: [1] } },
        ],
      });
      const { terminal: t } = await play(build(id), h);
      expect((await t.run({ type: 'sale', amount: 2500, card: VISA() })).status).toBe('timed-out');
      const next = await t.run({ type: 'sale', amount: 1000, card: VISA() });
      expect(next.status).toBe('approved');
      expect(requests(h).map((e) => e.request!.iso!.mti)).toEqual([sale, first, repeat, sale]);
      expect(field(h, repeat, '11')).toBe(field(h, first, '11'));
      expect(violations(h)).toEqual([]);
      expect(h.ledger.list()[0]!.cancelledBy).toBeDefined();
    },
  );

  it('after the retry limit the reversal is abandoned and the next sale goes on', async () => {
    const h = await host('harbor-bank@2019.4', {
      faults: [
        { fault: 'no-response', scope: { mti: ['0200'], nth: [1] } },
        { fault: 'no-response', scope: { mti: ['04xx'] } },
      ],
    });
    const { terminal: t, events } = await play(build('test-harbor-87', { reversal: { maxAttempts: 2 } }), h);
    await t.run({ type: 'sale', amount: 2500, card: VISA() });
    const next = await t.run({ type: 'sale', amount: 1000, card: VISA() });
    expect(next.status).toBe('approved');
    expect(seen(h)).toEqual(['0200 sale', '0400 reversal', '0401 reversal-repeat', '0200 sale']);
    expect(events.map((e) => e.detail)).toContain('reversal of STAN 000001 abandoned after 2 attempts');
  });

  it('reversal.immediate: the reversal goes at once and the outcome is "reversed"', async () => {
    const h = await host('harbor-bank@2025.1', {
      faults: [{ fault: 'no-response', scope: { mti: ['1200'], nth: [1] } }],
    });
    const { terminal: t } = await play(build('test-harbor-93', { reversal: { immediate: true } }), h);
    const o = await t.run({ type: 'sale', amount: 2500, card: VISA() });
    expect([o.status, o.responseCode]).toEqual(['reversed', '400']);
    expect(seen(h)).toEqual(['1200 sale', '1420 reversal']);
    expect(field(h, '1420', '25')).toBe('4021');
    expect(field(h, '1420', '56')).toMatchObject({ 1: '1200', 2: '000001' });
  });
});

describe('CUP reversals (lotus-acquirer)', () => {
  it("0400 repeats the sale's STAN and DE60 with DE39 98; the centre cancels the sale", async () => {
    const h = await host('lotus-acquirer@2021.2', {
      faults: [{ fault: 'no-response', scope: { mti: ['0200'], nth: [1] } }],
    });
    const { terminal: t } = await play(build('test-lotus'), h);
    const lost = await t.run({ type: 'sale', amount: 2500, card: UNIONPAY() });
    expect(lost.status).toBe('timed-out');
    expect((await t.run({ type: 'sale', amount: 1000, card: UNIONPAY() })).status).toBe('approved');
    expect(seen(h)).toEqual(['0800 sign-on', '0200 sale', '0400 reversal', '0200 sale']);
    expect(field(h, '0400', '11')).toBe(field(h, '0200', '11'));
    expect(field(h, '0400', '39')).toBe('98');
    expect(field(h, '0400', '60')).toEqual(field(h, '0200', '60'));
    expect(violations(h)).toEqual([]);
    expect(h.ledger.list().find((e) => e.kind === 'sale')!.cancelledBy).toBeDefined();
  });

  it('an answer whose MAC does not verify is reversed at once with DE39 A0', async () => {
    const h = await host('lotus-acquirer@2021.2', {
      faults: [{ fault: 'bad-mac', scope: { mti: ['0200'], nth: [1] } }],
    });
    const { terminal: t, events } = await play(build('test-lotus'), h);
    const o = await t.run({ type: 'sale', amount: 2500, card: UNIONPAY() });
    expect([o.status, o.responseCode]).toEqual(['reversed', '00']);
    expect(o.detail).toContain('MAC that does not verify');
    expect(events.some((e) => e.kind === 'log' && e.detail.endsWith('MAC does not verify'))).toBe(true);
    expect(seen(h)).toEqual(['0800 sign-on', '0200 sale', '0400 reversal']);
    expect(field(h, '0400', '39')).toBe('A0');
  });

  it('a build that never reverses declines the untrusted answer: a finding about the firmware, not an error', async () => {
    const h = await host('lotus-acquirer@2021.2', {
      faults: [{ fault: 'bad-mac', scope: { mti: ['0200'], nth: [1] } }],
    });
    const noReversal = build('test-lotus', { defects: ['no-reversal-on-timeout'] });
    const { terminal: t } = await play(noReversal, h);
    const o = await t.run({ type: 'sale', amount: 2500, card: UNIONPAY() });
    expect([o.status, o.error]).toEqual(['declined', undefined]);
    expect(o.detail).toBe('answer 00 with a MAC that does not verify: no reversal');
    expect(seen(h)).toEqual(['0800 sign-on', '0200 sale']);
  });
});

describe('a reversal survives what happens after the request left', () => {
  it('cancel() while waiting: error "cancelled", and the stored reversal (DE39 06) goes first next time', async () => {
    const h = await host('lotus-acquirer@2021.2', {
      faults: [{ fault: 'latency', params: { delayMs: 20000 }, scope: { mti: ['0200'], nth: [1] } }],
    });
    const { terminal: t, events } = await play(build('test-lotus'), h);
    const running = t.run({ type: 'sale', amount: 2500, card: UNIONPAY() });
    await new Promise<void>((resolve) => {
      const off = t.onEvent((e) => {
        if (e.kind === 'sent' && e.detail.startsWith('0200')) {
          off();
          resolve();
        }
      });
    });
    await t.cancel();
    const o = await running;
    expect(o.status).toBe('error');
    expect(o.error?.code).toBe('cancelled');
    expect(o.detail).toContain('reversal queued');
    expect(events.map((e) => e.kind)).toContain('reversal-queued');
    expect((await t.run({ type: 'sale', amount: 1000, card: UNIONPAY() })).status).toBe('approved');
    expect(seen(h)).toEqual(['0800 sign-on', '0200 sale', '0400 reversal', '0200 sale']);
    expect(field(h, '0400', '39')).toBe('06');
  });

  it('the transaction deadline (scaled) ends the wait as timed-out and leaves the reversal', async () => {
    const h = await host('harbor-bank@2019.4', {
      faults: [{ fault: 'latency', params: { delayMs: 60000 }, scope: { mti: ['0200'], nth: [1] } }],
    });
    const { terminal: t } = await play(build('test-harbor-87'), h);
    const started = performance.now();
    const o = await t.run({ type: 'sale', amount: 2500, card: VISA(), timeoutMs: 10_000 });
    expect(performance.now() - started).toBeLessThan(430);
    expect(o.status).toBe('timed-out');
    expect(o.detail).toBe('transaction deadline of 10000 ms passed: reversal queued');
    await t.run({ type: 'sale', amount: 1000, card: VISA() });
    expect(seen(h)).toEqual(['0200 sale', '0400 reversal', '0200 sale']);
  });
});

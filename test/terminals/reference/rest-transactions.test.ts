// Every transaction type a REST build supports, approved against its own gateway version over real
// HTTP, and what the gateway's payments look like afterwards; a decline with the version's code; the
// messages each outcome carries (masked); what a REST build has no operation for.

import { describe, expect, it } from 'vitest';
import { build, card, gateway, header, INSUFFICIENT, play, requests, traffic, WORLDS } from './rest-world.js';

describe.each(WORLDS)('$build on $gateway', ({ gateway: ref, build: id }) => {
  it('echo, sale, void of the sale, pre-auth, partial completion, partial refund, void of what is left, void of a pre-auth', async () => {
    const g = await gateway(ref);
    const { terminal: t } = await play(build(id), g);

    const echo = await t.run({ type: 'echo' });
    expect([echo.status, echo.responseCode]).toEqual(['approved', '404']);

    const sale = await t.run({ type: 'sale', amount: 2500, card: card() });
    expect(sale.status, sale.detail).toBe('approved');
    const saleId = sale.reference!.paymentId!;
    expect(g.payments.get(saleId)).toMatchObject({ state: 'captured', amount: 2500, captured: 2500 });

    // A void of a captured sale is a refund of all of it (the profile's whenCaptured).
    const voided = await t.run({ type: 'void', original: sale.reference });
    expect(voided.status, voided.detail).toBe('approved');
    expect(g.payments.get(saleId)).toMatchObject({ refunded: 2500 });

    const pre = await t.run({ type: 'pre-auth', amount: 3000, card: card() });
    expect(pre.status, pre.detail).toBe('approved');
    const preId = pre.reference!.paymentId!;
    expect(g.payments.get(preId)).toMatchObject({ state: 'authorized', amount: 3000, captured: 0 });

    const done = await t.run({ type: 'completion', amount: 2000, original: pre.reference });
    expect(done.status, done.detail).toBe('approved');
    expect(done.reference).toEqual({ paymentId: preId, amount: 2000 });
    expect(g.payments.get(preId)).toMatchObject({ state: 'captured', captured: 2000 });

    const refund = await t.run({ type: 'refund', amount: 500, original: done.reference });
    expect(refund.status, refund.detail).toBe('approved');
    expect(g.payments.get(preId)).toMatchObject({ state: 'partially-refunded', refunded: 500 });

    // A void of the pre-auth now refunds what is left of it: 20.00 captured less 5.00 refunded.
    const rest = await t.run({ type: 'void', original: pre.reference });
    expect(rest.status, rest.detail).toBe('approved');
    expect(g.payments.get(preId)).toMatchObject({ state: 'refunded', captured: 2000, refunded: 2000 });

    const pre2 = await t.run({ type: 'pre-auth', amount: 1200, card: card() });
    const cancel = await t.run({ type: 'void', original: pre2.reference });
    expect(cancel.status, cancel.detail).toBe('approved');
    expect(g.payments.get(pre2.reference!.paymentId!)).toMatchObject({ state: 'cancelled' });

    // One request per transaction: no retries, no reversals on a healthy gateway.
    expect(requests(g).map((e) => e.request!.http!.operation)).toEqual([
      g.version.api.operation('retrieve')!.operationId,
      g.version.api.operation('authorize')!.operationId,
      g.version.api.operation('refund')!.operationId,
      g.version.api.operation('authorize')!.operationId,
      g.version.api.operation('capture')!.operationId,
      g.version.api.operation('refund')!.operationId,
      g.version.api.operation('refund')!.operationId,
      g.version.api.operation('authorize')!.operationId,
      g.version.api.operation('cancel')!.operationId,
    ]);
    // The echo's GET carries no idempotency key; every POST its own.
    expect(header(requests(g)[0]!, 'idempotency-key')).toBeUndefined();
    const keys = requests(g)
      .filter((e) => e.request!.http!.method === 'POST')
      .map((e) => header(e, 'idempotency-key'));
    expect(keys.every((k) => typeof k === 'string' && k.length > 0)).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("a declined card: declined with the version's decline code, and the payment id", async () => {
    const g = await gateway(ref);
    const { terminal: t } = await play(build(id), g);
    const o = await t.run({ type: 'sale', amount: 2551, card: card() });
    expect([o.status, o.responseCode]).toEqual(['declined', INSUFFICIENT[g.version.host]]);
    expect(g.payments.get(o.reference!.paymentId!)).toMatchObject({ state: 'declined' });
  });
});

describe('messages and refusals', () => {
  it('records both messages in the exchange model, card number and API key masked', async () => {
    const g = await gateway('nimbus-pay@2024-06-15');
    const { terminal: t, kinds } = await play(build('test-nimbus-2024'), g);
    const o = await t.run({ type: 'sale', amount: 2500, card: card() });
    expect(traffic(o)).toEqual(['sent POST /v1/payment_intents', 'received 200']);
    const sent = o.messages[0]!.message.http!;
    expect(sent.headers).toMatchObject({ 'nimbus-version': '2024-06-15', authorization: 'Bearer ****p7dc' });
    expect(sent.body).toMatchObject({
      amount: { value: 2500, currency: 'USD' },
      capture_method: 'automatic',
      payment_method_data: { card: { number: '411111******1111', exp_month: 12, exp_year: 2030 } },
      metadata: { terminal_id: 'OSP00001', entry_mode: 'chip' },
    });
    expect(JSON.stringify(o.messages)).not.toContain('4111111111111111');
    expect(JSON.stringify(o.messages)).not.toContain('sk_test_nimbus_4eC39HqLyjWDarjtT1zdp7dc');
    expect(o.messages[1]!.message.http!.body).toMatchObject({ status: 'captured' });
    expect(kinds()).toEqual(['sent', 'received']);
  });

  it('refuses locally what cannot be sent: no amount, no original payment, no operation', async () => {
    const g = await gateway('meridian-checkout@v4');
    const { terminal: t } = await play(build('test-meridian-v4'), g);
    expect((await t.run({ type: 'sale', amount: 0, card: card() })).status).toBe('declined');
    const noOriginal = await t.run({ type: 'void' });
    expect([noOriginal.status, noOriginal.detail]).toEqual([
      'declined',
      'refused by the terminal: void needs the original payment id',
    ]);
    // Settlement is no capability of a REST build: the terminal refuses before any traffic.
    const settle = await t.run({ type: 'settlement' });
    expect([settle.status, settle.error?.code]).toEqual(['error', 'unsupported']);
    expect(requests(g)).toEqual([]);
  });

  it('an unknown API key is declined with the version’s authentication code', async () => {
    const g = await gateway('meridian-checkout@v3');
    const { terminal: t } = await play(build('test-meridian-v3'), g, { apiKey: 'MC_TEST_KEY_wrong' });
    const o = await t.run({ type: 'sale', amount: 2500, card: card() });
    expect([o.status, o.responseCode]).toEqual(['declined', '000']);
    expect(o.detail).toContain('401');
  });
});

import { describe, expect, it } from 'vitest';
import type { MockGateway } from '../../../src/mocks/gateway/index.js';
import {
  type Answer,
  call,
  gateway,
  meridian,
  meridianBody,
  nimbusBody,
  UNKNOWN_PAN,
  useGateways,
  VISA,
  VISA_EXPIRED,
} from './support.js';

useGateways();

let n = 0;
/** Nimbus 2024-06-15 needs an idempotency key on every POST: a fresh one each time. */
const post = (g: MockGateway, path: string, body?: unknown): Promise<Answer> =>
  call(g, 'POST', path, { ...(body !== undefined && { body }), headers: { 'idempotency-key': `k${++n}` } });

describe('payment lifecycle (nimbus-pay@2024-06-15)', () => {
  it('authorize → partial capture → partial refund → refund of the rest; each step in the version’s words', async () => {
    const g = await gateway('nimbus-pay@2024-06-15');
    const auth = await post(
      g,
      '/v1/payment_intents',
      nimbusBody('2024-06-15', { amount: 2500, capture: false }),
    );
    expect(auth.json).toMatchObject({ status: 'authorized', amount_capturable: 2500, amount_received: 0 });
    const id = auth.json.id as string;

    const capture = await post(g, `/v1/payment_intents/${id}/capture`, { amount_to_capture: 2000 });
    expect(capture.status).toBe(200);
    expect(capture.json).toMatchObject({ status: 'captured', amount_capturable: 0, amount_received: 2000 });

    const part = await post(g, `/v1/payment_intents/${id}/refund`, { amount: 500 });
    expect(part.json).toMatchObject({ status: 'partially_refunded', amount_refunded: 500 });
    const rest = await post(g, `/v1/payment_intents/${id}/refund`);
    expect(rest.json).toMatchObject({ status: 'refunded', amount_refunded: 2000 });

    const read = await call(g, 'GET', `/v1/payment_intents/${id}`);
    expect(read.json).toMatchObject({ id, status: 'refunded', amount_received: 2000, amount_refunded: 2000 });
    expect(read.json.payment_method_details.card).toEqual({ brand: 'visa', last4: '1111' });
  });

  it('capture_method automatic captures at once; manual then cancel voids it', async () => {
    const g = await gateway('nimbus-pay@2024-06-15');
    const sale = await post(g, '/v1/payment_intents', nimbusBody('2024-06-15', { capture: true }));
    expect(sale.json).toMatchObject({ status: 'captured', amount_received: 1000 });
    const auth = await post(g, '/v1/payment_intents', nimbusBody('2024-06-15', { capture: false }));
    const cancel = await post(g, `/v1/payment_intents/${auth.json.id}/cancel`, {
      cancellation_reason: 'requested_by_customer',
    });
    expect(cancel.json).toMatchObject({ status: 'canceled', amount_capturable: 0 });
  });

  it('refuses illegal transitions with invalid-state or amount-too-large, leaving the payment as it was', async () => {
    const g = await gateway('nimbus-pay@2024-06-15');
    const auth = await post(
      g,
      '/v1/payment_intents',
      nimbusBody('2024-06-15', { amount: 1000, capture: false }),
    );
    const id = auth.json.id as string;
    const expectError = (a: Answer, status: number, code: string) => {
      expect(a.status, a.text).toBe(status);
      expect(a.json.error.code).toBe(code);
    };

    expectError(await post(g, `/v1/payment_intents/${id}/refund`), 400, 'payment_intent_unexpected_state');
    expectError(
      await post(g, `/v1/payment_intents/${id}/capture`, { amount_to_capture: 1001 }),
      400,
      'amount_too_large',
    );
    expect((await post(g, `/v1/payment_intents/${id}/cancel`)).json.status).toBe('canceled');
    const late = await post(g, `/v1/payment_intents/${id}/capture`);
    expectError(late, 400, 'payment_intent_unexpected_state');
    expect(late.json.error.message).toContain('(status canceled)');
    expect(late.json.error.payment_intent).toMatchObject({ id, status: 'canceled' });
    expectError(await post(g, `/v1/payment_intents/${id}/cancel`), 400, 'payment_intent_unexpected_state');

    const sale = await post(g, '/v1/payment_intents', nimbusBody('2024-06-15', { amount: 700 }));
    const sid = sale.json.id as string;
    expectError(await post(g, `/v1/payment_intents/${sid}/cancel`), 400, 'payment_intent_unexpected_state');
    expectError(await post(g, `/v1/payment_intents/${sid}/capture`), 400, 'payment_intent_unexpected_state');
    expectError(await post(g, `/v1/payment_intents/${sid}/refund`, { amount: 701 }), 400, 'amount_too_large');
    expect((await call(g, 'GET', `/v1/payment_intents/${sid}`)).json).toMatchObject({
      status: 'captured',
      amount_refunded: 0,
    });

    const missing = await call(g, 'GET', '/v1/payment_intents/pi_nope');
    expectError(missing, 404, 'resource_missing');
    expect(missing.json.error.message).toBe('No such payment: pi_nope');
  });

  it.each([
    ['an amount ending in 51', { amount: 1051 }, 'insufficient_funds', /amount 1051 ends with 51: a trigger/],
    ['an amount ending in 05', { amount: 1005 }, 'do_not_honor', /\(do not honour\)$/],
    ['an expired card (12/20)', { pan: VISA_EXPIRED, expYear: 2020 }, 'expired_card', /has expired/],
    // The issuer knows the card expired, whatever date the request gives (as Stripe's test card).
    [
      'an expired card sent with a future date',
      { pan: VISA_EXPIRED, expYear: 2030 },
      'expired_card',
      /has expired/,
    ],
    ['a card the issuer does not know', { pan: UNKNOWN_PAN }, 'incorrect_number', /is not in the card book$/],
  ])(
    'declines %s from the card book as a 402 card_error with the decline code',
    async (_what, p, code, why) => {
      const g = await gateway('nimbus-pay@2024-06-15');
      const a = await post(g, '/v1/payment_intents', nimbusBody('2024-06-15', p));
      expect(a.status).toBe(402);
      expect(a.json.error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: code });
      // The journal says why, in the card book's words (a card's id or last four digits, never its number).
      const notes = g.journal.entries().at(-1)!.notes;
      expect(notes).toEqual([expect.stringMatching(why)]);
      expect(notes![0]).not.toContain('pan' in p ? p.pan : VISA);
      expect(a.json.error.payment_intent.status).toBe('declined');
      // The declined payment exists and can be read; it cannot be captured, but (as on Stripe) cancelled.
      const id = a.json.error.payment_intent.id as string;
      expect((await call(g, 'GET', `/v1/payment_intents/${id}`)).json.status).toBe('declined');
      expect((await post(g, `/v1/payment_intents/${id}/capture`)).json.error.code).toBe(
        'payment_intent_unexpected_state',
      );
      const cancelled = await post(g, `/v1/payment_intents/${id}/cancel`);
      expect([cancelled.status, cancelled.json.status]).toEqual([200, 'canceled']);
    },
  );

  it('the card book can refuse a refund too (exactly 999.99 is above the test merchant’s refund limit)', async () => {
    const g = await gateway('nimbus-pay@2024-06-15');
    const sale = await post(g, '/v1/payment_intents', nimbusBody('2024-06-15', { amount: 150_000 }));
    expect(sale.json.status).toBe('captured');
    const refused = await post(g, `/v1/payment_intents/${sale.json.id}/refund`, { amount: 99_999 });
    expect(refused.status).toBe(402);
    expect(refused.json.error.decline_code).toBe('card_velocity_exceeded');
    expect(g.journal.entries().at(-1)!.notes).toEqual([
      expect.stringMatching(/^card visa-credit-chip: amount 99999 is 99999: a trigger for /),
    ]);
    const ok = await post(g, `/v1/payment_intents/${sale.json.id}/refund`, { amount: 99_998 });
    expect(ok.json).toMatchObject({ status: 'partially_refunded', amount_refunded: 99_998 });
  });
});

describe('payment lifecycle (meridian-checkout@v4)', () => {
  it('authorise → capture → refund answered 201, a decline is a 200 Refused payment with its reason', async () => {
    const g = await gateway('meridian-checkout@v4');
    const auth = await meridian(g, 'POST', '/v4/payments', { body: meridianBody({ amount: 3000 }) });
    expect(auth.json).toMatchObject({ resultCode: 'Authorized', merchantReference: 'order-1' });
    const id = auth.json.pspReference as string;
    const cap = await meridian(g, 'POST', `/v4/payments/${id}/captures`, {
      body: { amount: { value: 3000, currency: 'EUR' } },
    });
    expect(cap.status).toBe(201);
    expect(cap.json).toMatchObject({
      resultCode: 'Captured',
      capturedAmount: { value: 3000, currency: 'EUR' },
    });
    const ref = await meridian(g, 'POST', `/v4/payments/${id}/refunds`, {
      body: { amount: { value: 1000, currency: 'EUR' } },
    });
    expect(ref.status).toBe(201);
    expect(ref.json).toMatchObject({ resultCode: 'PartiallyRefunded', refundedAmount: { value: 1000 } });
    const cancel = await meridian(g, 'POST', `/v4/payments/${id}/cancels`, { body: {} });
    expect(cancel.status).toBe(422);
    expect(cancel.json).toMatchObject({ title: 'Invalid payment state', errorCode: '167' });

    const nsf = await meridian(g, 'POST', '/v4/payments', { body: meridianBody({ amount: 1051 }) });
    expect(nsf.status).toBe(200);
    expect(nsf.json).toMatchObject({ resultCode: 'Refused', refusalReason: 'Not enough balance' });
    const expired = await meridian(g, 'POST', '/v4/payments', {
      body: meridianBody({ pan: VISA_EXPIRED, expYear: 2020 }),
    });
    expect(expired.json).toMatchObject({ resultCode: 'Refused', refusalReason: 'Expired Card' });
    // Meridian does not cancel a refused payment (only Nimbus lets a declined one be cancelled).
    const cancelRefused = await meridian(g, 'POST', `/v4/payments/${nsf.json.pspReference}/cancels`, {});
    expect([cancelRefused.status, cancelRefused.json.errorCode]).toEqual([422, '167']);
  });

  it('a capture or refund in another currency than the payment is refused, and moves nothing', async () => {
    const g = await gateway('meridian-checkout@v4');
    const auth = await meridian(g, 'POST', '/v4/payments', { body: meridianBody({ amount: 2000 }) });
    const id = auth.json.pspReference as string;
    const usd = await meridian(g, 'POST', `/v4/payments/${id}/captures`, {
      body: { amount: { value: 400, currency: 'USD' } },
    });
    expect(usd.status).toBe(422);
    expect(usd.json.detail).toBe('the capture is in USD, the payment in EUR');
    const eur = await meridian(g, 'POST', `/v4/payments/${id}/captures`, {
      body: { amount: { value: 2000, currency: 'EUR' } },
    });
    expect(eur.json).toMatchObject({
      resultCode: 'Captured',
      capturedAmount: { value: 2000, currency: 'EUR' },
    });
    const refund = await meridian(g, 'POST', `/v4/payments/${id}/refunds`, {
      body: { amount: { value: 100, currency: 'GBP' } },
    });
    expect(refund.status).toBe(422);
    expect(refund.json.detail).toBe('the refund is in GBP, the payment in EUR');
  });

  it('cancel voids an authorisation; a second capture is refused', async () => {
    const g = await gateway('meridian-checkout@v3');
    const a = await meridian(g, 'POST', '/v3/payments', { body: meridianBody() });
    const id = a.json.pspReference as string;
    const cancel = await meridian(g, 'POST', `/v3/payments/${id}/cancels`);
    expect(cancel.status).toBe(201);
    expect(cancel.json.resultCode).toBe('Cancelled');
    const cap = await meridian(g, 'POST', `/v3/payments/${id}/captures`);
    expect(cap.status).toBe(422);
    expect(cap.json).toMatchObject({ status: 422, errorCode: '167', errorType: 'validation' });
  });
});

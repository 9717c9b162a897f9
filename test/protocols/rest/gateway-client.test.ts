import { afterEach, describe, expect, it } from 'vitest';
import type { MockGateway } from '../../../src/mocks/gateway/index.js';
import {
  createGatewayClient,
  type GatewayClient,
  GatewayClientError,
  loadApis,
} from '../../../src/protocols/rest/index.js';
import {
  gateway,
  MERIDIAN_KEY,
  meridianBody,
  NIMBUS_KEY,
  nimbusBody,
  useGateways,
  VISA,
  VISA_MASKED,
} from '../../mocks/gateway/support.js';

useGateways();
const apis = loadApis();
const open: GatewayClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function client(g: MockGateway, api: string, extra: Partial<Parameters<typeof createGatewayClient>[0]> = {}) {
  const c = createGatewayClient({
    baseUrl: g.url,
    api: apis.get(api),
    apiKey: api.startsWith('nimbus') ? NIMBUS_KEY : MERIDIAN_KEY,
    ...extra,
  });
  open.push(c);
  return c;
}

describe('the gateway client', () => {
  it('pins its API version, sends auth and the idempotency key, and reads the answer in lifecycle words', async () => {
    const g = await gateway('nimbus-pay@2024-06-15');
    const c = client(g, 'nimbus-pay@2023-10-16');
    const auth = await c.authorize(nimbusBody('2023-10-16', { capture: false }), { idempotencyKey: 'c-1' });
    expect(auth.status).toBe(200);
    expect(auth.headers['nimbus-version']).toBe('2023-10-16');
    expect(auth.result).toEqual({
      paymentId: auth.body && (auth.body as { id: string }).id,
      status: 'requires_capture',
      state: 'authorized',
    });
    expect(auth.timings.totalMs).toBeGreaterThanOrEqual(auth.timings.headersMs);
    expect(auth.request.http).toMatchObject({
      method: 'POST',
      path: '/v1/payment_intents',
      operation: 'createPaymentIntent',
      headers: { authorization: 'Bearer ****p7dc', 'nimbus-version': '2023-10-16', 'idempotency-key': 'c-1' },
    });
    expect(JSON.stringify(auth.request)).toContain(VISA_MASKED);
    expect(JSON.stringify([auth.request, auth.response])).not.toContain(VISA);
    expect(auth.response.summary).toBe('200 requires_capture');

    const id = auth.result.paymentId!;
    const cap = await c.capture(id, { amount_to_capture: 400 });
    expect(cap.result).toMatchObject({ state: 'captured', status: 'succeeded' });
    const refund = await c.refund(id, { amount: 500 });
    expect(refund.status).toBe(400);
    expect(refund.result).toEqual({
      paymentId: id,
      errorCode: 'amount_too_large',
      errorMessage: expect.stringContaining('cannot refund 500'),
    });
    expect((await c.retrieve(id)).result.paymentId).toBe(id);
  });

  it('a build that does not pin gets the account default, and its 2023-10-16 body is refused', async () => {
    const g = await gateway('nimbus-pay@2024-06-15');
    const c = client(g, 'nimbus-pay@2023-10-16', { pinVersion: false });
    const r = await c.authorize(nimbusBody('2023-10-16'), { idempotencyKey: 'c-2' });
    expect(r.status).toBe(400);
    expect(r.headers['nimbus-version']).toBe('2024-06-15');
    expect(r.result.errorCode).toBe('parameter_invalid');
  });

  it('reads declines: an error with a decline code (nimbus), a Refused payment (meridian)', async () => {
    const n = await gateway('nimbus-pay@2023-10-16');
    const declined = await client(n, 'nimbus-pay@2023-10-16').authorize(
      nimbusBody('2023-10-16', { amount: 1051 }),
    );
    expect(declined.status).toBe(402);
    expect(declined.result).toMatchObject({
      state: 'declined',
      errorCode: 'card_declined',
      declineCode: 'insufficient_funds',
      paymentId: expect.stringMatching(/^pi_/),
    });
    const m = await gateway('meridian-checkout@v3');
    const refused = await client(m, 'meridian-checkout@v3').authorize(meridianBody({ amount: 1051 }));
    expect(refused.status).toBe(200);
    expect(refused.result).toMatchObject({
      state: 'declined',
      status: 'Refused',
      declineCode: 'Not enough balance',
    });
    expect(refused.request.http?.headers['x-api-key']).toBe('****2a9b');
  });

  it('reports a transport failure with its kind, the masked request and the time it took', async () => {
    const g = await gateway('meridian-checkout@v4');
    const port = g.address.port;
    await g.close();
    const c = createGatewayClient({
      baseUrl: `http://127.0.0.1:${port}`,
      api: apis.get('meridian-checkout@v4'),
      apiKey: MERIDIAN_KEY,
    });
    open.push(c);
    const err = await c.authorize(meridianBody()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayClientError);
    expect((err as GatewayClientError).code).toBe('refused');
    expect((err as GatewayClientError).request.summary).toBe('POST /v4/payments authorize 10.00 EUR');
    await expect(c.call('settle')).rejects.toThrow('has no operation "settle"');
  });
});

import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { IdempotencyStore } from '../../../src/mocks/gateway/index.js';
import { call, gateway, meridian, meridianBody, NIMBUS_KEY, nimbusBody, useGateways } from './support.js';

useGateways();

/** An amount ending in 97: the card book's slow issuer (20 s, 200 ms at time scale 0.01). */
const SLOW = 1097;

describe('store every first result, refuse other parameters, 409 in flight (nimbus-pay)', () => {
  it('same key and body → the stored answer again, flagged as a replay; other body → idempotency_error', async () => {
    const g = await gateway('nimbus-pay@2024-06-15');
    const headers = { 'idempotency-key': 'order-42' };
    const body = nimbusBody('2024-06-15', { capture: false });
    const first = await call(g, 'POST', '/v1/payment_intents', { body, headers });
    const again = await call(g, 'POST', '/v1/payment_intents', { body, headers });
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(g.payments.size).toBe(1);

    const other = await call(g, 'POST', '/v1/payment_intents', {
      body: nimbusBody('2024-06-15', { amount: 2000, capture: false }),
      headers,
    });
    expect(other.status).toBe(400);
    // As Stripe: idempotency_error with no code (idempotency_key_in_use is the in-flight 409's).
    expect(other.json.error).toMatchObject({ type: 'idempotency_error' });
    expect(other.json.error.code).toBeUndefined();
    expect(g.payments.size).toBe(1);
    // Keys belong to the API key: another key's same idempotency key is another request.
    const otherKey = await call(g, 'POST', '/v1/payment_intents', {
      body,
      headers,
      bearer: 'sk_test_nimbus_terminal_fleet_b',
    });
    expect(otherKey.status).toBe(200);
    expect(otherKey.json.id).not.toBe(first.json.id);
  });

  it('a retry serialized again (members reordered, other whitespace) is the same request: replayed, not refused', async () => {
    const g = await gateway('nimbus-pay@2024-06-15');
    const headers = { 'idempotency-key': 'order-43' };
    const body = nimbusBody('2024-06-15', { capture: false }) as Record<string, unknown>;
    const first = await call(g, 'POST', '/v1/payment_intents', { body, headers });
    expect(first.status).toBe(200);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const raw = JSON.stringify(reordered, null, 2);
    expect(raw).not.toBe(JSON.stringify(body));
    const again = await call(g, 'POST', '/v1/payment_intents', { raw, headers });
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
    expect(g.payments.size).toBe(1);
    expect(g.journal.entries().flatMap((e) => e.violations)).toEqual([]);
  });

  it('an idempotency key sent twice is refused; one key that holds ", " is just a key', async () => {
    const g = await gateway('nimbus-pay@2024-06-15');
    const body = JSON.stringify(nimbusBody('2024-06-15'));
    const twice = await request(`${g.url}/v1/payment_intents`, {
      method: 'POST',
      headers: [
        'authorization',
        `Bearer ${NIMBUS_KEY}`,
        'content-type',
        'application/json',
        'idempotency-key',
        'a',
        'idempotency-key',
        'b',
      ],
      body,
    });
    expect(twice.statusCode).toBe(400);
    expect(((await twice.body.json()) as { error: { message: string } }).error.message).toContain(
      'Idempotency-Key was sent more than once',
    );
    expect(g.payments.size).toBe(0);
    const once = await call(g, 'POST', '/v1/payment_intents', {
      body: nimbusBody('2024-06-15'),
      headers: { 'idempotency-key': 'order 7, terminal 2' },
    });
    expect(once.status).toBe(200);
  });

  it('a 5xx after processing is stored too: the retry gets the same 500, and no second payment', async () => {
    const g = await gateway('nimbus-pay@2024-06-15', {
      faults: [
        { fault: 'http-error', params: { processed: true }, scope: { operation: ['authorize'], firstN: 1 } },
      ],
    });
    const headers = { 'idempotency-key': 'k-500' };
    const body = nimbusBody('2024-06-15');
    const first = await call(g, 'POST', '/v1/payment_intents', { body, headers });
    expect(first.status).toBe(500);
    expect(first.json.error).toMatchObject({ type: 'api_error', code: 'internal_error' });
    const retry = await call(g, 'POST', '/v1/payment_intents', { body, headers });
    expect(retry.status).toBe(500);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(g.payments.size).toBe(1);
    // A new key is a new payment.
    const fresh = await call(g, 'POST', '/v1/payment_intents', {
      body,
      headers: { 'idempotency-key': 'k-new' },
    });
    expect(fresh.status).toBe(200);
    expect(g.payments.size).toBe(2);
  });

  it('a duplicate that arrives while the first still runs gets 409; the first completes', async () => {
    const g = await gateway('nimbus-pay@2024-06-15');
    const headers = { 'idempotency-key': 'k-slow' };
    const body = nimbusBody('2024-06-15', { amount: SLOW });
    const first = call(g, 'POST', '/v1/payment_intents', { body, headers });
    await new Promise((r) => setTimeout(r, 50));
    const dup = await call(g, 'POST', '/v1/payment_intents', { body, headers });
    expect(dup.status).toBe(409);
    expect(dup.json.error.message).toContain('still being processed');
    expect((await first).status).toBe(200);
    expect(g.payments.size).toBe(1);
    const after = await call(g, 'POST', '/v1/payment_intents', { body, headers });
    expect(after.headers['idempotent-replayed']).toBe('true');
    // Asking again with the same key is what a client should do: the 409 is no broken rule.
    const refused = g.journal.entries().find((e) => e.response?.http?.status === 409);
    expect(refused?.violations).toEqual([]);
  });

  it('keys expire after the retention (time-scaled): the same key then makes a new payment', async () => {
    // 86,400 s × 0.000002 = 173 ms.
    const g = await gateway('nimbus-pay@2023-10-16', { timeScale: 0.000002 });
    const headers = { 'idempotency-key': 'k-exp' };
    const body = nimbusBody('2023-10-16');
    const a = await call(g, 'POST', '/v1/payment_intents', { body, headers });
    const b = await call(g, 'POST', '/v1/payment_intents', { body, headers });
    expect(b.json.id).toBe(a.json.id);
    await new Promise((r) => setTimeout(r, 250));
    const c = await call(g, 'POST', '/v1/payment_intents', { body, headers });
    expect(c.json.id).not.toBe(a.json.id);
    expect(g.payments.size).toBe(2);
  });
});

describe('cache only 2xx, replay whatever the body, wait for the first (meridian-checkout@v3)', () => {
  it('a 5xx is not kept: the retry runs again and charges twice (the hazard terminals must know)', async () => {
    const g = await gateway('meridian-checkout@v3', {
      faults: [{ fault: 'http-error', params: { processed: true, status: 502 }, scope: { firstN: 1 } }],
    });
    const headers = { 'idempotency-key': 'k-2xx' };
    const first = await meridian(g, 'POST', '/v3/payments', { body: meridianBody(), headers });
    expect(first.status).toBe(502);
    expect(first.json).toMatchObject({ status: 502, errorType: 'internal' });
    const retry = await meridian(g, 'POST', '/v3/payments', { body: meridianBody(), headers });
    expect(retry.status).toBe(200);
    expect(g.payments.size).toBe(2);
    const replay = await meridian(g, 'POST', '/v3/payments', { body: meridianBody({ amount: 5 }), headers });
    // Another body under a stored key: replayed as it was (no mismatch check in this profile).
    expect(replay.json.pspReference).toBe(retry.json.pspReference);
    expect(replay.json.amount.value).toBe(1000);
  });

  it('concurrent duplicates wait for the first and get its answer; one payment', async () => {
    const g = await gateway('meridian-checkout@v3');
    const headers = { 'idempotency-key': 'k-wait' };
    const body = meridianBody({ amount: SLOW });
    const answers = await Promise.all(
      [1, 2, 3].map(() => meridian(g, 'POST', '/v3/payments', { body, headers })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(new Set(answers.map((a) => a.json.pspReference)).size).toBe(1);
    expect(g.payments.size).toBe(1);
  });
});

describe('cache 2xx, refuse other parameters, 409 in flight, flag replays (meridian-checkout@v4)', () => {
  it('mismatch 422 and in-flight 409 as problem details; replays flagged', async () => {
    const g = await gateway('meridian-checkout@v4');
    const headers = { 'idempotency-key': 'k-v4' };
    const body = meridianBody({ amount: SLOW });
    const first = meridian(g, 'POST', '/v4/payments', { body, headers });
    await new Promise((r) => setTimeout(r, 50));
    const dup = await meridian(g, 'POST', '/v4/payments', { body, headers });
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ title: 'Request in progress', errorCode: '705' });
    expect((await first).status).toBe(200);
    const replay = await meridian(g, 'POST', '/v4/payments', { body, headers });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const other = await meridian(g, 'POST', '/v4/payments', { body: meridianBody({ amount: 5 }), headers });
    expect(other.status).toBe(422);
    expect(other.json).toMatchObject({ title: 'Idempotency key reused', errorCode: '704' });
    expect(g.payments.size).toBe(1);
  });
});

describe('IdempotencyStore', () => {
  const profile = {
    store: 'all' as const,
    mismatch: 'reject' as const,
    concurrent: 'reject' as const,
    retentionSeconds: 60,
    maxKeys: 3,
  };
  const answer = (status: number) => ({ status, headers: {}, text: `{"status":${status}}` });

  it('keeps at most maxKeys, dropping the oldest, and forgets a dropped answer', async () => {
    const store = new IdempotencyStore(profile);
    for (const k of ['a', 'b', 'c', 'd']) {
      const begun = await store.begin(k, 'fp');
      if (begun.kind !== 'new') throw new Error('expected new');
      begun.complete(answer(200));
    }
    expect(store.size).toBe(3);
    expect(store.evicted).toBe(1);
    expect((await store.begin('a', 'fp')).kind).toBe('new');
    expect((await store.begin('d', 'fp')).kind).toBe('replay');
    expect((await store.begin('d', 'other')).kind).toBe('mismatch');
  });

  it('a 2xx-only profile drops a 4xx and the key is free again', async () => {
    const store = new IdempotencyStore({ ...profile, store: '2xx' });
    const begun = await store.begin('k', 'fp');
    if (begun.kind !== 'new') throw new Error('expected new');
    expect((await store.begin('k', 'fp')).kind).toBe('in-flight');
    begun.complete(answer(422));
    expect((await store.begin('k', 'fp')).kind).toBe('new');
  });

  it('expires keys by its clock and the time scale', async () => {
    let now = 0;
    const store = new IdempotencyStore(profile, { timeScale: 0.5, clock: () => now });
    const begun = await store.begin('k', 'fp');
    if (begun.kind !== 'new') throw new Error('expected new');
    begun.complete(answer(201));
    now = 29_999;
    expect((await store.begin('k', 'fp')).kind).toBe('replay');
    now = 30_001;
    expect((await store.begin('k', 'fp')).kind).toBe('new');
  });
});

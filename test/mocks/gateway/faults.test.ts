import { afterEach, describe, expect, it } from 'vitest';
import { FaultSpecError } from '../../../src/mocks/faults/index.js';
import type { MockGateway } from '../../../src/mocks/gateway/index.js';
import {
  createGatewayClient,
  type GatewayClient,
  GatewayClientError,
} from '../../../src/protocols/rest/index.js';
import { call, gateway, NIMBUS_KEY, nimbusBody, recorded, useGateways } from './support.js';

useGateways();
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

const body = nimbusBody('2023-10-16');
const clients: GatewayClient[] = [];

/** A terminal-side client for the gateway's default API version; a new one is a new connection. */
function client(g: MockGateway, timeoutMs = 2000): GatewayClient {
  const c = createGatewayClient({ baseUrl: g.url, api: g.version.api, apiKey: NIMBUS_KEY, timeoutMs });
  clients.push(c);
  return c;
}

/** The transport failure a call ends in. */
async function failure(p: Promise<unknown>): Promise<GatewayClientError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GatewayClientError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

async function nimbus(faults: unknown[], version = 'nimbus-pay@2023-10-16'): Promise<MockGateway> {
  return gateway(version, { faults });
}

describe('faults shared with the ISO hosts', () => {
  it('latency delays the answer by delayMs (time-scaled)', async () => {
    const g = await nimbus([{ fault: 'latency', params: { delayMs: 3000 } }]);
    const r = await client(g).authorize(body);
    expect(r.status).toBe(200);
    expect(r.timings.totalMs).toBeGreaterThanOrEqual(28);
    await recorded(g, 1);
    const e = g.journal.entries().find((x) => x.request)!;
    expect(e.faults).toEqual(['latency']);
    expect(e.durationMs).toBeGreaterThanOrEqual(28);
  });

  it('late-response: the client gives up, the gateway processed it and kept the answer for the key', async () => {
    const g = await nimbus([{ fault: 'late-response', params: { delayMs: 30_000 }, scope: { firstN: 1 } }]);
    const c = client(g, 100);
    const err = await failure(c.authorize(body, { idempotencyKey: 'late-1' }));
    expect(err.code).toBe('timeout');
    expect(err.request.summary).toBe('POST /v1/payment_intents authorize 10.00 USD');
    expect(g.payments.size).toBe(1);
    const retry = await client(g).authorize(body, { idempotencyKey: 'late-1' });
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(g.payments.size).toBe(1);
  });

  it('no-response (lost response): nothing comes back; a retry with the key gets the stored answer', async () => {
    const g = await nimbus([{ fault: 'no-response', scope: { firstN: 1 } }]);
    expect((await failure(client(g, 100).authorize(body, { idempotencyKey: 'nr' }))).code).toBe('timeout');
    expect(g.payments.size).toBe(1);
    const retry = await client(g).authorize(body, { idempotencyKey: 'nr' });
    expect(retry.headers['idempotent-replayed']).toBe('true');
  });

  it('no-response (lost request): the gateway never saw it; the retry is processed afresh', async () => {
    const g = await nimbus([{ fault: 'no-response', params: { lost: 'request' }, scope: { firstN: 1 } }]);
    expect((await failure(client(g, 100).authorize(body, { idempotencyKey: 'nq' }))).code).toBe('timeout');
    expect(g.payments.size).toBe(0);
    const retry = await client(g).authorize(body, { idempotencyKey: 'nq' });
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    const lost = g.journal.entries().find((e) => e.faults.includes('no-response'))!;
    expect(lost.event).toMatchObject({
      kind: 'lost',
      detail: expect.stringContaining('request lost before the gateway saw it'),
    });
  });

  it('connection-reset and close-after-request end the connection instead of answering', async () => {
    const g = await nimbus([
      { fault: 'connection-reset', scope: { nth: [1] } },
      { fault: 'close-after-request', scope: { nth: [2] } },
    ]);
    const reset = await failure(client(g).authorize(body));
    expect(['reset', 'closed']).toContain(reset.code);
    const closed = await failure(client(g).authorize(body));
    expect(closed.code).toBe('closed');
    expect((await client(g).authorize(body)).status).toBe(200);
  });

  it('host-down refuse stops listening until removed; reset drops the first connections only', async () => {
    const g = await nimbus([{ fault: 'host-down', id: 'down' }]);
    expect((await failure(client(g).authorize(body))).code).toBe('refused');
    g.faults.remove('down');
    await new Promise((r) => setTimeout(r, 20));
    expect((await client(g).authorize(body)).status).toBe(200);

    g.faults.add({ fault: 'host-down', params: { mode: 'reset' }, scope: { firstN: 1 } });
    expect(['reset', 'closed']).toContain((await failure(client(g).authorize(body))).code);
    expect((await client(g).authorize(body)).status).toBe(200);
    expect(g.journal.entries().some((e) => e.event?.kind === 'refused')).toBe(true);
  });

  it('host-down close drops the connection before HTTP reads it: the request sent at once is never served', async () => {
    const g = await nimbus([]);
    const before = g.payments.size;
    g.faults.add({ fault: 'host-down', params: { mode: 'close' }, scope: { firstN: 1 } });
    expect(['closed', 'reset']).toContain(
      (await failure(client(g).authorize(body, { idempotencyKey: 'hdc' }))).code,
    );
    expect(g.payments.size).toBe(before);
    expect(g.journal.entries().filter((e) => e.request)).toEqual([]);
    // Nothing stored under the key: the retry is a first request, not a replay.
    const retry = await call(g, 'POST', '/v1/payment_intents', {
      body,
      headers: { 'idempotency-key': 'hdc' },
    });
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
  });
});

describe('HTTP faults', () => {
  it('http-error answers a 5xx in the version’s shape without processing (default)', async () => {
    const g = await nimbus([{ fault: 'http-error', params: { status: 503 } }]);
    const r = await call(g, 'POST', '/v1/payment_intents', { body });
    expect(r.status).toBe(503);
    expect(r.json.error).toMatchObject({ type: 'api_error', code: 'internal_error' });
    expect(g.payments.size).toBe(0);
  });

  it('rate-limit answers 429 with Retry-After in the version’s shape (RFC 7807 on meridian v4)', async () => {
    const g = await gateway('meridian-checkout@v4', {
      faults: [{ fault: 'rate-limit', params: { retryAfterSeconds: 2 } }],
    });
    const r = await call(g, 'POST', '/v4/payments', {
      bearer: null,
      headers: { 'x-api-key': 'x' },
      body: {},
    });
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('2');
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.json).toMatchObject({ title: 'Too many requests', status: 429 });
  });

  it('a client that asks again before Retry-After is over is limited again, and journaled; after it, served', async () => {
    // Retry-After: 30 is 300 ms at the time scale 0.01.
    const g = await nimbus([{ fault: 'rate-limit', params: { retryAfterSeconds: 30 }, scope: { nth: [1] } }]);
    expect((await call(g, 'POST', '/v1/payment_intents', { body })).status).toBe(429);
    const early = await call(g, 'POST', '/v1/payment_intents', { body });
    expect(early.status).toBe(429);
    expect(Number(early.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const entry = g.journal.entries().filter((e) => e.response?.http?.status === 429)[1]!;
    expect(entry.violations).toEqual([
      {
        path: 'header retry-after',
        rule: 'rate-limit',
        message: expect.stringMatching(/^asked again \d+\.\d s after a 429 that said Retry-After: 30$/),
      },
    ]);
    // The same key sent another way (basic instead of bearer) is the same client.
    const basic = `Basic ${Buffer.from(`${NIMBUS_KEY}:`).toString('base64')}`;
    const asBasic = await call(g, 'POST', '/v1/payment_intents', { body, headers: { authorization: basic } });
    expect(asBasic.status).toBe(429);
    // Another client (another key) is not held back.
    const other = await call(g, 'POST', '/v1/payment_intents', {
      body,
      bearer: 'sk_test_nimbus_terminal_fleet_b',
    });
    expect(other.status).toBe(200);
    await new Promise((r) => setTimeout(r, 310));
    expect((await call(g, 'POST', '/v1/payment_intents', { body })).status).toBe(200);
    expect(g.payments.size).toBe(2);
  });

  it('an early request the rate-limit fault answers itself is journaled as early all the same', async () => {
    const g = await nimbus([
      { fault: 'rate-limit', params: { retryAfterSeconds: 30 }, scope: { firstN: 2 } },
    ]);
    expect((await call(g, 'POST', '/v1/payment_intents', { body })).status).toBe(429);
    expect((await call(g, 'POST', '/v1/payment_intents', { body })).status).toBe(429);
    const [first, second] = g.journal.entries().filter((e) => e.response?.http?.status === 429);
    expect(first!.violations).toEqual([]);
    expect(second!.violations.map((v) => v.rule)).toEqual(['rate-limit']);
    expect(second!.faults).toHaveLength(1);
  });

  it.each([
    ['cut', (t: string) => t.startsWith('{"id":"pi_') && t.length > 10, /JSON cut after \d+ of \d+ bytes/],
    ['html', (t: string) => t.includes('502 Bad Gateway'), /body replaced by a \d+-byte HTML error page/],
    ['empty', (t: string) => t === '', /body replaced by no bytes/],
  ] as const)(
    'malformed-json %s: a complete 200 whose body is not the JSON; the journal says so',
    async (mode, looks, note) => {
      const g = await nimbus([{ fault: 'malformed-json', params: { mode } }]);
      const r = await client(g).authorize(body);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('application/json');
      expect(looks(r.text)).toBe(true);
      expect(r.body).toBeUndefined();
      if (mode !== 'empty') expect(r.parseError).toBeTruthy();
      expect(g.payments.size).toBe(1);
      const entry = g.journal.entries().find((e) => e.faults.includes('malformed-json'));
      expect(entry?.event?.detail).toMatch(note);
    },
  );

  it('truncated-body: part of the promised body, then a close (or a hold the client must time out)', async () => {
    const g = await nimbus([
      { fault: 'truncated-body', params: { bytes: 20 }, scope: { nth: [1] } },
      { fault: 'truncated-body', params: { fraction: 0.5, after: 'hold' }, scope: { nth: [2] } },
    ]);
    const closed = await failure(client(g).authorize(body));
    expect(closed.code).toBe('closed');
    expect(closed.status).toBe(200);
    const held = await failure(client(g, 150).authorize(body));
    expect(held.code).toBe('timeout');
    const entries = g.journal.entries().filter((e) => e.request);
    expect(entries[0]!.event?.detail).toContain('sent 20 of');
    expect(entries[0]!.event?.detail).toContain('response partial');
  });

  it('slow-body sends the head at once and the body in timed pieces', async () => {
    const g = await nimbus([{ fault: 'slow-body', params: { chunkBytes: 64, delayMs: 2000 } }]);
    const r = await client(g).authorize(body);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'succeeded' });
    const pieces = Math.ceil(Buffer.byteLength(r.text) / 64);
    expect(pieces).toBeGreaterThan(3);
    // (pieces - 1) pauses of 20 ms after the head arrived.
    expect(r.timings.totalMs - r.timings.headersMs).toBeGreaterThanOrEqual((pieces - 1) * 20 - 5);
  });
});

describe('scope and validation of gateway faults', () => {
  it('scopes by operation (id or action), method and path', async () => {
    const g = await nimbus([
      { fault: 'http-error', id: 'on-capture', scope: { operation: ['capture'] } },
      { fault: 'rate-limit', id: 'on-get', scope: { method: ['get'] } },
      {
        fault: 'http-error',
        id: 'on-refund',
        params: { status: 502 },
        scope: { path: ['/v1/payment_intents/*/refund'] },
      },
    ]);
    const sale = await call(g, 'POST', '/v1/payment_intents', { body });
    expect(sale.status).toBe(200);
    const id = sale.json.id as string;
    expect((await call(g, 'POST', `/v1/payment_intents/${id}/capture`)).status).toBe(500);
    expect((await call(g, 'GET', `/v1/payment_intents/${id}`)).status).toBe(429);
    expect((await call(g, 'POST', `/v1/payment_intents/${id}/refund`)).status).toBe(502);
    expect(g.faults.list().map((f) => [f.id, f.matched, f.fired])).toEqual([
      ['on-capture', 1, 1],
      ['on-get', 1, 1],
      ['on-refund', 1, 1],
    ]);
  });

  it('refuses ISO-only faults and ISO scope keys, naming the spot', async () => {
    const g = await nimbus([]);
    expect(() => g.faults.add({ fault: 'wrong-stan' })).toThrow(
      expect.objectContaining({
        code: 'unsupported-transport',
        message: 'fault.fault: "wrong-stan" has no http implementation',
      }),
    );
    expect(() => g.faults.add({ fault: 'latency', scope: { mti: ['0200'] } })).toThrow(
      'fault.scope.mti: applies to ISO 8583 hosts only',
    );
    expect(() =>
      g.faults.add({ fault: 'host-down', params: { mode: 'reset' }, scope: { operation: ['authorize'] } }),
    ).toThrow(FaultSpecError);
    await expect(gateway('nimbus-pay@2023-10-16', { faults: [{ fault: 'bad-mac' }] })).rejects.toThrow(
      'faults[0].fault: "bad-mac" has no http implementation',
    );
  });
});

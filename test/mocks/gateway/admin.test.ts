import { afterEach, describe, expect, it } from 'vitest';
import { type AdminApi, startAdminApi } from '../../../src/mocks/admin/admin-api.js';
import { call, gateway, nimbusBody, recorded, useGateways, VISA } from './support.js';

useGateways();
let admin: AdminApi | undefined;
afterEach(async () => {
  await admin?.close();
  admin = undefined;
});

describe('admin API and metrics for a gateway', () => {
  it('describes the gateway, serves its masked journal, payments and HTTP metrics', async () => {
    const g = await gateway('nimbus-pay@2024-06-15');
    admin = await startAdminApi({ hosts: [g], port: 0 });
    // biome-ignore lint/suspicious/noExplicitAny: test convenience for reading JSON answers
    const get = async (url: string): Promise<any> => (await fetch(`${admin!.url}${url}`)).json();

    expect((await get('/hosts')).hosts).toEqual([
      expect.objectContaining({
        label: 'primary',
        ref: 'nimbus-pay@2024-06-15',
        kind: 'rest',
        api: 'nimbus-pay@2024-06-15',
        apis: ['nimbus-pay@2024-06-15', 'nimbus-pay@2023-10-16'],
        url: g.url,
      }),
    ]);

    const sale = await call(g, 'POST', '/v1/payment_intents', {
      body: nimbusBody('2024-06-15', { amount: 1234 }),
      headers: { 'idempotency-key': 'adm-1' },
    });
    await call(g, 'POST', '/v1/payment_intents', { body: {}, headers: { 'idempotency-key': 'adm-2' } });
    await recorded(g, 2);

    const journal = await (await fetch(`${admin.url}/journal`)).text();
    expect(journal).toContain('411111******1111');
    expect(journal).not.toContain(VISA);
    // Filtered by operation and HTTP status, or by what broke a rule.
    const summaries = async (query: string) =>
      ((await get(`/journal?${query}`)).exchanges as Array<{ response: { summary: string } }>).map(
        (e) => e.response.summary,
      );
    expect(await summaries('operation=createPaymentIntent&code=200')).toEqual([
      `200 captured ${sale.json.id}`,
    ]);
    expect(await summaries('violations=true&code=400,402')).toEqual([expect.stringMatching(/^400 /)]);
    expect(await summaries('operation=capturePaymentIntent')).toEqual([]);
    // An ISO 8583 criterion on a gateway's journal would match nothing: refused, saying what fits.
    const iso = await fetch(`${admin.url}/journal?mti=0200&stan=1`);
    expect(iso.status).toBe(400);
    expect(((await iso.json()) as { message: string }).message).toBe(
      'primary: mti, stan filter ISO 8583 exchanges, and this host is a REST gateway: filter by operation (operationIds), code (HTTP statuses) or text',
    );

    const payments = await get('/payments');
    expect(payments.gateways).toEqual([
      {
        host: 'primary',
        evicted: 0,
        payments: [
          expect.objectContaining({ id: sale.json.id, state: 'captured', amount: 1234, cardLast4: '1111' }),
        ],
      },
    ]);
    expect((await get('/ledger')).ledgers).toEqual([]);

    const metrics = await (await fetch(`${admin.url}/metrics`)).text();
    expect(metrics).toMatch(
      /paymatrix_mock_http_requests_total\{host="primary",operation="createPaymentIntent",status="200"\} 1/,
    );
    expect(metrics).toMatch(
      /paymatrix_mock_http_requests_total\{host="primary",operation="createPaymentIntent",status="400"\} 1/,
    );
    expect(metrics).toMatch(/paymatrix_mock_violations_total\{host="primary",rule="required"\} \d/);
  });

  it('adds and removes HTTP faults at runtime; an ISO-only fault is refused with 400', async () => {
    const g = await gateway('nimbus-pay@2023-10-16');
    admin = await startAdminApi({ hosts: [g], port: 0 });
    const post = (body: unknown) =>
      fetch(`${admin!.url}/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const bad = await post({ fault: 'wrong-mti' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'unsupported-transport', path: 'fault.fault' });
    // A scope that names what this gateway does not serve would never fire: refused with the spot.
    const typo = await post({ fault: 'rate-limit', scope: { operation: ['authorise'] } });
    expect(typo.status).toBe(400);
    expect(await typo.json()).toMatchObject({
      code: 'invalid-scope',
      path: 'fault.scope.operation[0]',
      message: expect.stringMatching(
        /^fault\.scope\.operation\[0\]: this gateway serves no operation "authorise" \(did you mean "authorize"\?\); it serves /,
      ),
    });
    const patch = await post({ fault: 'rate-limit', scope: { method: ['PATCH'] } });
    expect(patch.status).toBe(400);
    expect(((await patch.json()) as { message: string }).message).toMatch(
      /: this gateway serves no method "PATCH"; it serves (GET|POST)/,
    );
    expect((await post({ fault: 'rate-limit', id: 'by-op', scope: { operation: ['capture'] } })).status).toBe(
      201,
    );
    await fetch(`${admin.url}/faults/by-op`, { method: 'DELETE' });
    // Retry-After: 0, so that the gateway holds the client to no wait once the fault is gone.
    const ok = await post({ fault: 'rate-limit', id: 'slow-down', params: { retryAfterSeconds: 0 } });
    expect(ok.status).toBe(201);
    expect((await call(g, 'POST', '/v1/payment_intents', { body: nimbusBody('2023-10-16') })).status).toBe(
      429,
    );
    await fetch(`${admin.url}/faults/slow-down`, { method: 'DELETE' });
    expect((await call(g, 'POST', '/v1/payment_intents', { body: nimbusBody('2023-10-16') })).status).toBe(
      200,
    );
    const reset = await fetch(`${admin.url}/reset`, { method: 'POST' });
    expect(reset.status).toBe(200);
    expect(g.payments.size).toBe(0);
  });
});

// A primary and its backup are two front ends of one gateway: a retry on the backup with the same
// idempotency key finds the first answer, and a payment taken on one can be captured on the other.
import { describe, expect, it } from 'vitest';
import { gatewayStores } from '../../../src/mocks/gateway/index.js';
import { workspaceHosts } from '../../../src/mocks/hosts/host-loader.js';
import { call, gateway, nimbusBody, useGateways } from './support.js';

useGateways();

describe('shared stores', () => {
  it('the backup replays the primary’s answer for the same key and captures its payment', async () => {
    const stores = gatewayStores(workspaceHosts().getGateway('nimbus-pay@2024-06-15'));
    const primary = await gateway('nimbus-pay@2024-06-15', { stores, label: 'primary' });
    const backup = await gateway('nimbus-pay@2024-06-15', { stores, label: 'backup' });
    const body = nimbusBody('2024-06-15', { amount: 1500, capture: false });
    const headers = { 'idempotency-key': 'sale-7' };

    const first = await call(primary, 'POST', '/v1/payment_intents', { body, headers });
    expect(first.status).toBe(200);
    const retry = await call(backup, 'POST', '/v1/payment_intents', { body, headers });
    expect(retry.text).toBe(first.text);
    expect(retry.headers['idempotent-replayed']).toBe('true');

    const capture = await call(backup, 'POST', `/v1/payment_intents/${first.json.id}/capture`, {
      body: {},
      headers: { 'idempotency-key': 'capture-7' },
    });
    expect(capture.status).toBe(200);
    expect(capture.json).toMatchObject({ id: first.json.id, status: 'captured' });
    // One payment, taken by the primary, captured through the backup.
    expect(primary.payments.list().map((p) => [p.id, p.via, p.state])).toEqual([
      [first.json.id, 'primary', 'captured'],
    ]);
    expect(backup.payments).toBe(primary.payments);
  });

  it('instances started without shared stores keep their own', async () => {
    const a = await gateway('nimbus-pay@2024-06-15', { label: 'primary' });
    const b = await gateway('nimbus-pay@2024-06-15', { label: 'backup' });
    const body = nimbusBody('2024-06-15', { capture: false });
    await call(a, 'POST', '/v1/payment_intents', { body, headers: { 'idempotency-key': 'k' } });
    const onB = await call(b, 'POST', '/v1/payment_intents', { body, headers: { 'idempotency-key': 'k' } });
    expect(onB.headers['idempotent-replayed']).toBeUndefined();
    expect(a.payments.size).toBe(1);
    expect(b.payments.size).toBe(1);
  });
});

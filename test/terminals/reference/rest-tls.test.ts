// A REST reference terminal against a gateway that speaks HTTPS with its self-signed test
// certificate: given the certificate as its CA (TerminalConfig.ca) it completes a sale; without it
// the TLS handshake fails and no payment is made.

import { describe, expect, it } from 'vitest';
import { build, card, gateway, play, requests } from './rest-world.js';

describe('REST reference terminal over TLS', () => {
  it('completes a sale when it trusts the gateway test certificate', async () => {
    const g = await gateway('nimbus-pay@2024-06-15', { tls: true });
    expect(g.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(g.certificate).toContain('BEGIN CERTIFICATE');
    const { terminal } = await play(build('test-nimbus-2024'), g, { ca: g.certificate! });
    const sale = await terminal.run({ type: 'sale', amount: 2500, card: card() });
    expect(sale.status, sale.detail).toBe('approved');
    expect(g.payments.get(sale.reference!.paymentId!)).toMatchObject({ state: 'captured', amount: 2500 });
  });

  it('fails the handshake without it: nothing reaches the gateway', async () => {
    const g = await gateway('meridian-checkout@v4', { tls: true });
    const { terminal } = await play(build('test-meridian-v4'), g);
    const sale = await terminal.run({ type: 'sale', amount: 2500, card: card(), timeoutMs: 60_000 });
    expect(sale.status).not.toBe('approved');
    expect(g.payments.list()).toEqual([]);
    expect(requests(g)).toEqual([]);
  });
});

import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createGatewayClient, GatewayClientError } from '../../../src/protocols/rest/index.js';
import { gateway, NIMBUS_KEY, nimbusBody, useGateways } from './support.js';

useGateways();

/** The code of the error an authorization through `c` fails with; the client is closed after. */
async function authorizeError(c: ReturnType<typeof createGatewayClient>, key: string): Promise<string> {
  try {
    const err = await c.authorize(nimbusBody('2024-06-15'), { idempotencyKey: key }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayClientError);
    return (err as GatewayClientError).code;
  } finally {
    await c.close();
  }
}

/** A client of the gateway that trusts its test certificate. */
const trusting = (g: Awaited<ReturnType<typeof gateway>>) =>
  createGatewayClient({ baseUrl: g.url, api: g.version.api, apiKey: NIMBUS_KEY, ca: g.certificate! });

describe('TLS', () => {
  it('serves HTTPS with a generated test certificate a client trusts as its CA', async () => {
    const g = await gateway('nimbus-pay@2024-06-15', { tls: true });
    expect(g.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(g.certificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const c = trusting(g);
    try {
      const r = await c.authorize(nimbusBody('2024-06-15'), { idempotencyKey: 'tls-1' });
      expect(r.status).toBe(200);
      expect(r.result).toMatchObject({ state: 'captured', status: 'captured' });
    } finally {
      await c.close();
    }
    const entry = g.journal.entries().find((e) => e.request)!;
    expect(entry.connection).toBeGreaterThan(0);
    expect(g.journal.entries().some((e) => e.event?.kind === 'connected')).toBe(true);
  });

  it('a client that does not trust the certificate fails the handshake; the gateway notes it, blaming no one', async () => {
    const g = await gateway('nimbus-pay@2024-06-15', { tls: true });
    const c = createGatewayClient({ baseUrl: g.url, api: g.version.api, apiKey: NIMBUS_KEY });
    expect(await authorizeError(c, 'tls-2')).toBe('tls');
    const ended = () => g.journal.entries().find((e) => e.event?.detail.startsWith('TLS handshake'));
    for (let i = 0; i < 100 && !ended(); i++) await new Promise((r) => setTimeout(r, 5));
    // The terminal gave up (it hangs up, or sends an alert): an event, not a violation of the gateway's.
    expect(ended()?.event).toMatchObject({
      kind: 'disconnected',
      detail: expect.stringMatching(
        /^TLS handshake not completed: the terminal (hung up|refused it).*does it trust this gateway's certificate\?$/,
      ),
    });
    expect(ended()?.violations).toEqual([]);
    expect(g.payments.size).toBe(0);
  });

  it('plain HTTP to an HTTPS gateway is refused at the handshake, with a tls violation', async () => {
    const g = await gateway('nimbus-pay@2024-06-15', { tls: true });
    const plain = await request(g.url.replace('https:', 'http:'), { method: 'GET' }).catch((e: Error) => e);
    if (!(plain instanceof Error)) await plain.body.text();
    const refused = () => g.journal.entries().find((e) => e.event?.kind === 'malformed');
    for (let i = 0; i < 100 && !refused(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(refused()?.event?.detail).toBe(
      'TLS handshake failed: the terminal speaks plain HTTP to a gateway that serves HTTPS only',
    );
    expect(refused()?.violations).toEqual([
      {
        path: 'tls',
        rule: 'tls',
        message: 'the terminal speaks plain HTTP to a gateway that serves HTTPS only',
      },
    ]);
  });

  it('connection-reset resets the TCP connection under TLS (it failed and answered before)', async () => {
    const g = await gateway('nimbus-pay@2024-06-15', { tls: true, faults: [{ fault: 'connection-reset' }] });
    expect(await authorizeError(trusting(g), 'tls-3')).toBe('reset');
    const fired = g.journal.entries().find((e) => e.faults.includes('connection-reset'));
    expect(fired?.event).toMatchObject({ kind: 'reset' });
  });
});

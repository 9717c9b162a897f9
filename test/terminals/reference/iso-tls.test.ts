// A reference ISO 8583 build whose profile says `iso.tls` dials its acquirer inside TLS, trusting the
// CA it is configured with (TerminalConfig.ca): against a host that speaks TLS it transacts; every
// mismatch — plain against TLS, TLS against plain, too old a TLS, an untrusted certificate — fails
// the connect, and the host's journal says which it was. Sales are above the build's offline floor
// (50.00), so an unreachable host cannot be approved offline.

import { describe, expect, it } from 'vitest';
import type { HostVersion } from '../../../src/mocks/hosts/host-loader.js';
import type { IsoHost } from '../../../src/mocks/iso-host/start-iso-host.js';
import { build, host, hosts, play, requests, VISA } from './world.js';

/** harbor-bank@2019.4 behind TLS. */
function tlsHarbor(minVersion?: 'TLSv1.2' | 'TLSv1.3'): HostVersion {
  const v = hosts.get('harbor-bank@2019.4');
  return { ...v, spec: { ...v.spec, tls: minVersion ? { minVersion } : {} } };
}

const tlsBuild = (maxVersion?: 'TLSv1.2' | 'TLSv1.3') =>
  build('test-harbor-87', { iso: { tls: maxVersion ? { maxVersion } : {} } });

/** What the host journaled about TLS (its violations), once it has. */
async function tlsFailure(h: IsoHost): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const found = h.journal.entries().find((e) => e.violations.some((v) => v.rule === 'tls'));
    if (found) return found.violations[0]!.message;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('no TLS violation journaled');
}

describe('ISO 8583 reference terminal over TLS', () => {
  it('a TLS build that trusts the host certificate completes a sale inside TLS', async () => {
    const h = await host(tlsHarbor());
    const { terminal } = await play(tlsBuild(), h, { config: { ca: h.certificate! } });
    const sale = await terminal.run({ type: 'sale', amount: 7500, card: VISA() });
    expect(sale.status, sale.detail).toBe('approved');
    expect(h.journal.entries().find((e) => e.event?.kind === 'connected')?.event?.detail).toMatch(
      / TLSv1\.3 /,
    );
    expect(requests(h).map((e) => e.request!.summary.slice(0, 9))).toEqual(['0200 sale']);
  });

  it('a plain build cannot reach a TLS host: the host journals that it speaks plain TCP', async () => {
    const h = await host(tlsHarbor());
    const { terminal } = await play(build('test-harbor-87'), h);
    const sale = await terminal.run({ type: 'sale', amount: 7500, card: VISA() });
    // TCP connects; the sale's bytes are no TLS record, and the host hangs up.
    expect(sale.status).toBe('timed-out');
    expect(sale.detail).toMatch(/the host closed the connection/);
    expect(await tlsFailure(h)).toMatch(
      /the terminal speaks plain TCP \(its first bytes are no TLS record\)/,
    );
    expect(requests(h)).toEqual([]);
  });

  it('a TLS build cannot reach a plain host: the host names the ClientHello', async () => {
    const h = await host(hosts.get('harbor-bank@2019.4'));
    const { terminal, kinds } = await play(tlsBuild(), h, { config: { ca: 'unused' } });
    const sale = await terminal.run({ type: 'sale', amount: 7500, card: VISA() });
    expect(sale.status).toBe('timed-out');
    expect(sale.detail).toMatch(/^host unreachable: /);
    expect(kinds()).toContain('connect-failed');
    expect(await tlsFailure(h)).toBe('the terminal started a TLS handshake: this host speaks plain TCP');
  });

  it('a build whose TLS stops at 1.2 cannot reach a host that requires 1.3', async () => {
    const h = await host(tlsHarbor('TLSv1.3'));
    const { terminal } = await play(tlsBuild('TLSv1.2'), h, { config: { ca: h.certificate! } });
    const sale = await terminal.run({ type: 'sale', amount: 7500, card: VISA() });
    expect(sale.status).toBe('timed-out');
    expect(sale.detail).toMatch(/^host unreachable: /);
    expect(await tlsFailure(h)).toMatch(/offers only TLS versions older than TLSv1\.3/);
  });

  it('a TLS build without the host certificate as its CA refuses the host', async () => {
    const h = await host(tlsHarbor());
    const { terminal, events } = await play(tlsBuild(), h);
    const sale = await terminal.run({ type: 'sale', amount: 7500, card: VISA() });
    expect(sale.status).toBe('timed-out');
    expect(sale.detail).toMatch(/^host unreachable: /);
    expect(events.find((e) => e.kind === 'connect-failed')?.detail).toMatch(/SELF_SIGNED|CERT/);
    expect(requests(h)).toEqual([]);
  });
});

/** harbor-bank@2019.4 behind mutual TLS: client certificates required. */
function mutualHarbor(): HostVersion {
  const v = hosts.get('harbor-bank@2019.4');
  return { ...v, spec: { ...v.spec, tls: { clientCertificate: 'required' } } };
}

describe('ISO 8583 reference terminal over mutual TLS', () => {
  it('a build that presents its client certificate completes a sale', async () => {
    const h = await host(mutualHarbor());
    const b = build('test-harbor-87', { iso: { tls: { clientCertificate: true } } });
    const { terminal } = await play(b, h, {
      config: { ca: h.certificate!, clientCertificate: h.terminalCertificate! },
    });
    const sale = await terminal.run({ type: 'sale', amount: 7500, card: VISA() });
    expect(sale.status, sale.detail).toBe('approved');
  });

  it('a TLS build without client-certificate support is refused, though it was given one', async () => {
    const h = await host(mutualHarbor());
    const { terminal } = await play(tlsBuild(), h, {
      config: { ca: h.certificate!, clientCertificate: h.terminalCertificate! },
    });
    const sale = await terminal.run({ type: 'sale', amount: 7500, card: VISA() });
    // TLS 1.3: the terminal's handshake completes before the host checks, so the sale goes out
    // and the connection closes under it.
    expect(sale.status).toBe('timed-out');
    expect(sale.detail).toMatch(/the host closed the connection/);
    expect(await tlsFailure(h)).toBe(
      'TLS handshake failed: the terminal presented no client certificate (this host requires one: mutual TLS)',
    );
    expect(requests(h)).toEqual([]);
  });
});

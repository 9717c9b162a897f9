// cellHosts for a gateway version with `tls`: its instances speak HTTPS and credentials() hands the
// terminal their test certificate as `ca` (and, for mutual TLS, the terminal certificate), so a REST
// reference terminal configured the executor's way pays over TLS, or is refused as its build says.

import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { builtinHostsDir, loadCards, loadHosts } from '../../src/mocks/hosts/host-loader.js';
import { type CellHost, cellHosts } from '../../src/suites/cell-hosts.js';
import { loadFirmware } from '../../src/terminals/firmware-loader.js';
import { referenceDriver } from '../../src/terminals/reference/reference-driver.js';
import type { Terminal, TransactionOutcome } from '../../src/terminals/terminal.js';
import { removeTempDirs, tempDir } from '../support/temp-dir.js';

const cards = loadCards();
const fixtures = resolve(import.meta.dirname, '../fixtures/firmware');

// meridian-checkout as shipped, plus versions that serve v3 over HTTPS: TLS 1.2+, TLS 1.3 only,
// and mutual TLS.
const hostsDir = tempDir('paymatrix-tls-gateway-');
writeFileSync(
  join(hostsDir, 'meridian-checkout.yaml'),
  `${readFileSync(join(builtinHostsDir(), 'meridian-checkout.yaml'), 'utf8')}
  v3-https:
    extends: v3
    summary: v3 over HTTPS
    changes: [HTTPS only]
    tls: {}
  v3-tls13:
    extends: v3
    summary: v3 over TLS 1.3 only
    changes: [TLS 1.3 only]
    tls: { minVersion: TLSv1.3 }
  v3-mtls:
    extends: v3
    summary: v3 over mutual TLS
    changes: [every terminal presents a client certificate]
    tls: { clientCertificate: required }
`,
);
const hosts = loadHosts([hostsDir]);

// Builds of test-meridian-v3 that offer at most TLS 1.2, or present their client certificate.
const buildsDir = tempDir('paymatrix-tls-builds-');
const v3 = readFileSync(join(fixtures, 'test-meridian-v3.yaml'), 'utf8');
const variant = (id: string, tls: string) =>
  writeFileSync(
    join(buildsDir, `${id}.yaml`),
    `${v3.replace('id: test-meridian-v3', `id: ${id}`)}  rest:\n    tls: ${tls}\n`,
  );
variant('test-meridian-v3-tls12', '{ maxVersion: TLSv1.2 }');
variant('test-meridian-v3-mtls', '{ clientCertificate: true }');
const builds = loadFirmware([fixtures, buildsDir]);

let open: (CellHost | Terminal)[] = [];
afterEach(async () => {
  await Promise.all(open.map((x) => x.close()));
  open = [];
});
afterAll(removeTempDirs);

/** One sale of build `buildId` against a fresh instance of `ref`, configured as the executor does. */
async function sale(ref: string, buildId: string): Promise<{ result: TransactionOutcome; host: CellHost }> {
  const side = cellHosts(hosts.getGateway(ref), { seed: 1, timeScale: 0.01, cards });
  const host = await side.start('primary', []);
  open.push(host);
  const terminal = await referenceDriver.create(builds.get(buildId));
  open.push(terminal);
  await terminal.configure({ primary: host.endpoint, ...side.credentials('T1'), timeScale: 0.01, seed: 1 });
  const c = cards.get('visa-credit-chip');
  const result = await terminal.run({
    type: 'sale',
    amount: 1000,
    card: { pan: c.pan, expiry: c.expiry, entryMode: 'chip' },
  });
  return { result, host };
}

/** The journal's connection-level entries (no request): connects and refusals. */
async function connectionEvents(host: CellHost): Promise<{ detail: string; violations: string[] }[]> {
  // The gateway journals a refusal when its side of the handshake ends, which may follow the
  // terminal's error by a moment.
  for (let i = 0; i < 100 && !host.entries().some((e) => e.event?.kind !== 'connected'); i++)
    await new Promise((r) => setTimeout(r, 5));
  return host
    .entries()
    .filter((e) => !e.request && e.event && e.event.kind !== 'disconnected')
    .map((e) => ({
      detail: `${e.event!.kind}: ${e.event!.detail}`,
      violations: e.violations.map((v) => v.message),
    }));
}

describe('cell hosts of a gateway version with tls', () => {
  it('serve HTTPS: the terminal is given the certificate, and a sale goes through', async () => {
    const side = cellHosts(hosts.getGateway('meridian-checkout@v3-https'), {
      seed: 1,
      timeScale: 0.01,
      cards,
    });
    const primary = await side.start('primary', []);
    open.push(primary);
    expect('url' in primary.endpoint && primary.endpoint.url).toMatch(/^https:/);
    const credentials = side.credentials('T1');
    expect(credentials.ca).toContain('BEGIN CERTIFICATE');
    expect(credentials.clientCertificate).toBeUndefined();

    const { result, host } = await sale('meridian-checkout@v3-https', 'test-meridian-v3');
    expect(result.status, result.detail).toBe('approved');
    expect(host.payments!()).toHaveLength(1);
    // The connection names its protocol and cipher.
    expect((await connectionEvents(host))[0]!.detail).toMatch(/^connected: 127\.0\.0\.1:\d+ TLSv1\.3 TLS_/);
  });

  it('a version without tls is plain HTTP: no ca', async () => {
    const side = cellHosts(hosts.getGateway('meridian-checkout@v3'), { seed: 1, timeScale: 0.01, cards });
    const primary = await side.start('primary', []);
    open.push(primary);
    expect('url' in primary.endpoint && primary.endpoint.url).toMatch(/^http:/);
    expect(side.credentials('T1').ca).toBeUndefined();
  });

  it('minVersion TLSv1.3 refuses a build that offers at most TLS 1.2, with a tls violation; 1.3 passes', async () => {
    const old = await sale('meridian-checkout@v3-tls13', 'test-meridian-v3-tls12');
    expect(old.result.status).not.toBe('approved');
    expect(old.host.payments!()).toHaveLength(0);
    expect(await connectionEvents(old.host)).toContainEqual({
      detail:
        'malformed: TLS handshake failed: the terminal offers only TLS versions older than TLSv1.3, the oldest this gateway accepts',
      violations: [
        'the terminal offers only TLS versions older than TLSv1.3, the oldest this gateway accepts',
      ],
    });
    const current = await sale('meridian-checkout@v3-tls13', 'test-meridian-v3');
    expect(current.result.status, current.result.detail).toBe('approved');
  });

  it('mutual TLS: a build that presents its certificate pays; one that does not is refused before HTTP', async () => {
    const side = cellHosts(hosts.getGateway('meridian-checkout@v3-mtls'), {
      seed: 1,
      timeScale: 0.01,
      cards,
    });
    open.push(await side.start('primary', []));
    expect(side.credentials('T1').clientCertificate?.cert).toContain('BEGIN CERTIFICATE');

    const ok = await sale('meridian-checkout@v3-mtls', 'test-meridian-v3-mtls');
    expect(ok.result.status, ok.result.detail).toBe('approved');
    expect(ok.host.payments!()).toHaveLength(1);

    const refused = await sale('meridian-checkout@v3-mtls', 'test-meridian-v3');
    expect(refused.result.status).not.toBe('approved');
    expect(refused.host.payments!()).toHaveLength(0);
    expect(refused.host.entries().filter((e) => e.request)).toEqual([]);
    expect(await connectionEvents(refused.host)).toContainEqual({
      detail:
        'malformed: TLS handshake refused: the terminal presented no client certificate (this gateway requires one: mutual TLS)',
      violations: ['the terminal presented no client certificate (this gateway requires one: mutual TLS)'],
    });
  });
});

// cellHosts with tls: the gateway instances speak HTTPS and credentials() hands the terminal their
// test certificate as `ca`, so a REST reference terminal configured the executor's way pays over TLS.

import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCards, loadHosts } from '../../src/mocks/hosts/host-loader.js';
import { type CellHost, cellHosts } from '../../src/suites/cell-hosts.js';
import { loadFirmware } from '../../src/terminals/firmware-loader.js';
import { referenceDriver } from '../../src/terminals/reference/reference-driver.js';
import type { Terminal } from '../../src/terminals/terminal.js';

const hosts = loadHosts();
const cards = loadCards();
const builds = loadFirmware([resolve(import.meta.dirname, '../fixtures/firmware')]);

let open: (CellHost | Terminal)[] = [];
afterEach(async () => {
  await Promise.all(open.map((x) => x.close()));
  open = [];
});

describe('cell hosts over TLS', () => {
  it('gives the terminal the gateway certificate, and a sale goes through', async () => {
    const version = hosts.getGateway('meridian-checkout@v3');
    const side = cellHosts(version, { seed: 1, timeScale: 0.01, cards, tls: true });
    const primary = await side.start('primary', []);
    open.push(primary);
    expect('url' in primary.endpoint && primary.endpoint.url).toMatch(/^https:/);
    const credentials = side.credentials('T1');
    expect(credentials.ca).toContain('BEGIN CERTIFICATE');
    expect(credentials.apiKey).toBe(version.spec.auth.keys[0]);

    const terminal = await referenceDriver.create(builds.get('test-meridian-v3'));
    open.push(terminal);
    await terminal.configure({ primary: primary.endpoint, ...credentials, timeScale: 0.01, seed: 1 });
    const c = cards.get('visa-credit-chip');
    const sale = await terminal.run({
      type: 'sale',
      amount: 1000,
      card: { pan: c.pan, expiry: c.expiry, entryMode: 'chip' },
    });
    expect(sale.status, sale.detail).toBe('approved');
    expect(primary.payments!()).toHaveLength(1);
  });

  it('plain HTTP by default: no ca', async () => {
    const side = cellHosts(hosts.getGateway('meridian-checkout@v3'), { seed: 1, timeScale: 0.01, cards });
    const primary = await side.start('primary', []);
    open.push(primary);
    expect('url' in primary.endpoint && primary.endpoint.url).toMatch(/^http:/);
    expect(side.credentials('T1').ca).toBeUndefined();
  });
});

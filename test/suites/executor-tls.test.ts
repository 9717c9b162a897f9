// End to end over TLS: a bank version that moves the POS link into TLS, played by a cell. The cell
// starts the host, hands the terminal the host's test certificate (TerminalConfig.ca), and judges:
// a build that speaks TLS passes; the same build without TLS fails with the host's own words.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinHostsDir, loadHosts } from '../../src/mocks/hosts/host-loader.js';
import { runCell } from '../../src/suites/executor.js';
import { loadFirmware } from '../../src/terminals/firmware-loader.js';
import { referenceDriver } from '../../src/terminals/reference/reference-driver.js';
import { cards, cell, registry, run, suites } from './support/world.js';

// harbor-bank as shipped, plus a 2026.1 that only moves the link into TLS.
const dir = mkdtempSync(join(tmpdir(), 'pm-tls-hosts-'));
writeFileSync(
  join(dir, 'harbor-bank.yaml'),
  `${readFileSync(join(builtinHostsDir(), 'harbor-bank.yaml'), 'utf8').trimEnd()}
  "2026.1":
    extends: "2019.4"
    summary: The 1987 link inside TLS 1.2+
    changes: [Terminals connect with TLS 1.2 or later; plain TCP is refused.]
    tls: { minVersion: TLSv1.2 }
`,
);
const hosts = loadHosts([dir]);

const fixtures = loadFirmware([resolve(import.meta.dirname, '../fixtures/firmware')]);
const plain = fixtures.get('test-harbor-87');
const withTls = {
  ...plain,
  id: 'test-harbor-87-tls',
  profile: { ...plain.profile, iso: { ...(plain.profile?.iso ?? {}), tls: {} } },
};
const workspace = resolve(import.meta.dirname, '../..');
const catalogue = {
  workspace,
  hosts,
  cards,
  suites,
  firmware: registry([plain, withTls]),
  createTerminal: (build: Parameters<typeof referenceDriver.create>[0]) =>
    referenceDriver.create(build, { workspace }),
};

describe('a cell on a host version that requires TLS', () => {
  it('a build that speaks TLS passes: the cell gave it the host certificate to trust', async () => {
    for (const scenario of ['core/sign-on', 'core/sale-approved']) {
      const result = await runCell(
        cell('test-harbor-87-tls', 'harbor-bank@2026.1', scenario),
        catalogue,
        run,
      );
      expect({ scenario, status: result.status, reasons: result.reasons.map((r) => r.message) }).toEqual({
        scenario,
        status: 'pass',
        reasons: [],
      });
    }
  });

  it('the same build without TLS fails, and the reason is the host refusing its connection', async () => {
    const result = await runCell(
      cell('test-harbor-87', 'harbor-bank@2026.1', 'core/sale-approved'),
      catalogue,
      run,
    );
    expect(result.status).toBe('fail');
    expect(result.reasons[0]).toMatchObject({
      kind: 'violation',
      message: expect.stringMatching(
        /^host harbor-bank@2026\.1 rejected a connection: TLS handshake failed: the terminal speaks plain TCP \(its first bytes are no TLS record\)$/,
      ),
    });
  });

  it('the TLS build on the plain 2019.4 fails: the host names the ClientHello', async () => {
    const result = await runCell(
      cell('test-harbor-87-tls', 'harbor-bank@2019.4', 'core/sale-approved'),
      catalogue,
      run,
    );
    expect(result.status).toBe('fail');
    expect(result.reasons.map((r) => r.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^host harbor-bank@2019\.4 rejected a connection: the terminal started a TLS handshake: this host speaks plain TCP/,
        ),
      ]),
    );
  });
});

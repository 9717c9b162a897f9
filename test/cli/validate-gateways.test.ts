// `paymatrix validate` checks the REST side too: API version documents (protocols/rest), gateway
// host files (built on first use by the loader, so validate builds them) and REST builds' profiles
// against the API version they name.

import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateWorkspace } from '../../src/cli/validate.js';
import { tempDir } from '../support/temp-dir.js';

const root = resolve(import.meta.dirname, '../..');
const ws = tempDir('pm-validate-rest-');
afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe('validate: API versions, gateways, REST builds', () => {
  it('reports a bad gateway version, a bad API document and a REST build naming no API version', {
    timeout: 60_000,
  }, () => {
    mkdirSync(join(ws, 'mocks/hosts'), { recursive: true });
    mkdirSync(join(ws, 'protocols/rest/meridian-checkout'), { recursive: true });
    mkdirSync(join(ws, 'firmware'), { recursive: true });
    const nimbus = readFileSync(join(root, 'mocks/hosts/nimbus-pay.yaml'), 'utf8');
    writeFileSync(
      join(ws, 'mocks/hosts/nimbus-pay.yaml'),
      nimbus.replace('apiVersion: "2024-06-15"', 'apiVersion: "2099-01-01"'),
    );
    const v4 = readFileSync(join(root, 'protocols/rest/meridian-checkout/v4.yaml'), 'utf8');
    writeFileSync(join(ws, 'protocols/rest/meridian-checkout/v5.yaml'), v4);
    const osprey = readFileSync(join(root, 'firmware/osprey-s5-2.4.yaml'), 'utf8');
    writeFileSync(
      join(ws, 'firmware/osprey-s5-2.4.yaml'),
      osprey.replace('api: meridian-checkout, version: v3', 'api: meridian-checkout, version: v9'),
    );
    const report = validateWorkspace(ws);
    const messages = report.problems.map((p) => p.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          `${join(ws, 'mocks/hosts/nimbus-pay.yaml')} at /versions/2024-06-15/apiVersion: unknown version "2099-01-01"`,
        ),
        expect.stringContaining(`${join(ws, 'protocols/rest/meridian-checkout/v5.yaml')} at /info/version`),
        `${join(ws, 'firmware/osprey-s5-2.4.yaml')} at /protocol: unknown API version "meridian-checkout@v9"`,
      ]),
    );
    expect(messages).toHaveLength(3);
    // The other gateway and the built-in API versions still loaded and were counted.
    expect(report.counts).toEqual(
      expect.arrayContaining([
        { what: 'API versions', count: 4 },
        expect.objectContaining({ what: 'host versions' }),
      ]),
    );
  });

  it('the built-in catalogue is clean, gateways included', { timeout: 60_000 }, () => {
    const clean = tempDir('pm-validate-clean-');
    try {
      copyFileSync(join(root, 'fleet.yaml'), join(clean, 'fleet.yaml'));
      const report = validateWorkspace(clean);
      expect(report.problems.map((p) => p.message)).toEqual([]);
      const hostVersions = report.counts.find((c) => c.what === 'host versions')!.count;
      expect(hostVersions).toBeGreaterThan(5); // harbor-bank and lotus-acquirer have 5; gateways add theirs
    } finally {
      rmSync(clean, { recursive: true, force: true });
    }
  });
});

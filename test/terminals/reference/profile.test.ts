// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${name} is the profile template syntax, not JavaScript.
// Build profiles: base profiles in firmware/profiles extended and overridden by builds, checked when
// a terminal is created, with errors that name the file, the JSON path and the problem. The example
// builds in firmware/ load and make terminals.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFileError } from '../../../src/data/data-file-error.js';
import { loadDialects } from '../../../src/protocols/iso8583/index.js';
import {
  type FirmwareBuild,
  loadFirmware,
  workspaceFirmware,
} from '../../../src/terminals/firmware-loader.js';
import { resolveProfile } from '../../../src/terminals/reference/profile-loader.js';
import type { ReferenceProfile } from '../../../src/terminals/reference/profile-schema.js';
import { referenceDriver } from '../../../src/terminals/reference/reference-driver.js';
import { tempDir } from '../../support/temp-dir.js';
import { builds } from './world.js';

const dialects = loadDialects();
const harbor87 = builds.get('test-harbor-87');

function variant(profile: ReferenceProfile, over: Partial<FirmwareBuild> = {}): FirmwareBuild {
  return { ...harbor87, ...over, profile };
}

function problem(b: FirmwareBuild): DataFileError {
  try {
    resolveProfile(b, { dialect: dialects.get((b.protocol as { dialect: string }).dialect) });
  } catch (err) {
    if (err instanceof DataFileError) return err;
    throw err;
  }
  throw new Error('the profile resolved');
}

describe('base profiles', () => {
  it('the example builds in firmware/ load with workspaceFirmware() and make terminals', async () => {
    const examples = workspaceFirmware()
      .list()
      .filter((b) => b.driver === 'reference');
    expect(examples.map((b) => b.protocol)).toEqual(
      expect.arrayContaining([
        { family: 'iso8583', dialect: 'iso8583-1987-ascii' },
        { family: 'iso8583', dialect: 'iso8583-1993-binary' },
        { family: 'iso8583', dialect: 'cup-pos' },
      ]),
    );
    for (const b of examples) {
      const t = await referenceDriver.create(b);
      expect((await t.identify()).build).toBe(b.id);
      await t.close();
    }
  });

  it('a build extends a base profile and overrides what differs; null removes a field', () => {
    const base = resolveProfile(harbor87);
    expect(base.lineage).toEqual(['iso8583-1987-ascii']);
    expect(Object.keys(base.iso!.messages.sale!.fields)).toContain('55');
    const p = resolveProfile(
      variant({
        extends: 'iso8583-1987-binary',
        timeouts: { responseMs: 45000 },
        iso: {
          messages: { sale: { fields: { 55: null, 48: 'LANE 7' } } },
          fieldSets: { card: { 23: null } },
        },
      }),
    );
    expect(p.lineage).toEqual(['iso8583-1987-binary', 'iso8583-1987-ascii']);
    expect(p.timeouts).toEqual({ connectMs: 5000, responseMs: 45000 });
    const sale = p.iso!.messages.sale!;
    expect(sale.mti).toBe('0200');
    expect(sale.fields['55']).toBeUndefined();
    expect(sale.fields['48']).toBe('LANE 7');
    expect(p.iso!.messages.refund!.fields['55']).toBe('${icc}');
    expect(p.iso!.messages.refund!.fields['23']).toBeUndefined();
  });
});

describe('profile errors name the file, the path and the problem', () => {
  it('an unknown variable', () => {
    const e = problem(
      variant({ extends: 'iso8583-1987-ascii', iso: { messages: { sale: { fields: { 4: '${amout}' } } } } }),
    );
    expect([e.file, e.path, e.problem]).toEqual([
      harbor87.file,
      '/profile/iso/messages/sale/fields/4',
      'unknown variable "${amout}" (docs/firmware.md)',
    ]);
  });

  it('a broken ${…} part', () => {
    const e = problem(
      variant({ extends: 'iso8583-1987-ascii', iso: { fieldSets: { money: { 4: '${amount:x}' } } } }),
    );
    expect(e.path).toBe('/profile/iso/fieldSets/money/4');
    expect(e.problem).toBe('"${amount:x}" is not a variable: use ${name} or ${name:width}');
  });

  it('an unknown base profile', () => {
    const e = problem(variant({ extends: 'iso8583-2003' }));
    expect(e.path).toBe('/profile/extends');
    expect(e.problem).toBe(
      'unknown profile "iso8583-2003" (known: cup-pos, iso8583-1987-ascii, iso8583-1987-binary, iso8583-1993-binary, ' +
        'meridian-checkout-v3, meridian-checkout-v4, nimbus-pay-2023-10-16, nimbus-pay-2024-06-15)',
    );
  });

  it('a declared capability without its message', () => {
    const e = problem(variant({ extends: 'iso8583-1987-ascii', iso: { messages: { balance: null } } }));
    expect([e.path, e.problem]).toEqual([
      '/profile/iso/messages/balance',
      'is required: the build declares the capability "balance"',
    ]);
  });

  it("an element the build's dialect lacks, reported in the base profile that uses it", () => {
    const e = problem(
      variant(
        { extends: 'iso8583-1987-ascii' },
        { protocol: { family: 'iso8583', dialect: 'iso8583-1993-binary' } },
      ),
    );
    expect(e.file).toMatch(/firmware\/profiles\/iso8583-1987-ascii\.yaml$/);
    expect([e.path, e.problem]).toEqual([
      '/iso/fieldSets/original/90',
      'DE90 is not a field of dialect iso8583-1993-binary',
    ]);
  });

  it('a framing part the dialect needs', () => {
    const e = problem(
      variant({ extends: 'iso8583-1987-ascii' }, { protocol: { family: 'iso8583', dialect: 'cup-pos' } }),
    );
    expect([e.path, e.problem]).toEqual(['/profile/iso/tpdu', 'is required: dialect cup-pos frames a TPDU']);
  });

  it('a schema error when the build file is loaded', () => {
    const dir = tempDir('paymatrix-firmware-');
    const text = `id: bad
title: Bad build
vendor: v
model: m
version: "1"
description: d
driver: reference
protocol: { family: iso8583, dialect: iso8583-1987-ascii }
capabilities: [sale]
profile: { extends: iso8583-1987-ascii, defects: [no-macs] }
`;
    writeFileSync(join(dir, 'bad.yaml'), text);
    expect(() => loadFirmware([dir])).toThrow(
      expect.objectContaining({
        path: '/profile/defects/0',
        problem: expect.stringContaining('must be one of "no-reversal-on-timeout"'),
      }),
    );
  });
});

describe('the reference driver', () => {
  it('refuses builds it cannot play', async () => {
    await expect(referenceDriver.create({ ...harbor87, driver: 'process' })).rejects.toThrow(
      'not "reference"',
    );
    const rest = variant(
      { extends: 'iso8583-1987-ascii' },
      { protocol: { family: 'rest', api: 'acme', version: '1' } },
    );
    await expect(referenceDriver.create(rest)).rejects.toThrow('unknown API version "acme@1"');
  });

  it('an unconfigured terminal and an undeclared transaction give error outcomes, not exceptions', async () => {
    const t = await referenceDriver.create({ ...harbor87, capabilities: ['sale'] });
    expect((await t.run({ type: 'sale', amount: 100 })).error?.code).toBe('not-configured');
    await t.configure({ primary: { host: '127.0.0.1', port: 1 }, timeScale: 0.01 });
    const o = await t.run({ type: 'refund', amount: 100 });
    expect([o.status, o.error?.code]).toEqual(['error', 'unsupported']);
    await t.close();
  });
});

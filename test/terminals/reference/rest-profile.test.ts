// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${name} is the profile template syntax, not JavaScript.
// REST build profiles: the base profiles of firmware/profiles resolved for each API version, and the
// mistakes a REST profile can hold, refused when the terminal is made with the file, the JSON path
// and the problem.

import { describe, expect, it } from 'vitest';
import { DataFileError } from '../../../src/data/data-file-error.js';
import { loadApis } from '../../../src/protocols/rest/api-loader.js';
import type { FirmwareBuild } from '../../../src/terminals/firmware-loader.js';
import { resolveProfile } from '../../../src/terminals/reference/profile-loader.js';
import type { ReferenceProfile } from '../../../src/terminals/reference/profile-schema.js';
import { referenceDriver } from '../../../src/terminals/reference/reference-driver.js';
import { build } from './rest-world.js';

const apis = loadApis();
const nimbus = build('test-nimbus-2024');

async function problem(b: FirmwareBuild): Promise<string> {
  try {
    await referenceDriver.create(b);
  } catch (err) {
    if (err instanceof DataFileError) return `${err.file.split('/').pop()} at ${err.path}: ${err.problem}`;
    throw err;
  }
  throw new Error('the terminal was made');
}

const variant = (profile: ReferenceProfile, over: Partial<FirmwareBuild> = {}): FirmwareBuild => ({
  ...nimbus,
  ...over,
  profile: { ...nimbus.profile, ...profile },
});

describe('REST base profiles', () => {
  it('nimbus-pay-2024-06-15 extends 2023-10-16: the amount becomes an object, return_url is added', () => {
    const p = resolveProfile(nimbus, { api: apis.get('nimbus-pay@2024-06-15') });
    expect(p.lineage).toEqual(['nimbus-pay-2024-06-15', 'nimbus-pay-2023-10-16']);
    const sale = p.rest!.operations.sale!;
    expect(sale.body).toMatchObject({
      amount: { value: '${amount}', currency: '${currency}' },
      return_url: 'https://terminal.invalid/return',
    });
    expect(sale.body).not.toHaveProperty('currency');
    expect(p.rest!.operations.void).toMatchObject({
      operation: 'cancel',
      paymentId: '${original.paymentId}',
      whenCaptured: { operation: 'refund', paymentId: '${original.paymentId}' },
    });
    expect(p.rest!.operations.echo).toMatchObject({
      paymentId: 'pi_0terminalprobe',
      answeredStatuses: [200, 404],
    });
    expect(p.rest!).toMatchObject({
      pinVersion: true,
      idempotencyKey: '${uuid}',
      retry: { maxAttempts: 3, backoffMs: 1000, backoffFactor: 2, maxRetryAfterMs: 30000 },
    });
    expect(p.reversal.transactions).toEqual(['sale', 'pre-auth']);
  });
});

describe('REST profile mistakes', () => {
  it('an unknown variable in a body template', async () => {
    expect(
      await problem(variant({ rest: { operations: { sale: { body: { amount: { value: '${amout}' } } } } } })),
    ).toBe(
      'test-nimbus-2024.yaml at /profile/rest/operations/sale/body/amount/value: unknown variable "${amout}" (docs/firmware.md)',
    );
  });

  it('an ISO variable in the idempotency key', async () => {
    expect(await problem(variant({ rest: { idempotencyKey: '${terminalId}-${stan}' } }))).toBe(
      'test-nimbus-2024.yaml at /profile/rest/idempotencyKey: unknown variable "${stan}" (docs/firmware.md)',
    );
  });

  it('an operation the API version does not have', async () => {
    expect(await problem(variant({ rest: { operations: { refund: { operation: 'reverse' } } } }))).toBe(
      'test-nimbus-2024.yaml at /profile/rest/operations/refund/operation: nimbus-pay@2024-06-15 has no operation "reverse" (known: authorize, retrieve, capture, cancel, refund)',
    );
  });

  it('a declared capability without an operation, and settlement on a REST build', async () => {
    expect(await problem(variant({ rest: { operations: { completion: null } } }))).toBe(
      'test-nimbus-2024.yaml at /profile/rest/operations/completion: is required: the build declares the capability "completion"',
    );
    expect(await problem(variant({}, { capabilities: [...nimbus.capabilities, 'settlement'] }))).toMatch(
      /at \/profile\/rest: a REST build cannot declare "settlement"/,
    );
  });

  it('an ISO 8583 defect on a REST build; a REST build without a rest section', async () => {
    expect(await problem(variant({ defects: ['no-reversal-on-timeout', 'no-mac'] }))).toBe(
      'test-nimbus-2024.yaml at /profile/defects/1: "no-mac" is an ISO 8583 defect; the build speaks rest',
    );
    expect(await problem(variant({ extends: undefined } as ReferenceProfile))).toBe(
      'test-nimbus-2024.yaml at /profile/rest: is required: the build speaks REST',
    );
  });

  it('an unknown API version', async () => {
    expect(
      await problem(variant({}, { protocol: { family: 'rest', api: 'nimbus-pay', version: '2025-01-01' } })),
    ).toMatch(/at \/protocol: unknown API version "nimbus-pay@2025-01-01" \(known: .*nimbus-pay@2024-06-15/);
  });

  it('a base-profile operation left without its operation name', async () => {
    const b = variant(
      { extends: undefined, rest: { operations: { echo: { paymentId: 'pi_x' } } } } as ReferenceProfile,
      {
        capabilities: ['echo'],
      },
    );
    expect(await problem(b)).toBe(
      'test-nimbus-2024.yaml at /profile/rest/operations/echo/operation: is required',
    );
  });
});

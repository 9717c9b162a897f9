// End to end on REST gateways: the executor starts the cell's own mock gateway(s) on 127.0.0.1 (real
// HTTP, time scale 0.01), points the reference terminal of a REST build at them and judges the cell.

import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellResult } from '../../src/matrix/cell.js';
import type { Exchange } from '../../src/mocks/exchange.js';
import { type Catalogue, runCell } from '../../src/suites/executor.js';
import { builtinSuitesDir, loadSuites } from '../../src/suites/suite-loader.js';
import { type FirmwareBuild, loadFirmware } from '../../src/terminals/firmware-loader.js';
import type { ReferenceProfile } from '../../src/terminals/reference/profile-schema.js';
import { referenceDriver } from '../../src/terminals/reference/reference-driver.js';
import { cards, cell, hosts, registry, run } from './support/world.js';

const workspace = resolve(import.meta.dirname, '../..');
const fixtures = loadFirmware([resolve(import.meta.dirname, '../fixtures/firmware')]);
const suites = loadSuites([builtinSuitesDir(), resolve(import.meta.dirname, 'fixtures/rest-suites')], {
  cards,
});

type Defects = NonNullable<ReferenceProfile['defects']>;

/** A fixture build with defects added to its profile, under a new id. */
function variant(id: string, of: string, defects: Defects): FirmwareBuild {
  const b = fixtures.get(of);
  return { ...b, id, profile: { ...b.profile, defects } };
}

const catalogue: Catalogue = {
  workspace,
  hosts,
  cards,
  suites,
  firmware: registry([
    ...fixtures.list(),
    // Osprey S3 1.8's defect: no Nimbus-Version header, so it gets the account's default API version.
    variant('nimbus-2023-unpinned', 'test-nimbus-2023', ['no-version-pin']),
    // Osprey S5 2.4's defect: no Idempotency-Key, so a retry is a new payment.
    variant('meridian-v3-no-key', 'test-meridian-v3', ['missing-idempotency-key']),
    variant('nimbus-2023-no-key', 'test-nimbus-2023', ['missing-idempotency-key']),
  ]),
  createTerminal: (build) => referenceDriver.create(build, { workspace }),
};

const play = (build: string, host: string, scenario: string) =>
  runCell(cell(build, host, scenario), catalogue, run);

const summary = (r: CellResult) => ({ status: r.status, reasons: r.reasons.map((x) => x.message) });
const requests = (r: CellResult): Exchange[] => (r.evidence?.journal ?? []).filter((e) => e.request);
const header = (e: Exchange, name: string) => e.request?.http?.headers[name];

const WORLDS = [
  ['test-nimbus-2023', 'nimbus-pay@2023-10-16'],
  ['test-nimbus-2024', 'nimbus-pay@2024-06-15'],
  ['test-meridian-v3', 'meridian-checkout@v3'],
  ['test-meridian-v4', 'meridian-checkout@v4'],
] as const;

describe('runCell on REST gateways', () => {
  it.each(WORLDS)('%s passes the sale, sale + refund and void scenarios on %s', async (build, host) => {
    for (const scenario of ['rest-checks/sale', 'upgrade/rest-sale-refund', 'upgrade/rest-void']) {
      const result = await play(build, host, scenario);
      expect({ scenario, ...summary(result) }).toEqual({ scenario, status: 'pass', reasons: [] });
    }
    const sale = await play(build, host, 'rest-checks/sale');
    const [authorize] = requests(sale);
    // The terminal got the version's first test API key (masked in the journal) and a base URL.
    const auth = header(authorize!, 'authorization') ?? header(authorize!, 'x-api-key');
    expect(auth).toMatch(/\*\*\*\*/);
    expect(authorize!.host).toBe(`${host} (primary)`);
    expect(JSON.stringify(sale.evidence)).not.toContain('4111111111111111');
  });

  it('a 2023-10-16 build that does not pin its version fails on 2024-06-15 with the gateway’s 400', async () => {
    expect(summary(await play('nimbus-2023-unpinned', 'nimbus-pay@2023-10-16', 'rest-checks/sale'))).toEqual({
      status: 'pass',
      reasons: [],
    });
    const result = await play('nimbus-2023-unpinned', 'nimbus-pay@2024-06-15', 'rest-checks/sale');
    expect(result.status).toBe('fail');
    const violations = result.reasons.filter((r) => r.kind === 'violation').map((r) => r.message);
    // The version's own words, from the journal's violations: the 2024 body shape.
    expect(violations).toContain(
      'host nimbus-pay@2024-06-15 rejected POST /v1/payment_intents: amount must be object',
    );
    expect(violations).toContain(
      'host nimbus-pay@2024-06-15 rejected POST /v1/payment_intents: return_url is required',
    );
    expect(result.reasons).toContainEqual(
      expect.objectContaining({
        kind: 'expectation',
        message: expect.stringMatching(
          /^step sale \(sale 25\.00\): expected status approved, got declined \(refused by the gateway: 400 parameter_invalid/,
        ),
      }),
    );
    expect(requests(result)[0]!.response?.http?.status).toBe(400);
    // The same build pinned (the base profile) still gets 2023-10-16 from the 2024 gateway.
    expect(summary(await play('test-nimbus-2023', 'nimbus-pay@2024-06-15', 'rest-checks/sale'))).toEqual({
      status: 'pass',
      reasons: [],
    });
  });

  it.each([
    ['test-nimbus-2023', 'nimbus-pay@2023-10-16'],
    ['test-meridian-v3', 'meridian-checkout@v3'],
  ])('%s retries a lost answer with the same key on %s: one payment', async (build, host) => {
    const result = await play(build, host, 'rest-checks/lost-answer-retry');
    expect(summary(result)).toEqual({ status: 'pass', reasons: [] });
    const [first, retry] = requests(result);
    expect(first!.faults).toEqual(['no-response']);
    expect(first!.durationMs).toBeUndefined(); // processed, answer never sent
    const key = header(first!, 'idempotency-key');
    expect(key).toMatch(/.{8,}/);
    expect(header(retry!, 'idempotency-key')).toBe(key);
    // The retry got the stored answer: the same payment.
    expect(JSON.stringify(retry!.response?.http?.body)).toBe(JSON.stringify(first!.response?.http?.body));
  });

  it.each([
    ['meridian-v3-no-key', 'meridian-checkout@v3'],
    ['nimbus-2023-no-key', 'nimbus-pay@2023-10-16'],
  ])('%s without idempotency keys charges twice on %s, and the cell says so', async (build, host) => {
    const result = await play(build, host, 'rest-checks/lost-answer-retry');
    expect(result.status).toBe('fail');
    expect(result.reasons).toEqual([
      expect.objectContaining({
        kind: 'invariant',
        step: 0,
        message: expect.stringMatching(
          /^stan-unique: step sale: the gateway holds 2 live payments made during it \(\S+ captured 25\.00 \w{3}, \S+ captured 25\.00 \w{3}\): the cardholder is charged 2 times for one transaction$/,
        ),
      }),
    ]);
    const [first, retry] = requests(result);
    expect(header(first!, 'idempotency-key')).toBeUndefined();
    expect(JSON.stringify(retry!.response?.http?.body)).not.toBe(JSON.stringify(first!.response?.http?.body));
  });

  it('host: down refuses the terminal and host: up brings the gateway back on the same URL', async () => {
    const result = await play('test-nimbus-2024', 'nimbus-pay@2024-06-15', 'rest-checks/host-down');
    expect(summary(result)).toEqual({ status: 'pass', reasons: [] });
    expect(result.evidence!.steps[1]!.outcome.detail).toMatch(/^gateway unreachable/);
    expect(requests(result).filter((e) => e.request?.http?.method === 'POST')).toHaveLength(2);
  });

  it('a fault added as a step hits the operation of its kind, and unfault removes it', async () => {
    const result = await play('test-meridian-v4', 'meridian-checkout@v4', 'rest-checks/kind-fault-step');
    expect(summary(result)).toEqual({ status: 'pass', reasons: [] });
    const hit = requests(result).filter((e) => e.faults.includes('refund-503'));
    expect(hit.map((e) => [e.request?.http?.operation, e.response?.http?.status])).toEqual([
      [expect.stringMatching(/refund/i), 503],
    ]);
  });

  it('a fault without an HTTP implementation is a harness error naming it', async () => {
    const result = await play('test-nimbus-2024', 'nimbus-pay@2024-06-15', 'rest-checks/iso-fault');
    expect(result.status).toBe('error');
    expect(result.reasons[0]).toMatchObject({
      kind: 'harness',
      message: expect.stringMatching(
        /^given\.faults\[0\]: fault wrong-stan has no HTTP implementation: it cannot disturb gateway nimbus-pay@2024-06-15 \(faults for gateways: .*no-response/,
      ),
    });
  });

  it('an ISO build on a gateway, or a REST build on an ISO host, is a harness error', async () => {
    const result = await play('test-nimbus-2023', 'harbor-bank@2019.4', 'rest-checks/sale');
    expect(result.reasons).toEqual([
      {
        kind: 'harness',
        message:
          'test-nimbus-2023 speaks rest; host harbor-bank@2019.4 is an ISO 8583 host: they cannot meet',
      },
    ]);
  });
});

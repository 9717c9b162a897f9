// A build written for one API version against a gateway at another: it fails the way the version's
// breaking change says (or keeps working where the gateway still serves its version). Then the two
// example Osprey builds of firmware/ on both versions of their gateway: the sample fleet's story.

import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataFile } from '../../../src/data/load-data-file.js';
import { builtinFirmwareDir, type FirmwareBuild } from '../../../src/terminals/firmware-loader.js';
import { FirmwareFileSchema } from '../../../src/terminals/firmware-schema.js';
import { build, card, gateway, header, play, requests, seen } from './rest-world.js';

describe('a build for version A against version B', () => {
  it('nimbus 2023-10-16 build, pinned, on the 2024-06-15 gateway: still served its own version', async () => {
    const g = await gateway('nimbus-pay@2024-06-15');
    const { terminal: t } = await play(build('test-nimbus-2023'), g);
    const o = await t.run({ type: 'sale', amount: 2500, card: card() });
    expect([o.status, o.responseCode]).toEqual(['approved', 'succeeded']);
    expect(requests(g)[0]!.response!.http!.headers!['nimbus-version']).toBe('2023-10-16');
  });

  it('nimbus 2024-06-15 build on the 2023-10-16 gateway: the pinned version is unknown there (400)', async () => {
    const g = await gateway('nimbus-pay@2023-10-16');
    const { terminal: t } = await play(build('test-nimbus-2024'), g);
    const o = await t.run({ type: 'sale', amount: 2500, card: card() });
    expect([o.status, o.responseCode]).toEqual(['declined', 'api_version_invalid']);
    expect(o.detail).toContain('400');
    expect(g.payments.size).toBe(0);
  });

  it('meridian v3 build on the v4 gateway: /v3 is retired, every request 410 (echo too)', async () => {
    const g = await gateway('meridian-checkout@v4');
    const { terminal: t } = await play(build('test-meridian-v3'), g);
    const echo = await t.run({ type: 'echo' });
    const sale = await t.run({ type: 'sale', amount: 2500, card: card() });
    expect([echo.status, echo.responseCode]).toEqual(['declined', '001']);
    expect([sale.status, sale.responseCode]).toEqual(['declined', '001']);
    expect(seen(g)).toEqual(['GET /v3/payments/MC0terminalprobe → 410', 'POST /v3/payments → 410']);
  });

  it('meridian v4 build on the v3 gateway: /v4 is not served yet (404 000)', async () => {
    const g = await gateway('meridian-checkout@v3');
    const { terminal: t } = await play(build('test-meridian-v4'), g);
    const o = await t.run({ type: 'sale', amount: 2500, card: card() });
    expect([o.status, o.responseCode]).toEqual(['declined', '000']);
    expect(seen(g)).toEqual(['POST /v4/payments → 404']);
  });

  it('a v3 body on v4 (no merchant reference): refused with the v4 problem document', async () => {
    const g = await gateway('meridian-checkout@v4');
    const { terminal: t } = await play(
      build('test-meridian-v4', { rest: { operations: { sale: { body: { reference: null } } } } }),
      g,
    );
    const o = await t.run({ type: 'sale', amount: 2500, card: card() });
    expect([o.status, o.responseCode]).toEqual(['declined', '100']);
    expect(requests(g)[0]!.response!.http!.headers!['content-type']).toContain('application/problem+json');
    expect(
      requests(g)[0]!
        .violations.map((v) => v.message)
        .join(),
    ).toContain('reference');
  });
});

describe('the example Osprey builds on both versions of their gateway', () => {
  // Only these two files: the rest of the sample fleet is not what these tests are about.
  const example = (id: string): FirmwareBuild => {
    const file = resolve(builtinFirmwareDir(), `${id}.yaml`);
    return { ...loadDataFile(file, FirmwareFileSchema), file };
  };

  it('osprey-s3-1.8 (no version pin): approved on nimbus 2023-10-16, refused once the default is 2024-06-15', async () => {
    const b = example('osprey-s3-1.8');
    const results: string[] = [];
    for (const ref of ['nimbus-pay@2023-10-16', 'nimbus-pay@2024-06-15']) {
      const g = await gateway(ref);
      const { terminal: t } = await play(b, g);
      const echo = await t.run({ type: 'echo' });
      const sale = await t.run({ type: 'sale', amount: 2500, card: card() });
      expect(header(requests(g)[1]!, 'nimbus-version')).toBeUndefined();
      results.push(`${ref}: echo ${echo.status}, sale ${sale.status} ${sale.responseCode}`);
    }
    expect(results).toEqual([
      'nimbus-pay@2023-10-16: echo approved, sale approved succeeded',
      'nimbus-pay@2024-06-15: echo approved, sale declined parameter_invalid',
    ]);
  });

  it('osprey-s5-2.4 (v3, no idempotency keys): approved on meridian v3, 410 on v4; a lost answer charges twice', async () => {
    const b = example('osprey-s5-2.4');
    const v4 = await gateway('meridian-checkout@v4');
    const retired = await (await play(b, v4)).terminal.run({ type: 'sale', amount: 2500, card: card() });
    expect([retired.status, retired.responseCode]).toEqual(['declined', '001']);

    const v3 = await gateway('meridian-checkout@v3', {
      faults: [{ fault: 'no-response', scope: { operation: ['authorize'], nth: [1] } }],
    });
    const { terminal: t } = await play(b, v3);
    const o = await t.run({ type: 'sale', amount: 2500, card: card() });
    expect([o.status, o.responseCode]).toEqual(['approved', 'Captured']);
    expect(requests(v3).map((e) => header(e, 'idempotency-key'))).toEqual([undefined, undefined]);
    expect(v3.payments.list().map((p) => `${p.state} ${p.amount} ${p.currency}`)).toEqual([
      'captured 2500 EUR',
      'captured 2500 EUR',
    ]);
  });
});

// End to end: the executor plays the built-in reference terminal (the `reference` driver) built from
// the test builds of test/fixtures/firmware against the cell's own mock hosts.

import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCell } from '../../src/suites/executor.js';
import { loadFirmware } from '../../src/terminals/firmware-loader.js';
import { referenceDriver } from '../../src/terminals/reference/reference-driver.js';
import { cards, cell, hosts, run, suites } from './support/world.js';

const firmware = loadFirmware([resolve(import.meta.dirname, '../fixtures/firmware')]);
const workspace = resolve(import.meta.dirname, '../..');
const catalogue = {
  workspace,
  hosts,
  cards,
  suites,
  firmware,
  createTerminal: (build: Parameters<typeof referenceDriver.create>[0]) =>
    referenceDriver.create(build, { workspace }),
};

describe('runCell with the reference terminal', () => {
  it.each([
    ['test-harbor-87', 'harbor-bank@2019.4'],
    ['test-harbor-93', 'harbor-bank@2025.1'],
    ['test-lotus', 'lotus-acquirer@2024.1'],
  ])('%s passes the core suite and the timeout reversal on %s', async (build, host) => {
    for (const scenario of [
      'core/sign-on',
      'core/sale-approved',
      'core/sale-declined',
      'core/sale-void',
      'checks/timeout-reversal',
    ]) {
      const result = await runCell(cell(build, host, scenario), catalogue, run);
      expect({ scenario, status: result.status, reasons: result.reasons.map((r) => r.message) }).toEqual({
        scenario,
        status: 'pass',
        reasons: [],
      });
    }
  });

  it('the 1987 build on the 1993 host fails with reasons, not a harness error', async () => {
    const result = await runCell(
      cell('test-harbor-87', 'harbor-bank@2025.1', 'core/sale-approved'),
      catalogue,
      run,
    );
    expect(result.status).toBe('fail');
    expect(result.reasons[0]).toMatchObject({
      kind: 'violation',
      message: expect.stringMatching(/^host harbor-bank@2025\.1 rejected a frame/),
    });
  });
});

// The executor over real sockets: the cell's own mock host(s) on ephemeral ports, the test-only TCP
// terminal (test/suites/support/tcp-terminal.ts) speaking real ISO 8583, then expectations and
// invariants judged from the host's journal. Time scale 0.01: a 30 s terminal timeout takes 300 ms.

import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCell } from '../../src/suites/executor.js';
import { ProcessTerminalError } from '../../src/terminals/process/process-terminal-error.js';
import type { Terminal } from '../../src/terminals/terminal.js';
import { cell, run, testCatalogue } from './support/world.js';

const catalogue = testCatalogue({
  h87: { speaks: 'harbor-bank@2022.2' },
  h87old: { speaks: 'harbor-bank@2019.4' },
  h93: { speaks: 'harbor-bank@2025.1' },
  lotus: { speaks: 'lotus-acquirer@2024.1' },
  norev: { speaks: 'harbor-bank@2022.2', defects: { noReversal: true } },
  reuse: { speaks: 'harbor-bank@2022.2', defects: { reuseStan: true } },
  gullible: { speaks: 'harbor-bank@2025.1', defects: { acceptMismatched: true } },
});
const play = (firmware: string, host: string, scenario: string) =>
  runCell(cell(firmware, host, scenario), catalogue, run);

/** Resolves true when something listens on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('runCell on real traffic', () => {
  const matched: [string, string][] = [
    ['h87', 'harbor-bank@2019.4'],
    ['h87', 'harbor-bank@2022.2'],
    ['h93', 'harbor-bank@2025.1'],
    ['lotus', 'lotus-acquirer@2021.2'],
    ['lotus', 'lotus-acquirer@2024.1'],
  ];
  it.each(matched)('the core suite passes for a build (%s) that speaks %s', async (firmware, host) => {
    for (const scenario of ['sign-on', 'sale-approved', 'sale-declined', 'sale-void']) {
      const result = await play(firmware, host, `core/${scenario}`);
      expect({ scenario, status: result.status, reasons: result.reasons }).toEqual({
        scenario,
        status: 'pass',
        reasons: [],
      });
      expect(result).toMatchObject({ title: expect.any(String), seed: 7, host: host.split('@')[0] });
      expect(result.evidence!.journal.some((e) => e.request)).toBe(true);
      expect(result.evidence!.steps.length).toBeGreaterThan(0);
    }
  });

  it('a build the host version rejects fails, the host’s own words first, pointing at the exchange and step', async () => {
    const result = await play('h87old', 'harbor-bank@2022.2', 'core/sale-approved');
    expect(result.status).toBe('fail');
    expect(result.reasons[0]).toEqual({
      kind: 'violation',
      message: 'host harbor-bank@2022.2 rejected 0200 sale: 0200 sale must carry DE23 (EMV mandate 2022)',
      expected: 'no violation',
      actual: 'mandatory-field at 23: 0200 sale must carry DE23 (EMV mandate 2022)',
      exchange: 2,
      step: 0,
    });
    expect(result.reasons.map((r) => r.message)).toContain(
      'step sale (sale 25.00): expected status approved, got declined (declined 30)',
    );
  });

  it('a 1987 build against the 1993 host: the frames cannot be read, the sale times out', async () => {
    const result = await play('h87', 'harbor-bank@2025.1', 'core/sale-approved');
    expect(result.status).toBe('fail');
    expect(result.reasons[0]!.message).toMatch(/^host harbor-bank@2025\.1 rejected a frame: frame: /);
    expect(result.reasons.map((r) => r.message)).toContain(
      'step sale (sale 25.00): expected status approved, got timed-out (no answer in 300 ms)',
    );
  });

  it.each([
    ['h87', 'harbor-bank@2019.4'],
    ['h93', 'harbor-bank@2025.1'],
    ['lotus', 'lotus-acquirer@2024.1'],
  ])(
    'timeout → reversal before the next sale, matched by original data on %s (%s)',
    async (firmware, host) => {
      const result = await play(firmware, host, 'checks/timeout-reversal');
      expect(result.reasons).toEqual([]);
      expect(result.status).toBe('pass');
      const kinds = result
        .evidence!.journal.filter((e) => e.request)
        .map((e) => e.request!.summary.split(' ')[1]);
      expect(kinds).toEqual(['sale', 'reversal', 'sale']);
    },
  );

  it('a build that never reverses: "expected message 2 to be reversal of first …"', async () => {
    const result = await play('norev', 'harbor-bank@2022.2', 'checks/timeout-reversal');
    expect(result.status).toBe('fail');
    expect(result.reasons).toEqual([
      expect.objectContaining({
        kind: 'expectation',
        message:
          'expected message 2 to be reversal of first (0200 sale 25.00 STAN 000001), got 0200 sale 10.00 STAN 000002 (exchange 3) — the timed-out sale must be reversed before the next sale',
        exchange: 3,
        step: 1,
      }),
    ]);
  });

  it('a build that reuses its STAN: the host calls it a duplicate, the invariant says why', async () => {
    const result = await play('reuse', 'harbor-bank@2022.2', 'checks/two-sales');
    expect(result.status).toBe('fail');
    expect(result.reasons.map((r) => [r.kind, r.message])).toEqual([
      ['violation', 'host harbor-bank@2022.2 rejected 0200 sale: same DE41, DE11, DE13 within 300 s'],
      ['expectation', 'step sale-2 (sale 13.00): expected status approved, got declined (declined 94)'],
      [
        'invariant',
        expect.stringMatching(
          /^stan-unique: terminal PMX00001 used STAN 000777 twice on \d{4}-\d\d-\d\d: 0200 sale 12\.00 STAN 000777 \(exchange 2\) and 0200 sale 13\.00 STAN 000777 \(exchange 3\)$/,
        ),
      ],
    ]);
  });

  it('an answer with another STAN: a careful build discards it, a gullible one is caught approving on it', async () => {
    expect((await play('h93', 'harbor-bank@2025.1', 'checks/wrong-stan')).status).toBe('pass');
    const result = await play('gullible', 'harbor-bank@2025.1', 'checks/wrong-stan');
    expect(result.status).toBe('fail');
    expect(result.reasons).toEqual([
      expect.objectContaining({
        kind: 'invariant',
        message:
          'response-correlation: step sale: the terminal approved on 1210 STAN 000002 code 000, which does not answer its 1200 STAN 000001: STAN "000002" (expected "000001")',
        step: 0,
      }),
    ]);
  });

  it('host down and up again: the lost sale is not counted as received, the expected violation passes', async () => {
    const result = await play('h87', 'harbor-bank@2022.2', 'checks/outage');
    expect(result.reasons).toEqual([]);
    expect(result.evidence!.journal.some((e) => e.event?.kind === 'lost')).toBe(true);
  });
});

describe('runCell when things go wrong', () => {
  it('cuts a hung cell off at timeoutMs: error with a timeout reason, terminal and hosts closed', async () => {
    let port = 0;
    let closed = 0;
    const hung: Terminal = {
      identify: async () => ({ build: 'hung', vendor: 'x', model: 'x', version: '1' }),
      capabilities: async () => ['sale'],
      configure: async (config) => {
        port = 'port' in config.primary ? config.primary.port : 0;
      },
      run: () => new Promise(() => {}),
      cancel: async () => {},
      reset: async () => {},
      onEvent: () => () => {},
      close: async () => {
        closed++;
      },
    };
    const hungCatalogue = testCatalogue({ hung: { speaks: 'harbor-bank@2019.4' } }, async () => hung);
    const started = performance.now();
    const result = await runCell(cell('hung', 'harbor-bank@2019.4', 'checks/hang'), hungCatalogue, {
      ...run,
      timeoutMs: 300,
    });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(result.status).toBe('error');
    expect(result.reasons[0]).toEqual({
      kind: 'timeout',
      message: 'cell cut off after 300 ms during step sale (sale 1.00)',
      step: 0,
    });
    expect(closed).toBe(1);
    expect(port).toBeGreaterThan(0);
    expect(await listening(port)).toBe(false);
    expect(result.evidence?.steps[0]?.outcome.status).toBe('error');
  });

  it('a terminal that cannot be created is a harness error, and the host is closed anyway', async () => {
    const broken = testCatalogue({ b: { speaks: 'harbor-bank@2019.4' } }, async () => {
      throw new Error('emulator binary not found');
    });
    const result = await runCell(cell('b', 'harbor-bank@2019.4', 'core/sale-approved'), broken, run);
    expect(result).toMatchObject({
      status: 'error',
      reasons: [{ kind: 'harness', message: 'emulator binary not found' }],
    });
  });

  it("an emulator that fails while being set up: one line with its error code and stderr's last line", async () => {
    const broken = testCatalogue({ b: { speaks: 'harbor-bank@2019.4' } }, async () => {
      throw new ProcessTerminalError(
        'emulator-protocol',
        'stdout line 1 is not a JSON message: "Pelican boot v1.0 ready"',
        'booting\nno config file, using defaults\n',
      );
    });
    const result = await runCell(cell('b', 'harbor-bank@2019.4', 'core/sale-approved'), broken, run);
    expect(result.reasons).toEqual([
      {
        kind: 'harness',
        message:
          'emulator-protocol: stdout line 1 is not a JSON message: "Pelican boot v1.0 ready" (emulator stderr: no config file, using defaults)',
      },
    ]);
  });

  it('an unknown scenario, or an ISO build on a REST gateway, is a harness error that says so', async () => {
    expect((await play('h87', 'harbor-bank@2019.4', 'core/nope')).reasons[0]).toMatchObject({
      kind: 'harness',
      message: expect.stringMatching(
        /^unknown scenario "core\/nope" \(suite core has: .*sale-approved, sale-declined, sale-void/,
      ),
    });
    const gateway = catalogue.hosts.gateways()[0]!.versions[0]!.ref;
    expect((await play('h87', gateway, 'core/sale-approved')).reasons[0]).toMatchObject({
      kind: 'harness',
      message: `h87 speaks iso8583; host ${gateway} is a REST gateway: they cannot meet`,
    });
  });

  it('an aborted run stops the cell at once', async () => {
    const stop = new AbortController();
    stop.abort();
    const result = await runCell(cell('h87', 'harbor-bank@2019.4', 'core/sale-approved'), catalogue, {
      ...run,
      signal: stop.signal,
    });
    expect(result).toMatchObject({
      status: 'error',
      reasons: [{ kind: 'harness', message: 'the run was cancelled' }],
    });
  });

  it('card data never appears in clear in a result', async () => {
    const result = await play('h87', 'harbor-bank@2019.4', 'core/sale-void');
    const text = JSON.stringify(result);
    expect(text).not.toContain('4111111111111111');
    expect(result.evidence!.steps[0]!.request.card).toMatchObject({
      pan: '411111******1111',
      name: 'visa-credit-chip',
    });
  });
});

// `code:` on a REST gateway: the outcome name is looked up in the decline-code table of every API
// version the gateway serves, so each gateway's own vocabulary matches (nimbus-pay's
// `insufficient_funds`, meridian-checkout's `Not enough balance`), and nothing else does.

import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/suites/evaluate.js';
import type { CellObservation } from '../../../src/suites/invariants/index.js';
import { checkOutcome, codesFor } from '../../../src/suites/matchers/outcome-matcher.js';
import type { TransactionStep } from '../../../src/suites/scenario.js';
import { loadScenarioFile } from '../../../src/suites/scenario-loader.js';
import type { TransactionOutcome } from '../../../src/terminals/terminal.js';
import { tempDir } from '../../support/temp-dir.js';
import { hosts } from '../support/world.js';

const outcome = (status: TransactionOutcome['status'], responseCode?: string): TransactionOutcome => ({
  status,
  detail: `${status} ${responseCode ?? ''}`.trim(),
  messages: [],
  durationMs: 1,
  ...(responseCode && { responseCode }),
});

const meridian = hosts.getGateway('meridian-checkout@v4');
const nimbus = hosts.getGateway('nimbus-pay@2024-06-15');

describe('REST response codes from the API versions decline tables', () => {
  it("meridian-checkout's words match the outcome names", () => {
    expect(
      checkOutcome({ code: 'insufficient-funds' }, outcome('declined', 'Not enough balance'), meridian),
    ).toEqual([]);
    expect(checkOutcome({ code: 'expired-card' }, outcome('declined', 'Expired Card'), meridian)).toEqual([]);
    // The loose spelling match is not enough once a table says otherwise.
    expect(
      checkOutcome({ code: 'insufficient-funds' }, outcome('declined', 'insufficient_funds'), meridian),
    ).toEqual([
      {
        what: 'response code',
        expected: 'insufficient-funds (Not enough balance)',
        actual: '"insufficient_funds"',
      },
    ]);
  });

  it("nimbus-pay's codes match, including outcomes whose code is not spelt like the name", () => {
    expect(
      checkOutcome({ code: 'insufficient-funds' }, outcome('declined', 'insufficient_funds'), nimbus),
    ).toEqual([]);
    expect(checkOutcome({ code: 'invalid-card' }, outcome('declined', 'incorrect_number'), nimbus)).toEqual(
      [],
    );
    expect(checkOutcome({ code: 'declined' }, outcome('declined', 'do_not_honor'), nimbus)).toEqual([]);
    expect(
      checkOutcome({ code: 'declined' }, outcome('declined', 'insufficient_funds'), nimbus),
    ).toHaveLength(1);
  });

  it('an outcome a table does not list is answered with its `*` code', () => {
    expect(codesFor(nimbus, 'wrong-pin')).toEqual(['generic_decline']);
    expect(codesFor(meridian, 'wrong-pin')).toEqual(['Refused']);
  });

  it('approved: the status words of every state but declined', () => {
    expect(codesFor(meridian, 'approved')).toEqual(
      expect.arrayContaining(['Authorized', 'Captured', 'Refunded', 'Canceled']),
    );
    expect(codesFor(meridian, 'approved')).not.toContain('Refused');
    expect(checkOutcome({ code: 'approved' }, outcome('approved', 'Authorized'), meridian)).toEqual([]);
    // nimbus-pay 2024-06-15 also serves 2023-10-16 (requires_capture / succeeded) to pinned clients.
    expect(checkOutcome({ code: 'approved' }, outcome('approved', 'succeeded'), nimbus)).toEqual([]);
    expect(checkOutcome({ code: 'approved' }, outcome('declined', 'Refused'), meridian)).toHaveLength(1);
  });
});

describe('evaluate hands the gateway version to the outcome check', () => {
  const dir = tempDir('pm-outcome-rest-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rest-decline.yaml');
  writeFileSync(
    file,
    [
      'id: rest-decline',
      'title: REST decline',
      'why: a test',
      'tags: []',
      'families: [rest]',
      'given: { card: visa-credit-chip }',
      'when:',
      '  - sale: 25.51',
      'then:',
      '  outcomes: { sale: { status: declined, code: insufficient-funds } }',
      '',
    ].join('\n'),
  );
  const scenario = loadScenarioFile(file, 'test');
  const observe = (responseCode: string): CellObservation => ({
    hostRef: meridian.ref,
    messages: [],
    steps: [
      {
        step: scenario.steps[0] as never,
        request: { type: 'sale', amount: 2551 },
        outcome: outcome('declined', responseCode),
      },
    ],
    rest: { gateway: meridian, payments: [] },
  });

  it("passes on meridian-checkout's own words and fails on another's", () => {
    const expectations = (obs: CellObservation) =>
      evaluate(scenario, obs).filter((r) => r.kind === 'expectation');
    expect(expectations(observe('Not enough balance'))).toEqual([]);
    const [reason] = expectations(observe('Refused'));
    expect(reason?.message).toContain(
      'expected response code insufficient-funds (Not enough balance), got "Refused"',
    );
  });

  it("quotes and cites the host's notes from the step: why it declined", () => {
    const obs = observe('Refused');
    const note = 'card visa-credit-chip: amount 2551 ends with 51: a trigger for insufficient-funds';
    const exchange = {
      seq: 4,
      transport: 'http' as const,
      host: meridian.ref,
      connection: 1,
      at: new Date(0).toISOString(),
      notes: [note],
      violations: [],
      faults: [],
    };
    const step = (scenario.steps[0] as TransactionStep).position;
    obs.messages = [
      {
        index: 0,
        exchange: { ...exchange, seq: 3, notes: [] },
        instance: 'primary',
        step,
        responseSent: true,
        lost: false,
        label: 'other',
      },
      { index: 1, exchange, instance: 'primary', step, responseSent: true, lost: false, label: 'POST' },
    ];
    const [reason] = evaluate(scenario, obs).filter((r) => r.kind === 'expectation');
    expect(reason).toMatchObject({
      message: expect.stringMatching(new RegExp(`got "Refused"; the host noted: ${note}$`)),
      actual: `response code "Refused"; the host noted: ${note}`,
      exchange: 4,
    });
  });
});

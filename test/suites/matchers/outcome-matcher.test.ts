import { describe, expect, it } from 'vitest';
import { checkOutcome, codesFor } from '../../../src/suites/matchers/outcome-matcher.js';
import type { TransactionOutcome } from '../../../src/terminals/terminal.js';
import { hosts } from '../support/world.js';

const outcome = (status: TransactionOutcome['status'], responseCode?: string): TransactionOutcome => ({
  status,
  detail: `${status} ${responseCode ?? ''}`.trim(),
  messages: [],
  durationMs: 1,
  ...(responseCode && { responseCode }),
});

describe('step outcome expectations', () => {
  const v87 = hosts.get('harbor-bank@2019.4');
  const v93 = hosts.get('harbor-bank@2025.1');

  it('status: one or several', () => {
    expect(checkOutcome('approved', outcome('approved', '00'), v87)).toEqual([]);
    expect(checkOutcome({ status: ['timed-out', 'reversed'] }, outcome('reversed'), v87)).toEqual([]);
    expect(checkOutcome('approved', outcome('declined', '05'), v87)).toEqual([
      { what: 'status', expected: 'approved', actual: 'declined (declined 05)' },
    ]);
  });

  it('code: a semantic outcome, in the code the host version uses for it', () => {
    expect(checkOutcome({ code: 'insufficient-funds' }, outcome('declined', '51'), v87)).toEqual([]);
    expect(checkOutcome({ code: 'insufficient-funds' }, outcome('declined', '116'), v93)).toEqual([]);
    expect(checkOutcome({ code: 'insufficient-funds' }, outcome('declined', '51'), v93)).toEqual([
      { what: 'response code', expected: 'insufficient-funds (116)', actual: '"51"' },
    ]);
    expect(codesFor(v93, 'approved').sort()).toEqual(['000', '400', '500', '800']);
    // Without a host version (a REST gateway) the outcome name is compared with the gateway's code.
    expect(
      checkOutcome({ code: 'insufficient-funds' }, outcome('declined', 'insufficient_funds'), undefined),
    ).toEqual([]);
  });

  it('responseCode and detail take field matchers', () => {
    expect(checkOutcome({ responseCode: { oneOf: ['51', '116'] } }, outcome('declined', '116'), v93)).toEqual(
      [],
    );
    expect(checkOutcome({ detail: { regex: 'declined' } }, outcome('approved', '00'), v87)).toEqual([
      { what: 'detail', expected: 'matches /declined/', actual: '"approved 00"' },
    ]);
  });
});

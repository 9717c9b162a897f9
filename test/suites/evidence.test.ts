import { describe, expect, it } from 'vitest';
import { buildEvidence, maskReason, maskRequest } from '../../src/suites/evidence.js';

const card = {
  name: 'visa-credit-chip',
  pan: '4111111111111111',
  expiry: '3012',
  entryMode: 'chip' as const,
  pin: '1234',
};

describe('cell evidence', () => {
  it('masks the PAN and drops the PIN of every request', () => {
    expect(maskRequest({ type: 'sale', amount: 100, card })).toEqual({
      type: 'sale',
      amount: 100,
      card: { name: 'visa-credit-chip', pan: '411111******1111', expiry: '3012', entryMode: 'chip' },
    });
  });

  it('masks any known PAN a driver left in clear, and marks a step that never finished', () => {
    const leaky = {
      status: 'approved' as const,
      detail: 'approved for 4111111111111111',
      messages: [],
      durationMs: 1,
    };
    const evidence = buildEvidence(
      [{ request: { type: 'sale', card }, outcome: leaky }, { request: { type: 'void' } }],
      [],
      [{ kind: 'log', at: '2026-01-01T00:00:00Z', detail: 'card 4111111111111111 read' }],
      ['4111111111111111'],
    );
    const text = JSON.stringify(evidence);
    expect(text).not.toContain('4111111111111111');
    expect(text).not.toContain('1234');
    expect(evidence.events[0]!.detail).toBe('card 411111******1111 read');
    expect(evidence.steps[1]!.outcome).toMatchObject({ status: 'error', error: { code: 'unfinished' } });
  });

  it('turns lazily decoded journal views into plain data', () => {
    const exchange = {
      seq: 1,
      transport: 'iso8583' as const,
      host: 'h',
      connection: 1,
      at: 'x',
      violations: [],
      faults: [],
    };
    const request = { summary: '0200', size: 1 };
    Object.defineProperty(request, 'iso', {
      enumerable: true,
      get: () => ({ mti: '0200', fields: { 2: '411111******1111' } }),
    });
    const evidence = buildEvidence([], [{ ...exchange, request }], [], []);
    expect(Object.getOwnPropertyDescriptor(evidence.journal[0]!.request, 'iso')?.value).toEqual({
      mti: '0200',
      fields: { 2: '411111******1111' },
    });
  });

  it('masks card numbers a reason quotes: a scenario that wrote a PAN in clear, a card outside the card book', () => {
    const reason = maskReason({
      kind: 'expectation',
      step: 0,
      message: 'has pan (DE2) expected "4111111111111111", got "411111******1111"',
      expected: 'pan = "5500005555555559"',
      actual: 'amount 000000002500',
    });
    expect(reason).toEqual({
      kind: 'expectation',
      step: 0,
      message: 'has pan (DE2) expected "411111******1111", got "411111******1111"',
      expected: 'pan = "550000******5559"',
      actual: 'amount 000000002500',
    });
  });
});

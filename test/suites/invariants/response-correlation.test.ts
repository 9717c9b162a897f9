import { describe, expect, it } from 'vitest';
import type { CellObservation, ObservedStep } from '../../../src/suites/invariants/index.js';
import { correlationGaps, responseCorrelation } from '../../../src/suites/invariants/response-correlation.js';
import type { TransactionStep } from '../../../src/suites/scenario.js';
import type { TerminalMessage, TransactionOutcome } from '../../../src/terminals/terminal.js';
import { ex, type Msg, observe, sale87 } from '../support/messages.js';
import { hosts } from '../support/world.js';

const v = hosts.get('harbor-bank@2019.4');
const options = { expectedViolations: [] };
const step: TransactionStep = {
  kind: 'transaction',
  index: 0,
  position: 0,
  name: 'sale',
  refs: ['sale'],
  type: 'sale',
};
const tm = (direction: 'sent' | 'received', m: Msg, atMs: number): TerminalMessage => ({
  direction,
  atMs,
  message: { summary: `${m.mti} STAN ${m.fields['11']}`, size: 1, iso: { mti: m.mti, fields: m.fields } },
});
const played = (
  status: TransactionOutcome['status'],
  code: string,
  messages: TerminalMessage[],
): ObservedStep => ({
  step,
  request: { type: 'sale', amount: 2500 },
  outcome: { status, responseCode: code, detail: status, messages, durationMs: 1 },
});
const obs = (o: Partial<CellObservation>): CellObservation => ({
  hostRef: v.ref,
  version: v,
  messages: [],
  steps: [],
  ...o,
});

describe('response correlation', () => {
  it('names every gap between a request and an answer; a missing terminal id is not one', () => {
    const { request, response } = sale87('000001');
    expect(correlationGaps(request, response)).toEqual([]);
    expect(correlationGaps(request, { mti: '0200', fields: { ...response.fields, 11: '000002' } })).toEqual([
      'MTI 0200 (expected 0210)',
      'STAN "000002" (expected "000001")',
    ]);
    const { 41: _tid, ...noTid } = response.fields;
    expect(correlationGaps(request, { mti: '0210', fields: noTid })).toEqual([]);
    const { 11: _stan, ...noStan } = response.fields;
    expect(correlationGaps(request, { mti: '0210', fields: noStan })).toEqual([
      'STAN missing (expected "000001")',
    ]);
  });

  it('flags a terminal that approved on an answer to another STAN', () => {
    const { request, response } = sale87('000001');
    const stray = { mti: '0210', fields: { ...response.fields, 11: '000002' } };
    const found = responseCorrelation.check(
      obs({ steps: [played('approved', '00', [tm('sent', request, 0), tm('received', stray, 5)])] }),
      options,
    );
    expect(found).toEqual([
      expect.objectContaining({
        message:
          'step sale: the terminal approved on 0210 STAN 000002, which does not answer its 0200 STAN 000001: STAN "000002" (expected "000001")',
        step: 0,
      }),
    ]);
  });

  it('accepts a terminal that discarded the stray answer and took the right one', () => {
    const { request, response } = sale87('000001');
    const stray = { mti: '0210', fields: { ...response.fields, 11: '000002', 39: '05' } };
    const steps = [
      played('approved', '00', [
        tm('sent', request, 0),
        tm('received', stray, 3),
        tm('received', response, 5),
      ]),
    ];
    expect(responseCorrelation.check(obs({ steps }), options)).toEqual([]);
    // Timed-out steps decided nothing, and a driver that reports no decoded messages is not judged.
    expect(
      responseCorrelation.check(
        obs({ steps: [played('timed-out', '00', [tm('sent', request, 0), tm('received', stray, 3)])] }),
        options,
      ),
    ).toEqual([]);
    expect(responseCorrelation.check(obs({ steps: [played('approved', '00', [])] }), options)).toEqual([]);
  });

  it('checks the host’s own answers too, but not the ones a fault rewrote', () => {
    const { request, response } = sale87('000001');
    const bad = { mti: '0210', fields: { ...response.fields, 11: '000009' } };
    expect(
      responseCorrelation.check(
        obs({ messages: observe(v, [ex(1, request, { response: bad })]) }),
        options,
      )[0]?.message,
    ).toMatch(
      /^host harbor-bank@2019.4 answered 0200 STAN 000001 \(exchange 1\) with 0210 STAN 000009 code 00: STAN/,
    );
    const faulted = observe(v, [ex(1, request, { response: bad, faults: ['wrong-stan'] })]);
    expect(responseCorrelation.check(obs({ messages: faulted }), options)).toEqual([]);
  });
});

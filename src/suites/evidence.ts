import type { CellEvidence, Reason, StepRecord } from '../matrix/cell.js';
import type { Exchange } from '../mocks/exchange.js';
import { maskPan, maskPansInText } from '../protocols/iso8583/index.js';
import type { TerminalEvent, TransactionOutcome, TransactionRequest } from '../terminals/terminal.js';

/**
 * The evidence of a cell, safe to write anywhere: the requests the executor made with the PAN
 * masked and the PIN dropped, the journals as plain data (their decoded views are already masked),
 * the terminal's events. As a last guard, every PAN of the card book that still appears in clear
 * (a driver that forgot to mask) is masked in the whole evidence.
 */
export function buildEvidence(
  steps: readonly { request: TransactionRequest; outcome?: TransactionOutcome }[],
  journal: readonly Exchange[],
  events: readonly TerminalEvent[],
  knownPans: readonly string[],
): CellEvidence {
  const evidence: CellEvidence = {
    steps: steps.map(
      (s): StepRecord => ({
        request: maskRequest(s.request),
        outcome: s.outcome ?? {
          status: 'error',
          detail: 'the step did not finish',
          messages: [],
          durationMs: 0,
          error: { code: 'unfinished', message: 'the cell ended before the step did' },
        },
      }),
    ),
    journal: [...journal],
    events: [...events],
  };
  return scrubPans(evidence, knownPans);
}

/** The request as evidence: PAN masked, PIN dropped. */
export function maskRequest(request: TransactionRequest): TransactionRequest {
  if (!request.card) return { ...request };
  const { pin: _pin, pan, ...card } = request.card;
  return { ...request, card: { ...card, pan: maskPan(pan) } };
}

/** A JSON round trip (which also turns lazy journal views into plain data) with known PANs masked. */
export function scrubPans<T>(value: T, pans: readonly string[]): T {
  let text = JSON.stringify(value);
  for (const pan of pans)
    if (pan.length >= 12 && text.includes(pan)) text = text.replaceAll(pan, maskPan(pan));
  return JSON.parse(text) as T;
}

/**
 * A reason safe to write anywhere. Reasons quote values — a scenario's expectation, what a host or
 * terminal sent — and a scenario author may have written a card number in clear (`pan:
 * "4111111111111111"` matches nothing in a masked journal, and would be quoted in every report).
 */
export function maskReason(reason: Reason): Reason {
  const out: Reason = { ...reason, message: maskPansInText(reason.message) };
  if (reason.expected !== undefined) out.expected = maskPansInText(reason.expected);
  if (reason.actual !== undefined) out.actual = maskPansInText(reason.actual);
  return out;
}

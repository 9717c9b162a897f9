import { maskPan } from './mask.js';

/** 12-19 digits with a valid Luhn check digit: treated as a card number wherever it appears. */
export function looksLikePan(text: string): boolean {
  if (text.length < 12 || text.length > 19 || !/^[0-9]+$/.test(text)) return false;
  let sum = 0;
  for (let i = text.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = text.charCodeAt(i) - 48;
    if (double) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

const RUN = /[1-9][0-9]{12}/;
// 13-19 digits on their own, the first not 0: zero-padded amounts, dates and counters (DE4
// "000000002500") are no card numbers, and one Luhn-valid by chance must not be masked in a reason.
const RUNS = /(?<![0-9])[1-9][0-9]{12,18}(?![0-9])/g;

/**
 * Card numbers inside free text — a reason quoting a scenario's expectation, a merchant name field
 * a terminal filled with a PAN — masked to first 6 and last 4: Luhn-valid runs of 13-19 digits.
 */
export function maskPansInText(text: string): string {
  if (!RUN.test(text)) return text;
  return text.replace(RUNS, (run) => (looksLikePan(run) ? maskPan(run) : run));
}

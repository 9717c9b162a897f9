import { maskEmvHexInText } from './emv-in-text.js';
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

const DIGITS = /[0-9]{4}/;
// Track 2 written out (`;4111111111111111=30122011234567890?`): the card number, then expiry,
// service code and discretionary data (CVV among them), all of it card data.
const TRACK2 = /(?<![0-9])([1-9][0-9]{12,18})[=D][0-9]{4,}[0-9A-Fa-f]*\??/g;
// 13-19 digits on their own, the first not 0, or in groups of 2-6 split by one space, dash or dot
// (`4111 1111 1111 1111`, `3782-822463-10005`, `4111.1111.1111.1111`). Zero-padded amounts, dates
// and counters (DE4 "000000002500") are no card numbers, and one Luhn-valid by chance must not be
// masked in a reason.
const RUNS = /(?<![0-9])[1-9](?:[0-9]{12,18}|[0-9]{1,5}(?:[ .-][0-9]{2,6}){1,5})(?![0-9])/g;

// Full-width digits (U+FF10-FF19), as East Asian input methods type them, alone or mixed with
// ASCII ones: a whole run of them is checked as its ASCII digits.
const WIDE = /[\uFF10-\uFF19]/;
const WIDE_RUNS = /(?<![0-9\uFF10-\uFF19])[1-9\uFF11-\uFF19][0-9\uFF10-\uFF19]{12,18}(?![0-9\uFF10-\uFF19])/g;
const asciiDigits = (run: string) =>
  run.replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 0x30));

/**
 * Card numbers inside free text — a reason quoting a scenario's expectation, a merchant name field
 * a terminal filled with a PAN, a description in a JSON body — masked to first 6 and last 4:
 * Luhn-valid runs of 13-19 digits, written whole or in groups, or in full-width digits; a
 * written-out track 2 loses everything after the card number too. EMV data in hex loses its card
 * data tags (emv-in-text.ts).
 */
export function maskPansInText(text: string): string {
  let out = text;
  if (DIGITS.test(out)) {
    out = maskEmvHexInText(out)
      .replace(TRACK2, (all, pan: string) => (looksLikePan(pan) ? `${maskPan(pan)}=[hidden]` : all))
      .replace(RUNS, (run) => {
        const digits = run.replace(/[ .-]/g, '');
        return digits.length >= 13 && looksLikePan(digits) ? maskPan(digits) : run;
      });
  }
  if (WIDE.test(out)) {
    out = out.replace(WIDE_RUNS, (run) => {
      const digits = asciiDigits(run);
      return looksLikePan(digits) ? maskPan(digits) : run;
    });
  }
  return out;
}

import { maskPansInText } from '../protocols/iso8583/index.js';
import type { Exchange, Violation } from './exchange.js';

/**
 * An exchange's violations, notes and event as a journal keeps them: a card number the terminal put where
 * no mask looks — a URL path, a version header, a JSON member's name — and that a rule's message
 * quotes is masked like any other (ARCHITECTURE rule 7). Nothing is copied when nothing needed it.
 */
export function maskQuotedCardData(exchange: Exchange): void {
  exchange.violations = maskViolations(exchange.violations, maskPansInText);
  const notes = exchange.notes;
  if (notes) {
    const masked = notes.map(maskPansInText);
    if (masked.some((n, i) => n !== notes[i])) exchange.notes = masked;
  }
  const event = exchange.event;
  if (event) {
    const detail = maskPansInText(event.detail);
    if (detail !== event.detail) exchange.event = { ...event, detail };
  }
}

/** Violations with `mask` applied to their messages and paths; the same array when it changed none. */
export function maskViolations(violations: Violation[], mask: (text: string) => string): Violation[] {
  let out: Violation[] | undefined;
  for (let i = 0; i < violations.length; i++) {
    const v = violations[i]!;
    const message = mask(v.message);
    const path = mask(v.path);
    if (message === v.message && path === v.path) continue;
    out ??= violations.slice();
    out[i] = { ...v, message, path };
  }
  return out ?? violations;
}

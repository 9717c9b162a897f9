import type { CardBook, TestCard } from '../hosts/card-book.js';
import { expired } from '../hosts/card-expiry.js';
import type { MessageKind, Outcome } from '../hosts/host-schema.js';

export interface CardDecision {
  outcome: Outcome;
  /** Extra time the issuer takes (a card trigger), before time scaling. */
  delayMs: number;
  card?: TestCard;
}

export interface CardDecisionInput {
  cards: CardBook;
  pan: string | undefined;
  /** YYMM from the request, if it carries one (the card book's expiry is checked too). */
  expiry: string | undefined;
  amount: number;
  /** Which card-book triggers apply: sale (captured at once), authorization, refund. */
  kind: MessageKind;
  /** Today as YYMM (injected: tests and replays are stable). */
  todayYymm: string;
  /** The amount is debited from the card, so the balance matters. */
  debits: boolean;
}

/**
 * The issuer's answer for a card-not-present payment, in the order mocks/cards.yaml documents and
 * the ISO hosts follow (less the PIN, which a REST payment does not carry): unknown card, status,
 * expiry, amount triggers, balance. So a test card declines the same way on every host and gateway.
 */
export function decideCard(input: CardDecisionInput): CardDecision {
  const { cards } = input;
  const card = input.pan ? cards.byPan(input.pan) : undefined;
  if (!card) return { outcome: cards.checks['unknown-card'], delayMs: 0 };
  if (card.status !== 'active') return { outcome: cards.checks[card.status], delayMs: 0, card };
  if (expired(card.expiry, input.expiry, input.todayYymm))
    return { outcome: cards.checks.expired, delayMs: 0, card };
  const trigger = cards.triggerFor(card, input.amount, input.kind);
  if (trigger) return { outcome: trigger.outcome, delayMs: trigger.delayMs ?? 0, card };
  if (input.debits && input.amount > card.balanceMinor) {
    return { outcome: cards.checks['over-balance'], delayMs: 0, card };
  }
  return { outcome: 'approved', delayMs: 0, card };
}

/** `12`/`2030` (numbers or strings, 2- or 4-digit year) → `3012`; undefined when either is unusable. */
export function yymm(month: unknown, year: unknown): string | undefined {
  const m = typeof month === 'number' || typeof month === 'string' ? Number(month) : Number.NaN;
  const y = typeof year === 'number' || typeof year === 'string' ? Number(year) : Number.NaN;
  if (!Number.isInteger(m) || m < 1 || m > 12 || !Number.isInteger(y) || y < 0) return undefined;
  return `${String(y % 100).padStart(2, '0')}${String(m).padStart(2, '0')}`;
}

import type { CardBook, TestCard } from './card-book.js';
import { expired } from './card-expiry.js';
import type { Trigger } from './card-schema.js';
import type { MessageKind, Outcome } from './host-schema.js';

export interface CardDecision {
  outcome: Outcome;
  /** Extra time the issuer takes (a card trigger), before time scaling. */
  delayMs: number;
  card?: TestCard;
  /**
   * Why the issuer did not approve, or approved late: the card book's words, naming the card by its
   * id (never its PAN), for the journal's notes. Absent for a plain approval.
   */
  reason?: string;
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
  /** A card-present PIN check: what is wrong with the PIN sent for this card, or undefined when it is right. */
  wrongPin?: (card: TestCard) => string | undefined;
}

/**
 * The issuer's answer, in the order mocks/cards.yaml documents: unknown card, status, expiry, PIN
 * (card present only), amount triggers, balance. ISO hosts and REST gateways both decide here, so
 * a test card declines the same way, for the same reason, on every host and gateway.
 */
export function decideCard(input: CardDecisionInput): CardDecision {
  const { cards, pan, amount } = input;
  const card = pan ? cards.byPan(pan) : undefined;
  if (!card) {
    const reason = pan
      ? `the card ending ${pan.slice(-4)} is not in the card book`
      : 'the request names no card';
    return { outcome: cards.checks['unknown-card'], delayMs: 0, reason };
  }
  if (card.status !== 'active') {
    return {
      outcome: cards.checks[card.status],
      delayMs: 0,
      card,
      reason: `card ${card.id} is ${card.status}`,
    };
  }
  if (expired(card.expiry, input.expiry, input.todayYymm)) {
    const reason = `card ${card.id} has expired (the issuer's month is ${input.todayYymm})`;
    return { outcome: cards.checks.expired, delayMs: 0, card, reason };
  }
  const pinProblem = input.wrongPin?.(card);
  if (pinProblem !== undefined) {
    return { outcome: cards.checks['wrong-pin'], delayMs: 0, card, reason: `card ${card.id}: ${pinProblem}` };
  }
  const trigger = cards.triggerFor(card, amount, input.kind);
  if (trigger) {
    const decision: CardDecision = { outcome: trigger.outcome, delayMs: trigger.delayMs ?? 0, card };
    if (trigger.outcome !== 'approved' || trigger.delayMs) {
      decision.reason = triggerReason(card, trigger, amount);
    }
    return decision;
  }
  if (input.debits && amount > card.balanceMinor) {
    const reason = `card ${card.id}: amount ${amount} is over its balance ${card.balanceMinor} (minor units)`;
    return { outcome: cards.checks['over-balance'], delayMs: 0, card, reason };
  }
  return { outcome: 'approved', delayMs: 0, card };
}

/** Why a card's trigger forced its outcome, in the card book's terms (a note's words). */
export function triggerReason(card: TestCard, t: Trigger, amount: number): string {
  return `card ${card.id}: ${triggerWords(t, amount)}`;
}

function triggerWords(t: Trigger, amount: number): string {
  const when = t.amountMinor !== undefined ? `is ${t.amountMinor}` : `ends with ${t.amountEndsWith}`;
  const late = t.delayMs ? ` after ${t.delayMs} ms (host time)` : '';
  return `amount ${amount} ${when}: a trigger for ${t.outcome}${late}${t.note ? ` (${t.note})` : ''}`;
}

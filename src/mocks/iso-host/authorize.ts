import type { IsoMessage } from '../../protocols/iso8583/index.js';
import { expired } from '../hosts/card-expiry.js';
import type { CardBook, TestCard } from '../hosts/host-loader.js';
import type { MessageKind, Outcome } from '../hosts/host-schema.js';
import { pinFromBlock } from './pin-block.js';

/** The card a message presents: PAN and expiry from DE2/DE14, or from track 2 (DE35). */
export function cardOf(msg: IsoMessage): { pan?: string; expiry?: string } {
  const pan = msg.fields['2'];
  const expiry = msg.fields['14'];
  const track = msg.fields['35'];
  const out: { pan?: string; expiry?: string } = {};
  if (typeof track === 'string') {
    // Track 2: PAN, separator ('=' in ASCII, nibble D in BCD), YYMM expiry, service code …
    // (scanned by hand: a regex match allocates its groups on every authorization)
    let sep = 0;
    while (sep < track.length && isDigit(track.charCodeAt(sep))) sep++;
    const c = track[sep];
    const expiry = track.slice(sep + 1, sep + 5);
    if (sep >= 12 && sep <= 19 && (c === '=' || c === 'D') && /^[0-9]{4}$/.test(expiry)) {
      out.pan = track.slice(0, sep);
      out.expiry = expiry;
    }
  }
  if (typeof pan === 'string' && pan !== '') out.pan = pan;
  if (typeof expiry === 'string') out.expiry = expiry;
  return out;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** DE4 in minor units; 0 when absent or not digits. */
export function amountOf(msg: IsoMessage): number {
  const v = msg.fields['4'];
  return typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : 0;
}

export interface Decision {
  outcome: Outcome;
  /** Extra time the issuer takes (a card trigger), before time scaling. */
  delayMs: number;
  card?: TestCard;
}

export interface AuthorizeInput {
  msg: IsoMessage;
  kind: MessageKind;
  cards: CardBook;
  /** For PIN checks: the PIN block element, its format and the key that protects it. */
  pin?: { field: string; format: 'iso-0' | 'iso-1' | 'iso-3'; keyHex?: string };
  /** Today as YYMM, for expiry checks (injected so tests and replays are stable). */
  todayYymm: string;
  /** Whether the amount is debited from the card (sales, authorisations), so the balance matters. */
  debits: boolean;
}

/**
 * The issuer's decision for a card-present transaction, in the order cards.yaml documents:
 * unknown card, status, expiry, PIN, amount triggers, balance.
 */
export function authorize(input: AuthorizeInput): Decision {
  const { msg, cards } = input;
  const { pan, expiry } = cardOf(msg);
  const card = pan ? cards.byPan(pan) : undefined;
  if (!card) return { outcome: cards.checks['unknown-card'], delayMs: 0 };
  if (card.status !== 'active') return { outcome: cards.checks[card.status], delayMs: 0, card };
  if (expired(card.expiry, expiry, input.todayYymm))
    return { outcome: cards.checks.expired, delayMs: 0, card };
  const block = input.pin ? msg.fields[input.pin.field] : undefined;
  if (input.pin && typeof block === 'string' && input.pin.keyHex) {
    const pin = pinFromBlock(block, input.pin.keyHex, input.pin.format, card.pan);
    if (pin !== card.pin) return { outcome: cards.checks['wrong-pin'], delayMs: 0, card };
  }
  const amount = amountOf(msg);
  const trigger = cards.triggerFor(card, amount, input.kind);
  if (trigger) return { outcome: trigger.outcome, delayMs: trigger.delayMs ?? 0, card };
  if (input.debits && amount > card.balanceMinor) {
    return { outcome: cards.checks['over-balance'], delayMs: 0, card };
  }
  return { outcome: 'approved', delayMs: 0, card };
}

import type { IsoMessage } from '../../protocols/iso8583/index.js';
import { type CardDecision, type CardDecisionInput, decideCard } from '../hosts/card-decision.js';
import type { CardBook } from '../hosts/host-loader.js';
import type { MessageKind } from '../hosts/host-schema.js';
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
    if (sep >= 12 && sep <= 19 && (c === '=' || c === 'D') && FOUR_DIGITS.test(expiry)) {
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

// Module-level: a regular expression literal in a function body is a new object on every call.
const FOUR_DIGITS = /^[0-9]{4}$/;
/** DE4 in minor units; 0 when absent or not digits. Digit by digit: it runs for every sale. */
export function amountOf(msg: IsoMessage): number {
  const v = msg.fields[4];
  if (typeof v !== 'string' || v.length === 0) return 0;
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const d = v.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return 0;
    n = n * 10 + d;
  }
  // Up to 15 digits the sum is exact; beyond, Number rounds as it always did.
  return v.length <= 15 ? n : Number(v);
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

/** The issuer's decision for a card-present transaction: the card book's (decideCard), PIN included. */
export function authorize(input: AuthorizeInput): CardDecision {
  const { msg } = input;
  const { pan, expiry } = cardOf(msg);
  const decision: CardDecisionInput = {
    cards: input.cards,
    pan,
    expiry,
    amount: amountOf(msg),
    kind: input.kind,
    todayYymm: input.todayYymm,
    debits: input.debits,
  };
  const pin = input.pin;
  const block = pin ? msg.fields[pin.field] : undefined;
  if (pin?.keyHex && typeof block === 'string') {
    const keyHex = pin.keyHex;
    decision.wrongPin = (card) =>
      pinFromBlock(block, keyHex, pin.format, card.pan) === card.pin
        ? undefined
        : `the PIN block in DE${pin.field} does not hold the card's PIN`;
  }
  return decideCard(decision);
}

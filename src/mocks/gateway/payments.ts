import type { PaymentState } from '../../protocols/rest/api-schema.js';
import type { Random } from '../faults/random.js';
import type { Outcome } from '../hosts/host-schema.js';
import { Fifo } from './fifo.js';

/**
 * A payment as the gateway keeps it: amounts in minor units, the state in the generic vocabulary
 * (each API version renames it), the card book's decision, and the request values its version's
 * template echoes. Never the PAN: only its last 4 digits and the card's scheme.
 */
export interface Payment {
  readonly id: string;
  state: PaymentState;
  /** Authorized amount. */
  readonly amount: number;
  /** ISO 4217 alphabetic, upper case. */
  readonly currency: string;
  captured: number;
  refunded: number;
  /** ms since the epoch. */
  readonly createdMs: number;
  /** The card book's answer at authorization ('approved' or why not). */
  readonly outcome: Outcome;
  /** Card book id, for refund triggers; absent for an unknown card. */
  readonly cardId?: string;
  readonly cardLast4?: string;
  readonly cardScheme?: string;
  /** `request:/pointer` → value, for `{request:/…}` placeholders. */
  readonly echo: Readonly<Record<string, unknown>>;
  /** The front end that took it (`primary`, `backup`), when instances share one store. */
  readonly via: string | undefined;
}

/** A payment's state and amounts: what the admin API and a matrix cell list of it. */
export type PaymentTotals = Pick<Payment, 'id' | 'state' | 'amount' | 'currency' | 'captured' | 'refunded'>;

export function paymentTotals(p: Payment): PaymentTotals {
  return {
    id: p.id,
    state: p.state,
    amount: p.amount,
    currency: p.currency,
    captured: p.captured,
    refunded: p.refunded,
  };
}

/** Why a lifecycle step is refused; the API version words it (errors.kinds). */
export interface Refusal {
  kind: 'invalid-state' | 'amount-too-large';
  message: string;
}

/** Capture: only an authorized payment; up to its amount (default all); the rest is released. */
export function planCapture(p: Payment, amount: number | undefined): number | Refusal {
  if (p.state !== 'authorized')
    return { kind: 'invalid-state', message: 'only an authorized payment can be captured' };
  const want = amount ?? p.amount;
  if (want > p.amount) {
    return { kind: 'amount-too-large', message: `cannot capture ${want}: only ${p.amount} was authorized` };
  }
  return want;
}

export function applyCapture(p: Payment, amount: number): void {
  p.captured = amount;
  p.state = 'captured';
}

/**
 * Cancel (void): only before capture, a captured payment is refunded instead; and a declined one where
 * the version allows it (Stripe lets a client cancel an intent that still needs a payment method).
 */
export function planCancel(p: Payment, declinedToo = false): Refusal | undefined {
  if (p.state === 'authorized' || (declinedToo && p.state === 'declined')) return undefined;
  return {
    kind: 'invalid-state',
    message: `only an authorized${declinedToo ? ' or declined' : ''}, uncaptured payment can be cancelled`,
  };
}

export function applyCancel(p: Payment): void {
  p.state = 'cancelled';
}

/** Refund: only a captured payment; up to what is captured and not yet refunded (default all of it). */
export function planRefund(p: Payment, amount: number | undefined): number | Refusal {
  if (p.state !== 'captured' && p.state !== 'partially-refunded') {
    return { kind: 'invalid-state', message: 'only a captured payment can be refunded' };
  }
  const left = p.captured - p.refunded;
  const want = amount ?? left;
  if (want > left) {
    return {
      kind: 'amount-too-large',
      message: `cannot refund ${want}: ${left} of ${p.captured} is left to refund`,
    };
  }
  return want;
}

export function applyRefund(p: Payment, amount: number): void {
  p.refunded += amount;
  p.state = p.refunded >= p.captured ? 'refunded' : 'partially-refunded';
}

/**
 * The gateway's payments, bounded: past `limit` the oldest is forgotten (a later retrieve of it is
 * answered not-found), so a long soak or a benchmark keeps a flat memory profile.
 */
export class PaymentStore {
  readonly #payments = new Map<string, Payment>();
  /** Ids oldest first, for eviction. */
  readonly #order = new Fifo<string>();
  readonly #random: Random;
  #next = 0;
  /** Payments forgotten to stay within the limit. */
  evicted = 0;

  constructor(
    readonly limit = 10_000,
    random: Random = Math.random,
  ) {
    if (!(limit >= 1)) throw new RangeError(`the payments limit must be >= 1, got ${limit}`);
    this.#random = random;
  }

  /** A new id: the version's prefix, a sequence number and seeded random letters (reproducible per seed). */
  newId(prefix: string): string {
    const seq = ++this.#next;
    const tail = Math.floor(this.#random() * 36 ** 8);
    // `${prefix}${seq in base 36, 5+ digits}${tail in base 36, 8 digits}`, written as character codes
    // into one flat string: Number#toString(36) on a 41-bit value goes through floating-point
    // modulo, and a concatenation would be kept as a rope (and copied again when hashed as a key).
    const codes = ID_CODES;
    codes.length = 0;
    for (let i = 0; i < prefix.length; i++) codes.push(prefix.charCodeAt(i));
    pushBase36(codes, seq, 5);
    const hi = Math.floor(tail / BASE36_4);
    pushBase36(codes, hi, 4);
    pushBase36(codes, tail - hi * BASE36_4, 4);
    return String.fromCharCode(...codes);
  }

  add(payment: Payment): void {
    this.#payments.set(payment.id, payment);
    this.#order.push(payment.id);
    if (this.#payments.size > this.limit) {
      this.#payments.delete(this.#order.shift()!);
      this.evicted++;
    }
  }

  get(id: string): Payment | undefined {
    return this.#payments.get(id);
  }

  /** Oldest first (a copy). */
  list(): Payment[] {
    return [...this.#payments.values()];
  }

  get size(): number {
    return this.#payments.size;
  }

  clear(): void {
    this.#payments.clear();
    this.#order.clear();
    this.evicted = 0;
  }
}

const BASE36_4 = 36 ** 4;
/** Reused by newId (synchronous, never re-entered): an id costs no array of its own. */
const ID_CODES: number[] = [];
const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Appends `n` (an integer below 2^31) in base 36, zero-padded to `width` digits. */
function pushBase36(codes: number[], n: number, width: number): void {
  let digits = 1;
  for (let rest = Math.floor(n / 36); rest > 0; rest = Math.floor(rest / 36)) digits++;
  const start = codes.length;
  const size = Math.max(width, digits);
  for (let i = 0; i < size; i++) codes.push(48);
  for (let i = start + size - 1, rest = n; rest > 0; i--, rest = Math.floor(rest / 36)) {
    codes[i] = DIGITS.charCodeAt(rest % 36);
  }
}

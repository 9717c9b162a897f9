import type { PaymentState } from '../../../protocols/rest/api-schema.js';
import type { TransactionType } from '../../terminal.js';
import type { ResolvedRestOperation } from '../profile-loader.js';
import type { SendRequest } from './rest-link.js';

/**
 * A payment the terminal asked for and never learnt the outcome of: it owes the gateway a cancel
 * (or a refund, once captured) — the REST reversal. Without the payment id it first replays the
 * authorization with the same idempotency key, which answers with the stored result.
 */
export interface PendingReversal {
  type: TransactionType;
  /** The authorization as it was sent, for the replay. */
  operation: ResolvedRestOperation;
  body: unknown;
  idempotencyKey: string;
  amount: number;
  paymentId?: string;
  captured?: boolean;
  /** The cancel (or refund) itself, with its key: rendered once, the same on every delivery attempt. */
  cancel?: SendRequest;
  attempts: number;
  /** The code its delivery got (or the replay's, when there was nothing to reverse). */
  delivered?: string;
}

/** Payments remembered (id → what the terminal knows of it), to choose void → refund, and how much. */
const REMEMBERED = 1000;

/** A payment as the terminal knows it: the last state an answer gave, the money it moved itself. */
interface KnownPayment {
  state: PaymentState | undefined;
  /** Minor units the terminal had captured (a sale, or a completion); undefined when unknown. */
  captured: number | undefined;
  /** Minor units it has refunded since. */
  refunded: number;
}

/** What the REST transport keeps between transactions, until reset(). */
export class RestTerminalState {
  sequence = 0;
  /** Reversals owed, oldest first: each unknown outcome owes its own. */
  readonly reversals: PendingReversal[] = [];
  /** The idempotency-key-reused defect: the first key, kept. */
  firstKey: string | undefined;
  readonly #payments = new Map<string, KnownPayment>();

  nextSequence(): number {
    this.sequence = this.sequence >= 999_999 ? 1 : this.sequence + 1;
    return this.sequence;
  }

  remember(paymentId: string, state: PaymentState | undefined): void {
    const known = this.#payments.get(paymentId) ?? { state, captured: undefined, refunded: 0 };
    known.state = state;
    this.#payments.delete(paymentId);
    this.#payments.set(paymentId, known);
    if (this.#payments.size > REMEMBERED) this.#payments.delete(this.#payments.keys().next().value!);
  }

  /** Money the terminal moved on a payment, approved: captured (sale, completion) or refunded. */
  moved(paymentId: string, kind: 'captured' | 'refunded', amount: number): void {
    const known = this.#payments.get(paymentId);
    if (!known) return;
    if (kind === 'captured') known.captured = amount;
    else known.refunded += amount;
  }

  /** Whether the terminal knows the payment as captured (or partly refunded). */
  captured(paymentId: string | undefined): boolean {
    const state = paymentId === undefined ? undefined : this.#payments.get(paymentId)?.state;
    return state === 'captured' || state === 'partially-refunded';
  }

  /**
   * What is left to refund of a captured payment: what the terminal captured (a completion may have
   * taken less than the pre-auth) less what it refunded since; undefined when it does not know.
   */
  remaining(paymentId: string | undefined): number | undefined {
    const known = paymentId === undefined ? undefined : this.#payments.get(paymentId);
    if (known?.captured === undefined) return undefined;
    return Math.max(0, known.captured - known.refunded);
  }

  reset(): void {
    this.sequence = 0;
    this.reversals.length = 0;
    this.firstKey = undefined;
    this.#payments.clear();
  }
}

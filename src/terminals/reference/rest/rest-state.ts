import type { PaymentState } from '../../../protocols/rest/api-schema.js';
import type { TransactionType } from '../../terminal.js';
import type { ResolvedRestOperation } from '../profile-loader.js';

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
  /** The key of the cancel itself, the same on every delivery attempt. */
  cancelKey?: string;
  attempts: number;
}

/** Payments remembered (id → last known state), to choose void → refund for a captured one. */
const REMEMBERED = 1000;

/** What the REST transport keeps between transactions, until reset(). */
export class RestTerminalState {
  sequence = 0;
  reversal: PendingReversal | undefined;
  /** The idempotency-key-reused defect: the first key, kept. */
  firstKey: string | undefined;
  readonly #payments = new Map<string, PaymentState | undefined>();

  nextSequence(): number {
    this.sequence = this.sequence >= 999_999 ? 1 : this.sequence + 1;
    return this.sequence;
  }

  remember(paymentId: string, state: PaymentState | undefined): void {
    this.#payments.delete(paymentId);
    this.#payments.set(paymentId, state);
    if (this.#payments.size > REMEMBERED) this.#payments.delete(this.#payments.keys().next().value!);
  }

  /** Whether the terminal knows the payment as captured (or partly refunded). */
  captured(paymentId: string | undefined): boolean {
    const state = paymentId === undefined ? undefined : this.#payments.get(paymentId);
    return state === 'captured' || state === 'partially-refunded';
  }

  reset(): void {
    this.sequence = 0;
    this.reversal = undefined;
    this.firstKey = undefined;
    this.#payments.clear();
  }
}

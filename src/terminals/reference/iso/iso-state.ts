import type { IsoMessage } from '../../../protocols/iso8583/index.js';
import type { CardInput, TransactionType } from '../../terminal.js';

/**
 * What an ISO 8583 reference terminal remembers between transactions, until reset(): its STAN and
 * batch counters, the transactions of the open batch, the reversal it owes the host and the advices
 * waiting to be forwarded, its working keys and whether it is signed on. Card data stays here in
 * memory only (a batch upload needs the PAN); nothing here is ever logged as it is.
 */

/** One message the terminal sent, with its answer: the original of a void, a batch record. */
export interface TxRecord {
  type: TransactionType | 'advice';
  request: IsoMessage;
  response?: IsoMessage;
  amount: number;
  card?: CardInput;
  batch: number;
  /** Counts in the batch totals as a debit or a credit. */
  side?: 'debit' | 'credit';
}

/** A reversal stored before its original left: rendered (and its STAN taken) at the first delivery. */
export interface PendingReversal {
  original: TxRecord;
  reason: 'timeout' | 'mac-error' | 'cancelled';
  attempts: number;
  message?: IsoMessage;
}

/** An advice waiting in the store-and-forward queue, rendered when it was queued. */
export interface QueuedAdvice {
  record: TxRecord;
  message: IsoMessage;
  attempts: number;
}

export interface BatchTotals {
  debitCount: number;
  debitAmount: number;
  creditCount: number;
  creditAmount: number;
  count: number;
}

const LOG_LIMIT = 500;

export class IsoTerminalState {
  /** The next STAN to use. */
  stan: number;
  /** With the stan-reused-on-retry defect: a STAN was used and no answer has advanced it yet. */
  stanUnanswered = false;
  batch: number;
  /** Approved transactions of the open batch, in order. */
  records: TxRecord[] = [];
  /** Recent transactions by STAN, to find the original of a void, completion or refund. */
  log: TxRecord[] = [];
  reversal: PendingReversal | undefined;
  saf: QueuedAdvice[] = [];
  /** Working keys from sign-on, over the configured ones. */
  workingKeys: Record<string, string> = {};
  signedOn = false;

  constructor(
    private readonly initialStan: number,
    private readonly initialBatch: number,
    private readonly reuseStanUntilAnswered: boolean,
  ) {
    this.stan = initialStan;
    this.batch = initialBatch;
  }

  /** Takes a STAN for a message: 6 digits, 999999 wraps to 000001. */
  takeStan(): string {
    if (this.reuseStanUntilAnswered && this.stanUnanswered) return pad6(this.stan);
    const value = this.stan;
    if (this.reuseStanUntilAnswered) this.stanUnanswered = true;
    else this.stan = next(this.stan);
    return pad6(value);
  }

  /** An answer arrived (only matters for the stan-reused-on-retry defect). */
  answered(): void {
    if (this.reuseStanUntilAnswered && this.stanUnanswered) {
      this.stan = next(this.stan);
      this.stanUnanswered = false;
    }
  }

  remember(record: TxRecord): void {
    this.log.push(record);
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
  }

  /** The newest remembered transaction with this STAN (and RRN, when given). */
  find(stan: string | undefined, rrn: string | undefined): TxRecord | undefined {
    for (let i = this.log.length - 1; i >= 0; i--) {
      const r = this.log[i]!;
      if (stan !== undefined && r.request.fields['11'] !== stan) continue;
      if (rrn !== undefined && r.response?.fields['37'] !== rrn) continue;
      if (stan === undefined && rrn === undefined) continue;
      return r;
    }
    return undefined;
  }

  addToBatch(record: TxRecord): void {
    if (record.side) this.records.push(record);
  }

  /** A void or reversal took it back: it leaves the batch. */
  removeFromBatch(record: TxRecord): void {
    const i = this.records.indexOf(record);
    if (i >= 0) this.records.splice(i, 1);
  }

  totals(): BatchTotals {
    const t: BatchTotals = { debitCount: 0, debitAmount: 0, creditCount: 0, creditAmount: 0, count: 0 };
    for (const r of this.records) {
      t.count++;
      if (r.side === 'debit') {
        t.debitCount++;
        t.debitAmount += r.amount;
      } else {
        t.creditCount++;
        t.creditAmount += r.amount;
      }
    }
    return t;
  }

  /** A settlement closed the batch: the next one starts empty, with the next number. */
  closeBatch(): void {
    this.records = [];
    this.batch = next(this.batch);
  }

  reset(): void {
    this.stan = this.initialStan;
    this.stanUnanswered = false;
    this.batch = this.initialBatch;
    this.records = [];
    this.log = [];
    this.reversal = undefined;
    this.saf = [];
    this.workingKeys = {};
    this.signedOn = false;
  }
}

const next = (n: number) => (n >= 999999 ? 1 : n + 1);
const pad6 = (n: number) => String(n).padStart(6, '0');

import type { RecordedMessage } from '../../mocks/exchange.js';
import type {
  TerminalConfig,
  TerminalEventKind,
  TransactionOutcome,
  TransactionRequest,
} from '../terminal.js';

/**
 * The seam between the reference terminal (one transaction at a time, events, outcomes, cancel and
 * deadlines: reference-terminal.ts) and the protocol it speaks: ISO 8583 over TCP (iso/) or REST to a
 * payment gateway (rest/). An engine keeps the terminal's protocol state (STAN, batch, reversal, SAF,
 * owed REST reversal) between transactions, until reset().
 */
export interface ProtocolEngine {
  configure(config: TerminalConfig): void;
  run(request: TransactionRequest, tx: TransactionContext): Promise<EngineOutcome>;
  /** Back to power-on state; closes connections. */
  reset(): void;
  close(): void;
}

/** What one transaction can tell the terminal while it runs. */
export interface TransactionContext {
  /** Aborted by cancel() or the transaction deadline; its reason is a TerminalFault. */
  readonly signal: AbortSignal;
  emit(kind: TerminalEventKind, detail: string, message?: RecordedMessage): void;
  /** A message sent or received, for the outcome's list. */
  record(direction: 'sent' | 'received', message: RecordedMessage): void;
}

/** The outcome without what the terminal adds itself (messages, duration). */
export type EngineOutcome = Omit<TransactionOutcome, 'messages' | 'durationMs'>;

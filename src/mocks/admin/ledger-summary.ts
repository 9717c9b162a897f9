import { getField, maskPan } from '../../protocols/iso8583/index.js';
import type { Ledger, LedgerEntry } from '../iso-host/ledger.js';
import type { Journal } from '../journal.js';

export interface KindSummary {
  count: number;
  approved: number;
  /** Every amount of this kind, in minor units. */
  amountMinor: number;
  /** Approved and not cancelled by a reversal or void: what settlement should count. */
  approvedAmountMinor: number;
}

/** One terminal as the host saw it. Card numbers appear masked only (first 6 + last 4). */
export interface TerminalSummary {
  terminal: string;
  signedOn: boolean;
  batch?: string;
  /** An unbalanced settlement is waiting for the terminal's batch upload. */
  awaitingUpload: boolean;
  uploadedRecords: number;
  transactions: number;
  approved: number;
  declined: number;
  cancelled: number;
  settled: number;
  byKind: Record<string, KindSummary>;
  /** Masked PANs this terminal presented. */
  cards: string[];
  /** When its last transaction arrived (ISO 8601). */
  lastAt?: string;
}

/**
 * Totals per terminal, without any message content: ledger entries hold the decoded requests with
 * card data in clear, so only counts, amounts and masked PANs leave this function.
 *
 * The ledger has no public list of terminals, so they are gathered from its entries and from the
 * requests in the journal (a terminal that only signed on has no entry).
 */
export function summarizeLedger(ledger: Ledger, journals: readonly Journal[] = []): TerminalSummary[] {
  const entries = ledger.list();
  const ids = new Set(entries.map((e) => e.terminal));
  for (const journal of journals) {
    for (const ex of journal.entries()) {
      const tid = ex.request?.iso?.fields['41'];
      if (typeof tid === 'string' && tid !== '') ids.add(tid);
    }
  }
  const byTerminal = new Map<string, LedgerEntry[]>();
  for (const e of entries) {
    const list = byTerminal.get(e.terminal);
    if (list) list.push(e);
    else byTerminal.set(e.terminal, [e]);
  }
  return [...ids].sort().map((id) => summarizeTerminal(ledger, id, byTerminal.get(id) ?? []));
}

function summarizeTerminal(ledger: Ledger, id: string, entries: LedgerEntry[]): TerminalSummary {
  const state = ledger.peekTerminal(id);
  const byKind: Record<string, KindSummary> = {};
  const cards = new Set<string>();
  let approved = 0;
  let cancelled = 0;
  let settled = 0;
  let last = 0;
  for (const e of entries) {
    byKind[e.kind] ??= { count: 0, approved: 0, amountMinor: 0, approvedAmountMinor: 0 };
    const k = byKind[e.kind]!;
    k.count++;
    k.amountMinor += e.amountMinor;
    if (e.approved) {
      approved++;
      k.approved++;
      if (e.cancelledBy === undefined) k.approvedAmountMinor += e.amountMinor;
    }
    if (e.cancelledBy !== undefined) cancelled++;
    if (e.settled) settled++;
    last = Math.max(last, e.at);
    const pan = panOf(e);
    if (pan) cards.add(maskPan(pan));
  }
  return {
    terminal: id,
    signedOn: state.signedOn,
    ...(state.batch !== undefined && { batch: state.batch }),
    awaitingUpload: state.awaitingUpload,
    uploadedRecords: state.uploaded.length,
    transactions: entries.length,
    approved,
    declined: entries.length - approved,
    cancelled,
    settled,
    byKind,
    cards: [...cards].sort(),
    ...(last > 0 && { lastAt: new Date(last).toISOString() }),
  };
}

/** DE2, else the PAN at the start of track 2 ('=' in ASCII, 'D' in BCD). */
function panOf(e: LedgerEntry): string | undefined {
  const pan = getField(e.request, '2');
  if (typeof pan === 'string' && /^[0-9]{8,19}$/.test(pan)) return pan;
  const track = getField(e.request, '35');
  if (typeof track === 'string') return /^([0-9]{12,19})[=D]/i.exec(track)?.[1];
  return undefined;
}

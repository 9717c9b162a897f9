import type { Exchange } from '../mocks/exchange.js';
import type { TerminalEvent, TransactionOutcome, TransactionRequest } from '../terminals/terminal.js';

/**
 * A cell: one firmware build × one host version × one scenario — the unit the runner plans,
 * schedules, stores (one line of results.jsonl) and resumes. The matrix a person reads groups
 * cells by firmware × host version.
 */
export interface Cell {
  /** `<firmware>|<host>@<version>|<suite>/<scenario>`: stable, used by --resume, shards and merge. */
  key: string;
  firmware: string;
  /** Host id, e.g. `harbor-bank`. */
  host: string;
  version: string;
  suite: string;
  scenario: string;
}

export type CellStatus = 'pass' | 'fail' | 'error' | 'n/a' | 'flaky';

/** Why a cell is not a pass, in words a QA engineer can act on, plus a machine-readable kind. */
export interface Reason {
  /**
   * `expectation` (a then-clause failed), `invariant` (a built-in check), `violation` (the host
   * rejected a message), `capability` (n/a), `protocol` (n/a: families cannot meet), `timeout`
   * (cell cut off), `harness` (paymatrix or an emulator failed).
   */
  kind: 'expectation' | 'invariant' | 'violation' | 'capability' | 'protocol' | 'timeout' | 'harness';
  /** One sentence, e.g. `host harbor-bank@2025.1 rejected 0200: DE22 expected ...`. */
  message: string;
  /** Which step (0-based) or expectation it is about, when there is one. */
  step?: number;
  /** Expected vs actual, for the report's difference view (strings, card data masked). */
  expected?: string;
  actual?: string;
  /** The exchange (journal seq) it points at. */
  exchange?: number;
}

/** What happened at one `when` step. */
export interface StepRecord {
  request: TransactionRequest;
  outcome: TransactionOutcome;
}

/** Everything needed to explain a cell without rerunning it. Card data is masked before it gets here. */
export interface CellEvidence {
  steps: StepRecord[];
  /** Every host instance's journal (primary first), in arrival order. */
  journal: Exchange[];
  events: TerminalEvent[];
}

export interface CellResult extends Cell {
  status: CellStatus;
  reasons: Reason[];
  /** Scenario metadata copied in so reports need no catalogue. */
  title: string;
  tags: string[];
  /** Wall time of the cell, ms. */
  durationMs: number;
  /** ISO 8601 */
  finishedAt: string;
  /** Absent for n/a cells (nothing ran). */
  evidence?: CellEvidence;
  /** Seed the cell's faults used. */
  seed: number;
}

/** The stable key of a cell (see Cell.key). */
export function cellKey(cell: Omit<Cell, 'key'>): string {
  return `${cell.firmware}|${cell.host}@${cell.version}|${cell.suite}/${cell.scenario}`;
}

export const CELL_STATUSES: readonly CellStatus[] = ['pass', 'fail', 'error', 'n/a', 'flaky'];

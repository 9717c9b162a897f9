import type { IsoMessage } from '../../protocols/iso8583/index.js';
import type { MessageKind } from '../hosts/host-schema.js';
import type { Wire } from '../wire-arena.js';
import { DuplicateWindow } from './duplicate-window.js';

/** What the processor books for one answered transaction. */
export interface Booking {
  terminal: string;
  kind: MessageKind;
  request: IsoMessage;
  response: IsoMessage;
  /** Amount in minor units (0 when the message has none). */
  amountMinor: number;
  approved: boolean;
  /** Counted in a balanced settlement already. */
  settled: boolean;
  /** Batch number the terminal was in when it sent this (when the version has one). */
  batch?: string | undefined;
  at: number;
}

/** One transaction the host answered, kept so later messages can refer to it. */
export class LedgerEntry {
  seq = 0;
  terminal: string;
  kind: MessageKind;
  amountMinor: number;
  approved: boolean;
  settled: boolean;
  /** Set when a reversal or void cancelled it. */
  declare cancelledBy?: number;
  /**
   * Approved here, but missing from the terminal's batch upload: the batch closed without it (the
   * terminal's batch is what settles), so it is never settled.
   */
  declare notUploaded?: boolean;
  /** Refunded of it so far (refunds that named it), in minor units. */
  declare refundedMinor?: number;
  declare batch?: string;
  at: number;
  #request: IsoMessage | undefined;
  #response: IsoMessage | undefined;
  // The messages' bodies and how to decode them again (see keepWire).
  #requestWire: Wire | undefined;
  #responseWire: Wire | undefined;
  #decode: ((bytes: Buffer) => IsoMessage) | undefined;

  constructor(b: Booking) {
    this.terminal = b.terminal;
    this.kind = b.kind;
    this.amountMinor = b.amountMinor;
    this.approved = b.approved;
    this.settled = b.settled;
    if (b.batch !== undefined) this.batch = b.batch;
    this.at = b.at;
    this.#request = b.request;
    this.#response = b.response;
  }

  get request(): IsoMessage {
    this.#request ??= this.#decode!(this.#requestWire!.bytes());
    return this.#request;
  }

  get response(): IsoMessage {
    this.#response ??= this.#decode!(this.#responseWire!.bytes());
    return this.#response;
  }

  /**
   * Keeps the messages as their wire bytes from now on, decoded again when read. A busy host's
   * ledger is mostly never read, and ten thousand decoded messages (a dozen strings each) kept
   * alive cost the host a quarter of its CPU in garbage collection; bytes off the heap do not.
   */
  keepWire(request: Wire, response: Wire, decode: (bytes: Buffer) => IsoMessage): void {
    this.#requestWire = request;
    this.#responseWire = response;
    this.#decode = decode;
    this.#request = undefined;
    this.#response = undefined;
  }
}

export interface TerminalState {
  signedOn: boolean;
  /** Working keys issued at sign-on (role -> hex), over the version's static keys. */
  workingKeys: Record<string, string>;
  batch?: string;
  /** Set by an unbalanced settlement whose version waits for a batch upload. */
  awaitingUpload: boolean;
  uploaded: IsoMessage[];
  /** The batch upload has ended (a CUP 0320 with 60.3 = 202); the settlement that follows closes it. */
  uploadEnded: boolean;
}

/** What a terminal the host has changed nothing for reads as (see Ledger.peekTerminal). */
const FRESH_TERMINAL: Readonly<TerminalState> = Object.freeze({
  signedOn: false,
  workingKeys: Object.freeze({}),
  awaitingUpload: false,
  uploaded: Object.freeze([] as IsoMessage[]) as IsoMessage[],
  uploadEnded: false,
});

export interface LedgerOptions {
  /**
   * Transactions kept for later reference (reversals, voids, settlement); the oldest go first, in
   * batches, so a mock bank under a long load test stays bounded. Default 10,000.
   */
  maxEntries?: number;
  /** Keys the duplicate window remembers at most (see DuplicateWindow). Default 250,000. */
  duplicateKeys?: number;
}

/**
 * The state of one host instance: what it authorised, captured, reversed and saw twice, per
 * terminal. Settlement compares what a terminal claims with what is here. Each cell gets its own
 * ledger; a primary and its backup share one, as the two front ends of one bank share a back end.
 */
export class Ledger {
  private entries: LedgerEntry[] = [];
  private terminals = new Map<string, TerminalState>();
  private counter = 0;
  private readonly maxEntries: number;
  /** Terminal + STAN (+ date or batch) keys within the duplicate-detection window. */
  readonly duplicates: DuplicateWindow;

  constructor(options: LedgerOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.duplicates = new DuplicateWindow(options.duplicateKeys);
  }

  add(booking: Booking): LedgerEntry {
    const full = new LedgerEntry(booking);
    full.seq = ++this.counter;
    this.entries.push(full);
    if (this.entries.length > this.maxEntries * 1.1)
      this.entries.splice(0, this.entries.length - this.maxEntries);
    return full;
  }

  /** Newest first, so a repeated STAN finds the latest transaction. */
  find(predicate: (e: LedgerEntry) => boolean): LedgerEntry | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--)
      if (predicate(this.entries[i]!)) return this.entries[i];
    return undefined;
  }

  list(terminal?: string): LedgerEntry[] {
    return terminal === undefined ? [...this.entries] : this.entries.filter((e) => e.terminal === terminal);
  }

  /**
   * A terminal's state to read: a terminal the host never changed anything for shares one fresh
   * state, so a host that only reads (every sale, every refusal) keeps nothing per terminal. A load
   * test whose terminal ids never repeat would otherwise grow this map by one entry per request.
   */
  peekTerminal(id: string): Readonly<TerminalState> {
    return this.terminals.get(id) ?? FRESH_TERMINAL;
  }

  /** Terminals whose state the host keeps: those it changed something for. */
  get terminalCount(): number {
    return this.terminals.size;
  }

  /** A terminal's state to change (sign-on, settlement, batch upload), created on first use. */
  terminal(id: string): TerminalState {
    let state = this.terminals.get(id);
    if (!state) {
      state = { signedOn: false, workingKeys: {}, awaitingUpload: false, uploaded: [], uploadEnded: false };
      this.terminals.set(id, state);
    }
    return state;
  }

  /** A new reference number for the host's answers: deterministic per instance, 12 digits. */
  nextReference(): number {
    return ++this.counter;
  }

  reset(): void {
    this.entries = [];
    this.duplicates.clear();
    this.terminals.clear();
    this.counter = 0;
  }
}

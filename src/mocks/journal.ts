import type { Exchange } from './exchange.js';
import { maskQuotedCardData } from './mask-quoted-card-data.js';

type Listener = (exchange: Exchange) => void;
type Entry = Omit<Exchange, 'seq'>;

/** An exchange recorded as the recipe for its entry: built the first time someone reads it. */
class Deferred<T = unknown> {
  constructor(
    readonly seq: number,
    readonly build: (data: T) => Entry,
    readonly data: T,
  ) {}
}

/** One page of a journal (Journal.page). */
export interface JournalPage {
  exchanges: Exchange[];
  /** The sequence number to read on from. */
  last: number;
  /** Exchanges after `last` exist. */
  more: boolean;
}

/** Message text a journal keeps by default: 32 MiB, far above 10,000 everyday exchanges (~12 MB). */
export const JOURNAL_BYTES = 32 * 1024 * 1024;

/**
 * The ordered list of exchanges one host instance saw. Appending numbers the exchange and tells
 * listeners (the CLI's log line, the admin API). Two bounds keep a long-running mock from growing
 * without limit, dropping the oldest and counting what they dropped: a number of exchanges, and the
 * bytes of message text they hold (frames, headers and bodies as the caller weighs them), so that a
 * terminal sending megabyte bodies cannot make ten thousand exchanges weigh gigabytes.
 */
export class Journal {
  private items: (Exchange | Deferred)[] = [];
  /** The weight of each item, in the same order. */
  private weights: number[] = [];
  private readonly listeners = new Set<Listener>();
  private next = 1;
  private held = 0;
  dropped = 0;

  private readonly slack: number;

  /**
   * @param limit exchanges kept (the oldest go first)
   * @param maxBytes message text kept; the newest exchange stays even when it alone weighs more
   */
  constructor(
    private readonly limit = 100_000,
    private readonly maxBytes = JOURNAL_BYTES,
  ) {
    this.slack = Math.ceil(limit / 10);
  }

  /** Exchanges kept now (at most the limit, plus a little slack before the oldest go). */
  get size(): number {
    return this.items.length;
  }

  /** The sequence number of the newest exchange kept (0 when empty). */
  get last(): number {
    return this.items.at(-1)?.seq ?? 0;
  }

  /** Bytes of message text the kept exchanges hold, as their recorders weighed them. */
  get bytes(): number {
    return this.held;
  }

  /**
   * Numbers and keeps the entry itself (no copy: the caller hands it over). `bytes`: the message
   * text it holds (frames, header lines, bodies), counted against the journal's byte bound.
   */
  record(entry: Entry, bytes = 0): Exchange {
    const exchange = entry as Exchange;
    maskQuotedCardData(exchange);
    exchange.seq = this.next++;
    this.keep(exchange, bytes);
    for (const listener of this.listeners) listener(exchange);
    return exchange;
  }

  /**
   * Records an exchange whose entry is built only when read (or at once when someone listens).
   * A busy host's journal is mostly never read — a matrix cell reads it once at the end — and
   * building every entry up front (decoded views, summary lines, ISO dates) was a large share of
   * the host's CPU and garbage under load. `build(data)` must only read values fixed by now; one
   * `build` for every entry and a plain `data` object each keep less alive than a closure each.
   */
  recordLater<T>(build: (data: T) => Entry, data: T, bytes = 0): void {
    if (this.listeners.size > 0) {
      this.record(build(data), bytes);
      return;
    }
    this.keep(new Deferred<unknown>(this.next++, build as (data: unknown) => Entry, data), bytes);
  }

  private keep(item: Exchange | Deferred, bytes: number): void {
    this.items.push(item);
    this.weights.push(bytes);
    this.held += bytes;
    // Trim in batches: shifting one item per record would cost O(limit) on every exchange.
    if (this.items.length > this.limit + this.slack) this.drop(this.items.length - this.limit);
    if (this.held > this.maxBytes) {
      // Down to 90% of the bound, so that the next few records do not trim again.
      let excess = 0;
      let freed = 0;
      const target = this.held - this.maxBytes * 0.9;
      while (freed < target && excess < this.items.length - 1) freed += this.weights[excess++]!;
      this.drop(excess);
    }
  }

  private drop(count: number): void {
    // Runs once per trim, too seldom to be optimized: an index loop, not an iterator over a copy.
    const weights = this.weights;
    let freed = 0;
    for (let i = 0; i < count; i++) freed += weights[i]!;
    this.held -= freed;
    weights.splice(0, count);
    this.items.splice(0, count);
    this.dropped += count;
  }

  /**
   * A copy, oldest first; `since` keeps only exchanges after that sequence number. May hold up to
   * 10% more than the limit between trims. Only the exchanges returned are built.
   */
  entries(since = 0): Exchange[] {
    return this.page(since, Number.POSITIVE_INFINITY).exchanges;
  }

  /**
   * Up to `limit` exchanges after `since` that `match` (every one without it), oldest first. To
   * read on, pass `last` as the next `since`: it is the last exchange looked at, so a filtered
   * page that matched nothing still moves on. `more`: the page filled before the journal's end.
   * Every exchange looked at is built (a filter reads the decoded view); `maxLook` stops after
   * looking at that many, so that a caller can scan a long journal in slices.
   */
  page(
    since: number,
    limit: number,
    match?: (exchange: Exchange) => boolean,
    maxLook = Number.POSITIVE_INFINITY,
  ): JournalPage {
    const exchanges: Exchange[] = [];
    const items = this.items;
    let last = since;
    let i = this.firstAfter(since);
    const end = Math.min(items.length, i + maxLook);
    for (; i < end && exchanges.length < limit; i++) {
      let item = items[i]!;
      if (item instanceof Deferred) {
        const exchange = item.build(item.data) as Exchange;
        maskQuotedCardData(exchange);
        exchange.seq = item.seq;
        items[i] = item = exchange;
      }
      last = item.seq;
      if (!match || match(item)) exchanges.push(item);
    }
    return { exchanges, last, more: i < items.length };
  }

  /** The index of the first item numbered above `seq` (items are kept in sequence order). */
  private firstAfter(seq: number): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid]!.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  onExchange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear(): void {
    this.items = [];
    this.weights = [];
    this.held = 0;
    this.dropped = 0;
  }
}

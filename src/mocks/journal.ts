import type { Exchange } from './exchange.js';

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

/**
 * The ordered list of exchanges one host instance saw. Appending numbers the exchange and tells
 * listeners (the CLI's log line, the admin API); a bound keeps a long-running mock from growing
 * without limit, dropping the oldest and counting what it dropped.
 */
export class Journal {
  private readonly items: (Exchange | Deferred)[] = [];
  private readonly listeners = new Set<Listener>();
  private next = 1;
  dropped = 0;

  private readonly slack: number;

  constructor(private readonly limit = 100_000) {
    this.slack = Math.ceil(limit / 10);
  }

  /** Exchanges kept now (at most the limit, plus a little slack before the oldest go). */
  get size(): number {
    return this.items.length;
  }

  /** Numbers and keeps the entry itself (no copy: the caller hands it over). */
  record(entry: Entry): Exchange {
    const exchange = entry as Exchange;
    exchange.seq = this.next++;
    this.keep(exchange);
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
  recordLater<T>(build: (data: T) => Entry, data: T): void {
    if (this.listeners.size > 0) {
      this.record(build(data));
      return;
    }
    this.keep(new Deferred<unknown>(this.next++, build as (data: unknown) => Entry, data));
  }

  private keep(item: Exchange | Deferred): void {
    this.items.push(item);
    // Trim in batches: shifting one item per record would cost O(limit) on every exchange.
    if (this.items.length > this.limit + this.slack) {
      const excess = this.items.length - this.limit;
      this.items.splice(0, excess);
      this.dropped += excess;
    }
  }

  /** A copy, oldest first; `since` keeps only exchanges after that sequence number. May hold up to
   * 10% more than the limit between trims. */
  entries(since = 0): Exchange[] {
    const out: Exchange[] = [];
    const items = this.items;
    for (let i = 0; i < items.length; i++) {
      let item = items[i]!;
      if (item.seq <= since) continue;
      if (item instanceof Deferred) {
        const exchange = item.build(item.data) as Exchange;
        exchange.seq = item.seq;
        items[i] = item = exchange;
      }
      out.push(item);
    }
    return out;
  }

  onExchange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear(): void {
    this.items.length = 0;
    this.dropped = 0;
  }
}

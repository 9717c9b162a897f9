import type { Exchange } from './exchange.js';

type Listener = (exchange: Exchange) => void;

/**
 * The ordered list of exchanges one host instance saw. Appending numbers the exchange and tells
 * listeners (the CLI's log line, the admin API); a bound keeps a long-running mock from growing
 * without limit, dropping the oldest and counting what it dropped.
 */
export class Journal {
  private readonly items: Exchange[] = [];
  private readonly listeners = new Set<Listener>();
  private next = 1;
  dropped = 0;

  private readonly slack: number;

  constructor(private readonly limit = 100_000) {
    this.slack = Math.ceil(limit / 10);
  }

  /** Numbers and keeps the entry itself (no copy: the caller hands it over). */
  record(entry: Omit<Exchange, 'seq'>): Exchange {
    const exchange = entry as Exchange;
    exchange.seq = this.next++;
    this.items.push(exchange);
    // Trim in batches: shifting one item per record would cost O(limit) on every exchange.
    if (this.items.length > this.limit + this.slack) {
      const excess = this.items.length - this.limit;
      this.items.splice(0, excess);
      this.dropped += excess;
    }
    for (const listener of this.listeners) listener(exchange);
    return exchange;
  }

  /** A copy, oldest first; `since` keeps only exchanges after that sequence number. May hold up to
   * 10% more than the limit between trims. */
  entries(since = 0): Exchange[] {
    return this.items.filter((e) => e.seq > since);
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

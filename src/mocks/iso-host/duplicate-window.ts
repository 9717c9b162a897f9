/** How the duplicate window is doing, for the admin API and the mock's log. */
export interface DuplicateWindowStats {
  /** Keys remembered now. */
  keys: number;
  /** At most this many are remembered. */
  limit: number;
  /** Keys forgotten before their window ended, to stay within the limit. */
  forgottenEarly: number;
  /**
   * How long the youngest key forgotten early had been remembered (ms): what the window really
   * covered at that moment. Undefined while nothing was forgotten early.
   */
  shortestWindowMs?: number;
}

/**
 * The keys (terminal + STAN + date, per the version's `duplicates.key`) a host saw within its
 * duplicate-detection window. A bank remembers them for the whole window (60 s to 10 min); a load
 * test at tens of thousands of sales per second would make that millions of keys, so past `limit`
 * the oldest key is forgotten early and counted, and the window is shorter than configured until
 * the rate drops (the admin API's /ledger and the mock's log say so).
 *
 * Keys expire in the order they were remembered, so a queue beside the map finds them without
 * scanning: each remembered key is one queue slot plus one map entry, and times are whole
 * milliseconds (small integers V8 keeps unboxed).
 */
export class DuplicateWindow {
  readonly #times = new Map<string, number>();
  // The queue: keys and the times they were remembered at, oldest at #head.
  #keys: string[] = [];
  #at: number[] = [];
  #head = 0;
  #forgottenEarly = 0;
  #shortest: number | undefined;
  #onFirstEarly: ((stats: DuplicateWindowStats) => void) | undefined;

  constructor(readonly limit = 250_000) {
    if (!(limit >= 1)) throw new RangeError(`the duplicate window's key limit must be >= 1, got ${limit}`);
  }

  /** True when the key was seen within the window (and remembers it now otherwise). */
  seen(key: string, windowMs: number, nowMs: number): boolean {
    this.#expire(windowMs, nowMs);
    const last = this.#times.get(key);
    // Times are kept rounded down, so a key counts as seen a fraction of a ms longer, never shorter.
    if (last !== undefined && nowMs - last <= windowMs) return true;
    const at = Math.floor(nowMs);
    this.#times.set(key, at);
    this.#keys.push(key);
    this.#at.push(at);
    if (this.#times.size > this.limit) this.#forgetOldest(nowMs);
    return false;
  }

  /** Called once, the first time a key is forgotten early (the mock logs a warning). */
  onFirstEarlyForget(listener: (stats: DuplicateWindowStats) => void): void {
    this.#onFirstEarly = listener;
  }

  stats(): DuplicateWindowStats {
    return {
      keys: this.#times.size,
      limit: this.limit,
      forgottenEarly: this.#forgottenEarly,
      ...(this.#shortest !== undefined && { shortestWindowMs: this.#shortest }),
    };
  }

  clear(): void {
    this.#times.clear();
    this.#keys = [];
    this.#at = [];
    this.#head = 0;
    this.#forgottenEarly = 0;
    this.#shortest = undefined;
  }

  /** Forgets the keys whose window has passed. */
  #expire(windowMs: number, now: number): void {
    while (this.#head < this.#keys.length && now - this.#at[this.#head]! > windowMs) this.#drop();
    this.#compact();
  }

  /** Over the limit: the oldest key goes before its time. */
  #forgetOldest(now: number): void {
    while (this.#times.size > this.limit && this.#head < this.#keys.length) {
      const age = Math.floor(now - this.#at[this.#head]!);
      if (this.#drop()) {
        this.#forgottenEarly++;
        this.#shortest = this.#shortest === undefined ? age : Math.min(this.#shortest, age);
        if (this.#forgottenEarly === 1) this.#onFirstEarly?.(this.stats());
      }
    }
    this.#compact();
  }

  /** Takes the queue's oldest slot off; true when it was the key's current time (so the key went). */
  #drop(): boolean {
    const key = this.#keys[this.#head]!;
    const at = this.#at[this.#head]!;
    this.#keys[this.#head] = ''; // let the string go
    this.#head++;
    // A key seen again after its window has a newer slot further on: this one is stale.
    if (this.#times.get(key) !== at) return false;
    this.#times.delete(key);
    return true;
  }

  /** Amortized O(1): copy the live part once the dead prefix is as long as it. */
  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#keys.length) {
      this.#keys = this.#keys.slice(this.#head);
      this.#at = this.#at.slice(this.#head);
      this.#head = 0;
    }
  }
}

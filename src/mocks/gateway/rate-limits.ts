/** A client's wait: when it was told, and for how long (seconds, as the Retry-After header said). */
interface Wait {
  at: number;
  seconds: number;
}

/** A client that asked again before its wait was over. */
export interface EarlyRetry {
  /** Unscaled ms it waited (what the client's own clock saw, before time scaling). */
  waitedMs: number;
  /** The Retry-After it was given. */
  seconds: number;
  /** Whole seconds still to wait (unscaled), for the new Retry-After. */
  leftSeconds: number;
}

/**
 * What the gateway told each client with a 429: wait Retry-After seconds. A client that asks again
 * sooner is limited again, as gateways do, and the gateway journals its impatience. Clients are told
 * apart by their credentials. Waits are time-scaled like every duration of the run.
 */
export class RateLimits {
  readonly #waits = new Map<string, Wait>();

  constructor(
    private readonly timeScale: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Whether any client is waiting (the common case, none, costs one comparison per request). */
  get active(): boolean {
    return this.#waits.size > 0;
  }

  /** After an answer: a 429 whose Retry-After gives seconds starts the client's wait. */
  answered(client: string, retryAfter: string | undefined): void {
    const seconds = retryAfter !== undefined && /^[0-9]+$/.test(retryAfter.trim()) ? Number(retryAfter) : 0;
    if (seconds > 0 && this.timeScale > 0) this.#waits.set(client, { at: this.clock(), seconds });
  }

  /** Before processing: the client's wait when it is not over yet. */
  check(client: string): EarlyRetry | undefined {
    const wait = this.#waits.get(client);
    if (!wait) return undefined;
    const waitedMs = (this.clock() - wait.at) / this.timeScale;
    const leftMs = wait.seconds * 1000 - waitedMs;
    // Within a real millisecond of the end counts as waited: clocks and timers are no finer.
    if (leftMs * this.timeScale < 1) {
      this.#waits.delete(client);
      return undefined;
    }
    return { waitedMs, seconds: wait.seconds, leftSeconds: Math.ceil(leftMs / 1000) };
  }

  clear(): void {
    this.#waits.clear();
  }
}

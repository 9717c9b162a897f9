export interface ListenAgainOptions {
  /** Tries before giving up (default 20). */
  attempts?: number;
  /** Pause between tries, ms (default 100). */
  delayMs?: number;
  /** The host was closed meanwhile: stop trying. */
  stopped(): boolean;
  /** Every try failed: the host stays down, and says why. */
  failed(err: Error): void;
}

/**
 * Listens again on the port a host gave up while a `host-down` (refuse) fault was active. Another
 * process may have taken the port meanwhile (an ephemeral port on a busy machine, four shards at
 * once): it tries again for a while, then reports it. Measured before: the rejection went unhandled
 * and took a whole `paymatrix run` down mid-way.
 */
export async function listenAgain(listen: () => Promise<void>, options: ListenAgainOptions): Promise<void> {
  const attempts = options.attempts ?? 20;
  for (let i = 1; ; i++) {
    if (options.stopped()) return;
    try {
      await listen();
      return;
    } catch (err) {
      if (i >= attempts) {
        options.failed(err as Error);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 100));
    }
  }
}

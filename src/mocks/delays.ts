import type { Socket } from 'node:net';

/**
 * The timers a mock server waits on (processing delays, slow issuers, latency faults), all ended at
 * once when it stops. One per server instead of an AbortSignal per wait: an AbortSignal's
 * addEventListener walks every listener already there, so a bank host with 1,500 terminals each
 * waiting out its 40 ms spent 13% of its CPU adding listeners. Here a wait costs one Map entry.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Delays {
  readonly #pending = new Map<ReturnType<typeof setTimeout>, () => void>();
  #stopped = false;

  /** True once stop() was called: later waits end at once. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Resolves after `ms`, or at once when stopped; with a socket, also when it closes (waiting on a
   * closed connection is pointless). Never rejects.
   */
  wait(ms: number, socket?: Socket): Promise<void> {
    return new Promise((resolve) => {
      if (!(ms > 0) || this.#stopped || socket?.destroyed) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.#pending.delete(timer);
        socket?.off('close', done);
        resolve();
      };
      // Node fires a timer longer than 2^31 - 1 ms (24.8 days) at once: a longer wait is chained.
      const arm = (left: number): ReturnType<typeof setTimeout> => {
        const t =
          left > MAX_TIMER_MS
            ? setTimeout(() => {
                this.#pending.delete(t);
                timer = arm(left - MAX_TIMER_MS);
              }, MAX_TIMER_MS)
            : setTimeout(done, left);
        this.#pending.set(t, done);
        return t;
      };
      let timer = arm(ms);
      socket?.once('close', done);
    });
  }

  /** Ends every pending wait now; later waits end at once. */
  stop(): void {
    this.#stopped = true;
    for (const done of [...this.#pending.values()]) done();
  }
}

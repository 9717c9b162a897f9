import { latency as isoLatency } from '../iso/latency.js';
import { defineFault } from '../types.js';

/** latency on both transports: the HTTP answer waits delayMs ± jitterMs, like the ISO response. */
export const latency = defineFault({
  ...isoLatency,
  http: {
    delay(ctx, p) {
      const jitter = p.jitterMs > 0 ? Math.round((ctx.random() * 2 - 1) * p.jitterMs) : 0;
      return Math.max(0, p.delayMs + jitter);
    },
  },
});

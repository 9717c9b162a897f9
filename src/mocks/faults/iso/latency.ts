import { Type as T } from '@sinclair/typebox';
import { defineFault } from '../types.js';

/** A slow link or a slow host: every fired response waits delayMs ± jitterMs (Toxiproxy `latency`). */
export const latency = defineFault({
  name: 'latency',
  description: 'Delays the response by delayMs, plus or minus a seeded random jitter of up to jitterMs.',
  params: T.Object(
    {
      delayMs: T.Integer({ minimum: 0, default: 1000, description: 'base delay before the response' }),
      jitterMs: T.Integer({ minimum: 0, default: 0, description: 'uniform ± variation around delayMs' }),
    },
    { additionalProperties: false },
  ),
  iso: {
    delay(ctx, p) {
      const jitter = p.jitterMs > 0 ? Math.round((ctx.random() * 2 - 1) * p.jitterMs) : 0;
      return Math.max(0, p.delayMs + jitter);
    },
  },
});

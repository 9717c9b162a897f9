import { Type as T } from '@sinclair/typebox';
import { defineFault } from '../types.js';

/**
 * The gateway fails with a 5xx in its own error shape. processed false (default): the request never
 * ran (nothing created, nothing stored for its idempotency key), like a 503 from a load balancer.
 * processed true: it ran, then failed; the 5xx is what the idempotency profile sees, so a gateway
 * that stores every first result replays the 5xx, and one that caches only 2xx runs a retry again.
 */
export const httpError = defineFault({
  name: 'http-error',
  description:
    "Answers with a 5xx in the gateway version's error shape; processed: whether the request ran " +
    'first (its payment exists and the idempotency profile decides what a retry gets).',
  params: T.Object(
    {
      status: T.Integer({ minimum: 500, maximum: 599, default: 500, description: 'the HTTP status' }),
      processed: T.Boolean({
        default: false,
        description: 'true: the gateway processed the request before failing; false: it never ran',
      }),
    },
    { additionalProperties: false },
  ),
  http: {
    losesRequest: (p) => !p.processed,
    answer: (_answer, ctx, p) => ctx.error('server-error', { status: p.status }),
  },
});

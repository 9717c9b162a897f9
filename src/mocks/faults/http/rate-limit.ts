import { Type as T } from '@sinclair/typebox';
import { defineFault } from '../types.js';

/** Too many requests: 429 with Retry-After, in the version's error shape; the request never ran. */
export const rateLimit = defineFault({
  name: 'rate-limit',
  description:
    "Answers 429 with a Retry-After header in the gateway version's error shape; the request is not processed.",
  params: T.Object(
    {
      retryAfterSeconds: T.Integer({
        minimum: 0,
        default: 1,
        description: 'the Retry-After value (not time-scaled: it is what the client reads)',
      }),
    },
    { additionalProperties: false },
  ),
  http: {
    losesRequest: () => true,
    answer(_answer, ctx, p) {
      const answer = ctx.error('rate-limited');
      return { ...answer, headers: { ...answer.headers, 'retry-after': String(p.retryAfterSeconds) } };
    },
  },
});

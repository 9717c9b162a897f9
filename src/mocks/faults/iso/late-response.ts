import { Type as T } from '@sinclair/typebox';
import { defineFault } from '../types.js';

/**
 * The answer arrives after the terminal gave up (typically 30–90 s): the terminal must reverse the
 * transaction and discard the stale response. Unlike latency it is one fixed, long delay.
 */
export const lateResponse = defineFault({
  name: 'late-response',
  description:
    "Sends the response only after delayMs, meant to exceed the terminal's response timeout " +
    '(a late answer the terminal must discard and reverse).',
  params: T.Object(
    {
      delayMs: T.Integer({ minimum: 0, default: 35_000, description: 'how long the response is held' }),
    },
    { additionalProperties: false },
  ),
  iso: {
    delay: (_ctx, p) => p.delayMs,
  },
});

import { Type as T } from '@sinclair/typebox';
import { Literals } from '../../../data/schema-helpers.js';
import { defineFault } from '../types.js';

/**
 * Nothing comes back and the connection stays open: the terminal must time out and reverse.
 * lost 'response' (default): the host processed the request (ledger updated) and the answer is
 * lost on its way out, so the reversal finds its original. lost 'request': the host never saw it,
 * so a reversal refers to an unknown original.
 */
export const noResponse = defineFault({
  name: 'no-response',
  description:
    'Nothing is answered and the connection stays open, so the terminal runs into its response timeout; ' +
    "lost: 'response' (host processed it) or 'request' (host never saw it).",
  params: T.Object(
    {
      lost: Literals(['response', 'request'], {
        default: 'response',
        description: "response: processed, answer lost; request: never reaches the host's logic",
      }),
    },
    { additionalProperties: false },
  ),
  iso: {
    losesRequest: (p) => p.lost === 'request',
    bytes: () => undefined,
  },
});

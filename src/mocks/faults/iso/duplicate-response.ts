import { Type as T } from '@sinclair/typebox';
import { defineFault } from '../types.js';

/** A retransmitting switch: the same answer arrives twice; the second must not be taken for the next one. */
export const duplicateResponse = defineFault({
  name: 'duplicate-response',
  description: 'Sends the response `copies` times in total, gapMs apart.',
  params: T.Object(
    {
      copies: T.Integer({ minimum: 2, default: 2, description: 'total number of identical responses' }),
      gapMs: T.Integer({ minimum: 0, default: 0, description: 'pause between two copies' }),
    },
    { additionalProperties: false },
  ),
  iso: {
    deliver(write, ctx, p) {
      return async (bytes) => {
        for (let i = 0; i < p.copies; i++) {
          if (i > 0) await ctx.sleep(p.gapMs);
          await write(bytes);
        }
      };
    },
  },
});

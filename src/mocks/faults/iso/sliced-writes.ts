import { Type as T } from '@sinclair/typebox';
import { randomInt } from '../random.js';
import { defineFault } from '../types.js';

/**
 * The response arrives in small pieces with pauses (Toxiproxy `slicer`): catches terminals that
 * expect a whole frame per read() instead of reassembling by the length prefix.
 */
export const slicedWrites = defineFault({
  name: 'sliced-writes',
  description:
    'Writes the response in slices of about sliceBytes (± variation, seeded) with delayMs between ' +
    'slices; the bytes are unchanged.',
  params: T.Object(
    {
      sliceBytes: T.Integer({ minimum: 1, default: 8, description: 'average slice size' }),
      variation: T.Integer({ minimum: 0, default: 0, description: 'random ± bytes per slice' }),
      delayMs: T.Integer({ minimum: 0, default: 10, description: 'pause between two slices' }),
    },
    { additionalProperties: false },
  ),
  iso: {
    deliver(write, ctx, p) {
      // Without this, Nagle's algorithm may coalesce the slices back into one segment.
      ctx.socket.setNoDelay(true);
      return async (bytes) => {
        let at = 0;
        while (at < bytes.length) {
          if (at > 0) await ctx.sleep(p.delayMs);
          const size = Math.max(1, p.sliceBytes + randomInt(ctx.random, -p.variation, p.variation));
          await write(bytes.subarray(at, at + size));
          at += size;
        }
      };
    },
  },
});

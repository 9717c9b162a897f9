import { Type as T } from '@sinclair/typebox';
import { defineFault } from '../types.js';

// Bytes are released every TICK_MS (before time scaling): fine enough to look like a stream.
const TICK_MS = 50;

/** A thin pipe (Toxiproxy `bandwidth`): the default, 1200 B/s, is a 9600 bit/s dial-up or GPRS link. */
export const bandwidthLimit = defineFault({
  name: 'bandwidth-limit',
  description:
    'Sends the response no faster than bytesPerSecond: each chunk is written once its transmission ' +
    'time has passed, so the last byte arrives after about size / rate seconds.',
  params: T.Object(
    {
      bytesPerSecond: T.Integer({ minimum: 1, default: 1200, description: 'throughput of the link' }),
    },
    { additionalProperties: false },
  ),
  iso: {
    deliver(write, ctx, p) {
      ctx.socket.setNoDelay(true);
      const chunk = Math.max(1, Math.floor((p.bytesPerSecond * TICK_MS) / 1000));
      return async (bytes) => {
        for (let at = 0; at < bytes.length; at += chunk) {
          const piece = bytes.subarray(at, at + chunk);
          await ctx.sleep((piece.length * 1000) / p.bytesPerSecond);
          await write(piece);
        }
      };
    },
  },
});

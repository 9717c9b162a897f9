import { Type as T } from '@sinclair/typebox';
import { defineFault } from '../types.js';

/** The head at once, then the body a few bytes at a time: a client with a read timeout per chunk copes, one with a short total timeout does not. */
export const slowBody = defineFault({
  name: 'slow-body',
  description: 'Sends the head at once, then the body in chunkBytes pieces with delayMs between them.',
  params: T.Object(
    {
      chunkBytes: T.Integer({ minimum: 1, default: 16, description: 'body bytes per write' }),
      delayMs: T.Integer({ minimum: 0, default: 200, description: 'pause between two writes' }),
    },
    { additionalProperties: false },
  ),
  http: {
    deliver: (write, ctx, p) => async (bytes) => {
      for (let at = 0; at < bytes.length; at += p.chunkBytes) {
        if (at > 0) await ctx.sleep(p.delayMs);
        if (ctx.socket.destroyed) return;
        await write(bytes.subarray(at, at + p.chunkBytes));
      }
    },
  },
});

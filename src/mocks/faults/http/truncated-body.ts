import { Type as T } from '@sinclair/typebox';
import { Literals } from '../../../data/schema-helpers.js';
import { defineFault } from '../types.js';

/**
 * The head promises the whole body (Content-Length) but only part of it arrives, then the
 * connection closes (the client sees a premature end) or stays open (the client waits for bytes
 * that never come and must time out).
 */
export const truncatedBody = defineFault({
  name: 'truncated-body',
  description:
    'Sends the full Content-Length but only part of the body (`bytes`, else `fraction`), then closes ' +
    'the connection or holds it open; at least one byte is always missing.',
  params: T.Object(
    {
      bytes: T.Optional(T.Integer({ minimum: 0, description: 'body bytes to send; overrides fraction' })),
      fraction: T.Number({
        exclusiveMinimum: 0,
        exclusiveMaximum: 1,
        default: 0.5,
        description: 'share of the body to send when bytes is not given',
      }),
      after: Literals(['close', 'hold'], {
        default: 'close',
        description: 'close: FIN after the partial body; hold: keep the connection open',
      }),
    },
    { additionalProperties: false },
  ),
  http: {
    deliver: (write, ctx, p) => async (bytes) => {
      const wanted = p.bytes ?? Math.floor(bytes.length * p.fraction);
      const keep = Math.max(0, Math.min(wanted, bytes.length - 1));
      ctx.note(`sent ${keep} of ${bytes.length} body bytes, then ${p.after === 'close' ? 'closed' : 'held'}`);
      if (keep > 0) await write(bytes.subarray(0, keep));
      // Either way the response is never finished: finishing it would only write after the cut.
      ctx.leaveOpen();
      if (p.after === 'close') {
        const { socket } = ctx;
        socket.end();
        setTimeout(() => socket.destroy(), 2000).unref();
      }
    },
  },
});

import { Type as T } from '@sinclair/typebox';
import { defineFault } from '../types.js';

/**
 * Only the start of the frame is sent and the connection stays open: the terminal holds an
 * incomplete frame and must time out rather than act on it.
 */
export const truncatedResponse = defineFault({
  name: 'truncated-response',
  description:
    'Sends only the first part of the response frame (`bytes`, else `fraction` of it) and keeps the ' +
    'connection open; at least one byte is always missing.',
  params: T.Object(
    {
      bytes: T.Optional(T.Integer({ minimum: 0, description: 'bytes to send; overrides fraction' })),
      fraction: T.Number({
        exclusiveMinimum: 0,
        exclusiveMaximum: 1,
        default: 0.5,
        description: 'share of the frame to send when bytes is not given',
      }),
    },
    { additionalProperties: false },
  ),
  iso: {
    bytes(bytes, ctx, p) {
      const wanted = p.bytes ?? Math.floor(bytes.length * p.fraction);
      const keep = Math.max(0, Math.min(wanted, bytes.length - 1));
      ctx.note(`sent ${keep} of ${bytes.length} bytes`);
      return keep === 0 ? undefined : bytes.subarray(0, keep);
    },
  },
});

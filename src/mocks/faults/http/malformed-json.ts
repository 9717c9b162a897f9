import { Buffer } from 'node:buffer';
import { Type as T } from '@sinclair/typebox';
import { Literals } from '../../../data/schema-helpers.js';
import { defineFault } from '../types.js';

const PROXY_PAGE =
  '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>';

/**
 * A complete HTTP answer whose body is not JSON, under the same status and JSON content type: a
 * client must not crash on it, nor take the payment for approved or declined.
 */
export const malformedJson = defineFault({
  name: 'malformed-json',
  description:
    'Sends a body that does not parse as JSON (status and content type unchanged): cut: the first half ' +
    'of the JSON; html: a proxy error page; empty: no bytes at all.',
  params: T.Object(
    {
      mode: Literals(['cut', 'html', 'empty'], {
        default: 'cut',
        description: 'cut: the JSON stops half-way; html: an HTML error page; empty: a zero-length body',
      }),
    },
    { additionalProperties: false },
  ),
  http: {
    body(bytes, ctx, p) {
      // Every mode says what replaced the answer: the journal keeps the body the gateway built.
      if (p.mode === 'html') {
        ctx.note(
          `body replaced by a ${PROXY_PAGE.length}-byte HTML error page (${bytes.length} bytes of JSON built)`,
        );
        return Buffer.from(PROXY_PAGE);
      }
      if (p.mode === 'empty') {
        ctx.note(`body replaced by no bytes (${bytes.length} bytes of JSON built)`);
        return Buffer.alloc(0);
      }
      const keep = Math.max(1, Math.floor(bytes.length / 2));
      ctx.note(`JSON cut after ${keep} of ${bytes.length} bytes`);
      return bytes.subarray(0, keep);
    },
  },
});

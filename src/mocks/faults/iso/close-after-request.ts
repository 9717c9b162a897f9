import { Type as T } from '@sinclair/typebox';
import type { IsoConnectionEnd } from '../iso-types.js';
import { defineFault } from '../types.js';

/** The host reads the request, then closes politely (FIN) without a word: the terminal sees end-of-stream. */
export const closeAfterRequest = defineFault({
  name: 'close-after-request',
  description: 'Closes the connection (TCP FIN) after reading the request, without sending any response.',
  params: T.Object({}, { additionalProperties: false }),
  iso: {
    async takeover(ctx): Promise<IsoConnectionEnd> {
      const { socket } = ctx;
      // end() sends FIN once pending writes are flushed; destroy() then frees the socket even if
      // the terminal never closes its side.
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.end(() => resolve());
      });
      socket.destroy();
      return 'closed';
    },
  },
});

import { Type as T } from '@sinclair/typebox';
import { closeSocket } from '../fault-set-base.js';
import type { IsoConnectionEnd } from '../iso-types.js';
import { defineFault } from '../types.js';

/** The host reads the request, then closes politely (FIN) without a word: the terminal sees end-of-stream. */
export const closeAfterRequest = defineFault({
  name: 'close-after-request',
  description: 'Closes the connection (TCP FIN) after reading the request, without sending any response.',
  params: T.Object({}, { additionalProperties: false }),
  iso: {
    async takeover(ctx): Promise<IsoConnectionEnd> {
      await closeSocket(ctx.socket);
      return 'closed';
    },
  },
});

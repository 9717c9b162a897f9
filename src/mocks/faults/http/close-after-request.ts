import { closeSocket } from '../fault-set-base.js';
import { closeAfterRequest as isoCloseAfterRequest } from '../iso/close-after-request.js';
import { defineFault } from '../types.js';
import type { HttpConnectionEnd } from './types.js';

/** close-after-request on both transports: FIN without any HTTP answer (the client sees the socket close). */
export const closeAfterRequest = defineFault({
  ...isoCloseAfterRequest,
  http: {
    async takeover(ctx): Promise<HttpConnectionEnd> {
      await closeSocket(ctx.socket);
      return 'closed';
    },
  },
});

import { closeAfterRequest as isoCloseAfterRequest } from '../iso/close-after-request.js';
import { defineFault } from '../types.js';
import type { HttpConnectionEnd } from './types.js';

/** close-after-request on both transports: FIN without any HTTP answer (the client sees the socket close). */
export const closeAfterRequest = defineFault({
  ...isoCloseAfterRequest,
  http: {
    async takeover(ctx): Promise<HttpConnectionEnd> {
      const { socket } = ctx;
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.end(() => resolve());
      });
      socket.destroy();
      return 'closed';
    },
  },
});

import { connectionReset as isoConnectionReset } from '../iso/connection-reset.js';
import { resetSocket } from '../reset-socket.js';
import { defineFault } from '../types.js';

/** connection-reset on both transports: an RST instead of the HTTP answer (the gateway did process it). */
export const connectionReset = defineFault({
  ...isoConnectionReset,
  http: {
    takeover(ctx) {
      resetSocket(ctx.socket);
      return 'reset';
    },
  },
});

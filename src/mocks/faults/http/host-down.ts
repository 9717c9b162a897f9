import type { Socket } from 'node:net';
import { hostDown as isoHostDown } from '../iso/host-down.js';
import { defineFault } from '../types.js';

// How long a closed connection may wait for the client's FIN before it is destroyed.
const LINGER_MS = 2000;

/** host-down on both transports: the gateway refuses connects, or drops each connection before TLS and HTTP. */
export const hostDown = defineFault({
  ...isoHostDown,
  http: {
    closesListener: (p) => p.mode === 'refuse',
    accept(ctx, p) {
      if (p.mode === 'close') {
        closeGently(ctx.socket);
        return 'closed';
      }
      ctx.socket.resetAndDestroy();
      return 'reset';
    },
  },
});

// Unread request bytes would turn the close into an RST: read and drop them, then FIN.
function closeGently(socket: Socket): void {
  socket.resume();
  socket.end();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

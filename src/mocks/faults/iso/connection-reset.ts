import { Type as T } from '@sinclair/typebox';
import { resetSocket } from '../reset-socket.js';
import { defineFault } from '../types.js';

/** A dropped mobile/NAT link: the terminal sees ECONNRESET instead of an answer (Toxiproxy `reset_peer`). */
export const connectionReset = defineFault({
  name: 'connection-reset',
  description: 'Resets the connection (TCP RST) instead of answering; the terminal sees ECONNRESET.',
  params: T.Object({}, { additionalProperties: false }),
  iso: {
    takeover(ctx) {
      resetSocket(ctx.socket);
      return 'reset';
    },
  },
});

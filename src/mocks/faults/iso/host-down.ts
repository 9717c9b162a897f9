import type { Socket } from 'node:net';
import { Type as T } from '@sinclair/typebox';
import { Literals } from '../../../data/schema-helpers.js';
import { resetSocket } from '../reset-socket.js';
import { defineFault } from '../types.js';

// How long a closed connection may wait for the terminal's FIN before it is destroyed.
const LINGER_MS = 2000;

/**
 * The host is unreachable, checked at accept time. refuse: the server stops listening while the
 * fault is active (ECONNREFUSED, what failover logic keys on); reset/close: each connection is
 * accepted and dropped at once, which can be scoped by connection (e.g. firstN: 2 for a host that
 * comes back on the third attempt).
 */
export const hostDown = defineFault({
  name: 'host-down',
  description:
    'Makes the host unreachable: refuse stops listening (connection refused); reset or close drops each ' +
    'accepted connection at once and can be scoped by connection (nth, firstN, probability).',
  params: T.Object(
    {
      mode: Literals(['refuse', 'reset', 'close'], {
        default: 'refuse',
        description: 'refuse: ECONNREFUSED; reset: accepted then RST; close: accepted then FIN',
      }),
    },
    { additionalProperties: false },
  ),
  check(p, scope) {
    if (p.mode === 'refuse' && Object.keys(scope).length > 0) {
      return {
        path: 'scope',
        problem:
          "mode 'refuse' stops the listener for every connection; use mode 'reset' or 'close' to scope it",
      };
    }
    return undefined;
  },
  iso: {
    closesListener: (p) => p.mode === 'refuse',
    // Also reached by 'refuse' when a connection slips in before the server stopped listening.
    accept(ctx, p) {
      if (p.mode === 'close') {
        closeGently(ctx.socket);
        return 'closed';
      }
      resetSocket(ctx.socket);
      return 'reset';
    },
  },
});

// Reading and discarding what the terminal already sent keeps the close a FIN: closing a socket
// with unread data makes the kernel send RST instead.
function closeGently(socket: Socket): void {
  socket.resume();
  socket.end();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

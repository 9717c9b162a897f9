import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

/**
 * Drops a connection with a TCP RST where the platform allows it. A TLS connection is reset on its
 * TCP socket: a TLSSocket's own resetAndDestroy throws (its handle is not TCP). Node keeps that socket
 * as `_parent` and offers no public accessor; without one, the connection is closed instead.
 */
export function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  const tcp = socket instanceof TLSSocket ? (socket as TLSSocket & { _parent?: Socket })._parent : socket;
  try {
    if (!tcp) throw new Error('no TCP socket');
    tcp.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

import type { Socket } from 'node:net';

/** Bytes of answers a client has not read yet beyond which a host stops reading its requests. */
export const WRITE_BACKLOG = 1024 * 1024;

/**
 * Writes an answer and, when the answers a client has not read pile up past `backlog` bytes, stops
 * reading from that connection until they are gone: TCP then holds the client's next requests in
 * its own buffers. Without it, a terminal that sends without reading (a load tool, a firmware stuck
 * in its send loop) grows the host's memory with every answer until the process dies.
 */
export function writeOrHold(socket: Socket, bytes: Buffer, backlog = WRITE_BACKLOG): void {
  socket.write(bytes);
  if (socket.writableLength > backlog && !socket.isPaused()) {
    socket.pause();
    // write() returned false long before this: 'drain' comes once everything has been sent.
    socket.once('drain', () => socket.resume());
  }
}

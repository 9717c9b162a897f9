import type { Socket } from 'node:net';

/**
 * Destroys every socket and resolves once each has emitted 'close', so that what listens for it
 * (the journal's `disconnected` entry) has run. A server's own close callback is no such signal: it
 * fires as soon as its connection count drops, a turn before the sockets' handles are closed, and a
 * `paymatrix mock` that closed its journal file then lost the last disconnects.
 */
export async function destroySockets(sockets: Iterable<Socket>): Promise<void> {
  const all = [...sockets];
  const closed = all.map((s) =>
    s.closed ? undefined : new Promise<void>((resolve) => s.once('close', () => resolve())),
  );
  for (const s of all) s.destroy();
  await Promise.all(closed);
}

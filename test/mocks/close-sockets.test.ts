// Closing a host or gateway with terminals still connected: close() resolves only once every
// connection's `disconnected` entry is in the journal, so that whoever closes next (the journal
// file of `paymatrix mock`) has them all. Over real sockets, TLS included.
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { startGateway } from '../../src/mocks/gateway/start-gateway.js';
import { startIsoHost } from '../../src/mocks/iso-host/start-iso-host.js';
import type { Journal } from '../../src/mocks/journal.js';

const events = (journal: Journal) => journal.entries().map((e) => e.event?.kind);

async function opened(socket: Socket, event = 'connect'): Promise<Socket> {
  socket.on('error', () => {}); // the host cuts it
  await new Promise((resolve) => socket.once(event, resolve));
  return socket;
}

/** Waits until the host has recorded `n` connections. */
async function connected(journal: Journal, n: number): Promise<void> {
  for (let i = 0; i < 200 && events(journal).filter((k) => k === 'connected').length < n; i++)
    await new Promise((r) => setTimeout(r, 5));
}

describe('close() with terminals still connected', () => {
  it('an ISO host has recorded every disconnect when close() resolves', async () => {
    const h = await startIsoHost({ host: 'harbor-bank@2019.4', port: 0 });
    await Promise.all([1, 2, 3].map(() => opened(connect(h.address.port, '127.0.0.1'))));
    await connected(h.journal, 3);
    await h.close();
    expect(events(h.journal).filter((k) => k === 'disconnected')).toHaveLength(3);
  });

  it('a gateway, over HTTP and over TLS, has recorded every disconnect when close() resolves', async () => {
    for (const tls of [false, true]) {
      const g = await startGateway({ host: 'nimbus-pay@2024-06-15', port: 0, tls });
      const port = g.address.port;
      await Promise.all(
        [1, 2].map(() =>
          tls
            ? opened(
                tlsConnect({ port, host: '127.0.0.1', ca: g.certificate!, servername: 'localhost' }),
                'secureConnect',
              )
            : opened(connect(port, '127.0.0.1')),
        ),
      );
      await connected(g.journal, 2);
      await g.close();
      expect(
        events(g.journal).filter((k) => k === 'disconnected'),
        tls ? 'TLS' : 'HTTP',
      ).toHaveLength(2);
    }
  });
});

import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { gateway, NIMBUS_KEY, useGateways } from './support.js';

useGateways();

describe('a client that pipelines requests without reading the answers', { timeout: 60_000 }, () => {
  it('is not read from either: the gateway never holds all its answers in memory', async () => {
    const g = await gateway('nimbus-pay@2024-06-15', { timeScale: 0 });
    const n = 100_000;
    const request = `GET /v1/payment_intents/pi_none HTTP/1.1\r\nHost: pos\r\nAuthorization: Bearer ${NIMBUS_KEY}\r\n\r\n`;
    const client = connect(g.address.port, '127.0.0.1');
    await new Promise((r) => client.once('connect', r));
    client.on('error', () => {}); // destroyed below with its writes pending
    client.pause(); // reads nothing: its receive window closes
    client.write(request.repeat(n)); // 11 MB of requests at once
    let last = -1;
    let same = 0;
    for (let i = 0; i < 100 && same < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      same = g.journal.last === last ? same + 1 : 0;
      last = g.journal.last;
    }
    // Node's HTTP server pauses a socket whose answers back up; the gateway's end-of-turn batching
    // (TurnBatch) must not defeat it.
    expect(last).toBeGreaterThan(100);
    expect(last).toBeLessThan(n / 2);
    client.destroy();
  });
});

// Delays: the timers a mock server waits on, ended together when it stops.
import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { Delays } from '../../src/mocks/delays.js';

describe('Delays', () => {
  it('a wait ends after its time, not before', async () => {
    const d = new Delays();
    const t0 = performance.now();
    await d.wait(30);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(29);
  });

  it('a wait longer than a Node timer can hold (24.8 days) is chained: it does not end at once', async () => {
    vi.useFakeTimers();
    try {
      const d = new Delays();
      let ended = false;
      const waiting = d.wait(1e12).then(() => {
        ended = true;
      });
      await vi.advanceTimersByTimeAsync(2 ** 31 + 1000);
      expect(ended).toBe(false);
      await vi.advanceTimersByTimeAsync(1e12);
      await waiting;
      expect(ended).toBe(true);
      // stop() still ends a chained wait.
      const long = d.wait(1e12);
      await vi.advanceTimersByTimeAsync(2 ** 31 + 1000);
      d.stop();
      await long;
    } finally {
      vi.useRealTimers();
    }
  });

  it('stop() ends every pending wait at once, and later waits return immediately', async () => {
    const d = new Delays();
    const ended: number[] = [];
    const waits = [1, 2, 3].map((i) => d.wait(60_000).then(() => ended.push(i)));
    await new Promise((r) => setTimeout(r, 5));
    expect(ended).toEqual([]);
    const t0 = performance.now();
    d.stop();
    await Promise.all(waits);
    expect(ended).toEqual([1, 2, 3]);
    expect(d.stopped).toBe(true);
    await d.wait(60_000);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('a wait tied to a socket ends when the socket closes', async () => {
    let serverSide: Socket | undefined;
    const server = createServer((s) => {
      serverSide = s;
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = connect((server.address() as { port: number }).port, '127.0.0.1');
    await new Promise((r) => client.once('connect', r));
    while (!serverSide) await new Promise((r) => setTimeout(r, 1));
    const d = new Delays();
    const t0 = performance.now();
    const waiting = d.wait(60_000, serverSide);
    client.destroy();
    await waiting;
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(serverSide.listenerCount('close')).toBe(0); // nothing left behind
    await d.wait(60_000, serverSide); // already closed: at once
    server.close();
  });
});

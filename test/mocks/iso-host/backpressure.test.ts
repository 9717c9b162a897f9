import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../../src/mocks/iso-host/ledger.js';
import { type IsoHost, startIsoHost } from '../../../src/mocks/iso-host/start-iso-host.js';
import { FrameStreamDecoder } from '../../../src/protocols/iso8583/index.js';
import { asciiDialect, sale } from '../admin/terminal.js';

let host: IsoHost | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

/** Polls until `read()` stops changing for two looks in a row; returns its last value. */
async function settled(read: () => number, everyMs = 100): Promise<number> {
  let last = -1;
  let same = 0;
  for (let i = 0; i < 100 && same < 2; i++) {
    await new Promise((r) => setTimeout(r, everyMs));
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

/**
 * Sends n sales at once (1,000 terminals, STANs from 1: ~12 MB for 100,000) on a connection that
 * reads nothing, so its receive window closes.
 */
async function sendWithoutReading(port: number, n: number): Promise<Socket> {
  const d = asciiDialect();
  const frames: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const terminal = `T${String(i % 1000).padStart(7, '0')}`;
    frames.push(d.packFrame({ message: sale({ stan: Math.floor(i / 1000) + 1, terminal }) }));
  }
  const client = connect(port, '127.0.0.1');
  // A host that stops resets the connection: the rest of this write then fails, as it should.
  client.on('error', () => {});
  await new Promise((r) => client.once('connect', r));
  client.pause();
  client.write(Buffer.concat(frames));
  return client;
}

describe('a terminal that does not read its answers', { timeout: 60_000 }, () => {
  it('is not read from either, until it reads: the host never holds its answers in memory', async () => {
    // Time scale 0: no processing delay, and no incomplete-frame limit (a frame split across two
    // reads is ordinary TCP).
    host = await startIsoHost({ host: 'harbor-bank@2019.4', port: 0, timeScale: 0 });
    const d = asciiDialect();
    const n = 100_000;
    const client = await sendWithoutReading(host.address.port, n);
    const h = host;
    const answeredUnread = await settled(() => h.journal.last);
    // The host stopped reading once ~1 MiB of answers waited on top of what TCP buffers: without
    // that it would have read and answered every sale, holding 11 MB of answers.
    expect(answeredUnread).toBeLessThan(n);
    expect(answeredUnread).toBeGreaterThan(1000);
    // Reading again, the terminal gets every answer and the host reads on.
    const decoder = new FrameStreamDecoder(d.framing!);
    let answers = 0;
    client.on('data', (chunk: Buffer) => {
      answers += decoder.push(chunk).length;
    });
    client.resume();
    for (let t = 0; t < 300 && answers < n; t++) await new Promise((r) => setTimeout(r, 100));
    expect(answers).toBe(n);
    expect(h.journal.last).toBe(n + 1); // + the connect
    expect(h.journal.entries().filter((e) => e.event?.kind === 'malformed')).toEqual([]);
    client.destroy();
  });

  for (const [ending, detail] of [
    [
      'the terminal hangs up',
      'the connection closed before the answer left the host (it waited behind answers the terminal had not read)',
    ],
    [
      'the host stops',
      'the host stopped before the answer left it (it waited behind answers the terminal had not read)',
    ],
  ] as const) {
    it(`${ending} with answers unread: those still held by the host are journaled as unsent`, async () => {
      // Ledger and journal big enough to keep every sale of the test (their bounds would trim them).
      const h = await startIsoHost({
        host: 'harbor-bank@2019.4',
        port: 0,
        timeScale: 0,
        ledger: new Ledger({ maxEntries: 100_000 }),
        journalLimit: 100_000,
      });
      host = h;
      const client = await sendWithoutReading(h.address.port, 100_000);
      await settled(() => h.journal.last);
      // Answers queued in the host behind the unread ones are not journaled yet: they have not left.
      const sales = () => h.journal.entries().filter((e) => e.request?.iso?.mti === '0200');
      const leftBefore = sales().length;
      const booked = h.ledger.list().length;
      expect(leftBefore).toBeLessThan(booked);
      expect(sales().every((e) => e.event === undefined && e.durationMs !== undefined)).toBe(true);
      if (ending === 'the host stops') {
        await h.close(); // its journal is complete once close() resolves
      } else {
        client.destroy();
        await settled(() => h.journal.last);
      }
      // Every sale the host answered is journaled once: sent, or never sent.
      const unsent = sales().filter((e) => e.event?.kind === 'unsent');
      expect(sales()).toHaveLength(booked);
      expect(unsent).toHaveLength(booked - leftBefore);
      expect(unsent[0]!.event!.detail).toBe(detail);
      expect(unsent.every((e) => e.durationMs === undefined && e.response !== undefined)).toBe(true);
      client.destroy();
    });
  }
});

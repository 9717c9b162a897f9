// Every fault of the registry applied by the real host (start-up `faults` option and at runtime
// through host.faults), as a terminal sees it on the wire; scoped by MTI, processing code and
// occurrence; seeded; and named in the journal.

import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { IsoHost } from '../../../src/mocks/iso-host/start-iso-host.js';
import type { IsoMessage } from '../../../src/protocols/iso8583/index.js';
import { IsoConnection, NoFrame, type TestTerminal } from '../../support/iso-terminal.js';
import { code, connect, eventually, exchanges, host, session, terminal, VISA } from './world.js';

const visa = { card: VISA };
// A sale in the version's own message type (1200 on a 1993 host).
const sale = (t: TestTerminal, amount = '000000002500') =>
  t.version.spec.messages['1200']
    ? t.build('1200', { 3: '000000', 4: amount, 24: '200' }, { read: visa })
    : t.build('0200', { 3: '000000', 4: amount }, { read: visa });

async function withFaults(faults: unknown[], ref = 'harbor-bank@2019.4', seed = 7) {
  const h = await host(ref, { faults, seed });
  return { h, ...(await session(h)) };
}

/** The frame a fault-free twin host sends for the same request (answers are deterministic). */
async function cleanAnswer(ref: string, request: IsoMessage): Promise<Buffer> {
  const twin = await host(ref);
  const { t, c } = await session(twin);
  c.write(t.frame(request));
  return (await c.next()).bytes;
}

const firedIds = (h: IsoHost) => exchanges(h).map((e) => e.faults);

describe('faults on the wire', () => {
  it('latency (start-up option): the answer comes delayMs (scaled) late, journaled by id', async () => {
    const { h, t, c } = await withFaults([{ fault: 'latency', params: { delayMs: 20000 }, id: 'slow-link' }]);
    c.write(t.frame(sale(t)));
    const r = await c.next();
    expect(code(r.message!)).toBe('00');
    expect(r.afterMs).toBeGreaterThanOrEqual(150);
    await eventually(() => exchanges(h).length === 1);
    expect(firedIds(h)).toEqual([['slow-link']]);
  });

  it('no-response (lost answer): nothing comes, the connection stays open, the host booked the sale', async () => {
    const { h, t, c } = await withFaults([{ fault: 'no-response' }]);
    c.write(t.frame(sale(t)));
    await expect(c.next(300)).rejects.toMatchObject({ reason: 'timeout' });
    expect(c.closed).toBe(false);
    expect(h.ledger.list()).toHaveLength(1);
    expect(exchanges(h)[0]).toMatchObject({ faults: ['no-response'], event: { kind: 'fault' } });
    expect(exchanges(h)[0]!.durationMs).toBeUndefined();
  });

  it('no-response (lost request): the host never saw it, so nothing is booked', async () => {
    const { h, t, c } = await withFaults([{ fault: 'no-response', params: { lost: 'request' } }]);
    c.write(t.frame(sale(t)));
    await expect(c.next(300)).rejects.toMatchObject({ reason: 'timeout' });
    expect(h.ledger.list()).toEqual([]);
    await eventually(() => exchanges(h).length === 1);
    expect(exchanges(h)[0]!.event).toMatchObject({
      kind: 'lost',
      detail: expect.stringContaining('request lost'),
    });
  });

  it('late-response: nothing within the terminal timeout, then the answer after delayMs', async () => {
    const { t, c } = await withFaults([{ fault: 'late-response', params: { delayMs: 35000 } }]);
    c.write(t.frame(sale(t)));
    await expect(c.next(100)).rejects.toBeInstanceOf(NoFrame);
    const late = await c.next(3000);
    expect(code(late.message!)).toBe('00');
    expect(late.afterMs).toBeGreaterThanOrEqual(300);
  });

  it('connection-reset: the connection is reset instead of answered', async () => {
    const { h, t, c } = await withFaults([{ fault: 'connection-reset' }]);
    c.write(t.frame(sale(t)));
    await expect(c.next()).rejects.toMatchObject({ reason: 'closed' });
    await eventually(() => exchanges(h).length === 1);
    expect(exchanges(h)[0]).toMatchObject({ faults: ['connection-reset'], event: { kind: 'reset' } });
  });

  it('pipelined requests: an answer already due still arrives before a reset on the next one', async () => {
    // Answers leave in batches at the end of an event-loop turn; a fault on the next exchange must not
    // overtake (or drop) the answer already queued on the same connection.
    const { h, t, c } = await withFaults([{ fault: 'connection-reset', scope: { nth: [2] } }]);
    c.write(Buffer.concat([t.frame(sale(t)), t.frame(sale(t))]));
    expect(code((await c.next()).message!)).toBe('00');
    await expect(c.next()).rejects.toMatchObject({ reason: 'closed' });
    await eventually(() => exchanges(h).length === 2);
  });

  it('close-after-request: end of stream, no answer', async () => {
    const { t, c } = await withFaults([{ fault: 'close-after-request' }]);
    c.write(t.frame(sale(t)));
    await expect(c.next()).rejects.toMatchObject({ reason: 'closed' });
    expect(c.ended).toBe(true);
    expect(c.received).toBe(0);
  });

  it('garbled-response: a whole frame with exactly `count` corrupted body bytes', async () => {
    const { t, c } = await withFaults([{ fault: 'garbled-response', params: { count: 2 } }]);
    const request = sale(t);
    c.write(t.frame(request));
    const garbled = (await c.next()).bytes;
    const clean = await cleanAnswer('harbor-bank@2019.4', request);
    expect(garbled.length).toBe(clean.length);
    const differ = [...garbled.keys()].filter((i) => garbled[i] !== clean[i]);
    expect(differ).toHaveLength(2);
    expect(differ.every((i) => i >= 4)).toBe(true); // the 4-digit length prefix is spared
  });

  it('truncated-response: only the first bytes come and the connection stays open', async () => {
    const { t, c } = await withFaults([{ fault: 'truncated-response', params: { bytes: 10 } }]);
    c.write(t.frame(sale(t)));
    await expect(c.next(300)).rejects.toMatchObject({ reason: 'timeout' });
    expect([c.received, c.pendingBytes, c.closed]).toEqual([10, 10, false]);
  });

  it('sliced-writes: the right answer in many small reads', async () => {
    const { t, c } = await withFaults([{ fault: 'sliced-writes', params: { sliceBytes: 8, delayMs: 500 } }]);
    const request = sale(t);
    c.write(t.frame(request));
    const r = await c.next();
    expect(r.bytes).toEqual(await cleanAnswer('harbor-bank@2019.4', request));
    expect(c.chunks).toBeGreaterThan(5);
  });

  it('bandwidth-limit: the right answer, at bytesPerSecond (scaled)', async () => {
    const { t, c } = await withFaults([{ fault: 'bandwidth-limit', params: { bytesPerSecond: 10 } }]);
    c.write(t.frame(sale(t)));
    const r = await c.next();
    expect(code(r.message!)).toBe('00');
    // ~130 bytes at 10 B/s is 13 s of host time: 130 ms here.
    expect(r.afterMs).toBeGreaterThanOrEqual(60);
    expect(c.chunks).toBeGreaterThan(1);
  });

  it('wrong-stan: another STAN, with a MAC that still verifies (2025.1)', async () => {
    const { t, c } = await withFaults([{ fault: 'wrong-stan' }], 'harbor-bank@2025.1');
    const request = sale(t);
    c.write(t.frame(request));
    const r = await c.next();
    expect(r.message!.fields['11']).toBe('000002');
    expect(request.fields['11']).toBe('000001');
    expect(t.verifyMac(r)).toBe(true);
  });

  it('wrong-mti: the request MTI comes back, with a MAC that still verifies (2025.1)', async () => {
    const { t, c } = await withFaults([{ fault: 'wrong-mti' }], 'harbor-bank@2025.1');
    c.write(t.frame(sale(t)));
    const r = await c.next();
    expect(r.message!.mti).toBe('1200');
    expect(t.verifyMac(r)).toBe(true);
  });

  it('bad-mac: the answer is right but its MAC does not verify (2025.1)', async () => {
    const { t, c } = await withFaults([{ fault: 'bad-mac' }], 'harbor-bank@2025.1');
    const request = sale(t);
    c.write(t.frame(request));
    const r = await c.next();
    expect(t.verifyMac(r)).toBe(false);
    const clean = await cleanAnswer('harbor-bank@2025.1', request);
    const cleanMsg = t.dialect.unpackFrame(clean).message;
    expect({ ...r.message!.fields, 64: 'x' }).toEqual({ ...cleanMsg.fields, 64: 'x' });
  });

  it("bad-mac on a version that signs nothing: corrupt adds a wrong MAC in the dialect's field (2019.4)", async () => {
    const { h, t, c } = await withFaults([{ fault: 'bad-mac' }]);
    const request = sale(t);
    c.write(t.frame(request));
    const r = await c.next();
    const clean = t.dialect.unpackFrame(await cleanAnswer('harbor-bank@2019.4', request)).message;
    expect(clean.fields['64']).toBeUndefined();
    expect(r.message!.fields['64']).toMatch(/^[0-9A-F]{16}$/);
    expect({ ...r.message!.fields, 64: 'x' }).toEqual({ ...clean.fields, 64: 'x' });
    const entry = h.journal.entries().find((e) => e.faults.includes('bad-mac'));
    expect(entry?.event?.detail).toContain('added one that does not verify');
  });

  it('duplicate-response: the same answer twice', async () => {
    const { t, c } = await withFaults([{ fault: 'duplicate-response', params: { copies: 2 } }]);
    c.write(t.frame(sale(t)));
    const first = await c.next();
    const second = await c.next();
    expect(second.bytes).toEqual(first.bytes);
    await expect(c.next(150)).rejects.toBeInstanceOf(NoFrame);
  });

  it('several faults on one answer: wrong-stan + latency + duplicate-response', async () => {
    const { h, t, c } = await withFaults(
      [
        { fault: 'wrong-stan' },
        { fault: 'latency', params: { delayMs: 10000 } },
        { fault: 'duplicate-response' },
      ],
      'harbor-bank@2025.1',
    );
    c.write(t.frame(sale(t)));
    const [a, b] = [await c.next(), await c.next()];
    expect(a.afterMs).toBeGreaterThanOrEqual(60);
    expect([a.message!.fields['11'], t.verifyMac(a), b.bytes.equals(a.bytes)]).toEqual([
      '000002',
      true,
      true,
    ]);
    await eventually(() => exchanges(h).length === 1);
    expect(firedIds(h)).toEqual([['wrong-stan', 'latency', 'duplicate-response']]);
  });
});

describe('host-down', () => {
  it('refuse at start-up and at runtime: connections are refused until the fault is removed', async () => {
    const h = await host('harbor-bank@2019.4', { faults: [{ fault: 'host-down', id: 'outage' }] });
    const t = terminal(h);
    const port = h.address.port;
    await expect(IsoConnection.open(port, t.framing, t.dialect)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    h.faults.remove('outage');
    const c = await connectWhenUp(t, port);
    expect(code(await t.exchange(c, sale(t)))).toBe('00');
    // At runtime, while this terminal stays connected.
    h.faults.add({ fault: 'host-down', id: 'again' });
    await expectRefused(t, port);
    expect(code(await t.exchange(c, sale(t)))).toBe('00'); // open connections live on
    h.faults.remove('again');
    const back = await connectWhenUp(t, port);
    expect(code(await t.exchange(back, sale(t)))).toBe('00');
    back.close();
    c.close();
  });

  it('a port taken by another process while the host was down: it tries again, comes back, never crashes', async () => {
    const h = await host('harbor-bank@2019.4', { faults: [{ fault: 'host-down', id: 'outage' }] });
    const t = terminal(h);
    const port = h.address.port;
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    h.faults.remove('outage');
    // The host retries while the port is taken; once it is free again, it listens on it.
    await new Promise((resolve) => setTimeout(resolve, 250));
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
    const c = await connectWhenUp(t, port);
    expect(code(await t.exchange(c, sale(t)))).toBe('00');
    c.close();
  });

  it('a port taken for good: the journal says the host stays down', async () => {
    const h = await host('harbor-bank@2019.4', { faults: [{ fault: 'host-down', id: 'outage' }] });
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(h.address.port, '127.0.0.1', resolve));
    try {
      h.faults.remove('outage');
      await eventually(() => h.journal.entries().some((e) => e.event?.kind === 'fault'), 5000);
      expect(h.journal.entries().find((e) => e.event?.kind === 'fault')?.event?.detail).toMatch(
        /^host-down ended, but the host could not listen on port \d+ again \(listen EADDRINUSE.*\): it stays down$/,
      );
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });

  it('reset with firstN 2: the first two connections are dropped, the third is served', async () => {
    const h = await host('harbor-bank@2019.4', {
      faults: [{ fault: 'host-down', params: { mode: 'reset' }, scope: { firstN: 2 } }],
    });
    const t = terminal(h);
    for (let i = 0; i < 2; i++) {
      // The reset may even beat the connect callback: either way the terminal gets nothing.
      const c = await IsoConnection.open(h.address.port, t.framing, t.dialect).catch((err) => err);
      if (c instanceof IsoConnection) {
        c.write(t.frame(sale(t)));
        await expect(c.next()).rejects.toMatchObject({ reason: 'closed' });
      } else expect(c).toMatchObject({ code: 'ECONNRESET' });
    }
    const c = await connect(t, h);
    expect(code(await t.exchange(c, sale(t)))).toBe('00');
    const refused = h.journal.entries().filter((e) => e.event?.kind === 'refused');
    expect(refused.map((e) => e.faults)).toEqual([['host-down'], ['host-down']]);
  });

  it('close mode: accepted and closed (FIN) at once', async () => {
    const h = await host('harbor-bank@2019.4', {
      faults: [{ fault: 'host-down', params: { mode: 'close' } }],
    });
    const t = terminal(h);
    const c = await connect(t, h);
    expect(await c.waitClosed()).toBe(true);
    expect(c.received).toBe(0);
  });
});

async function expectRefused(t: TestTerminal, port: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    try {
      (await IsoConnection.open(port, t.framing, t.dialect)).close();
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
      return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the host kept accepting');
}

async function connectWhenUp(t: TestTerminal, port: number): Promise<IsoConnection> {
  for (let i = 0; ; i++) {
    try {
      return await IsoConnection.open(port, t.framing, t.dialect);
    } catch (err) {
      if (i > 50) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

describe('scope, runtime changes and seeds', () => {
  it('scoped by MTI: echoes pass, sales are delayed', async () => {
    const { h, t, c } = await withFaults([
      { fault: 'latency', params: { delayMs: 5000 }, scope: { mti: ['02xx'] } },
    ]);
    await t.exchange(c, t.build('0800', { 70: '301' }));
    await t.exchange(c, sale(t));
    await eventually(() => exchanges(h).length === 2);
    expect(firedIds(h)).toEqual([[], ['latency']]);
  });

  it('scoped by processing code and nth: only the second refund is lost', async () => {
    const { h, t, c } = await withFaults([
      { fault: 'no-response', scope: { mti: ['0200'], processingCode: ['20'], nth: [2] } },
    ]);
    const first = await t.exchange(c, sale(t));
    const refund = () =>
      t.build('0200', { 3: '200000', 4: '000000000100', 37: first.fields['37']! }, { read: visa });
    expect(code(await t.exchange(c, refund()))).toBe('00');
    c.write(t.frame(refund()));
    await expect(c.next(200)).rejects.toMatchObject({ reason: 'timeout' });
    expect(code(await t.exchange(c, refund()))).toBe('00');
    expect(firedIds(h)).toEqual([[], [], ['no-response'], []]);
    expect(h.faults.list()[0]).toMatchObject({ matched: 3, fired: 1 });
  });

  it('added and removed at runtime through host.faults', async () => {
    const { h, t, c } = await withFaults([]);
    h.faults.add({ fault: 'no-response', id: 'blackhole' });
    c.write(t.frame(sale(t)));
    await expect(c.next(200)).rejects.toMatchObject({ reason: 'timeout' });
    expect(h.faults.remove('blackhole')).toBe(true);
    expect(code(await t.exchange(c, sale(t)))).toBe('00');
    expect(firedIds(h)).toEqual([['blackhole'], []]);
  });

  it('the same seed fires on the same messages; another seed on others', async () => {
    const pattern = async (seed: number) => {
      const { h, t, c } = await withFaults(
        [{ fault: 'wrong-stan', scope: { probability: 0.5 } }],
        'harbor-bank@2019.4',
        seed,
      );
      const hits = [];
      for (let i = 0; i < 16; i++) {
        const request = sale(t);
        const r = await t.exchange(c, request);
        hits.push(r.fields['11'] !== request.fields['11']);
      }
      await eventually(() => exchanges(h).length === 16);
      expect(firedIds(h).map((f) => f.length > 0)).toEqual(hits);
      return hits;
    };
    const a = await pattern(1);
    expect(await pattern(1)).toEqual(a);
    expect(a.some(Boolean) && !a.every(Boolean)).toBe(true);
    expect(await pattern(2)).not.toEqual(a);
  });
});

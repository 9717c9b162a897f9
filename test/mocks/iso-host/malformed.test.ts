// Bad input never takes the host down: truncated frames, bad bitmaps, undecodable bodies, lengths
// over the frame limit, random bytes, slow and vanishing clients, idle connections. Each gets the
// answer its version is configured for and a journal entry, and afterwards the host still serves
// a normal sale on another connection.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IsoHost } from '../../../src/mocks/iso-host/start-iso-host.js';
import { IsoConnection, type TestTerminal } from '../../support/iso-terminal.js';
import { code, de60, eventually, host, session, stillServes, terminal, UNIONPAY, VISA } from './world.js';

const malformedEvents = (h: IsoHost) => h.journal.entries().filter((e) => e.event?.kind === 'malformed');

/** A well-formed sale frame of this terminal's version, to break in various ways. */
function saleFrame(t: TestTerminal): Buffer {
  const lotus = t.version.spec.signOnRequired;
  const msg = lotus
    ? t.build(
        '0200',
        { 3: '000000', 4: '000000001000', 25: '00', 60: de60(t, '22') },
        { read: { card: UNIONPAY }, sign: false },
      )
    : t.version.spec.messages['1200']
      ? t.build('1200', { 3: '000000', 4: '000000001000', 24: '200' }, { read: { card: VISA }, sign: false })
      : t.build('0200', { 3: '000000', 4: '000000001000' }, { read: { card: VISA } });
  return t.frame(msg);
}

/**
 * Two sales at once on a new connection: a slow issuer's (amount ending 97: 20 s of host time, 200 ms
 * here), then one that waits behind it (one exchange at a time per connection).
 */
async function saleBehindSlowOne(h: IsoHost): Promise<IsoConnection> {
  const { t, c } = await session(h);
  const slow = t.frame(t.build('0200', { 3: '000000', 4: '000000002597' }, { read: { card: VISA } }));
  c.write(Buffer.concat([slow, saleFrame(t)]));
  return c;
}

/** Where the body starts in a frame: after the length prefix, TPDU and header. */
const bodyOffset = (t: TestTerminal) =>
  ({ ascii4: 4, binary2: 2, binary4: 4, bcd2: 2, none: 0 })[t.framing.length] +
  (t.framing.tpdu ? 5 : 0) +
  t.framing.headerLength;

describe('malformed frames', () => {
  it('a truncated frame that stops coming is closed after incompleteFrameMs (scaled)', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    const frame = saleFrame(t);
    c.write(frame.subarray(0, frame.length >> 1));
    expect(await c.waitClosed(2000)).toBe(true);
    expect(c.received).toBe(0);
    await eventually(() => malformedEvents(h).length === 1);
    expect(malformedEvents(h)[0]!.event!.detail).toContain('frame incomplete after 5000 ms');
    expect(malformedEvents(h)[0]!.violations).toEqual([
      expect.objectContaining({ path: 'frame', rule: 'framing' }),
    ]);
    await stillServes(h);
  });

  it('a bad bitmap is answered with the format-error code (30 on 1987 ASCII, 904 on 1993)', async () => {
    for (const [ref, expected] of [
      ['harbor-bank@2019.4', ['0210', '30']],
      ['harbor-bank@2025.1', ['1210', '904']],
    ] as const) {
      const h = await host(ref);
      const { t, c } = await session(h);
      const frame = Buffer.from(saleFrame(t));
      const mtiBytes = t.framing.length === 'ascii4' ? 4 : 2;
      const at = bodyOffset(t) + mtiBytes;
      // ASCII: hex digits that are not hex; binary: every bit set, fields that are not there.
      if (t.framing.length === 'ascii4') frame.write('ZZZZZZZZZZZZZZZZ', at, 'latin1');
      else frame.fill(0xff, at, at + 8);
      c.write(frame);
      const r = await c.next();
      expect([r.message!.mti, code(r.message!)]).toEqual(expected);
      expect(h.journal.entries().find((e) => e.request)!.violations).toEqual([
        expect.objectContaining({ rule: 'format' }),
      ]);
      await stillServes(h);
    }
  });

  it('an undecodable field gets 30 with the fields that could be read echoed', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    const msg = t.build('0200', { 3: '000000', 4: '000000001000' }, { read: { card: VISA } });
    const frame = Buffer.from(t.frame(msg));
    // DE4 (n12) with letters in it.
    const de4 = frame.indexOf('000000001000', bodyOffset(t) + 20, 'latin1');
    frame.write('0000ABCD1000', de4, 'latin1');
    c.write(frame);
    const r = (await c.next()).message!;
    expect([r.mti, code(r), r.fields['11'], r.fields['41']]).toEqual([
      '0210',
      '30',
      msg.fields['11'],
      'HB000001',
    ]);
    const entry = h.journal.entries().find((e) => e.request)!;
    expect(entry.violations).toEqual([expect.objectContaining({ path: '4', rule: 'format' })]);
    expect(entry.request!.summary).toContain('malformed');
    await stillServes(h);
  });

  it('a malformed PAN is a violation that never quotes the PAN in clear', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    const msg = t.build('0200', { 3: '000000', 4: '000000001000', 22: '012' }, { read: { card: VISA } });
    const pan = msg.fields['2'] as string;
    const frame = Buffer.from(t.frame(msg));
    // The PAN's 15th digit turned into a letter, as a terminal with a bad BCD-to-ASCII step sends it.
    const at = frame.indexOf(pan, 0, 'latin1');
    frame.write('X', at + 14, 'latin1');
    c.write(frame);
    expect(code((await c.next()).message!)).toBe('30');
    const entry = h.journal.entries().find((e) => e.request)!;
    expect(entry.violations).toEqual([
      expect.objectContaining({
        path: '2',
        rule: 'format',
        message: expect.stringContaining('411111******'),
      }),
    ]);
    const everything = JSON.stringify(h.journal.entries());
    expect(everything).not.toContain(pan.slice(0, 14));
    await stillServes(h);
  });

  it('lotus 2021.2 closes on bytes it cannot decode; 2024.1 answers 30', async () => {
    const seen: Record<string, unknown> = {};
    for (const ref of ['lotus-acquirer@2021.2', 'lotus-acquirer@2024.1']) {
      const h = await host(ref);
      const { t, c } = await session(h);
      const frame = Buffer.from(saleFrame(t));
      frame.fill(0xff, bodyOffset(t) + 2, bodyOffset(t) + 10);
      c.write(frame);
      seen[ref] = await c.next().then(
        (r) => [r.message!.mti, code(r.message!)],
        (err) => err.reason,
      );
      await eventually(() => h.journal.entries().some((e) => e.violations.length > 0));
      await stillServes(h);
    }
    expect(seen).toEqual({ 'lotus-acquirer@2021.2': 'closed', 'lotus-acquirer@2024.1': ['0210', '30'] });
  });

  it('a length over the frame limit is refused at once, before any body is read', async () => {
    // Real time: the refusal must not wait for the incomplete-frame timeout (3 s here).
    for (const [ref, prefix] of [
      ['lotus-acquirer@2021.2', Buffer.from([0x0b, 0xb8])], // 3000: over the version's 2048, under cup-pos' 4096
      ['harbor-bank@2025.1', Buffer.from([0xff, 0xff])],
      ['harbor-bank@2019.4', Buffer.from('9X99', 'latin1')], // not a length at all
    ] as const) {
      const h = await host(ref, { timeScale: 1 });
      const { c } = await session(h);
      c.write(Buffer.concat([prefix, Buffer.alloc(16, 0x30)]));
      expect(await c.waitClosed(1500)).toBe(true);
      expect(malformedEvents(h)[0]!.violations).toEqual([
        expect.objectContaining({ path: 'frame', rule: 'framing' }),
      ]);
      await stillServes(h);
    }
  });

  it('random bytes never crash the host or disturb other terminals', async () => {
    const h = await host('harbor-bank@2019.4');
    const lotus = await host('lotus-acquirer@2024.1');
    const garbage = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 300 }),
      // A plausible length prefix in front of random bytes: gets past the framing into the codec.
      fc
        .uint8Array({ minLength: 1, maxLength: 120 })
        .map((b) => Buffer.concat([Buffer.from(String(b.length).padStart(4, '0'), 'latin1'), b])),
      fc
        .uint8Array({ minLength: 12, maxLength: 120 })
        .map((b) =>
          Buffer.concat([
            Buffer.from([0, b.length]),
            Buffer.from('6000030000613100311001', 'hex'),
            b.subarray(11),
          ]),
        ),
    );
    await fc.assert(
      fc.asyncProperty(garbage, async (bytes) => {
        for (const target of [h, lotus]) {
          const t = terminal(target);
          const c = await IsoConnection.open(target.address.port, t.framing, t.dialect);
          c.write(Buffer.from(bytes));
          await c.next(20).catch(() => undefined);
          c.close();
          await stillServes(target);
        }
      }),
      { numRuns: 30, seed: 8583 },
    );
  });
});

describe('slow, vanishing and idle clients', () => {
  it('a slow client trickling one frame within incompleteFrameMs is served', async () => {
    const h = await host('harbor-bank@2019.4', { timeScale: 0.1 }); // 500 ms to complete a frame
    const { t, c } = await session(h);
    const frame = saleFrame(t);
    for (let at = 0; at < frame.length; at += 16) {
      c.write(frame.subarray(at, at + 16));
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(code((await c.next()).message!)).toBe('00');
  });

  it('a slow-loris client that keeps trickling is cut off once the frame is overdue', async () => {
    const h = await host('harbor-bank@2019.4', { timeScale: 0.1 }); // 500 ms per frame, idle 12 s
    const { t, c } = await session(h);
    const frame = saleFrame(t);
    let at = 0;
    const started = performance.now();
    while (!c.closed && at < frame.length - 1 && performance.now() - started < 4000) {
      c.write(frame.subarray(at, at + 1));
      at++;
      await new Promise((r) => setTimeout(r, 40));
    }
    expect(c.closed).toBe(true);
    expect(at).toBeLessThan(frame.length - 1);
    await stillServes(h);
  });

  it('a client that vanishes right after its request does not disturb the host', async () => {
    const h = await host('harbor-bank@2019.4');
    for (let i = 0; i < 5; i++) {
      const t = terminal(h, 'HB000001', 100 + i);
      const c = await IsoConnection.open(h.address.port, t.framing, t.dialect);
      c.write(saleFrame(t));
      if (i % 2) c.socket.resetAndDestroy();
      else c.close();
    }
    const hangUps = () => h.journal.entries().filter((e) => !e.request && e.event?.kind === 'disconnected');
    await eventually(() => hangUps().length === 5);
    // Every sale is journaled; one whose answer found its terminal gone says so, with no duration.
    const sales = () => h.journal.entries().filter((e) => e.request?.iso?.mti === '0200');
    await eventually(() => sales().length === 5);
    for (const e of sales()) {
      if (e.durationMs === undefined)
        expect(e.event).toEqual({
          kind: 'unsent',
          detail: 'the terminal closed the connection before the answer was sent',
        });
      else expect(e.event).toBeUndefined();
    }
    await stillServes(h);
  });

  it('a request waiting behind a slow one when its connection closes is journaled as lost, not dropped', async () => {
    // The second sale waits for the slow issuer's answer to the first, and the terminal hangs up first.
    const h = await host('harbor-bank@2019.4');
    const c = await saleBehindSlowOne(h);
    await new Promise((r) => setTimeout(r, 50));
    c.close();
    const sales = () => h.journal.entries().filter((e) => e.request?.iso?.mti === '0200');
    await eventually(() => sales().length === 2);
    const [first, second] = sales();
    expect(first!.event?.kind).toBe('unsent');
    expect(second!.request!.summary).toBe('0200 sale 10.00 STAN 000002');
    expect(second!.response).toBeUndefined();
    expect(second!.event).toEqual({
      kind: 'lost',
      detail:
        'the connection closed before this request was processed (it waited behind an earlier one): nothing booked',
    });
    // Only the slow sale reached the host's logic.
    expect(h.ledger.list().map((e) => e.request.fields['11'])).toEqual(['000001']);
    await stillServes(h);
  });

  it('a request still waiting when the host stops is journaled as lost too', async () => {
    const h = await host('harbor-bank@2019.4');
    await saleBehindSlowOne(h);
    await eventually(() => h.ledger.list().length === 1);
    await h.close();
    const events = h.journal.entries().flatMap((e) => (e.request ? [e.event] : []));
    expect(events).toEqual([
      { kind: 'unsent', detail: 'the host stopped before its answer was due' },
      {
        kind: 'lost',
        detail:
          'the host stopped before this request was processed (it waited behind an earlier one): nothing booked',
      },
    ]);
  });

  it('a terminal that hangs up in the middle of a frame leaves a malformed entry, not just a disconnect', async () => {
    const h = await host('harbor-bank@2019.4');
    for (const abrupt of [false, true]) {
      const t = terminal(h, 'HB000001', abrupt ? 201 : 200);
      const c = await IsoConnection.open(h.address.port, t.framing, t.dialect);
      const frame = saleFrame(t);
      c.write(frame.subarray(0, 40));
      await new Promise((r) => setTimeout(r, 20));
      if (abrupt) c.socket.resetAndDestroy();
      else c.close();
    }
    await eventually(() => malformedEvents(h).length === 2);
    for (const e of malformedEvents(h)) {
      expect(e.event!.detail).toBe('the terminal hung up in the middle of a frame (40 bytes of it received)');
      expect(e.violations).toEqual([expect.objectContaining({ path: 'frame', rule: 'framing' })]);
    }
    await stillServes(h);
  });

  it('idle connections are closed after idleSeconds (scaled) and journaled', async () => {
    const h = await host('lotus-acquirer@2021.2'); // 60 s idle: 600 ms here
    const { c } = await session(h);
    expect(await c.waitClosed(4000)).toBe(true);
    expect(c.closedAfterMs).toBeGreaterThanOrEqual(300);
    await eventually(() => h.journal.entries().some((e) => e.event?.kind === 'idle-timeout'));
    await stillServes(h);
  });

  it('a connection waiting for a slow issuer is not idle; it idles out after the answer', async () => {
    // 2022.2 closes idle connections after 60 s; an amount ending 98 is answered after 65 s.
    const h = await host('harbor-bank@2022.2');
    const { t, c } = await session(h);
    c.write(t.frame(t.build('0200', { 3: '000000', 4: '000000001098' }, { read: { card: VISA } })));
    const late = await c.next(3000);
    expect(code(late.message!)).toBe('00');
    expect(late.afterMs).toBeGreaterThanOrEqual(500);
    expect(await c.waitClosed(4000)).toBe(true);
    expect(h.journal.entries().filter((e) => e.event?.kind === 'idle-timeout')).toHaveLength(1);
  });
});

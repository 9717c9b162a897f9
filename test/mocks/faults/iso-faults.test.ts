import { Type as T } from '@sinclair/typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { defineFault, registerFault } from '../../../src/mocks/faults/index.js';
import {
  FrameStreamDecoder,
  type IsoMessage,
  loadDialects,
  verifyMessageMac,
} from '../../../src/protocols/iso8583/index.js';
import { type Observation, probe, startTestHost, type TestHost, type TestHostOptions } from './harness.js';

const dialects = loadDialects();
const ascii = dialects.get('iso8583-1987-ascii');
const cup = dialects.get('cup-pos');
const CUP_MAK = Buffer.from('0123456789ABCDEF', 'hex');

// Every delay in the faults below is in "host time"; the time scale shrinks it 100-fold.
const SCALE = 0.01;

const asciiRequest: IsoMessage = {
  mti: '0200',
  fields: {
    2: '4761739001010010',
    3: '000000',
    4: '000000001000',
    11: '000042',
    41: 'TERM0001',
    49: '840',
  },
};

function asciiRespond(req: IsoMessage): IsoMessage {
  const f = req.fields;
  return {
    mti: '0210',
    fields: {
      3: f['3']!,
      4: f['4']!,
      11: f['11']!,
      37: '000000123456',
      39: '00',
      41: f['41']!,
      49: f['49']!,
    },
  };
}

function cupRespond(req: IsoMessage): IsoMessage {
  const f = req.fields;
  return {
    mti: '0210',
    fields: {
      3: f['3']!,
      4: f['4']!,
      11: f['11']!,
      37: '000000654321',
      39: '00',
      41: f['41']!,
      42: f['42']!,
      49: f['49']!,
      60: { 1: '22', 2: '000001', 3: '000' },
      64: '0000000000000000',
    },
  };
}

const asciiFrame = ascii.packFrame({ message: asciiRequest });
const cupSample = cup.unpackFrame(
  Buffer.from(
    '00D160000300006131003110010200702406C020C09A111662000000000000050000000000000025000001232912051000010012376200000000000005D291220112345678000000504D3030303030313839383331303034383939353030313135361A2B3C4D5E6F7A8B260000000000000000789F260846FD62985CAAE7589F2701809F100F07011703A00000010A0100000500009F37049536C9B89F36020C66950500000000009A032611259C01009F02060000000025005F2A02015682027C000013220000010006004345324641464336',
    'hex',
  ),
);
const cupFrame = cup.packFrame(cupSample);

let hosts: TestHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.map((h) => h.close()));
  hosts = [];
});

async function asciiHost(faults: unknown[], extra: Partial<TestHostOptions> = {}): Promise<TestHost> {
  const host = await startTestHost({
    dialect: ascii,
    respond: asciiRespond,
    faults,
    timeScale: SCALE,
    ...extra,
  });
  hosts.push(host);
  return host;
}

async function cupHost(faults: unknown[]): Promise<TestHost> {
  const host = await startTestHost({
    dialect: cup,
    respond: cupRespond,
    faults,
    timeScale: SCALE,
    macKey: CUP_MAK,
  });
  hosts.push(host);
  return host;
}

/** Frames in what the client received, decoded by the real stream decoder. */
function framesOf(o: Observation, dialect = ascii) {
  return new FrameStreamDecoder(dialect.framing!).push(o.data);
}

const oneFrame = (o: Observation) => framesOf(o).length >= 1;

/** The data elements whose values differ between two messages. */
function changedFields(a: IsoMessage, b: IsoMessage): string[] {
  const keys = new Set([...Object.keys(a.fields), ...Object.keys(b.fields)]);
  return [...keys].filter((k) => JSON.stringify(a.fields[k]) !== JSON.stringify(b.fields[k])).sort();
}

const expectedAscii = ascii.packFrame({ message: asciiRespond(asciiRequest) });

describe('ISO faults over real TCP sockets', () => {
  it('without faults the canned response arrives intact (baseline)', async () => {
    const host = await asciiHost([]);
    const o = await probe(host.port, [asciiFrame], { until: oneFrame });
    expect(o.data.equals(expectedAscii)).toBe(true);
    expect(host.reports[0]).toMatchObject({ fired: [], outcome: 'sent', bytesSent: expectedAscii.length });
  });

  it('latency delays the response by delayMs ± jitter (scaled)', async () => {
    const host = await asciiHost([{ fault: 'latency', params: { delayMs: 20_000, jitterMs: 5_000 } }]);
    const o = await probe(host.port, [asciiFrame], { until: oneFrame });
    expect(o.data.equals(expectedAscii)).toBe(true);
    // 15–25 s of host time at 1/100: 150–250 ms; loose bounds for a busy machine.
    expect(o.times[0]).toBeGreaterThanOrEqual(120);
    expect(o.times[0]).toBeLessThan(2000);
    const report = host.reports[0]!;
    expect(report.delayMs).toBeGreaterThanOrEqual(15_000);
    expect(report.delayMs).toBeLessThanOrEqual(25_000);
    expect(report.fired).toEqual([{ id: 'latency', fault: 'latency', occurrence: 1 }]);
  });

  it('no-response swallows the answer but keeps the connection; firstN lets the next one through', async () => {
    const host = await asciiHost([{ fault: 'no-response', scope: { firstN: 1 } }]);
    const o = await probe(host.port, [asciiFrame], { timeoutMs: 300, keepOpen: true });
    expect(o.chunks).toHaveLength(0);
    expect(o.ended || o.closed).toBe(false);
    // The same connection, second request: answered.
    const second = await new Promise<Buffer>((resolve) => {
      o.socket.once('data', resolve);
      o.socket.write(asciiFrame);
    });
    o.socket.destroy();
    expect(second.equals(expectedAscii)).toBe(true);
    expect(host.reports.map((r) => r.outcome)).toEqual(['not-sent', 'sent']);
    expect(host.processed).toHaveLength(2); // lost on the way out: the host did process it
  });

  it("no-response with lost: 'request' keeps the request from the host's logic", async () => {
    const host = await asciiHost([
      { fault: 'no-response', params: { lost: 'request' }, scope: { nth: [1] } },
    ]);
    const o = await probe(host.port, [asciiFrame, asciiFrame], { until: oneFrame });
    expect(o.data.equals(expectedAscii)).toBe(true); // only the second was answered
    expect(host.processed).toHaveLength(1);
    expect(host.reports[0]).toMatchObject({ outcome: 'not-sent', fired: [{ id: 'no-response' }] });
  });

  it('late-response sends the answer only after delayMs', async () => {
    const host = await asciiHost([{ fault: 'late-response', params: { delayMs: 30_000 } }]);
    const o = await probe(host.port, [asciiFrame], { until: oneFrame });
    expect(o.times[0]).toBeGreaterThanOrEqual(250);
    expect(o.data.equals(expectedAscii)).toBe(true);
  });

  it('connection-reset gives the client ECONNRESET and no data', async () => {
    const host = await asciiHost([{ fault: 'connection-reset' }]);
    const o = await probe(host.port, [asciiFrame]);
    expect(o.error?.code).toBe('ECONNRESET');
    expect(o.chunks).toHaveLength(0);
    expect(host.reports[0]?.outcome).toBe('reset');
  });

  it('close-after-request ends the connection (FIN) without data', async () => {
    const host = await asciiHost([{ fault: 'close-after-request' }]);
    const o = await probe(host.port, [asciiFrame]);
    expect(o.ended).toBe(true);
    expect(o.closed).toBe(true);
    expect(o.error).toBeUndefined();
    expect(o.chunks).toHaveLength(0);
    expect(host.reports[0]?.outcome).toBe('closed');
  });

  it('garbled-response corrupts body bytes at seeded positions, sparing the length prefix', async () => {
    const spec = [{ fault: 'garbled-response', params: { count: 3 } }];
    const host = await asciiHost(spec, { seed: 'run-1' });
    const o = await probe(host.port, [asciiFrame], { until: oneFrame });
    const got = o.data;
    expect(got.length).toBe(expectedAscii.length);
    expect(got.subarray(0, 4).equals(expectedAscii.subarray(0, 4))).toBe(true);
    const diffs = [...got].filter((b, i) => b !== expectedAscii[i]).length;
    expect(diffs).toBe(3); // flip mode always changes the byte
    // Same seed, same bytes; another seed, other bytes.
    const again = await asciiHost(spec, { seed: 'run-1' });
    const other = await asciiHost(spec, { seed: 'run-2' });
    const o2 = await probe(again.port, [asciiFrame], { until: oneFrame });
    const o3 = await probe(other.port, [asciiFrame], { until: oneFrame });
    expect(o2.data.equals(got)).toBe(true);
    expect(o3.data.equals(got)).toBe(false);
  });

  it('truncated-response sends only part of the frame and leaves the connection open', async () => {
    const host = await asciiHost([{ fault: 'truncated-response', params: { fraction: 0.5 } }]);
    const o = await probe(host.port, [asciiFrame], { timeoutMs: 300 });
    expect(o.data.equals(expectedAscii.subarray(0, Math.floor(expectedAscii.length / 2)))).toBe(true);
    expect(framesOf(o)).toHaveLength(0);
    expect(o.ended || o.closed).toBe(false);
  });

  it('sliced-writes delivers the frame in several data events that concatenate to it', async () => {
    const host = await asciiHost([{ fault: 'sliced-writes', params: { sliceBytes: 10, delayMs: 20 } }], {
      timeScale: 0.5, // 10 ms between slices: enough for separate reads
    });
    const o = await probe(host.port, [asciiFrame], { until: oneFrame });
    expect(o.chunks.length).toBeGreaterThanOrEqual(3);
    expect(o.data.equals(expectedAscii)).toBe(true);
  });

  it('bandwidth-limit takes about size / rate to deliver', async () => {
    const rate = 250; // bytes per second of host time
    const host = await asciiHost([{ fault: 'bandwidth-limit', params: { bytesPerSecond: rate } }], {
      timeScale: 0.5,
    });
    const o = await probe(host.port, [asciiFrame], { until: oneFrame });
    expect(o.data.equals(expectedAscii)).toBe(true);
    const expectedMs = ((expectedAscii.length * 1000) / rate) * 0.5; // ~220 ms
    expect(o.lastEventMs).toBeGreaterThanOrEqual(expectedMs * 0.8);
    expect(o.lastEventMs).toBeLessThan(expectedMs * 5);
    expect(o.chunks.length).toBeGreaterThan(1);
  });

  it('duplicate-response sends two identical frames', async () => {
    const host = await asciiHost([{ fault: 'duplicate-response' }]);
    const o = await probe(host.port, [asciiFrame], { until: (x) => framesOf(x).length >= 2 });
    const frames = framesOf(o);
    expect(frames).toHaveLength(2);
    expect(frames[0]!.body.equals(frames[1]!.body)).toBe(true);
    expect(ascii.unpack(frames[0]!.body)).toEqual(asciiRespond(asciiRequest));
  });

  it('wrong-stan changes exactly DE11 (unsigned 1987 ASCII host)', async () => {
    const host = await asciiHost([{ fault: 'wrong-stan' }]);
    const o = await probe(host.port, [asciiFrame], { until: oneFrame });
    const got = ascii.unpack(framesOf(o)[0]!.body);
    const want = asciiRespond(asciiRequest);
    expect(changedFields(want, got)).toEqual(['11']);
    expect(got.fields['11']).toBe('000043');
    expect(got.mti).toBe(want.mti);
  });

  it('wrong-stan on a MACing CUP host: DE11 changed and the MAC recomputed, so it still verifies', async () => {
    const host = await cupHost([{ fault: 'wrong-stan', params: { stan: '999999' } }]);
    const o = await probe(host.port, [cupFrame], { until: (x) => framesOf(x, cup).length >= 1 });
    const [frame] = framesOf(o, cup);
    const got = cup.unpack(frame!.body);
    expect(got.fields['11']).toBe('999999');
    expect(changedFields(cupRespond(cupSample.message), got)).toEqual(['11', '64']);
    expect(verifyMessageMac(cup, frame!.body, CUP_MAK)).toBe(true);
    // TPDU swapped and header kept: the server's encode() framed it like any answer.
    expect(frame!.tpdu).toEqual({ id: 0x60, destination: '0000', source: '0003' });
  });

  it("wrong-mti answers with the request's MTI, all fields unchanged", async () => {
    const host = await asciiHost([{ fault: 'wrong-mti' }]);
    const o = await probe(host.port, [asciiFrame], { until: oneFrame });
    const got = ascii.unpack(framesOf(o)[0]!.body);
    expect(got.mti).toBe('0200');
    expect(changedFields(asciiRespond(asciiRequest), got)).toEqual([]);
  });

  it('bad-mac changes exactly the MAC (DE64), which then fails verification', async () => {
    const host = await cupHost([{ fault: 'bad-mac' }]);
    const o = await probe(host.port, [cupFrame], { until: (x) => framesOf(x, cup).length >= 1 });
    const [frame] = framesOf(o, cup);
    const got = cup.unpack(frame!.body);
    const signedOk = (await cupHost([])).port;
    const good = await probe(signedOk, [cupFrame], { until: (x) => framesOf(x, cup).length >= 1 });
    const [goodFrame] = framesOf(good, cup);
    expect(verifyMessageMac(cup, goodFrame!.body, CUP_MAK)).toBe(true);
    expect(changedFields(cup.unpack(goodFrame!.body), got)).toEqual(['64']);
    expect(verifyMessageMac(cup, frame!.body, CUP_MAK)).toBe(false);
  });

  it("bad-mac mode 'missing' removes the MAC field", async () => {
    const host = await cupHost([{ fault: 'bad-mac', params: { mode: 'missing' } }]);
    const o = await probe(host.port, [cupFrame], { until: (x) => framesOf(x, cup).length >= 1 });
    const got = cup.unpack(framesOf(o, cup)[0]!.body);
    expect(got.fields['64']).toBeUndefined();
    expect(got.fields['11']).toBe('000123');
  });

  it('host-down (refuse) refuses connections until the fault is removed', async () => {
    const host = await asciiHost([]);
    host.faults.add({ fault: 'host-down' });
    await host.settled();
    const refused = await probe(host.port, [asciiFrame]);
    expect(refused.connected).toBe(false);
    expect(refused.error?.code).toBe('ECONNREFUSED');
    host.faults.remove('host-down');
    await host.settled();
    const back = await probe(host.port, [asciiFrame], { until: oneFrame });
    expect(back.data.equals(expectedAscii)).toBe(true);
  });

  it('host-down (reset/close) drops the first connections at accept time, then serves again', async () => {
    const host = await asciiHost([
      { fault: 'host-down', params: { mode: 'reset' }, scope: { firstN: 1 } },
      { fault: 'host-down', params: { mode: 'close' }, scope: { nth: [2] } },
    ]);
    const first = await probe(host.port, [asciiFrame]);
    expect(first.chunks).toHaveLength(0);
    expect(first.closed).toBe(true);
    expect(first.error?.code).toBe('ECONNRESET');
    const second = await probe(host.port, [asciiFrame]);
    expect(second.chunks).toHaveLength(0);
    expect(second.ended).toBe(true);
    const third = await probe(host.port, [asciiFrame], { until: oneFrame });
    expect(third.data.equals(expectedAscii)).toBe(true);
    expect(host.accepts.map((a) => a.fired.map((f) => f.id))).toEqual([['host-down'], ['host-down#2'], []]);
  });

  it('scope picks the message: only the 2nd 0200 is reset, other MTIs pass', async () => {
    const host = await asciiHost([{ fault: 'connection-reset', scope: { mti: ['02x0'], nth: [2] } }]);
    const echo = ascii.packFrame({ message: { mti: '0800', fields: { 11: '000001', 70: '301' } } });
    const seen = await probe(host.port, [asciiFrame, echo, asciiFrame], { timeoutMs: 1000 });
    // 0200 → answered, 0800 → answered (not in scope), 0200 again → reset.
    expect(framesOf(seen)).toHaveLength(2);
    expect(seen.closed).toBe(true);
    // An RST that follows data within a few ms may surface as EOF on Linux, so either is fine here.
    expect(seen.error?.code === 'ECONNRESET' || seen.ended).toBe(true);
    expect(host.reports.map((r) => r.outcome)).toEqual(['sent', 'sent', 'reset']);
  });

  it('several faults on one message run in stage order: message → bytes → delay → deliver', async () => {
    const host = await asciiHost([
      { fault: 'duplicate-response' },
      { fault: 'latency', params: { delayMs: 15_000 } },
      { fault: 'wrong-stan', params: { stan: '777777' } },
    ]);
    const o = await probe(host.port, [asciiFrame], { until: (x) => framesOf(x).length >= 2 });
    const frames = framesOf(o);
    expect(frames.map((f) => ascii.unpack(f.body).fields['11'])).toEqual(['777777', '777777']);
    expect(o.times[0]).toBeGreaterThanOrEqual(120);
    expect(host.reports[0]).toMatchObject({ outcome: 'sent', delayMs: 15_000 });
    expect(host.reports[0]!.bytesSent).toBe(2 * (frames[0]!.body.length + 4));
  });

  it('a fault whose hook throws is reported, and the response still goes out', async () => {
    registerFault(
      defineFault({
        name: 'test-exploding',
        description: 'Throws from its bytes hook (test only).',
        params: T.Object({}, { additionalProperties: false }),
        iso: {
          bytes() {
            throw new Error('boom');
          },
        },
      }),
    );
    const host = await asciiHost([{ fault: 'test-exploding' }]);
    const o = await probe(host.port, [asciiFrame], { until: oneFrame });
    expect(o.data.equals(expectedAscii)).toBe(true);
    expect(host.reports[0]!.notes).toEqual(['test-exploding: failed (boom)']);
  });
});

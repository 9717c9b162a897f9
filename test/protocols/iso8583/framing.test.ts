import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeFrame,
  encodeFrame,
  type Frame,
  FrameError,
  type FrameErrorCode,
  FrameStreamDecoder,
  type FramingSpec,
  frameOverhead,
  type LengthPrefixKind,
  replyTpdu,
} from '../../../src/protocols/iso8583/framing/index.js';

// CUP POS framing (DOMAIN.md §3): 2-byte length over TPDU + 6-byte header + body.
const CUP: FramingSpec = {
  length: 'binary2',
  lengthIncludesHeader: true,
  tpdu: true,
  headerLength: 6,
  maxFrameLength: 8192,
};
const BARE: FramingSpec = { ...CUP, tpdu: false, headerLength: 0 };

// vfwz/iso8583-parser (Apache-2.0), QuickStart.java MTI0800 @ 84de46e13ed8 (Ajsgn/Java8583 lineage):
// sign-on request, framed as 0041 + TPDU 6000000000 + header 602200000000 + 0800 body.
const SIGNON_0800 =
  '0041600000000060220000000008000038000000c00012000172170510051035303038303030313330393331303038333938' +
  '3530303800110000017200300003435550';
// vfwz/iso8583-parser (Apache-2.0), DateTest.java doTrade() comment @ 84de46e13ed8: 0400 with
// TPDU 6010120000 (non-zero destination), length 0066.
const REVERSAL_0400 =
  '0066601012000060220000000004007038048002c080191612345678901234560000000000000005006811862335210529' +
  '0210653938617874657374332d33303635383130353439393030303331353600082216052900162334156811860529284c' +
  '79dc9a2e50fc';
// neil-pan-s/j-iso8583 (MIT), test/utils/spec.js sRecv @ 5f4a91b2bf13: a 0210 whose prefix is WRONG
// upstream: it says 0x00aa = 170 but only 142 bytes follow (copied from the 0200's prefix).
const BAD_PREFIX_0210 =
  '00aa60000300006031000110010210703e00810ad080131662260978069383880000000000000000010010821534381201' +
  '4912120100084852331032393039383331353334333830303030303030303236383532333331303539393830303732223033' +
  '303830303030202020343835323030303020202031353600142200001500050100034355508888888888888888';

const hexOf = (hex: string) => Buffer.from(hex, 'hex');

function expectFrameError(fn: () => unknown, code: FrameErrorCode): FrameError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FrameError);
    expect((e as FrameError).code).toBe(code);
    return e as FrameError;
  }
  throw new Error(`expected FrameError ${code}, nothing thrown`);
}

// Plain view of a frame so that comparisons print readable hex.
const plain = (f: Frame) => ({
  tpdu: f.tpdu,
  header: f.header?.toString('hex'),
  body: f.body.toString('hex'),
});

describe('length prefixes', () => {
  const body = Buffer.alloc(1234, 0x41);
  const cases: [LengthPrefixKind, string][] = [
    ['binary2', '04d2'],
    ['binary4', '000004d2'],
    ['ascii4', '31323334'],
    ['bcd2', '1234'],
    ['none', ''],
  ];
  it.each(cases)('%s encodes 1234 as %s and decodes back', (length, prefix) => {
    const spec = { ...BARE, length };
    const bytes = encodeFrame(spec, { body });
    expect(bytes.subarray(0, prefix.length / 2).toString('hex')).toBe(prefix);
    expect(bytes.length).toBe(frameOverhead(spec) + body.length);
    expect(decodeFrame(spec, bytes).body.equals(body)).toBe(true);
  });

  it('ASCII and BCD prefixes hold at most 9999', () => {
    const spec = { ...BARE, length: 'ascii4' as const, maxFrameLength: 100_000 };
    expectFrameError(() => encodeFrame(spec, { body: Buffer.alloc(10_000) }), 'length-too-large');
    expect(
      encodeFrame(spec, { body: Buffer.alloc(9999) })
        .subarray(0, 4)
        .toString(),
    ).toBe('9999');
  });

  it('a zero length is an empty frame only without TPDU/header', () => {
    expect(decodeFrame(BARE, hexOf('0000')).body.length).toBe(0);
    expectFrameError(() => decodeFrame(CUP, hexOf('0000')), 'length-invalid');
    expectFrameError(
      () => decodeFrame({ ...CUP, lengthIncludesHeader: false }, hexOf('0000')),
      'length-invalid',
    );
    expectFrameError(
      () => encodeFrame({ ...CUP, lengthIncludesHeader: false }, cupFrame('')),
      'length-invalid',
    );
  });

  it('refuses non-digit ASCII, BCD nibbles > 9 and lengths over maxFrameLength', () => {
    const ascii = { ...BARE, length: 'ascii4' as const };
    const err = expectFrameError(() => decodeFrame(ascii, Buffer.from('0-12')), 'length-invalid');
    expect(err.offset).toBe(1);
    expectFrameError(() => decodeFrame({ ...BARE, length: 'bcd2' }, hexOf('0a00')), 'length-invalid');
    expectFrameError(
      () => decodeFrame({ ...BARE, maxFrameLength: 10 }, hexOf('000b' + '00'.repeat(11))),
      'length-too-large',
    );
  });
});

function cupFrame(bodyHex: string): Frame {
  return {
    tpdu: { id: 0x60, destination: '0003', source: '0000' },
    header: hexOf('603100011001'),
    body: hexOf(bodyHex),
  };
}

describe('TPDU and header', () => {
  it('lengthIncludesHeader decides what the prefix counts', () => {
    const frame = cupFrame('0800aabb');
    const incl = encodeFrame(CUP, frame);
    const excl = encodeFrame({ ...CUP, lengthIncludesHeader: false }, frame);
    expect(incl.toString('hex')).toBe('000f' + '6000030000' + '603100011001' + '0800aabb');
    expect(excl.toString('hex')).toBe('0004' + '6000030000' + '603100011001' + '0800aabb');
    expect(plain(decodeFrame(CUP, incl))).toEqual(plain(frame));
    expect(plain(decodeFrame({ ...CUP, lengthIncludesHeader: false }, excl))).toEqual(plain(frame));
  });

  it('replyTpdu swaps source and destination, as a host answers', () => {
    const request = { id: 0x60, destination: '0003', source: '0000' };
    expect(replyTpdu(request)).toEqual({ id: 0x60, destination: '0000', source: '0003' });
    const reply = encodeFrame(CUP, { ...cupFrame('0810'), tpdu: replyTpdu(request) });
    expect(reply.subarray(2, 7).toString('hex')).toBe('6000000003');
  });

  it('encodeFrame checks TPDU and header presence and sizes', () => {
    const frame = cupFrame('0800');
    expectFrameError(() => encodeFrame(CUP, { ...frame, tpdu: undefined }), 'header-mismatch');
    expectFrameError(() => encodeFrame(BARE, { body: frame.body, tpdu: frame.tpdu }), 'header-mismatch');
    const short = expectFrameError(
      () => encodeFrame(CUP, { ...frame, header: hexOf('6031') }),
      'header-mismatch',
    );
    expect(short.offset).toBe(7);
    expectFrameError(() => encodeFrame(BARE, { body: frame.body, header: hexOf('60') }), 'header-mismatch');
    const badTpdu = { id: 0x60, destination: '00G3', source: '0000' };
    expectFrameError(() => encodeFrame(CUP, { ...frame, tpdu: badTpdu }), 'header-mismatch');
  });

  it('decoded TPDU addresses are uppercase hex', () => {
    const spec = { ...CUP, headerLength: 0 };
    const frame = decodeFrame(spec, hexOf('0007' + '60abcd0e0f' + '0800'));
    expect(frame.tpdu).toEqual({ id: 0x60, destination: 'ABCD', source: '0E0F' });
    expect(frame.header).toBeUndefined();
  });
});

describe('published CUP vectors', () => {
  it('decodes and re-encodes the vfwz 0800 sign-on byte for byte', () => {
    const frame = decodeFrame(CUP, hexOf(SIGNON_0800));
    expect(frame.tpdu).toEqual({ id: 0x60, destination: '0000', source: '0000' });
    expect(frame.header?.toString('hex')).toBe('602200000000');
    expect(frame.body.subarray(0, 2).toString('hex')).toBe('0800');
    expect(frame.body.length).toBe(0x41 - 11);
    expect(encodeFrame(CUP, frame).toString('hex')).toBe(SIGNON_0800);
  });

  it('reads a non-zero TPDU destination from the vfwz 0400', () => {
    const frame = decodeFrame(CUP, hexOf(REVERSAL_0400));
    expect(frame.tpdu).toEqual({ id: 0x60, destination: '1012', source: '0000' });
    expect(frame.body.subarray(0, 2).toString('hex')).toBe('0400');
    expect(encodeFrame(CUP, frame).toString('hex')).toBe(REVERSAL_0400);
  });

  it('rejects the j-iso8583 0210 whose prefix over-declares the length', () => {
    const bytes = hexOf(BAD_PREFIX_0210);
    expect(bytes.length).toBe(144);
    const err = expectFrameError(() => decodeFrame(CUP, bytes), 'truncated');
    expect(err.message).toBe('frame: expected 172 bytes at byte 144, found 144 bytes');
    // A stream decoder can only wait: it would take 28 bytes of the next message as this one's.
    const decoder = new FrameStreamDecoder(CUP);
    expect(decoder.push(bytes)).toEqual([]);
    expect(decoder.pending).toBe(144);
  });

  it('rejects trailing bytes after one complete frame', () => {
    const err = expectFrameError(() => decodeFrame(CUP, hexOf(SIGNON_0800 + '00')), 'trailing-bytes');
    expect(err.offset).toBe(67);
  });
});

describe('FrameError', () => {
  it('names the expectation and the byte offset', () => {
    const err = new FrameError('truncated', 12, '20 bytes', '12 bytes');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('FrameError');
    expect(err.message).toBe('frame: expected 20 bytes at byte 12, found 12 bytes');
    expect([err.code, err.offset, err.expected, err.found]).toEqual([
      'truncated',
      12,
      '20 bytes',
      '12 bytes',
    ]);
  });
});

describe('FrameStreamDecoder', () => {
  it("refuses length 'none' at construction", () => {
    expect(() => new FrameStreamDecoder({ ...BARE, length: 'none' })).toThrow(TypeError);
  });

  it('returns several frames from one chunk and one frame fed byte by byte', () => {
    const a = hexOf(SIGNON_0800);
    const b = hexOf(REVERSAL_0400);
    const decoder = new FrameStreamDecoder(CUP);
    expect(decoder.push(Buffer.concat([a, b])).map((f) => f.body.subarray(0, 2).toString('hex'))).toEqual([
      '0800',
      '0400',
    ]);
    const out: Frame[] = [];
    for (const byte of b) out.push(...decoder.push(Buffer.from([byte])));
    expect(out.map(plain)).toEqual([plain(decodeFrame(CUP, b))]);
    expect(decoder.pending).toBe(0);
  });

  it('frames do not share memory with the pushed chunks', () => {
    const chunk = hexOf(SIGNON_0800);
    const [frame] = new FrameStreamDecoder(CUP).push(chunk);
    chunk.fill(0);
    expect(encodeFrame(CUP, frame!).toString('hex')).toBe(SIGNON_0800);
  });

  it('reset() drops buffered bytes and a previous error', () => {
    const decoder = new FrameStreamDecoder(CUP);
    decoder.push(hexOf('00416000'));
    expect(decoder.pending).toBe(4);
    decoder.reset();
    expect(decoder.pending).toBe(0);
    expect(decoder.push(hexOf(SIGNON_0800))).toHaveLength(1);
  });

  const prefixCases: [string, LengthPrefixKind, string, FrameErrorCode][] = [
    ['binary2 oversized', 'binary2', 'ffff', 'length-too-large'],
    ['binary4 oversized ("negative" if read signed)', 'binary4', 'ffffffff', 'length-too-large'],
    ['ascii4 oversized', 'ascii4', Buffer.from('9000').toString('hex'), 'length-too-large'],
    ['ascii4 negative', 'ascii4', Buffer.from('-001').toString('hex'), 'length-invalid'],
    ['ascii4 spaces', 'ascii4', Buffer.from(' 100').toString('hex'), 'length-invalid'],
    ['bcd2 oversized', 'bcd2', '9000', 'length-too-large'],
    ['bcd2 nibble > 9', 'bcd2', '00f0', 'length-invalid'],
    ['binary2 shorter than TPDU + header', 'binary2', '000b', 'length-invalid'],
  ];
  it.each(prefixCases)(
    'refuses a %s prefix before any body byte arrives',
    (_name, length, prefixHex, code) => {
      const decoder = new FrameStreamDecoder({ ...CUP, length });
      const prefix = hexOf(prefixHex);
      // All but the last prefix byte: nothing to judge yet.
      for (const byte of prefix.subarray(0, -1)) expect(decoder.push(Buffer.from([byte]))).toEqual([]);
      const err = expectFrameError(() => decoder.push(prefix.subarray(-1)), code);
      expect(err.offset).toBeLessThan(prefix.length);
      // Unusable until reset: the stream is out of sync.
      expect(() => decoder.push(hexOf(SIGNON_0800))).toThrow(err);
      decoder.reset();
      expect(decoder.pending).toBe(0);
    },
  );

  it('reports stream offsets, not frame offsets', () => {
    const decoder = new FrameStreamDecoder(CUP);
    const err = expectFrameError(() => decoder.push(hexOf(SIGNON_0800 + 'ffff')), 'length-too-large');
    expect(err.offset).toBe(67);
  });

  it('reads a prefix where it lies in a chunk, and still reports the bad digit at its stream offset', () => {
    const ascii = { ...BARE, length: 'ascii4' as const };
    // Two frames and a broken prefix in one chunk, then the same split across chunks.
    const stream = Buffer.from('0003abc0002de00x5');
    const decoder = new FrameStreamDecoder(ascii);
    const err = expectFrameError(() => decoder.push(stream), 'length-invalid');
    expect(err.offset).toBe(15);
    const split = new FrameStreamDecoder(ascii);
    const frames = split.push(stream.subarray(0, 14));
    expect(frames.map((f) => f.body.toString('latin1'))).toEqual(['abc', 'de']);
    expect(expectFrameError(() => split.push(stream.subarray(14)), 'length-invalid').offset).toBe(15);
  });
});

// Arbitrary specs and frames that fit them.
const specArb: fc.Arbitrary<FramingSpec> = fc.record({
  length: fc.constantFrom<LengthPrefixKind>('binary2', 'binary4', 'ascii4', 'bcd2'),
  lengthIncludesHeader: fc.boolean(),
  tpdu: fc.boolean(),
  headerLength: fc.integer({ min: 0, max: 8 }),
  maxFrameLength: fc.constant(9999),
});
const addressArb = fc
  .integer({ min: 0, max: 0xffff })
  .map((n) => n.toString(16).toUpperCase().padStart(4, '0'));
const bytesArb = (minLength: number, maxLength: number) =>
  fc.uint8Array({ minLength, maxLength }).map((a) => Buffer.from(a));
const frameArb = (spec: FramingSpec): fc.Arbitrary<Frame> => {
  const overhead = spec.tpdu || spec.headerLength > 0;
  const tpdu = fc.record({
    id: fc.integer({ min: 0, max: 255 }),
    destination: addressArb,
    source: addressArb,
  });
  return fc
    .tuple(bytesArb(overhead ? 1 : 0, 300), tpdu, bytesArb(spec.headerLength, spec.headerLength))
    .map(([body, t, header]) => ({
      body,
      ...(spec.tpdu ? { tpdu: t } : {}),
      ...(spec.headerLength > 0 ? { header } : {}),
    }));
};

// Cuts bytes at the given points (empty chunks included: push() must accept them).
function cut(bytes: Buffer, points: number[]): Buffer[] {
  const sorted = [...points.map((p) => p % (bytes.length + 1))].sort((x, y) => x - y);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of [...sorted, bytes.length]) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  return chunks;
}

// Mostly zeros and digits, so that random prefixes are often small valid lengths, not only garbage.
const byteArb = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.constantFrom(0x00, 0x00, 0x01, 0x10, 0x30, 0x31),
);

describe('FrameStreamDecoder properties', () => {
  it('any frames, concatenated and cut anywhere, come out unchanged', () => {
    const scenario = specArb.chain((spec) =>
      fc.record({
        spec: fc.constant(spec),
        frames: fc.array(frameArb(spec), { maxLength: 8 }),
        points: fc.array(fc.nat(), { maxLength: 40 }),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ spec, frames, points }) => {
        const stream = Buffer.concat(frames.map((f) => encodeFrame(spec, f)));
        const decoder = new FrameStreamDecoder(spec);
        const out = cut(stream, points).flatMap((chunk) => decoder.push(chunk));
        expect(out.map(plain)).toEqual(frames.map(plain));
        expect(decoder.pending).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes only ever raise FrameError, and the decoder keeps up', () => {
    const scenario = fc.record({
      spec: specArb.map((s) => ({ ...s, maxFrameLength: 64 })),
      chunks: fc.array(fc.array(byteArb, { maxLength: 50 }), { maxLength: 20 }),
    });
    let frames = 0;
    fc.assert(
      fc.property(scenario, ({ spec, chunks }) => {
        const decoder = new FrameStreamDecoder(spec);
        let received = 0;
        for (const chunk of chunks) {
          try {
            frames += decoder.push(Buffer.from(chunk)).length;
          } catch (e) {
            expect(e).toBeInstanceOf(FrameError);
            return;
          }
          received += chunk.length;
          // Never holds more than one frame's worth: the length was checked before buffering.
          expect(decoder.pending).toBeLessThanOrEqual(Math.min(received, frameOverhead(spec) + 64));
        }
      }),
      // Fixed seed: the last assertion is about this sample (random bytes rarely form a frame),
      // and a suite that fails one run in fifty teaches people to ignore it.
      { numRuns: 500, seed: 20261125 },
    );
    expect(frames).toBeGreaterThan(0); // the byte bias does reach the success path
  });
});

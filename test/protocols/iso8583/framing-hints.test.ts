// A length prefix that cannot be right says what the bytes look like: the usual cause is a sender
// and a receiver that disagree on the framing (4 ASCII digits vs a binary length).

import { describe, expect, it } from 'vitest';
import {
  decodeFrame,
  FrameError,
  FrameStreamDecoder,
  type FramingSpec,
} from '../../../src/protocols/iso8583/index.js';

const binary: FramingSpec = {
  length: 'binary2',
  lengthIncludesHeader: true,
  tpdu: false,
  headerLength: 0,
  maxFrameLength: 8192,
};
const binary4: FramingSpec = { ...binary, length: 'binary4' };
const ascii: FramingSpec = { ...binary, length: 'ascii4', maxFrameLength: 9999 };

function frameError(fn: () => unknown): FrameError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FrameError);
    return e as FrameError;
  }
  throw new Error('no FrameError thrown');
}

describe('framing hints', () => {
  it('ASCII digits read as a binary length: names the digits and the likely mix-up', () => {
    const err = frameError(() => decodeFrame(binary, Buffer.from('0123ABCD')));
    expect(err.code).toBe('length-too-large');
    expect(err.found).toBe('12337');
    expect(err.message).toBe(
      "frame: expected length <= 8192 at byte 0, found 12337 (the bytes look like a 4-digit ASCII length '01…': " +
        'is the sender using ASCII framing against a binary-framed receiver?)',
    );
    // A 4-byte binary prefix sees all four digits.
    expect(frameError(() => decodeFrame(binary4, Buffer.from('0123ABCD'))).hint).toContain(
      "ASCII length '0123'",
    );
  });

  it('a binary length read as ASCII digits: names a binary header', () => {
    const err = frameError(() => decodeFrame(ascii, Buffer.from([0x00, 0x40, 0x30, 0x32])));
    expect(err.code).toBe('length-invalid');
    expect(err.message).toBe(
      'frame: expected 4 ASCII digits at byte 0, found 0x00 (looks like a binary length header: ' +
        'is the sender using binary framing against an ASCII-framed receiver?)',
    );
  });

  it('no hint when the bytes suggest nothing', () => {
    expect(frameError(() => decodeFrame(binary, Buffer.from([0xff, 0xff]))).hint).toBeUndefined();
    expect(frameError(() => decodeFrame(ascii, Buffer.from(' 100'))).hint).toBeUndefined();
    expect(frameError(() => decodeFrame(ascii, Buffer.from('9000'))).hint).toBeUndefined();
  });

  it('the stream decoder keeps the hint when it rebases the offset', () => {
    const decoder = new FrameStreamDecoder(binary);
    const first = Buffer.concat([Buffer.from([0x00, 0x02]), Buffer.from('OK')]);
    expect(decoder.push(first)).toHaveLength(1);
    const err = frameError(() => decoder.push(Buffer.from('0042')));
    expect(err.offset).toBe(4);
    expect(err.message).toMatch(/at byte 4, found 12336 \(the bytes look like a 4-digit ASCII length '00…'/);
  });
});

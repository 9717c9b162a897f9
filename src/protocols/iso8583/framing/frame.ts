import { Buffer } from 'node:buffer';
import { FrameError } from './frame-error.js';
import type { Frame, FramingSpec, LengthPrefixKind, Tpdu } from './types.js';

const TPDU_LENGTH = 5;
const HEX4 = /^[0-9A-Fa-f]{4}$/;

/** Bytes taken by the length prefix. */
export function prefixLength(kind: LengthPrefixKind): number {
  if (kind === 'none') return 0;
  return kind === 'binary2' || kind === 'bcd2' ? 2 : 4;
}

// Largest length each prefix can write; ASCII and BCD hold 4 decimal digits.
function prefixCapacity(kind: LengthPrefixKind): number {
  if (kind === 'binary2') return 0xffff;
  if (kind === 'binary4') return 0xffffffff;
  return kind === 'none' ? Number.POSITIVE_INFINITY : 9999;
}

// TPDU + network header: the part the length may or may not count.
function headerBytes(spec: FramingSpec): number {
  if (!Number.isInteger(spec.headerLength) || spec.headerLength < 0) {
    throw new TypeError(`framing: headerLength must be a non-negative integer, got ${spec.headerLength}`);
  }
  return (spec.tpdu ? TPDU_LENGTH : 0) + spec.headerLength;
}

/** Bytes the framing adds around a body: length prefix + TPDU + network header. */
export function frameOverhead(spec: FramingSpec): number {
  return prefixLength(spec.length) + headerBytes(spec);
}

function hex(bytes: Buffer): string {
  return `0x${bytes.toString('hex')}`;
}

/** Reads the declared length at `offset`; a non-digit ASCII char or a BCD nibble > 9 is 'length-invalid'. */
export function readLength(kind: LengthPrefixKind, bytes: Buffer, offset: number): number {
  if (kind === 'binary2') return bytes.readUInt16BE(offset);
  if (kind === 'binary4') return bytes.readUInt32BE(offset);
  const ascii = kind === 'ascii4';
  const size = ascii ? 4 : 2;
  let value = 0;
  // Digit by digit without arrays: this runs for every frame a host reads.
  for (let i = 0; i < size; i++) {
    const b = bytes[offset + i]!;
    const high = ascii ? b - 0x30 : b >> 4;
    const low = b & 0x0f;
    if (high < 0 || high > 9 || (!ascii && low > 9)) {
      const what = ascii ? '4 ASCII digits' : '4 packed BCD digits';
      throw new FrameError(
        'length-invalid',
        offset + i,
        what,
        hex(bytes.subarray(offset + i, offset + i + 1)),
        ascii && i === 0 ? binaryLengthHint(b) : undefined,
      );
    }
    value = ascii ? value * 10 + high : value * 100 + high * 10 + low;
  }
  return value;
}

// The classic mix-up is a terminal and a host that disagree on the length prefix: ASCII digits read
// as a binary length give an absurd size (`01` = 12337), a binary length read as ASCII starts with a
// control byte. Saying so turns a puzzling byte dump into the fix.

/** A binary prefix whose bytes are all ASCII digits: the sender probably frames with 4 ASCII digits. */
function asciiLengthHint(kind: LengthPrefixKind, declared: number): string | undefined {
  if (kind !== 'binary2' && kind !== 'binary4') return undefined;
  const bytes = Buffer.alloc(prefixLength(kind));
  if (kind === 'binary2') bytes.writeUInt16BE(declared);
  else bytes.writeUInt32BE(declared);
  if (!bytes.every((b) => b >= 0x30 && b <= 0x39)) return undefined;
  const text = bytes.toString('latin1');
  return (
    `the bytes look like a 4-digit ASCII length '${text}${text.length < 4 ? '…' : ''}': ` +
    'is the sender using ASCII framing against a binary-framed receiver?'
  );
}

/** An ASCII prefix that starts with a control byte (0x00 …): the sender probably frames in binary. */
function binaryLengthHint(byte: number): string | undefined {
  if (byte >= 0x20) return undefined;
  return 'looks like a binary length header: is the sender using binary framing against an ASCII-framed receiver?';
}

/**
 * Checks a declared length against the spec and returns the whole frame size, prefix included.
 * A frame that carries a TPDU/header must carry a body too: only an overhead-free spec allows an
 * empty frame (a keep-alive), so a zero or too-small length is refused before anything is buffered.
 */
export function frameSize(spec: FramingSpec, declared: number, offset: number): number {
  if (declared > spec.maxFrameLength) {
    throw new FrameError(
      'length-too-large',
      offset,
      `length <= ${spec.maxFrameLength}`,
      String(declared),
      asciiLengthHint(spec.length, declared),
    );
  }
  const over = headerBytes(spec);
  const minimum = over === 0 ? 0 : spec.lengthIncludesHeader ? over + 1 : 1;
  if (declared < minimum) {
    throw new FrameError(
      'length-invalid',
      offset,
      `length >= ${minimum} (TPDU/header need a body)`,
      String(declared),
    );
  }
  return prefixLength(spec.length) + declared + (spec.lengthIncludesHeader ? 0 : over);
}

function writeLength(kind: LengthPrefixKind, out: Buffer, value: number): void {
  if (kind === 'binary2') out.writeUInt16BE(value, 0);
  else if (kind === 'binary4') out.writeUInt32BE(value, 0);
  else if (kind === 'ascii4') out.write(String(value).padStart(4, '0'), 0, 'latin1');
  else if (kind === 'bcd2') out.write(String(value).padStart(4, '0'), 0, 'hex'); // decimal digits = BCD nibbles
}

function checkTpdu(tpdu: Tpdu, offset: number): void {
  const ok = Number.isInteger(tpdu.id) && tpdu.id >= 0 && tpdu.id <= 0xff;
  if (!ok || !HEX4.test(tpdu.destination) || !HEX4.test(tpdu.source)) {
    const found = `id ${tpdu.id}, destination '${tpdu.destination}', source '${tpdu.source}'`;
    throw new FrameError('header-mismatch', offset, 'a TPDU (id 0-255, 4 hex chars each address)', found);
  }
}

/** Builds one frame; the TPDU and header must be present exactly when the spec says so, at its sizes. */
export function encodeFrame(spec: FramingSpec, frame: Frame): Buffer {
  const at = frameOverhead(spec);
  const out = Buffer.allocUnsafe(at + frame.body.length);
  frame.body.copy(out, at);
  writeFrameHead(spec, out, frame, frame.body.length);
  return out;
}

/**
 * Writes the length prefix, TPDU and header in front of a body already at its place in `out`
 * (after frameOverhead(spec) bytes): an encoder that leaves that room builds a frame without
 * copying the body again. Checks the same things as encodeFrame.
 */
export function writeFrameHead(
  spec: FramingSpec,
  out: Buffer,
  head: Pick<Frame, 'tpdu' | 'header'>,
  bodyLength: number,
): void {
  let at = prefixLength(spec.length);
  if (spec.tpdu !== (head.tpdu !== undefined)) {
    const [expected, found] = spec.tpdu ? ['a TPDU', 'none'] : ['no TPDU', 'a TPDU'];
    throw new FrameError('header-mismatch', at, expected, found);
  }
  if (head.tpdu) checkTpdu(head.tpdu, at);
  const headerLength = head.header?.length ?? 0;
  if (headerLength !== spec.headerLength) {
    const offset = at + (spec.tpdu ? TPDU_LENGTH : 0);
    throw new FrameError(
      'header-mismatch',
      offset,
      `${spec.headerLength}-byte header`,
      `${headerLength} bytes`,
    );
  }
  const declared = (spec.lengthIncludesHeader ? headerBytes(spec) : 0) + bodyLength;
  const capacity = prefixCapacity(spec.length);
  if (declared > capacity) {
    throw new FrameError('length-too-large', 0, `length <= ${capacity} (${spec.length})`, String(declared));
  }
  frameSize(spec, declared, 0); // the spec's maximum frame length
  writeLength(spec.length, out, declared);
  if (head.tpdu) {
    out[at] = head.tpdu.id;
    out.write(head.tpdu.destination + head.tpdu.source, at + 1, 'hex');
    at += TPDU_LENGTH;
  }
  if (head.header) head.header.copy(out, at);
}

/**
 * Decodes exactly one complete frame. The declared length must match the bytes given: fewer is
 * 'truncated', more is 'trailing-bytes' (never silently ignored: a wrong prefix would desynchronise
 * a TCP stream). With length 'none' the whole buffer is the frame. Parts are views into `bytes`.
 */
export function decodeFrame(spec: FramingSpec, bytes: Buffer): Frame {
  const prefix = prefixLength(spec.length);
  let total = bytes.length;
  if (prefix === 0) {
    const over = headerBytes(spec);
    if (bytes.length < over) {
      throw new FrameError(
        'truncated',
        bytes.length,
        `${over} bytes of TPDU/header`,
        `${bytes.length} bytes`,
      );
    }
    frameSize(spec, spec.lengthIncludesHeader ? bytes.length : bytes.length - over, 0);
  } else {
    if (bytes.length < prefix) {
      throw new FrameError(
        'truncated',
        bytes.length,
        `${prefix}-byte length prefix`,
        `${bytes.length} bytes`,
      );
    }
    total = frameSize(spec, readLength(spec.length, bytes, 0), 0);
  }
  if (bytes.length < total) {
    throw new FrameError('truncated', bytes.length, `${total} bytes`, `${bytes.length} bytes`);
  }
  if (bytes.length > total) {
    throw new FrameError('trailing-bytes', total, `end of frame`, `${bytes.length - total} more bytes`);
  }
  let at = prefix;
  const frame: Frame = { body: Buffer.alloc(0) };
  if (spec.tpdu) {
    const address = (from: number) => bytes.toString('hex', from, from + 2).toUpperCase();
    frame.tpdu = { id: bytes[at]!, destination: address(at + 1), source: address(at + 3) };
    at += TPDU_LENGTH;
  }
  if (spec.headerLength > 0) {
    frame.header = bytes.subarray(at, at + spec.headerLength);
    at += spec.headerLength;
  }
  frame.body = bytes.subarray(at, total);
  return frame;
}

/** The TPDU a host puts on its answer: source and destination swapped. */
export function replyTpdu(tpdu: Tpdu): Tpdu {
  return { id: tpdu.id, destination: tpdu.source, source: tpdu.destination };
}

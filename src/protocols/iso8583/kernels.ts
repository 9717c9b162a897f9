import { type Align, bcdSize, readBcd, writeBcd } from './bcd.js';
import { bytesToHex, hexToBytes, type Reader, type Writer } from './bytes.js';
import { type Charset, decodeText, isRepresentable, LATIN1_TO_EBCDIC, textBytes } from './charsets.js';
import { Iso8583Error, show } from './errors.js';
import type { ResolvedField } from './field-spec.js';
import { latin1Slice, writeLatin1 } from './short-text.js';

/**
 * A kernel turns a value string into wire bytes for one (content type × encoding) pair.
 * Units are the value's characters, except for `b` fields where they are bytes (2 hex chars each).
 */
export interface Kernel {
  /** Wire bytes for a value of `units` units. */
  wireSize(units: number): number;
  /** Units carried by `bytes` wire bytes (for byte-counting length prefixes). */
  unitsOf(bytes: number): number;
  /** Units of a value string. */
  unitsOfValue(value: string, path: string): number;
  write(w: Writer, value: string, path: string): void;
  read(r: Reader, units: number, wire: number, path: string): string;
  /** read() itself guarantees the content type (binary kernels yield uppercase hex). */
  readonly checked?: boolean;
}

export function kernelFor(f: ResolvedField): Kernel {
  const { type, enc } = f;
  const numeric = type === 'n' || type === 'z';
  switch (enc) {
    case 'ascii':
    case 'ebcdic':
      if (type === 'b') throw new Error(`content type b cannot use encoding ${enc}; use binary or ascii-hex`);
      return textKernel(f.charset);
    case 'bcd':
    case 'bcd-left': {
      const align: Align = enc === 'bcd' ? 'right' : 'left';
      if (numeric) return bcdKernel(align, f.nibble);
      if (type === 'x+n') return signedBcdKernel(align, f.nibble);
      throw new Error(`encoding ${enc} needs content type n, z or x+n, not ${type}`);
    }
    case 'binary':
      if (type !== 'b') throw new Error(`encoding binary needs content type b, not ${type}`);
      return binaryKernel;
    case 'ascii-hex':
      if (type !== 'b') throw new Error(`encoding ascii-hex needs content type b, not ${type}`);
      return asciiHexKernel;
  }
}

function textKernel(charset: Charset): Kernel {
  const multiByte = charset === 'gbk' || charset === 'utf8';
  // GBK and UTF-8 are ASCII-compatible: plain ASCII text (most of it) takes the Latin-1 path.
  const direct = (v: string) => charset === 'latin1' || (multiByte && isAscii(v));
  return {
    wireSize: (u) => u,
    unitsOf: (b) => b,
    // GBK/UTF-8 lengths (fixed sizes, maxima, byte-counting prefixes) are in bytes, not chars.
    unitsOfValue: multiByte ? (v) => (isAscii(v) ? v.length : textBytes(charset, v).length) : (v) => v.length,
    write(w, value, path) {
      if (direct(value)) {
        w.ensure(value.length);
        if (!writeLatin1(w.buf, w.pos, value))
          throw new Iso8583Error('invalid-value', path, -1, `text in ${charset}`, show(value));
        w.pos += value.length;
        return;
      }
      if (!isRepresentable(charset, value)) {
        throw new Iso8583Error('invalid-value', path, -1, `text in ${charset}`, show(value));
      }
      if (charset === 'ebcdic') {
        w.ensure(value.length);
        for (let i = 0; i < value.length; i++) w.buf[w.pos++] = LATIN1_TO_EBCDIC[value.charCodeAt(i)]!;
        return;
      }
      w.bytes(textBytes(charset, value));
    },
    read(r, _units, wire, path) {
      const start = r.take(wire, path, 'field data');
      const end = start + wire;
      if (charset === 'latin1' || (multiByte && asciiBytes(r.buf, start, end)))
        return latin1Slice(r.buf, start, end);
      return decodeText(charset, r.buf, start, end);
    },
  };
}

function isAscii(v: string): boolean {
  for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) > 0x7f) return false;
  return true;
}

function asciiBytes(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i]! > 0x7f) return false;
  return true;
}

function bcdKernel(align: Align, nibble: number): Kernel {
  return {
    wireSize: bcdSize,
    unitsOf: (b) => b * 2,
    unitsOfValue: (v) => v.length,
    write(w, value, path) {
      w.ensure(bcdSize(value.length));
      w.pos += writeBcd(w.buf, w.pos, value, align, nibble, path);
    },
    read: (r, units, _wire, path) => readBcd(r, units, align, path, 'BCD digits'),
  };
}

/** x+n in BCD (jPOS IFB_AMOUNT): one ASCII sign byte, then the digits packed. */
function signedBcdKernel(align: Align, nibble: number): Kernel {
  const digits = bcdKernel(align, nibble);
  return {
    wireSize: (u) => 1 + bcdSize(u - 1),
    unitsOf: (b) => 1 + (b - 1) * 2,
    unitsOfValue: (v) => v.length,
    write(w, value, path) {
      w.latin1(value.slice(0, 1));
      digits.write(w, value.slice(1), path);
    },
    read(r, units, _wire, path) {
      const start = r.take(1, path, 'amount sign');
      return String.fromCharCode(r.buf[start]!) + readBcd(r, units - 1, align, path, 'BCD digits');
    },
  };
}

const binaryKernel: Kernel = {
  checked: true,
  wireSize: (u) => u,
  unitsOf: (b) => b,
  unitsOfValue: hexUnits,
  write(w, value, path) {
    w.bytes(hexToBytes(value, path));
  },
  read(r, _units, wire, path) {
    const start = r.take(wire, path, 'binary data');
    return bytesToHex(r.buf, start, start + wire);
  },
};

const HEX_CHARS = /^[0-9A-Fa-f]*$/;
/** 1 = digit or uppercase hex letter, 2 = lowercase hex letter, 0 = not hex. */
const HEX_BYTE = new Uint8Array(256);
for (const c of '0123456789ABCDEF') HEX_BYTE[c.charCodeAt(0)] = 1;
for (const c of 'abcdef') HEX_BYTE[c.charCodeAt(0)] = 2;

const asciiHexKernel: Kernel = {
  checked: true,
  wireSize: (u) => u * 2,
  unitsOf: (b) => b / 2,
  unitsOfValue: hexUnits,
  write(w, value, path) {
    // One pass: check, uppercase and write.
    const n = value.length;
    if (n & 1) hexUnits(value, path);
    w.ensure(n);
    const buf = w.buf;
    const pos = w.pos;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      const kind = c < 256 ? HEX_BYTE[c] : 0;
      if (kind === 0) hexUnits(value, path);
      buf[pos + i] = kind === 2 ? c - 0x20 : c;
    }
    w.pos = pos + n;
  },
  read(r, _units, wire, path) {
    const start = r.take(wire, path, 'hex characters');
    const buf = r.buf;
    let lower = false;
    for (let i = start; i < start + wire; i++) {
      const kind = HEX_BYTE[buf[i]!];
      if (kind === 0) {
        const text = buf.toString('latin1', start, start + wire);
        throw new Iso8583Error('invalid-content', path, start, 'hex characters', show(text));
      }
      if (kind === 2) lower = true;
    }
    const text = latin1Slice(buf, start, start + wire);
    return lower ? text.toUpperCase() : text;
  },
};

function hexUnits(value: string, path: string): number {
  if (value.length & 1 || !HEX_CHARS.test(value)) {
    throw new Iso8583Error('invalid-value', path, -1, 'an even number of hex digits', show(value));
  }
  return value.length >> 1;
}

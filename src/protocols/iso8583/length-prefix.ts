import { bcdSize } from './bcd.js';
import type { Reader } from './bytes.js';
import { LATIN1_TO_EBCDIC } from './charsets.js';
import type { PrefixEncoding } from './dialect-schema.js';
import { Iso8583Error, show } from './errors.js';

/** The length prefix of a variable field (L … LLLLLL) in one of its wire encodings. */
export interface LengthPrefix {
  /** Bytes the prefix occupies. */
  readonly size: number;
  /** Largest length it can express. */
  readonly max: number;
  write(buf: Buffer, off: number, n: number): void;
  read(r: Reader, path: string): number;
}

const EBCDIC_DIGIT0 = LATIN1_TO_EBCDIC[0x30]!;

export function lengthPrefix(digits: number, enc: PrefixEncoding): LengthPrefix {
  switch (enc) {
    case 'ascii':
      return charPrefix(digits, 10, 0x30);
    case 'ebcdic':
      return charPrefix(digits, 10, EBCDIC_DIGIT0);
    case 'hex':
      return charPrefix(digits, 16, 0x30);
    case 'binary':
      return binaryPrefix(digits);
    case 'bcd':
    case 'bcd-left':
      return bcdPrefix(digits, enc === 'bcd-left');
  }
}

/** `digits` characters in base 10 or 16 (ASCII/EBCDIC digits, or moov's one-hex-char lengths). */
function charPrefix(digits: number, base: 10 | 16, zero: number): LengthPrefix {
  const max = base ** digits - 1;
  return {
    size: digits,
    max,
    write(buf, off, n) {
      for (let i = digits - 1; i >= 0; i--) {
        const d = n % base;
        buf[off + i] = d < 10 ? zero + d : 0x41 + d - 10;
        n = Math.floor(n / base);
      }
    },
    read(r, path) {
      const start = r.take(digits, path, 'length prefix');
      let n = 0;
      for (let i = start; i < start + digits; i++) {
        const c = r.buf[i]!;
        let d = c - zero;
        if (base === 16 && (d < 0 || d > 9)) d = c >= 0x41 && c <= 0x46 ? c - 0x41 + 10 : -1;
        if (d < 0 || d >= base) {
          throw new Iso8583Error(
            'invalid-length',
            path,
            start,
            `${digits} length digits`,
            show(r.buf.toString('latin1', start, start + digits)),
          );
        }
        n = n * base + d;
      }
      return n;
    },
  };
}

function binaryPrefix(bytes: number): LengthPrefix {
  return {
    size: bytes,
    max: 2 ** (8 * bytes) - 1,
    write(buf, off, n) {
      buf.writeUIntBE(n, off, bytes);
    },
    read(r, path) {
      const start = r.take(bytes, path, 'length prefix');
      return r.buf.readUIntBE(start, bytes);
    },
  };
}

/** Packed BCD length; right-aligned puts the spare nibble first (LLL 8 = 00 08), left-aligned last (00 80). */
function bcdPrefix(digits: number, left: boolean): LengthPrefix {
  const size = bcdSize(digits);
  const shift = left && digits & 1 ? 4 : 0;
  return {
    size,
    max: 10 ** digits - 1,
    write(buf, off, n) {
      let v = n;
      const nibbles: number[] = [];
      for (let i = 0; i < size * 2; i++) {
        nibbles.push(v % 10);
        v = Math.floor(v / 10);
      }
      // nibbles[0] is the units digit; shift moves the pad nibble to the end for left alignment.
      const ordered = nibbles.reverse();
      if (shift) ordered.push(ordered.shift()!);
      for (let i = 0; i < size; i++) buf[off + i] = (ordered[2 * i]! << 4) | ordered[2 * i + 1]!;
    },
    read(r, path) {
      const start = r.take(size, path, 'length prefix');
      let n = 0;
      const total = size * 2;
      for (let i = 0; i < total; i++) {
        if (shift && i === total - 1) break;
        const byte = r.buf[start + (i >> 1)]!;
        const d = i & 1 ? byte & 0x0f : byte >> 4;
        if (d > 9) {
          throw new Iso8583Error(
            'invalid-length',
            path,
            start,
            `${digits} BCD length digits`,
            r.buf.toString('hex', start, start + size),
          );
        }
        n = n * 10 + d;
      }
      return n;
    },
  };
}

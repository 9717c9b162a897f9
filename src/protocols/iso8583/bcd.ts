import type { Reader } from './bytes.js';
import { Iso8583Error, show } from './errors.js';

/**
 * Packed BCD: two digits per byte. "Right-aligned" puts the spare nibble of an odd-length value on
 * the left (the usual numeric form); "left-aligned" puts it on the right (CUP DE22, PANs in many
 * dialects). Nibbles A-F decode as hex letters so track data (D separator) and lenient reads work.
 */
export type Align = 'right' | 'left';

const PAIRS: string[] = [];
for (let i = 0; i < 256; i++) PAIRS.push(i.toString(16).toUpperCase().padStart(2, '0'));

const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  NIBBLE[65 + i] = 10 + i;
  NIBBLE[97 + i] = 10 + i;
}
NIBBLE[61] = 0xd; // '=' in track 2 travels as the nibble D

export function bcdSize(digits: number): number {
  return (digits + 1) >> 1;
}

/** Writes `digits` into buf at off; returns bytes written. Throws on chars that are not nibbles. */
export function writeBcd(
  buf: Buffer,
  off: number,
  digits: string,
  align: Align,
  padNibble: number,
  path: string,
): number {
  const len = digits.length;
  const odd = len & 1;
  let src = 0;
  let out = off;
  if (odd && align === 'right') {
    buf[out++] = (padNibble << 4) | nibble(digits, src++, path);
  }
  const pairsEnd = odd && align === 'left' ? len - 1 : len;
  while (src < pairsEnd) {
    buf[out++] = (nibble(digits, src, path) << 4) | nibble(digits, src + 1, path);
    src += 2;
  }
  if (odd && align === 'left') buf[out++] = (nibble(digits, src, path) << 4) | padNibble;
  return out - off;
}

function nibble(s: string, i: number, path: string): number {
  const c = s.charCodeAt(i);
  const v = c < 128 ? NIBBLE[c]! : -1;
  if (v < 0) throw new Iso8583Error('invalid-value', path, -1, 'BCD digits', show(s));
  return v;
}

/** Reads `digits` nibbles (ceil(digits/2) bytes) from the reader. */
export function readBcd(r: Reader, digits: number, align: Align, path: string, what: string): string {
  const size = (digits + 1) >> 1;
  const start = r.take(size, path, what);
  const buf = r.buf;
  let s = '';
  for (let i = start; i < start + size; i++) s += PAIRS[buf[i]!];
  if (digits & 1) s = align === 'right' ? s.slice(1) : s.slice(0, digits);
  return s;
}

const DIGITS_RE = /^[0-9]*$/;
export function isDigits(s: string): boolean {
  return DIGITS_RE.test(s);
}

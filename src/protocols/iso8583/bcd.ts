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
  if (digits <= MAX_GENERATED) return decoder(digits, align)(buf, start);
  let s = '';
  for (let i = start; i < start + size; i++) s += PAIRS[buf[i]!];
  if (digits & 1) s = align === 'right' ? s.slice(1) : s.slice(0, digits);
  return s;
}

/**
 * Decoders for up to 40 digits, generated once per (digit count, alignment) from numbers only:
 * String.fromCharCode with one argument per nibble is several times faster than concatenation.
 */
type BcdDecoder = (b: Uint8Array, i: number) => string;
const MAX_GENERATED = 40;
const NIBBLE_CHAR = new Uint8Array([...'0123456789ABCDEF'].map((c) => c.charCodeAt(0)));
const DECODERS: Record<Align, BcdDecoder[]> = { right: [], left: [] };

function decoder(digits: number, align: Align): BcdDecoder {
  const cached = DECODERS[align][digits];
  if (cached) return cached;
  const args: string[] = [];
  const skip = digits & 1 ? (align === 'right' ? 0 : digits) : -1;
  for (let n = 0; n < ((digits + 1) >> 1) * 2; n++) {
    if (n === skip) continue;
    args.push(n & 1 ? `c[b[i + ${n >> 1}] & 15]` : `c[b[i + ${n >> 1}] >> 4]`);
  }
  const make = new Function('c', `return (b, i) => String.fromCharCode(${args.join(', ')});`);
  const fn = make(NIBBLE_CHAR) as BcdDecoder;
  DECODERS[align][digits] = fn;
  return fn;
}

const DIGITS_RE = /^[0-9]*$/;
export function isDigits(s: string): boolean {
  return DIGITS_RE.test(s);
}

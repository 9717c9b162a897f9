import type { ContentType, DateFormat } from './dialect-schema.js';

/**
 * What characters each ISO 8583 content type allows, and the date formats fields may declare;
 * both are checked on strict unpack. Kept apart from encodings: an `n` field is digits whether it
 * travels as ASCII, EBCDIC or BCD. Table lookups, not regexes: this runs for every field.
 */
function table(allowed: (c: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = allowed(c) ? 1 : 0;
  return t;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isUpperHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46);

const CLASS: Record<Exclude<ContentType, 'x+n'>, Uint8Array> = {
  n: table(isDigit),
  a: table((c) => isLetter(c) || c === 0x20),
  an: table((c) => isLetter(c) || isDigit(c) || c === 0x20),
  // Printable: no C0 controls or DEL; non-ASCII (GBK/Latin-1 text) is allowed.
  ans: table((c) => c >= 0x20 && c !== 0x7f),
  b: table(isUpperHex),
  // Track data: digits, the '=' separator or its BCD form 'D', and hex letters of encrypted tracks.
  z: table((c) => isUpperHex(c) || c === 0x3d),
};

const WHAT: Record<ContentType, string> = {
  n: 'digits',
  a: 'letters',
  an: 'letters or digits',
  ans: 'printable characters',
  b: 'hex',
  z: 'track characters (0-9, =, D)',
  'x+n': "'C' or 'D' then digits",
};

export function matchesContentType(type: ContentType, value: string): boolean {
  let from = 0;
  let t: Uint8Array;
  if (type === 'x+n') {
    const sign = value.charCodeAt(0);
    if (sign !== 0x43 && sign !== 0x44) return false;
    from = 1;
    t = CLASS.n;
  } else {
    t = CLASS[type];
  }
  const wide = type === 'ans';
  for (let i = from; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0xff ? !wide : t[c] === 0) return false;
  }
  return true;
}

/** The byte table of a single-byte content type (none for x+n, whose first char differs). */
export function byteClass(type: ContentType): Uint8Array | undefined {
  return type === 'x+n' ? undefined : CLASS[type];
}

export function describeContentType(type: ContentType): string {
  return WHAT[type];
}

/** Each date format as [min, max] of its two-digit parts. */
const YY = [0, 99];
const MM = [1, 12];
const DD = [1, 31];
const hh = [0, 23];
const mi = [0, 59];
const DATE: Record<DateFormat, number[][]> = {
  MMDD: [MM, DD],
  hhmmss: [hh, mi, mi],
  YYMM: [YY, MM],
  YYMMDD: [YY, MM, DD],
  MMDDhhmmss: [MM, DD, hh, mi, mi],
  YYMMDDhhmmss: [YY, MM, DD, hh, mi, mi],
};

export function matchesDate(format: DateFormat, value: string): boolean {
  const parts = DATE[format];
  if (value.length !== parts.length * 2) return false;
  for (let i = 0; i < parts.length; i++) {
    const hi = value.charCodeAt(2 * i) - 0x30;
    const lo = value.charCodeAt(2 * i + 1) - 0x30;
    if (hi < 0 || hi > 9 || lo < 0 || lo > 9) return false;
    const v = hi * 10 + lo;
    const [min, max] = parts[i]!;
    if (v < min! || v > max!) return false;
  }
  return true;
}

import type { ContentType, DateFormat } from './dialect-schema.js';

/**
 * What characters each ISO 8583 content type allows, and the date formats fields may declare;
 * both are checked on strict unpack.
 * Kept apart from encodings: an `n` field is digits whether it travels as ASCII, EBCDIC or BCD.
 */
const CLASS: Record<ContentType, RegExp> = {
  n: /^[0-9]*$/,
  a: /^[A-Za-z ]*$/,
  an: /^[A-Za-z0-9 ]*$/,
  // Printable: no C0 controls or DEL; non-ASCII (GBK/Latin-1 text) is allowed.
  ans: /^[^\x00-\x1f\x7f]*$/,
  b: /^[0-9A-F]*$/,
  // Track data: digits, the '=' separator or its BCD form 'D', and hex letters of encrypted tracks.
  z: /^[0-9A-F=]*$/,
  'x+n': /^[CD][0-9]*$/,
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
  return CLASS[type].test(value);
}

export function describeContentType(type: ContentType): string {
  return WHAT[type];
}

const DATE: Record<DateFormat, RegExp> = {
  MMDD: /^(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])$/,
  hhmmss: /^([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]$/,
  YYMM: /^[0-9]{2}(0[1-9]|1[0-2])$/,
  YYMMDD: /^[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])$/,
  MMDDhhmmss: /^(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]$/,
  YYMMDDhhmmss: /^[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]$/,
};

export function matchesDate(format: DateFormat, value: string): boolean {
  return DATE[format].test(value);
}

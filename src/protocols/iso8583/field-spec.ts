import type { Charset } from './charsets.js';
import type {
  CompositeSpec,
  ContentType,
  DateFormat,
  DialectFile,
  Encoding,
  FieldSpecFile,
  PrefixEncoding,
  TypeDefaults,
} from './dialect-schema.js';

/**
 * A field spec with every default applied: the four orthogonal axes (content type, encoding,
 * length prefix, padding) spelled out, so the compiler never consults the dialect again.
 */
export interface ResolvedField {
  path: string;
  name: string;
  format: string;
  type: ContentType;
  /** Fixed length, or the maximum of a variable one: characters, digits, or bytes for `b`. */
  length: number;
  enc: Encoding;
  charset: Charset;
  prefix?: { digits: number; enc: PrefixEncoding; unit: 'digits' | 'bytes' };
  pad: { char: string; side: 'left' | 'right' };
  /** Spare nibble value for odd-length BCD. */
  nibble: number;
  mask?: 'pan' | 'hide';
  date?: DateFormat;
  subfields?: CompositeSpec;
}

const FORMAT_RE = /^(n|a|an|ans|b|z|x\+n)(\d+|\.{2,6}\d+)$/;

export function parseFormat(format: string): { type: ContentType; length: number; prefixDigits: number } {
  const m = FORMAT_RE.exec(format);
  if (!m)
    throw new Error(`format ${JSON.stringify(format)} is not ISO notation such as n6, ans..25, b...255`);
  const [, type, len] = m as unknown as [string, ContentType, string];
  const dots = len.lastIndexOf('.') + 1;
  return { type, length: Number(len.slice(dots)), prefixDigits: dots };
}

const BUILTIN: Record<ContentType, { enc: Encoding; pad: { char: string; side: 'left' | 'right' } }> = {
  n: { enc: 'ascii', pad: { char: '0', side: 'left' } },
  'x+n': { enc: 'ascii', pad: { char: '0', side: 'left' } },
  z: { enc: 'ascii', pad: { char: '0', side: 'right' } },
  a: { enc: 'ascii', pad: { char: ' ', side: 'right' } },
  an: { enc: 'ascii', pad: { char: ' ', side: 'right' } },
  ans: { enc: 'ascii', pad: { char: ' ', side: 'right' } },
  b: { enc: 'binary', pad: { char: '0', side: 'right' } },
};

export function resolveField(
  path: string,
  spec: FieldSpecFile,
  defaults: DialectFile['defaults'],
  dialectCharset: Charset,
): ResolvedField {
  const { type, length, prefixDigits } = parseFormat(spec.format);
  const byType: TypeDefaults = defaults?.[type] ?? {};
  const all: TypeDefaults = defaults?.all ?? {};
  const enc = spec.enc ?? byType.enc ?? all.enc ?? BUILTIN[type].enc;
  const prefixFile = { ...all.prefix, ...byType.prefix, ...spec.prefix };
  // Defaults may restate how many length digits a variable field has (e.g. one hex char), but
  // never turn a fixed field into a variable one; only the field's own prefix can.
  const digits = spec.prefix?.digits ?? (prefixDigits ? (prefixFile.digits ?? prefixDigits) : undefined);
  const resolved: ResolvedField = {
    path,
    name: spec.name ?? '',
    format: spec.format,
    type,
    length,
    enc,
    charset: enc === 'ebcdic' ? 'ebcdic' : (spec.charset ?? byType.charset ?? all.charset ?? dialectCharset),
    pad: spec.pad ?? byType.pad ?? BUILTIN[type].pad,
    nibble: (spec.nibble ?? byType.nibble ?? all.nibble) === 'F' ? 0xf : 0,
  };
  if (digits) {
    resolved.prefix = {
      digits,
      enc: prefixFile.enc ?? 'ascii',
      unit: prefixFile.unit ?? (type === 'n' || type === 'z' || type === 'x+n' ? 'digits' : 'bytes'),
    };
  }
  if (spec.mask && spec.mask !== 'none') resolved.mask = spec.mask;
  if (spec.date) resolved.date = spec.date;
  if (spec.subfields) resolved.subfields = spec.subfields;
  return resolved;
}

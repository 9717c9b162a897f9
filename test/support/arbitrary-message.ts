/**
 * fast-check arbitraries for ISO 8583 messages, derived from a dialect's resolved field specs (never
 * written per dialect), so a new dialect file is covered by the property tests automatically.
 *
 * Every generated value is wire-exact, i.e. what unpack() returns: fixed fields at full length
 * (decode keeps padding), binary as UPPERCASE hex, positional composites as objects, TLV as lists.
 * Each field generator also reports the bytes the field takes on the wire, so composites can keep
 * their content within the parent's maximum without asking the codec under test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { parse as parseYaml } from 'yaml';
import type { DialectFile } from '../../src/protocols/iso8583/dialect-schema.js';
import { parseFormat, resolveField } from '../../src/protocols/iso8583/field-spec.js';
import {
  builtinDialectsDir,
  type Dialect,
  type FieldValue,
  type FramedMessage,
  type IsoMessage,
  mergeDialect,
  type ResolvedField,
  type Subfields,
  type TlvItem,
  type Tpdu,
} from '../../src/protocols/iso8583/index.js';

type ContentType = ResolvedField['type'];
type PrefixEncoding = NonNullable<ResolvedField['prefix']>['enc'];

/** A value plus the bytes its field occupies on the wire (length prefix included). */
interface Sized<V = FieldValue> {
  value: V;
  wire: number;
}

// ---------------------------------------------------------------------------------------------
// Alphabets

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i));
const DIGITS = range(0x30, 0x39);
const LETTERS = [...range(0x41, 0x5a), ...range(0x61, 0x7a), ' '];
const PRINTABLE_ASCII = range(0x20, 0x7e);
// Latin-1 letters and symbols: one byte each in latin1 and EBCDIC (cp037 is a permutation).
const LATIN1_EXTRA = range(0xa0, 0xff);
const HEX = [...DIGITS, ...range(0x41, 0x46)];

/** Single-byte characters a content type allows (x+n's sign is handled apart). */
function alphabet(type: ContentType, bcd: boolean): string[] {
  switch (type) {
    case 'n':
    case 'x+n':
      return DIGITS;
    case 'a':
      return LETTERS;
    case 'an':
      return [...LETTERS, ...DIGITS];
    case 'ans':
      return PRINTABLE_ASCII;
    case 'b':
      return HEX;
    case 'z':
      // BCD writes '=' as the nibble D and reads it back as 'D', so only D round-trips there.
      return bcd ? [...DIGITS, 'D'] : [...DIGITS, '=', 'D'];
  }
}

const isBcd = (f: ResolvedField) => f.enc === 'bcd' || f.enc === 'bcd-left';
const isText = (f: ResolvedField) => f.enc === 'ascii' || f.enc === 'ebcdic';
const multiByte = (f: ResolvedField) => isText(f) && (f.charset === 'gbk' || f.charset === 'utf8');

function stringOf(chars: readonly string[], length: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...chars), minLength: length, maxLength: length });
}

const hexBytes = (bytes: number) => stringOf(HEX, bytes * 2);

// ---------------------------------------------------------------------------------------------
// A model of the wire sizes (mirrors kernels.ts/length-prefix.ts, kept independent on purpose)

function wireSize(f: ResolvedField, units: number): number {
  if (f.enc === 'binary' || isText(f)) return units;
  if (f.enc === 'ascii-hex') return units * 2;
  return f.type === 'x+n' ? 1 + Math.ceil((units - 1) / 2) : Math.ceil(units / 2);
}

/** Units a byte count decodes to (what unpack derives from a byte-counting prefix). */
function unitsOf(f: ResolvedField, bytes: number): number {
  if (f.enc === 'binary' || isText(f)) return bytes;
  if (f.enc === 'ascii-hex') return bytes / 2;
  return f.type === 'x+n' ? 1 + (bytes - 1) * 2 : bytes * 2;
}

function prefixCapacity(digits: number, enc: PrefixEncoding): number {
  if (enc === 'binary') return 256 ** digits - 1;
  return (enc === 'hex' ? 16 : 10) ** digits - 1;
}

function prefixBytes(digits: number, enc: PrefixEncoding): number {
  return enc === 'bcd' || enc === 'bcd-left' ? Math.ceil(digits / 2) : digits;
}

const prefixSize = (f: ResolvedField) => (f.prefix ? prefixBytes(f.prefix.digits, f.prefix.enc) : 0);

/**
 * Unit counts (chars, digits, or bytes for b) that survive pack/unpack: within the maximum, within
 * what the prefix can express, and decoding back to the same count. For BCD numerics behind a
 * byte-counting prefix that means even lengths only: the spare nibble of an odd length cannot be
 * told apart from a digit once only the byte count travels.
 */
function allowedUnits(f: ResolvedField, min = 0): number[] {
  if (!f.prefix) return [f.length];
  const cap = prefixCapacity(f.prefix.digits, f.prefix.enc);
  const out: number[] = [];
  for (let u = min; u <= f.length; u++) {
    const count = f.prefix.unit === 'digits' ? (f.type === 'b' ? 2 * u : u) : wireSize(f, u);
    const back = f.prefix.unit === 'digits' ? (f.type === 'b' ? count / 2 : count) : unitsOf(f, count);
    if (count <= cap && back === u) out.push(u);
  }
  return out;
}

/** A length from the allowed ones: biased towards small values and the edges (fast-check's integer bias). */
function lengthFrom(allowed: readonly number[]): fc.Arbitrary<number> {
  if (allowed.length === 0) throw new Error('no length fits this field');
  return fc.integer({ min: 0, max: allowed.length - 1 }).map((i) => allowed[i]!);
}

// ---------------------------------------------------------------------------------------------
// Plain (non-composite) fields

// Common CJK ideographs (U+4E00-9FA5): all encodable in GBK (2 bytes) and UTF-8 (3 bytes).
const CJK = fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCharCode(c));

function textBytes(f: ResolvedField, text: string): number {
  if (f.charset === 'gbk') return iconv.encode(text, 'gbk').length;
  if (f.charset === 'utf8') return Buffer.byteLength(text, 'utf8');
  return text.length;
}

/**
 * Printable text of a multi-byte charset (ASCII mixed with CJK) in at most `budget` bytes, or in
 * exactly `budget` bytes (space-filled, as the codec pads) for fixed fields.
 */
function multiByteText(f: ResolvedField, budget: number, exact: boolean): fc.Arbitrary<string> {
  const token = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...PRINTABLE_ASCII) },
    { weight: 1, arbitrary: CJK },
  );
  // `budget` tokens of at least a byte each: enough to fill it, the ones that overflow are skipped.
  return fc.array(token, { minLength: budget, maxLength: budget }).map((tokens) => {
    let text = '';
    let bytes = 0;
    for (const t of tokens) {
      const n = textBytes(f, t);
      if (bytes + n > budget) continue;
      text += t;
      bytes += n;
    }
    return exact ? text + ' '.repeat(budget - bytes) : text;
  });
}

const twoDigits = (min: number, max: number) =>
  fc.integer({ min, max }).map((n) => String(n).padStart(2, '0'));

/** Valid dates and times: a field that declares a date format must carry one. */
function dateValue(format: NonNullable<ResolvedField['date']>): fc.Arbitrary<string> {
  const part: Record<string, fc.Arbitrary<string>> = {
    YY: twoDigits(0, 99),
    MM: twoDigits(1, 12),
    DD: twoDigits(1, 28),
    hh: twoDigits(0, 23),
    mm: twoDigits(0, 59),
    ss: twoDigits(0, 59),
  };
  const parts = format.match(/YY|MM|DD|hh|mm|ss/g)!.map((p) => part[p]!);
  return fc.tuple(...parts).map((ps) => ps.join(''));
}

const DATE_LENGTH = { MMDD: 4, hhmmss: 6, YYMM: 4, YYMMDD: 6, MMDDhhmmss: 10, YYMMDDhhmmss: 12 };

function plainField(f: ResolvedField): fc.Arbitrary<Sized> {
  const sized = (units: number) => (value: string) => ({
    value,
    wire: prefixSize(f) + (multiByte(f) ? textBytes(f, value) : wireSize(f, units)),
  });
  if (f.type === 'b') {
    // Variable binary: 1..length bytes; fixed: exactly length.
    return lengthFrom(allowedUnits(f, 1)).chain((u) => hexBytes(u).map(sized(u)));
  }
  if (f.type === 'x+n') {
    const sign = fc.constantFrom('C', 'D');
    return lengthFrom(allowedUnits(f, 1)).chain((u) =>
      fc
        .tuple(sign, stringOf(DIGITS, u - 1))
        .map(([s, d]) => s + d)
        .map(sized(u)),
    );
  }
  if (f.type === 'n' && f.date && !f.prefix && DATE_LENGTH[f.date] === f.length) {
    return dateValue(f.date).map(sized(f.length));
  }
  if (f.type === 'ans' && multiByte(f)) {
    // GBK/UTF-8 lengths (fixed, maximum, byte-counting prefix) are bytes: budget in bytes.
    return lengthFrom(allowedUnits(f)).chain((budget) => multiByteText(f, budget, !f.prefix).map(sized(0)));
  }
  const chars =
    f.type === 'ans' && (f.charset === 'latin1' || f.charset === 'ebcdic')
      ? [...PRINTABLE_ASCII, ...LATIN1_EXTRA]
      : alphabet(f.type, isBcd(f));
  return lengthFrom(allowedUnits(f)).chain((u) => stringOf(chars, u).map(sized(u)));
}

// ---------------------------------------------------------------------------------------------
// Positional composites (subfields inside the parent's decoded string)

function positionalField(f: ResolvedField, fields: Record<string, { format: string }>): fc.Arbitrary<Sized> {
  const subs = Object.entries(fields)
    .map(([id, s]) => ({ id, ...parseFormat(s.format) }))
    .sort((a, b) => Number(a.id) - Number(b.id));
  const parentChars = new Set(alphabet(f.type, isBcd(f)));
  // Each subfield's text (its own length digits included), in chars the parent can carry too.
  const subText = subs.map((s) => {
    const chars = alphabet(s.type, isBcd(f)).filter((c) => parentChars.has(c));
    if (!s.prefixDigits) return stringOf(chars, s.length).map((v) => ({ v, text: v }));
    if (!DIGITS.every((c) => parentChars.has(c))) throw new Error(`${f.path}: length digits in ${f.type}`);
    return fc
      .integer({ min: 0, max: s.length })
      .chain((n) => stringOf(chars, n))
      .map((v) => ({ v, text: String(v.length).padStart(s.prefixDigits, '0') + v }));
  });
  const allowed = new Set(allowedUnits(f));
  const fits = (n: number) => allowed.has(n);
  const size = (text: string) => prefixSize(f) + wireSize(f, text.length);

  if (!f.prefix) {
    // A fixed parent needs every subfield (the codec refuses a partial value rather than pad the
    // whole and shift the subfields), so generate them all: the text fills the field exactly.
    const full = subs.reduce((n, s) => n + s.length + s.prefixDigits, 0);
    if (subs.some((s) => s.prefixDigits) || full !== f.length) {
      throw new Error(
        `${f.path}: fixed positional field whose subfields do not fill it: extend the generator`,
      );
    }
    return fc.tuple(...subText).map((parts) => {
      const value: Subfields = {};
      parts.forEach((p, i) => {
        value[subs[i]!.id] = p.v;
      });
      return { value, wire: size(parts.map((p) => p.text).join('')) };
    });
  }
  return fc.tuple(fc.integer({ min: 0, max: subs.length }), fc.tuple(...subText)).map(([k, parts]) => {
    // A random prefix of the subfields, shortened until the text fits the parent.
    let n = k;
    const textOf = (m: number) =>
      parts
        .slice(0, m)
        .map((p) => p.text)
        .join('');
    while (n > 0 && !fits(textOf(n).length)) n--;
    const value: Subfields = {};
    for (let i = 0; i < n; i++) value[subs[i]!.id] = parts[i]!.v;
    return { value, wire: size(textOf(n)) };
  });
}

// ---------------------------------------------------------------------------------------------
// Byte composites: BER-TLV, simple TLV, bitmapped subfields

/** Bytes the content of a byte composite may take (its parent counts bytes, or hex digits for b). */
function byteCapacity(f: ResolvedField): number {
  if (!f.prefix) {
    throw new Error(
      `${f.path}: fixed-length ${f.subfields!.kind} field: extend the generator to fill it exactly`,
    );
  }
  return Math.max(...allowedUnits(f));
}

/** The longest prefix of the items that fits `capacity` bytes. */
function fitItems<T>(items: Sized<T>[], capacity: number): Sized<T[]> {
  const value: T[] = [];
  let wire = 0;
  for (const item of items) {
    if (wire + item.wire > capacity) break;
    value.push(item.value);
    wire += item.wire;
  }
  return { value, wire };
}

const berLengthBytes = (n: number) => (n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 4);

// EMV-like primitive tags, one and two bytes (none has the constructed bit 0x20 of the first byte).
const EMV_PRIMITIVE = [
  '82',
  '84',
  '8A',
  '91',
  '95',
  '9A',
  '9C',
  '5F2A',
  '5F34',
  '9F02',
  '9F03',
  '9F10',
  '9F1A',
  '9F26',
  '9F27',
  '9F33',
  '9F34',
  '9F36',
  '9F37',
];

function berPrimitive(maxLength = 40): fc.Arbitrary<Sized<TlvItem>> {
  return fc
    .tuple(fc.constantFrom(...EMV_PRIMITIVE), fc.integer({ min: 0, max: maxLength }))
    .chain(([tag, n]) =>
      hexBytes(n).map((value) => ({ value: { tag, value }, wire: tag.length / 2 + berLengthBytes(n) + n })),
    );
}

/** Issuer script templates (71/72) are constructed: their value is a nested list. */
const berConstructed: fc.Arbitrary<Sized<TlvItem>> = fc
  .tuple(fc.constantFrom('71', '72'), fc.array(berPrimitive(12), { maxLength: 3 }))
  .map(([tag, inner]) => {
    const body = inner.reduce((n, i) => n + i.wire, 0);
    return { value: { tag, value: inner.map((i) => i.value) }, wire: 1 + berLengthBytes(body) + body };
  });

function berTlvField(f: ResolvedField): fc.Arbitrary<Sized> {
  const capacity = byteCapacity(f);
  const item = fc.oneof({ weight: 5, arbitrary: berPrimitive() }, { weight: 1, arbitrary: berConstructed });
  const list = fc.array(item, { maxLength: 12 });
  // A value over 127 bytes needs the long form 81 xx (2-byte tag + 2 length bytes + value).
  const longMax = Math.min(255, capacity - 4);
  const withLong =
    longMax >= 128
      ? fc
          .tuple(fc.integer({ min: 128, max: longMax }), list)
          .chain(([n, rest]) =>
            hexBytes(n).map((value) => [{ value: { tag: '9F10', value }, wire: 4 + n }, ...rest]),
          )
      : list;
  return fc.oneof({ weight: 4, arbitrary: list }, { weight: 1, arbitrary: withLong }).map((items) => {
    const fitted = fitItems(items, capacity);
    return { value: fitted.value, wire: prefixSize(f) + fitted.wire };
  });
}

function simpleTlvField(
  f: ResolvedField,
  tag: { length: number; enc: 'ascii' | 'binary' },
  length: { digits: number; enc: PrefixEncoding },
): fc.Arbitrary<Sized> {
  const capacity = byteCapacity(f);
  const text = tag.enc === 'ascii';
  const tagArb = text ? stringOf([...LETTERS.slice(0, 52), ...DIGITS], tag.length) : hexBytes(tag.length);
  const maxValue = Math.min(40, prefixCapacity(length.digits, length.enc));
  const item = fc.tuple(tagArb, fc.integer({ min: 0, max: maxValue })).chain(([t, n]) =>
    (text ? stringOf(PRINTABLE_ASCII, n) : hexBytes(n)).map((value) => ({
      value: { tag: t, value },
      wire: tag.length + prefixBytes(length.digits, length.enc) + n,
    })),
  );
  return fc.array(item, { maxLength: 8 }).map((items) => {
    const fitted = fitItems(items, capacity);
    return { value: fitted.value, wire: prefixSize(f) + fitted.wire };
  });
}

function bitmappedField(
  dialect: Dialect,
  f: ResolvedField,
  bitmap: { enc: 'binary' | 'hex'; bytes: number },
  fields: Record<string, unknown>,
): fc.Arbitrary<Sized> {
  const capacity = byteCapacity(f);
  const bitmapWire = bitmap.enc === 'hex' ? bitmap.bytes * 2 : bitmap.bytes;
  const subs = Object.keys(fields)
    .map(Number)
    .sort((a, b) => a - b)
    .map((id) => ({ id, arb: fieldValue(dialect, resolveSubfield(dialect, f, id)) }));
  return fc.subarray(subs).chain((chosen) =>
    fc.tuple(...chosen.map((s) => s.arb)).map((values) => {
      // Lowest subfields first, dropping the rest once the parent is full.
      const value: Subfields = {};
      let wire = bitmapWire;
      values.forEach((v, i) => {
        if (wire + v.wire > capacity) return;
        value[chosen[i]!.id] = v.value;
        wire += v.wire;
      });
      return { value, wire: prefixSize(f) + wire };
    }),
  );
}

/**
 * Bitmapped subfields are full field specs, but a Dialect only exposes its top-level resolved
 * specs: re-read the dialect file (and its parents), merge them as the loader does and resolve the
 * subfield with the same function. A top-level field is resolved too and must equal the dialect's
 * own spec, so a drift between this and the loader fails loudly instead of testing the wrong thing.
 */
function resolveSubfield(dialect: Dialect, parent: ResolvedField, id: number): ResolvedField {
  const dirs = [dirname(dialect.file), builtinDialectsDir()];
  const read = (name: string): DialectFile => {
    for (const dir of dirs) {
      for (const ext of ['yaml', 'yml']) {
        const file = join(dir, `${name}.${ext}`);
        if (existsSync(file)) return parseYaml(readFileSync(file, 'utf8')) as DialectFile;
      }
    }
    throw new Error(`dialect file for ${name} not found`);
  };
  let merged = read(dialect.lineage.at(-1) ?? dialect.id);
  for (const name of [...dialect.lineage.slice(0, -1)].reverse()) merged = mergeDialect(merged, read(name));
  if (dialect.lineage.length) merged = mergeDialect(merged, read(dialect.id));
  const top = merged.fields?.[parent.path];
  const check = top && resolveField(parent.path, top, merged.defaults, dialect.charset);
  if (!check || JSON.stringify(check) !== JSON.stringify(parent)) {
    throw new Error(`${parent.path}: re-resolved spec differs from the dialect's; fix resolveSubfield`);
  }
  const sub = top.subfields;
  if (sub?.kind !== 'bitmap' || !sub.fields[id])
    throw new Error(`${parent.path}.${id}: not a bitmapped subfield`);
  return resolveField(`${parent.path}.${id}`, sub.fields[id]!, merged.defaults, dialect.charset);
}

// ---------------------------------------------------------------------------------------------
// Public arbitraries

function fieldValue(dialect: Dialect, f: ResolvedField): fc.Arbitrary<Sized> {
  const sub = f.subfields;
  switch (sub?.kind) {
    case undefined:
      return plainField(f);
    case 'positional':
      return positionalField(f, sub.fields);
    case 'ber-tlv':
      return berTlvField(f);
    case 'tlv':
      return simpleTlvField(f, sub.tag, sub.length);
    case 'bitmap':
      return bitmappedField(dialect, f, sub.bitmap, sub.fields);
  }
}

/** A valid value for data element `id` of the dialect, as unpack() returns it. */
export function arbitraryFieldValue(dialect: Dialect, id: number): fc.Arbitrary<FieldValue> {
  const spec = dialect.field(id);
  if (!spec) throw new Error(`${dialect.id}: no field ${id}`);
  return fieldValue(dialect, spec).map((s) => s.value);
}

export interface MessageOptions {
  /** Most fields in one message (default 12): keeps messages within frame limits and runs fast. */
  maxFields?: number;
}

/**
 * A random MTI and a random subset of the dialect's fields with valid values. Half of the messages
 * draw only from DE2-64 (no secondary bitmap), the others from every field (DE65+ when defined).
 */
export function arbitraryMessage(dialect: Dialect, options: MessageOptions = {}): fc.Arbitrary<IsoMessage> {
  const maxFields = options.maxFields ?? 12;
  const ids = [...dialect.codec.fields.keys()].sort((a, b) => a - b);
  const gens = new Map(ids.map((id) => [id, fieldValue(dialect, dialect.field(id)!)]));
  const primary = ids.filter((id) => id <= 64);
  const chosen = fc.oneof(
    fc.subarray(primary, { maxLength: maxFields }),
    fc.subarray(ids, { maxLength: maxFields }),
  );
  const mti = stringOf(DIGITS, 4);
  return fc
    .tuple(
      mti,
      chosen.chain((picked) =>
        fc.tuple(...picked.map((id) => gens.get(id)!.map((v) => [id, v.value] as const))),
      ),
    )
    .map(([m, entries]) => ({ mti: m, fields: Object.fromEntries(entries) }));
}

export const arbitraryTpdu: fc.Arbitrary<Tpdu> = fc.record({
  id: fc.integer({ min: 0, max: 255 }),
  destination: hexBytes(2),
  source: hexBytes(2),
});

/** A message with the TPDU and network header its dialect's framing carries (none without framing). */
export function arbitraryFramed(dialect: Dialect, options: MessageOptions = {}): fc.Arbitrary<FramedMessage> {
  const framing = dialect.framing;
  return fc.record({
    message: arbitraryMessage(dialect, options),
    ...(framing?.tpdu && { tpdu: arbitraryTpdu }),
    ...(framing && framing.headerLength > 0 && { header: hexBytes(framing.headerLength) }),
  }) as fc.Arbitrary<FramedMessage>;
}

import { Reader, type Writer } from './bytes.js';
import type { Composite } from './composite/types.js';
import { byteClass, describeContentType, matchesContentType, matchesDate } from './content-types.js';
import { Iso8583Error, show } from './errors.js';
import type { ResolvedField } from './field-spec.js';
import { kernelFor } from './kernels.js';
import { lengthPrefix } from './length-prefix.js';
import { hidden, maskPan } from './mask.js';
import { checkedLatin1, latin1Slice, writeLatin1 } from './short-text.js';
import type { FieldValue } from './values.js';

/** One field compiled from its resolved spec: all decisions are made here, once, not per message. */
export interface FieldCodec {
  readonly spec: ResolvedField;
  pack(w: Writer, value: FieldValue): void;
  unpack(r: Reader, strict: boolean): FieldValue;
}

export type CompositeFactory = (spec: ResolvedField) => Composite;

export function compileField(spec: ResolvedField, makeComposite: CompositeFactory): FieldCodec {
  const { path, type, length, date } = spec;
  const kernel = kernelFor(spec);
  const prefix = spec.prefix ? lengthPrefix(spec.prefix.digits, spec.prefix.enc) : undefined;
  const countsDigits = spec.prefix?.unit === 'digits';
  const composite = spec.subfields ? makeComposite(spec) : undefined;
  if (
    composite?.domain === 'bytes' &&
    spec.enc !== 'binary' &&
    spec.enc !== 'ascii' &&
    spec.enc !== 'ebcdic'
  ) {
    throw new Error(`${spec.subfields!.kind} subfields need a binary or text parent, not ${spec.enc}`);
  }
  const isText = spec.enc === 'ascii' || spec.enc === 'ebcdic';
  const multiByte = isText && (spec.charset === 'gbk' || spec.charset === 'utf8');
  if (multiByte && countsDigits) {
    throw new Error(`charset ${spec.charset} has multi-byte characters: its length prefix must count bytes`);
  }
  const fixedWire = kernel.wireSize(length);
  const padChar = spec.pad.char;
  const padLeft = spec.pad.side === 'left';

  /** Pads a short fixed value; refuses values longer than the spec. */
  function fitToLength(value: string): string {
    const units = kernel.unitsOfValue(value, path);
    if (prefix) {
      if (units > length) throw tooLong(units);
      return value;
    }
    if (units === length) return value;
    if (units > length || type === 'b') throw tooLong(units);
    // Pad by the missing units: for GBK text a char may take two bytes.
    const padded = value.length + (length - units);
    // x+n: the sign stays first, the digits get the zeros (D100 -> D00000100).
    if (type === 'x+n') return value.slice(0, 1) + value.slice(1).padStart(padded - 1, padChar);
    return padLeft ? value.padStart(padded, padChar) : value.padEnd(padded, padChar);
  }

  function tooLong(units: number): Iso8583Error {
    const what = prefix ? `at most ${length}` : `exactly ${length}`;
    return new Iso8583Error(
      'invalid-value',
      path,
      -1,
      `${what} ${type === 'b' ? 'bytes' : 'chars'}`,
      `${units}`,
    );
  }

  /** Writes the content; returns its length in characters (what a digit-counting prefix holds). */
  function writeContent(w: Writer, value: FieldValue): number {
    if (composite?.domain === 'bytes') {
      const start = w.pos;
      composite.write(w, value, path);
      return type === 'b' ? (w.pos - start) * 2 : kernel.unitsOf(w.pos - start);
    }
    const text = composite ? composite.encode(value, path) : value;
    if (typeof text !== 'string') {
      throw new Iso8583Error(
        'invalid-value',
        path,
        -1,
        'a string',
        Array.isArray(text) ? 'a list' : 'an object',
      );
    }
    const fitted = fitToLength(text);
    kernel.write(w, fitted, path);
    return fitted.length;
  }

  function pack(w: Writer, value: FieldValue): void {
    if (!prefix) {
      const start = w.pos;
      writeContent(w, value);
      if (w.pos - start !== fixedWire) {
        throw new Iso8583Error('invalid-value', path, -1, `${fixedWire} bytes`, `${w.pos - start} bytes`);
      }
      return;
    }
    w.ensure(prefix.size);
    const at = w.pos;
    w.pos += prefix.size;
    const chars = writeContent(w, value);
    const n = countsDigits ? chars : w.pos - at - prefix.size;
    if (n > prefix.max)
      throw new Iso8583Error('invalid-value', path, -1, `a length up to ${prefix.max}`, `${n}`);
    prefix.write(w.buf, at, n);
  }

  /**
   * Reads the length prefix (if any); returns the wire size and leaves the value's size in `units`
   * (a closure variable rather than a returned pair: no allocation per field).
   */
  let units = length;
  function readWire(r: Reader): number {
    if (!prefix) {
      units = length;
      return fixedWire;
    }
    const at = r.pos;
    const n = prefix.read(r, path);
    units = countsDigits ? (type === 'b' ? n / 2 : n) : kernel.unitsOf(n);
    if (units > length || !Number.isInteger(units)) {
      const unit = countsDigits ? 'digits' : 'bytes';
      throw new Iso8583Error('invalid-length', path, at, `a length up to ${length}`, `${n} ${unit}`);
    }
    return countsDigits ? kernel.wireSize(units) : n;
  }

  function unpack(r: Reader, strict: boolean): FieldValue {
    const wire = readWire(r);
    const start = r.pos;
    if (composite?.domain === 'bytes') {
      r.take(wire, path, 'field data');
      return composite.read(new Reader(r.buf, start, start + wire), path, strict);
    }
    const text = kernel.read(r, units, wire, path);
    // Subfields first: their errors name the exact subfield (60.3), not just the field.
    const value = composite ? composite.decode(text, path, start, strict) : text;
    if (strict && !kernel.checked) checkText(text, start);
    return value;
  }

  function checkText(text: string, start: number): void {
    if (!matchesContentType(type, text)) {
      throw new Iso8583Error('invalid-content', path, start, describeContentType(type), show(text));
    }
    // GBK/UTF-8 decoding turns invalid byte sequences into U+FFFD, which would not re-encode.
    if (multiByte && text.includes('\uFFFD')) {
      throw new Iso8583Error('invalid-content', path, start, `valid ${spec.charset} text`, show(text));
    }
    checkDate(text, start);
  }

  function checkDate(text: string, start: number): void {
    if (date && !matchesDate(date, text)) {
      throw new Iso8583Error('invalid-content', path, start, `a ${date} date`, show(text));
    }
  }

  /**
   * The common case, plain ASCII text or digits: check the bytes against the content type's table
   * as they are read into one string (short-text.ts). Same results and errors as unpack().
   */
  const allowed = byteClass(type);
  function unpackAscii(r: Reader, strict: boolean): FieldValue {
    const wire = prefix ? readWire(r) : fixedWire;
    const start = r.pos;
    const end = start + wire;
    if (end > r.end) r.take(wire, path, 'field data'); // throws the truncation error
    r.pos = end;
    const buf = r.buf;
    if (!strict) return latin1Slice(buf, start, end);
    if (!allowed) {
      const text = latin1Slice(buf, start, end);
      checkText(text, start);
      return text;
    }
    const text = checkedLatin1(buf, start, end, allowed);
    if (text === undefined) {
      checkText(buf.toString('latin1', start, end), start); // throws the content error
      throw new Error(`${path}: byte class and content type disagree`);
    }
    checkDate(text, start);
    return text;
  }

  /**
   * pack() for plain ASCII text or digits, in one function: no kernel or length-counting calls per
   * field (a host encodes a dozen such fields per answer). Same bytes and errors as pack().
   */
  function packAscii(w: Writer, value: FieldValue): void {
    if (typeof value !== 'string') {
      pack(w, value); // throws its error
      return;
    }
    const text = prefix || value.length !== length ? fitToLength(value) : value;
    const n = text.length;
    const head = prefix ? prefix.size : 0;
    w.ensure(head + n);
    const at = w.pos;
    const buf = w.buf;
    const pos = at + head;
    if (!writeLatin1(buf, pos, text))
      throw new Iso8583Error('invalid-value', path, -1, 'text in latin1', show(text));
    w.pos = pos + n;
    if (!prefix) return;
    if (n > prefix.max)
      throw new Iso8583Error('invalid-value', path, -1, `a length up to ${prefix.max}`, `${n}`);
    prefix.write(buf, at, n);
  }

  const plainAscii = isPlainText(spec);
  const codec = plainAscii ? { spec, pack: packAscii, unpack: unpackAscii } : { spec, pack, unpack };
  const secret = sensitivity(spec);
  return secret ? guarded(codec, secret) : codec;
}

/** ASCII text in Latin-1 with no subfields: one byte per character, read and written as is. */
export function isPlainText(spec: ResolvedField): boolean {
  return !spec.subfields && spec.enc === 'ascii' && spec.charset === 'latin1';
}

/**
 * How a field's value must show in an error, if it holds card data: its own mask (a PAN keeps its
 * first 6 and last 4), or hidden when only some of its subfields are secret (a TLV with track 2
 * equivalent, a positional field with a masked part): an error may quote any of the bytes.
 */
function sensitivity(spec: ResolvedField): 'pan' | 'hide' | undefined {
  if (spec.mask) return spec.mask;
  const sub = spec.subfields;
  if (!sub) return undefined;
  if ('hide' in sub && sub.hide && sub.hide.length > 0) return 'hide';
  if (sub.kind === 'positional' && Object.values(sub.fields).some((f) => f.mask)) return 'hide';
  return undefined;
}

/**
 * The codec of a field holding card data, whose errors never quote the value in clear. Errors
 * reach journals, logs and reports (a terminal sending a malformed PAN is exactly what a test
 * finds), and they say what was found: masked here like the field itself is everywhere else.
 */
function guarded(codec: FieldCodec, mask: 'pan' | 'hide'): FieldCodec {
  const safe = (err: unknown) =>
    err instanceof Iso8583Error
      ? new Iso8583Error(err.code, err.path, err.offset, err.expected, maskedFound(err.found, mask))
      : err;
  return {
    spec: codec.spec,
    pack(w, value) {
      try {
        codec.pack(w, value);
      } catch (err) {
        throw safe(err);
      }
    },
    unpack(r, strict) {
      try {
        return codec.unpack(r, strict);
      } catch (err) {
        throw safe(err);
      }
    },
  };
}

/** What an error found, masked: quoted values (see `show`) only; a length or a kind says no card data. */
function maskedFound(found: string, mask: 'pan' | 'hide'): string {
  if (!found.startsWith('"')) return found;
  const clipped = found.endsWith('…"');
  let text: string;
  try {
    text = JSON.parse(clipped ? `${found.slice(0, -2)}"` : found) as string;
  } catch {
    return '[hidden]';
  }
  if (mask === 'hide') return hidden(text, false).replace(' chars]', `${clipped ? '+' : ''} chars]`);
  return show(`${maskPan(text)}${clipped ? '…' : ''}`, Number.POSITIVE_INFINITY);
}

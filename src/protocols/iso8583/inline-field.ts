import { byteClass } from './content-types.js';
import type { DateFormat } from './dialect-schema.js';
import { type FieldCodec, isPlainText } from './field-codec.js';
import { SHORT_TEXT_MAX } from './short-text.js';

/**
 * A field the per-dialect decoder and encoder read and write in their own code: plain Latin-1 text
 * with a byte table for its content type, fixed (up to SHORT_TEXT_MAX) or behind ASCII length
 * digits. Anything else, and any value the inline code would not accept as is, goes through the
 * field's own codec, which gives the same result or throws the error.
 */
export interface InlineField {
  /** The fixed length, or the most a variable field holds: characters, one byte each. */
  length: number;
  /** ASCII length digits before the value; 0 for a fixed field. */
  prefixDigits: number;
  /** The content type's byte class: 1 = allowed. */
  table: Uint8Array;
  date?: DateFormat;
}

export function inlineField(codec: FieldCodec): InlineField | undefined {
  const { spec } = codec;
  if (!isPlainText(spec)) return undefined;
  const table = byteClass(spec.type);
  if (!table) return undefined;
  const prefixDigits = spec.prefix?.digits ?? 0;
  if (spec.prefix && spec.prefix.enc !== 'ascii') return undefined;
  // A variable field longer than its prefix can count is refused by the codec; leave that to it.
  if (prefixDigits > 0 && spec.length > 10 ** prefixDigits - 1) return undefined;
  if (prefixDigits === 0 && spec.length > SHORT_TEXT_MAX) return undefined;
  return { length: spec.length, prefixDigits, table, ...(spec.date && { date: spec.date }) };
}

import { readBitmapBytes, writeBitmapBytes } from '../bitmap.js';
import { Iso8583Error } from '../errors.js';
import type { FieldCodec } from '../field-codec.js';
import type { Subfields } from '../values.js';
import type { BytesComposite } from './types.js';

/**
 * Subfields announced by their own bitmap (Mastercard DE48, Postilion DE127): each subfield is a
 * full field spec, compiled like a data element, so every encoding and prefix works inside too.
 * Bit 1 is an ordinary subfield here: these bitmaps have no continuation bit.
 */
export function bitmapped(
  bitmap: { enc: 'binary' | 'hex'; bytes: number },
  fields: Map<number, FieldCodec>,
): BytesComposite {
  const bits = bitmap.bytes * 8;
  return {
    domain: 'bytes',
    read(r, path, strict) {
      const bm = new Uint8Array(bitmap.bytes);
      readBitmapBytes(r, bitmap.enc, bitmap.bytes, `${path}.bitmap`, bm, 0);
      const out: Subfields = {};
      for (let id = 1; id <= bits; id++) {
        if (!(bm[(id - 1) >> 3]! & (0x80 >> ((id - 1) & 7)))) continue;
        const codec = fields.get(id);
        if (!codec) {
          throw new Iso8583Error(
            'undefined-field',
            `${path}.${id}`,
            r.pos,
            'a subfield the dialect defines',
            `bit ${id}`,
          );
        }
        out[id] = codec.unpack(r, strict);
      }
      return out;
    },
    write(w, value, path) {
      if (typeof value !== 'object' || Array.isArray(value)) {
        const found = Array.isArray(value) ? 'a list' : 'text';
        throw new Iso8583Error('invalid-value', path, -1, 'subfields by number', found);
      }
      const ids = Object.keys(value)
        .map(Number)
        .sort((a, b) => a - b);
      const bm = new Uint8Array(bitmap.bytes);
      for (const id of ids) {
        if (!fields.has(id))
          throw new Iso8583Error('invalid-value', `${path}.${id}`, -1, 'a defined subfield', `${id}`);
        bm[(id - 1) >> 3]! |= 0x80 >> ((id - 1) & 7);
      }
      writeBitmapBytes(w, bitmap.enc, bm, bitmap.bytes);
      for (const id of ids) fields.get(id)!.pack(w, value[id]!);
    },
  };
}

import { readBitmap, writeBitmap } from '../bitmap.js';
import { Iso8583Error } from '../errors.js';
import type { FieldCodec } from '../field-codec.js';
import type { Subfields } from '../values.js';
import type { BytesComposite } from './types.js';

/**
 * Subfields announced by their own bitmap (Mastercard DE48, Postilion DE127): each subfield is a
 * full field spec, compiled like a data element, so every encoding and prefix works inside too.
 */
export function bitmapped(
  bitmap: { enc: 'binary' | 'hex'; bytes: number },
  fields: Map<number, FieldCodec>,
): BytesComposite {
  const bits = bitmap.bytes * 8;
  return {
    domain: 'bytes',
    read(r, path, strict) {
      const present = readBitmap(r, bitmap.enc, bitmap.bytes, `${path}.bitmap`);
      const out: Subfields = {};
      for (let i = 1; i <= bits; i++) {
        if (!present[i]) continue;
        const codec = fields.get(i);
        if (!codec) {
          throw new Iso8583Error(
            'undefined-field',
            `${path}.${i}`,
            r.pos,
            'a subfield the dialect defines',
            `bit ${i}`,
          );
        }
        out[i] = codec.unpack(r, strict);
      }
      return out;
    },
    write(w, value, path) {
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw new Iso8583Error(
          'invalid-value',
          path,
          -1,
          'subfields by number',
          Array.isArray(value) ? 'a list' : 'text',
        );
      }
      const ids = Object.keys(value).map(Number);
      const present = new Uint8Array(bits + 1);
      for (const id of ids) {
        if (!fields.has(id))
          throw new Iso8583Error('invalid-value', `${path}.${id}`, -1, 'a defined subfield', `${id}`);
        present[id] = 1;
      }
      writeBitmap(w, bitmap.enc, bitmap.bytes, present);
      for (const id of ids.sort((a, b) => a - b)) fields.get(id)!.pack(w, value[id]!);
    },
  };
}

import { Buffer } from 'node:buffer';
import { bytesToHex, hexToBytes } from '../bytes.js';
import type { PrefixEncoding } from '../dialect-schema.js';
import { Iso8583Error, show } from '../errors.js';
import { lengthPrefix } from '../length-prefix.js';
import type { TlvItem } from '../values.js';
import type { BytesComposite } from './types.js';

/**
 * Fixed-size tag + fixed-size length TLV (private-use fields such as CUP DE59/DE63 or
 * Mastercard DE48 subelements). ASCII tags carry text values; binary tags carry hex values.
 */
export function simpleTlv(
  tag: { length: number; enc: 'ascii' | 'binary' },
  length: { digits: number; enc: PrefixEncoding },
): BytesComposite {
  const prefix = lengthPrefix(length.digits, length.enc);
  const text = tag.enc === 'ascii';
  return {
    domain: 'bytes',
    read(r, path) {
      const items: TlvItem[] = [];
      while (r.pos < r.end) {
        const at = r.take(tag.length, path, 'TLV tag');
        const name = text ? r.buf.toString('latin1', at, r.pos) : bytesToHex(r.buf, at, r.pos);
        const itemPath = `${path}.${name}`;
        const len = prefix.read(r, itemPath);
        const start = r.take(len, itemPath, 'TLV value');
        items.push({
          tag: name,
          value: text ? r.buf.toString('latin1', start, start + len) : bytesToHex(r.buf, start, start + len),
        });
      }
      return items;
    },
    write(w, value, path) {
      if (!Array.isArray(value))
        throw new Iso8583Error('invalid-value', path, -1, 'a TLV list', typeof value);
      for (const item of value) {
        const itemPath = `${path}.${item.tag}`;
        if (typeof item.value !== 'string') {
          throw new Iso8583Error('invalid-value', itemPath, -1, 'a primitive value', 'nested items');
        }
        const tagBytes = text ? Buffer.from(item.tag, 'latin1') : hexToBytes(item.tag, itemPath);
        if (tagBytes.length !== tag.length) {
          throw new Iso8583Error('invalid-value', itemPath, -1, `a ${tag.length}-byte tag`, show(item.tag));
        }
        const data = text ? Buffer.from(item.value, 'latin1') : hexToBytes(item.value, itemPath);
        if (data.length > prefix.max) {
          throw new Iso8583Error(
            'invalid-value',
            itemPath,
            -1,
            `at most ${prefix.max} bytes`,
            `${data.length}`,
          );
        }
        w.bytes(tagBytes);
        w.ensure(prefix.size);
        prefix.write(w.buf, w.pos, data.length);
        w.pos += prefix.size;
        w.bytes(data);
      }
    },
  };
}

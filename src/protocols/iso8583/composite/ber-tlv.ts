import { bytesToHex, hexToBytes, Reader, Writer } from '../bytes.js';
import { Iso8583Error } from '../errors.js';
import type { TlvItem } from '../values.js';
import type { BytesComposite } from './types.js';

/**
 * BER-TLV as EMV uses it in DE55: multi-byte tags (low 5 bits of the first byte all set), short
 * and long (81/82/83) lengths, constructed tags (bit 6 of the first byte) decoded into nested items.
 */
export const berTlv: BytesComposite = {
  domain: 'bytes',
  read(r, path) {
    return readItems(r, path);
  },
  write(w, value, path) {
    if (!Array.isArray(value)) throw new Iso8583Error('invalid-value', path, -1, 'a TLV list', typeof value);
    writeItems(w, value, path);
  },
};

function readItems(r: Reader, path: string): TlvItem[] {
  const items: TlvItem[] = [];
  while (r.pos < r.end) {
    const tagStart = r.take(1, path, 'TLV tag');
    if ((r.buf[tagStart]! & 0x1f) === 0x1f) {
      let b: number;
      do b = r.buf[r.take(1, path, 'TLV tag continuation')]!;
      while (b & 0x80);
    }
    const tag = bytesToHex(r.buf, tagStart, r.pos);
    const itemPath = `${path}.${tag}`;
    const len = readLength(r, itemPath);
    const start = r.take(len, itemPath, 'TLV value');
    if (r.buf[tagStart]! & 0x20) {
      items.push({ tag, value: readItems(new Reader(r.buf, start, start + len), itemPath) });
    } else {
      items.push({ tag, value: bytesToHex(r.buf, start, start + len) });
    }
  }
  return items;
}

function readLength(r: Reader, path: string): number {
  const at = r.take(1, path, 'TLV length');
  const first = r.buf[at]!;
  if (first < 0x80) return first;
  const n = first & 0x7f;
  if (n === 0 || n > 3) {
    throw new Iso8583Error(
      'invalid-length',
      path,
      at,
      'a BER length (< 80, or 81-83 + bytes)',
      first.toString(16),
    );
  }
  return r.buf.readUIntBE(r.take(n, path, 'TLV length'), n);
}

function writeItems(w: Writer, items: TlvItem[], path: string): void {
  for (const item of items) {
    const itemPath = `${path}.${item.tag}`;
    const tag = hexToBytes(item.tag, itemPath);
    if (tag.length === 0) throw new Iso8583Error('invalid-value', itemPath, -1, 'a tag', 'an empty tag');
    let value: Buffer;
    if (Array.isArray(item.value)) {
      const inner = new Writer(256);
      writeItems(inner, item.value, itemPath);
      value = inner.take();
    } else {
      value = hexToBytes(item.value, itemPath);
    }
    w.bytes(tag);
    writeLength(w, value.length);
    w.bytes(value);
  }
}

function writeLength(w: Writer, len: number): void {
  w.ensure(4);
  if (len < 0x80) {
    w.buf[w.pos++] = len;
    return;
  }
  const n = len < 0x100 ? 1 : len < 0x10000 ? 2 : 3;
  w.buf[w.pos++] = 0x80 | n;
  w.buf.writeUIntBE(len, w.pos, n);
  w.pos += n;
}

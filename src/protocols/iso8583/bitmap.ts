import type { Reader, Writer } from './bytes.js';
import { Iso8583Error, show } from './errors.js';

/** One bitmap block as raw bytes into out[at…]: the message codec walks set bits byte by byte. */
export function readBitmapBytes(
  r: Reader,
  enc: 'binary' | 'hex',
  bytes: number,
  path: string,
  out: Uint8Array,
  at: number,
): void {
  if (enc === 'binary') {
    const start = r.take(bytes, path, 'bitmap');
    for (let i = 0; i < bytes; i++) out[at + i] = r.buf[start + i]!;
    return;
  }
  const start = r.take(bytes * 2, path, 'hex bitmap');
  for (let i = 0; i < bytes; i++) {
    const hi = hexValue(r.buf[start + 2 * i]!);
    const lo = hexValue(r.buf[start + 2 * i + 1]!);
    if (hi < 0 || lo < 0) {
      const found = r.buf.toString('latin1', start, start + bytes * 2);
      throw new Iso8583Error('invalid-content', path, start, 'hex characters', show(found));
    }
    out[at + i] = (hi << 4) | lo;
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

const HEX = '0123456789ABCDEF';

/** Raw bitmap bytes (all blocks) as they go on the wire: raw, or two hex characters per byte. */
export function writeBitmapBytes(w: Writer, enc: 'binary' | 'hex', bm: Uint8Array, bytes: number): void {
  w.ensure(bytes * 2);
  const buf = w.buf;
  let pos = w.pos;
  for (let i = 0; i < bytes; i++) {
    const byte = bm[i]!;
    if (enc === 'binary') {
      buf[pos++] = byte;
    } else {
      buf[pos++] = HEX.charCodeAt(byte >> 4);
      buf[pos++] = HEX.charCodeAt(byte & 0xf);
    }
  }
  w.pos = pos;
}

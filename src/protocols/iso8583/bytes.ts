import { Iso8583Error, show } from './errors.js';

/** A read cursor over one message; every read is bounds-checked so garbage input fails with a typed error. */
export class Reader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  /** Reserves n bytes and returns their start offset. */
  take(n: number, path: string, what: string): number {
    const start = this.pos;
    if (n > this.end - start) {
      throw new Iso8583Error(
        'truncated',
        path,
        start,
        `${n} bytes of ${what}`,
        `${this.end - start} bytes left`,
      );
    }
    this.pos = start + n;
    return start;
  }
}

/** A growable output buffer, reused across packs (packing is synchronous, so no interleaving). */
export class Writer {
  buf: Buffer;
  pos = 0;
  constructor(size = 2048) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  latin1(text: string): void {
    this.ensure(text.length);
    this.pos += this.buf.write(text, this.pos, 'latin1');
  }

  fill(byte: number, n: number): void {
    this.ensure(n);
    this.buf.fill(byte, this.pos, this.pos + n);
    this.pos += n;
  }

  /** A copy of what was written, so the scratch buffer can be reused. */
  take(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

const HEX_RE = /^(?:[0-9A-Fa-f]{2})*$/;

/** Hex string -> bytes; Buffer.from(hex) silently stops at the first bad char, so check first. */
export function hexToBytes(hex: string, path: string): Buffer {
  if (!HEX_RE.test(hex))
    throw new Iso8583Error('invalid-value', path, -1, 'an even number of hex digits', show(hex));
  return Buffer.from(hex, 'hex');
}

export function bytesToHex(buf: Buffer, start: number, end: number): string {
  return buf.toString('hex', start, end).toUpperCase();
}

import { type Align, bcdSize, readBcd, writeBcd } from './bcd.js';
import { bytesToHex, hexToBytes, latin1Slice, type Reader, type Writer } from './bytes.js';
import { type Charset, decodeText, isRepresentable, LATIN1_TO_EBCDIC, textBytes } from './charsets.js';
import { Iso8583Error, show } from './errors.js';
import type { ResolvedField } from './field-spec.js';

/**
 * A kernel turns a value string into wire bytes for one (content type × encoding) pair.
 * Units are the value's characters, except for `b` fields where they are bytes (2 hex chars each).
 */
export interface Kernel {
  /** Wire bytes for a value of `units` units. */
  wireSize(units: number): number;
  /** Units carried by `bytes` wire bytes (for byte-counting length prefixes). */
  unitsOf(bytes: number): number;
  /** Units of a value string. */
  unitsOfValue(value: string, path: string): number;
  write(w: Writer, value: string, path: string): void;
  read(r: Reader, units: number, wire: number, path: string): string;
}

export function kernelFor(f: ResolvedField): Kernel {
  const { type, enc } = f;
  const numeric = type === 'n' || type === 'z';
  switch (enc) {
    case 'ascii':
    case 'ebcdic':
      if (type === 'b') throw new Error(`content type b cannot use encoding ${enc}; use binary or ascii-hex`);
      return textKernel(f.charset);
    case 'bcd':
    case 'bcd-left': {
      const align: Align = enc === 'bcd' ? 'right' : 'left';
      if (numeric) return bcdKernel(align, f.nibble);
      if (type === 'x+n') return signedBcdKernel(align, f.nibble);
      throw new Error(`encoding ${enc} needs content type n, z or x+n, not ${type}`);
    }
    case 'binary':
      if (type !== 'b') throw new Error(`encoding binary needs content type b, not ${type}`);
      return binaryKernel;
    case 'ascii-hex':
      if (type !== 'b') throw new Error(`encoding ascii-hex needs content type b, not ${type}`);
      return asciiHexKernel;
  }
}

function textKernel(charset: Charset): Kernel {
  const byteTransparent = charset === 'latin1';
  const multiByte = charset === 'gbk' || charset === 'utf8';
  return {
    wireSize: (u) => u,
    unitsOf: (b) => b,
    // GBK/UTF-8 lengths (fixed sizes, maxima, byte-counting prefixes) are in bytes, not chars.
    unitsOfValue: multiByte ? (v) => textBytes(charset, v).length : (v) => v.length,
    write(w, value, path) {
      if (byteTransparent) {
        // One pass that both checks and writes: faster than Buffer#write for short fields.
        const n = value.length;
        w.ensure(n);
        const buf = w.buf;
        const pos = w.pos;
        for (let i = 0; i < n; i++) {
          const c = value.charCodeAt(i);
          if (c > 0xff) throw new Iso8583Error('invalid-value', path, -1, `text in ${charset}`, show(value));
          buf[pos + i] = c;
        }
        w.pos = pos + n;
        return;
      }
      if (!isRepresentable(charset, value)) {
        throw new Iso8583Error('invalid-value', path, -1, `text in ${charset}`, show(value));
      }
      if (charset === 'ebcdic') {
        w.ensure(value.length);
        for (let i = 0; i < value.length; i++) w.buf[w.pos++] = LATIN1_TO_EBCDIC[value.charCodeAt(i)]!;
        return;
      }
      w.bytes(textBytes(charset, value));
    },
    read(r, _units, wire, path) {
      const start = r.take(wire, path, 'field data');
      return byteTransparent
        ? latin1Slice(r.buf, start, start + wire)
        : decodeText(charset, r.buf, start, start + wire);
    },
  };
}

function bcdKernel(align: Align, nibble: number): Kernel {
  return {
    wireSize: bcdSize,
    unitsOf: (b) => b * 2,
    unitsOfValue: (v) => v.length,
    write(w, value, path) {
      w.ensure(bcdSize(value.length));
      w.pos += writeBcd(w.buf, w.pos, value, align, nibble, path);
    },
    read: (r, units, _wire, path) => readBcd(r, units, align, path, 'BCD digits'),
  };
}

/** x+n in BCD (jPOS IFB_AMOUNT): one ASCII sign byte, then the digits packed. */
function signedBcdKernel(align: Align, nibble: number): Kernel {
  const digits = bcdKernel(align, nibble);
  return {
    wireSize: (u) => 1 + bcdSize(u - 1),
    unitsOf: (b) => 1 + (b - 1) * 2,
    unitsOfValue: (v) => v.length,
    write(w, value, path) {
      w.latin1(value.slice(0, 1));
      digits.write(w, value.slice(1), path);
    },
    read(r, units, _wire, path) {
      const start = r.take(1, path, 'amount sign');
      return String.fromCharCode(r.buf[start]!) + readBcd(r, units - 1, align, path, 'BCD digits');
    },
  };
}

const binaryKernel: Kernel = {
  wireSize: (u) => u,
  unitsOf: (b) => b,
  unitsOfValue: hexUnits,
  write(w, value, path) {
    w.bytes(hexToBytes(value, path));
  },
  read(r, _units, wire, path) {
    const start = r.take(wire, path, 'binary data');
    return bytesToHex(r.buf, start, start + wire);
  },
};

const HEX_CHARS = /^[0-9A-Fa-f]*$/;
const HEX_BYTE = new Uint8Array(256);
for (const c of '0123456789ABCDEFabcdef') HEX_BYTE[c.charCodeAt(0)] = 1;

const asciiHexKernel: Kernel = {
  wireSize: (u) => u * 2,
  unitsOf: (b) => b / 2,
  unitsOfValue: hexUnits,
  write(w, value, path) {
    hexUnits(value, path);
    w.latin1(value.toUpperCase());
  },
  read(r, _units, wire, path) {
    const start = r.take(wire, path, 'hex characters');
    const buf = r.buf;
    for (let i = start; i < start + wire; i++) {
      if (HEX_BYTE[buf[i]!] === 0) {
        const text = buf.toString('latin1', start, start + wire);
        throw new Iso8583Error('invalid-content', path, start, 'hex characters', show(text));
      }
    }
    return latin1Slice(buf, start, start + wire).toUpperCase();
  },
};

function hexUnits(value: string, path: string): number {
  if (value.length & 1 || !HEX_CHARS.test(value)) {
    throw new Iso8583Error('invalid-value', path, -1, 'an even number of hex digits', show(value));
  }
  return value.length >> 1;
}

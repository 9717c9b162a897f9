import { readBcd, writeBcd } from './bcd.js';
import type { Reader, Writer } from './bytes.js';
import { decodeText, textBytes } from './charsets.js';
import { Iso8583Error, show } from './errors.js';
import { latin1Slice } from './short-text.js';

export type MtiEncoding = 'ascii' | 'bcd' | 'ebcdic';

/**
 * Whether ISO 8583 defines an answer to an MTI: a request (message function 0), an advice (2), a
 * notification (4) or an instruction (6) has one; a response or an acknowledgement (odd functions)
 * and the reserved 8 and 9 do not ("MTI + 10" would make an 0210 an 0220, which is an advice).
 */
export function hasResponseMti(mti: string): boolean {
  const fn = mti.charCodeAt(2) - 48;
  return fn >= 0 && fn <= 6 && (fn & 1) === 0;
}

function isMti(s: string): boolean {
  if (s.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** The message type indicator: 4 digits as ASCII, EBCDIC or 2 bytes of packed BCD. */
export function readMti(r: Reader, enc: MtiEncoding): string {
  const start = r.pos;
  let mti: string;
  if (enc === 'bcd') {
    mti = readBcd(r, 4, 'right', 'MTI', 'MTI');
  } else {
    r.take(4, 'MTI', 'MTI');
    mti =
      enc === 'ebcdic' ? decodeText('ebcdic', r.buf, start, start + 4) : latin1Slice(r.buf, start, start + 4);
  }
  if (!isMti(mti)) throw new Iso8583Error('invalid-mti', 'MTI', start, '4 digits', show(mti));
  return mti;
}

export function writeMti(w: Writer, enc: MtiEncoding, mti: string): void {
  if (typeof mti !== 'string' || !isMti(mti)) {
    throw new Iso8583Error('invalid-mti', 'MTI', -1, '4 digits', show(String(mti)));
  }
  if (enc === 'bcd') {
    w.ensure(2);
    w.pos += writeBcd(w.buf, w.pos, mti, 'right', 0, 'MTI');
  } else if (enc === 'ascii') {
    w.latin1(mti);
  } else {
    w.bytes(textBytes('ebcdic', mti));
  }
}

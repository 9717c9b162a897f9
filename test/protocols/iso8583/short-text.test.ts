import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteClass } from '../../../src/protocols/iso8583/content-types.js';
import {
  checkedLatin1,
  latin1Slice,
  SHORT_TEXT_MAX,
  writeLatin1,
} from '../../../src/protocols/iso8583/short-text.js';

// Every generated length and a few past them, at an offset, so that `i + k` indexing is exercised.
const LENGTHS = Array.from({ length: SHORT_TEXT_MAX + 8 }, (_, n) => n);
const bytesOf = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

describe('short text: straight-line Latin-1 per length', () => {
  it('reads what Buffer reads as latin1, at every length', () => {
    for (const n of LENGTHS) {
      fc.assert(
        fc.property(bytesOf(n), fc.nat(5), (bytes, at) => {
          const buf = Buffer.concat([Buffer.alloc(at, 0x41), bytes, Buffer.from('!!')]);
          expect(latin1Slice(buf, at, at + n)).toBe(buf.toString('latin1', at, at + n));
        }),
        { numRuns: 20 },
      );
    }
  });

  it('reads checked text only when every byte is in the class, and refuses it otherwise', () => {
    const digits = byteClass('n')!;
    for (const n of LENGTHS) {
      const text = '0123456789'.repeat(10).slice(0, n);
      const buf = Buffer.from(`#${text}#`, 'latin1');
      expect(checkedLatin1(buf, 1, 1 + n, digits)).toBe(text);
      // One letter anywhere in the field, never in the bytes around it.
      for (let k = 0; k < n; k++) {
        const bad = Buffer.from(buf);
        bad[1 + k] = 0x41;
        expect(checkedLatin1(bad, 1, 1 + n, digits)).toBeUndefined();
      }
    }
    fc.assert(
      fc.property(fc.constantFrom(...LENGTHS), fc.uint8Array({ maxLength: 64 }), (n, noise) => {
        const bytes = Buffer.alloc(n);
        for (let k = 0; k < n; k++) bytes[k] = noise[k % Math.max(1, noise.length)] ?? 0x30;
        const printable = byteClass('ans')!;
        const expected = bytes.every((b) => printable[b] === 1) ? bytes.toString('latin1') : undefined;
        expect(checkedLatin1(bytes, 0, n, printable)).toBe(expected);
      }),
    );
  });

  it('writes Latin-1 text at an offset, and writes nothing when a char is beyond it', () => {
    for (const n of LENGTHS) {
      fc.assert(
        fc.property(
          fc.string({
            unit: fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c)),
            minLength: n,
            maxLength: n,
          }),
          (text) => {
            const buf = Buffer.alloc(n + 4, 0xee);
            expect(writeLatin1(buf, 2, text)).toBe(true);
            expect(buf.toString('latin1', 2, 2 + n)).toBe(text);
            expect([buf[0], buf[1], buf[n + 2], buf[n + 3]]).toEqual([0xee, 0xee, 0xee, 0xee]);
          },
        ),
        { numRuns: 20 },
      );
      if (n === 0) continue;
      const wide = `${'a'.repeat(n - 1)}\u4e2d`;
      const buf = Buffer.alloc(n, 0xee);
      expect(writeLatin1(buf, 0, wide)).toBe(false);
      expect(buf.every((b) => b === 0xee)).toBe(true);
    }
  });
});

import type { Reader } from './bytes.js';
import { matchesDate } from './content-types.js';
import { undefinedElementSet } from './errors.js';
import type { FieldCodec } from './field-codec.js';
import { inlineField } from './inline-field.js';
import { checkedLatin1, checkedReaderOf } from './short-text.js';
import type { FieldValue } from './values.js';

/**
 * Reads the elements a primary and secondary bitmap name, from `r.pos` on, into `fields`; returns
 * the highest element read. `bm` holds the bitmap bytes, `blocks` how many of its 8-byte blocks
 * the message has. Strict: every value is checked as the field codecs check it.
 */
export type ElementDecoder = (
  r: Reader,
  bm: Uint8Array,
  blocks: number,
  fields: Record<string, FieldValue>,
) => number;

/**
 * The element reader of one dialect (128-bit bitmaps), in straight-line code generated from its
 * element numbers and field lengths: one test per bitmap bit, and plain text fields read, checked
 * and stored in place. Counted under callgrind, a field read through its codec costs ~300
 * instructions more than this (a call through one shared site to a closure of each field, the
 * length prefix, the cursor object), and the loop over set bits re-checks its arrays every pass.
 *
 * Only numbers reach the generator (element numbers, lengths, digit counts): no input, no file text.
 * A value the inline code does not accept (too short a message, a bad byte, a bad length) is read
 * again by its field codec, which throws the error the message deserves.
 */
export function elementDecoder(byBit: readonly (FieldCodec | undefined)[]): ElementDecoder {
  const C: (FieldCodec | undefined)[] = [];
  const R: unknown[] = [];
  const T: unknown[] = [];
  const D: unknown[] = [];
  const body: string[] = [];
  for (let k = 0; k < 16; k++) {
    if (k === 8) body.push('if (blocks > 1) {');
    body.push(`b = bm[${k}];`, 'if (b !== 0) {');
    for (let j = 0; j < 8; j++) {
      const id = k * 8 + j + 1;
      if (id === 1) continue; // the secondary bitmap's bit
      body.push(`if (b & ${0x80 >> j}) {`, ...element(id), `max = ${id};`, '}');
    }
    body.push('}');
  }
  body.push('}');

  function element(id: number): string[] {
    const codec = byBit[id];
    if (!codec) return ['r.pos = pos;', `throw U(${id}, pos);`];
    C[id] = codec;
    const slow = [`r.pos = pos;`, `v = C${id}.unpack(r, true);`, 'e = r.pos;'];
    const store = [`f[${id}] = v;`, 'pos = e;'];
    const inline = inlineField(codec);
    if (!inline) return [...slow, ...store];
    T[id] = inline.table;
    const fmt = inline.date;
    if (fmt) D[id] = (v: string) => matchesDate(fmt, v);
    const dated = fmt ? ` || !D${id}(v)` : '';
    const { length, prefixDigits: p } = inline;
    if (p === 0) {
      R[id] = checkedReaderOf(length);
      return [
        `e = pos + ${length};`,
        `if (e > end || (v = R${id}(buf, pos, T${id})) === undefined${dated}) {`,
        ...slow,
        '}',
        ...store,
      ];
    }
    const digits = Array.from({ length: p }, (_, i) => `d${i}`);
    return [
      'n = -1;',
      `s = pos + ${p};`,
      'if (s <= end) {',
      ...digits.map((d, i) => `const ${d} = buf[pos + ${i}] - 48;`),
      `if (${digits.map((d) => `${d} >>> 0 < 10`).join(' && ')}) n = ${digits.reduce((acc, d) => `(${acc}) * 10 + ${d}`)};`,
      '}',
      'e = s + n;',
      `if (n < 0 || n > ${length} || e > end || (v = X(buf, s, e, T${id})) === undefined${dated}) {`,
      ...slow,
      '}',
      ...store,
    ];
  }

  const consts = (name: string, list: unknown[]) =>
    list.flatMap((x, id) => (x ? [`const ${name}${id} = ${name}[${id}];`] : []));
  const source = [
    ...consts('C', C),
    ...consts('R', R),
    ...consts('T', T),
    ...consts('D', D),
    'return function decodeElements(r, bm, blocks, f) {',
    'const buf = r.buf;',
    'const end = r.end;',
    'let pos = r.pos;',
    'let max = 0;',
    'let b, v, e, s, n;',
    ...body,
    'r.pos = pos;',
    'return max;',
    '};',
  ].join('\n');
  return new Function('C', 'R', 'T', 'D', 'X', 'U', source)(C, R, T, D, checkedLatin1, undefinedElementSet);
}

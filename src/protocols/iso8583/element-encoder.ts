import type { Writer } from './bytes.js';
import { undefinedElementHeld } from './errors.js';
import type { FieldCodec } from './field-codec.js';
import { inlineField } from './inline-field.js';
import { writeLatin1, writerOf } from './short-text.js';
import type { FieldValue } from './values.js';

/**
 * Writes the bitmap (primary, and secondary when an element above 64 is held or `bitmaps` asks for
 * it) and then the elements of `fields`, ascending, at `w.pos`. Every key of `fields` must be an
 * element number in canonical form (the codec's `knownFields`, or keys it checked first); an element
 * the dialect does not define is refused before anything is written.
 */
export type ElementEncoder = (w: Writer, fields: Record<string, FieldValue>, bitmaps: number) => void;

const HEX_DIGITS = Uint8Array.from('0123456789ABCDEF', (c) => c.charCodeAt(0));

/**
 * The element writer of one dialect (128-bit bitmaps), in straight-line code generated from its
 * element numbers and field lengths, as element-decoder.ts reads them: one test per element, the
 * bitmap kept in locals, plain text fields written in place. Only numbers reach the generator.
 *
 * The fields are written behind a primary bitmap; the first element above 64 moves them up to make
 * room for the secondary one (once per message, a native copy). A value the inline code does not
 * take as is (to be padded, not a string, not Latin-1, past the buffer's end) goes through its
 * field codec, which writes it or throws its error.
 */
export function elementEncoder(
  byBit: readonly (FieldCodec | undefined)[],
  bitmapEnc: 'binary' | 'hex',
): ElementEncoder {
  const block = bitmapEnc === 'hex' ? 16 : 8;
  const C: (FieldCodec | undefined)[] = [];
  const W: unknown[] = [];
  const refuse: string[] = [];
  const body: string[] = [];
  for (let id = 1; id <= 128; id++) {
    const codec = byBit[id];
    if (!codec) {
      refuse.push(`if (f[${id}] !== undefined) throw U('${id}');`);
      continue;
    }
    C[id] = codec;
    const k = (id - 1) >> 3;
    body.push(`v = f[${id}];`, 'if (v !== undefined) {');
    if (id > 64) body.push('if (!second) {', 'pos = G(w, at, pos);', 'buf = w.buf;', 'second = true;', '}');
    body.push(`m${k} |= ${0x80 >> ((id - 1) & 7)};`, ...element(id, codec), '}');
  }

  function element(id: number, codec: FieldCodec): string[] {
    const slow = [`pos = S(w, C${id}, v, pos);`, 'buf = w.buf;'];
    const inline = inlineField(codec);
    if (!inline) return slow;
    const { length, prefixDigits: p } = inline;
    if (p === 0) {
      W[id] = writerOf(length);
      return [
        `if (typeof v === 'string' && v.length === ${length} && pos + ${length} <= buf.length && W${id}(buf, pos, v)) {`,
        `pos += ${length};`,
        '} else {',
        ...slow,
        '}',
      ];
    }
    const digits = Array.from(
      { length: p },
      (_, i) => `buf[pos + ${i}] = 48 + (((n / ${10 ** (p - 1 - i)}) | 0) % 10);`,
    );
    return [
      `if (typeof v === 'string' && (n = v.length) <= ${length} && pos + ${p} + n <= buf.length && X(buf, pos + ${p}, v)) {`,
      ...digits,
      `pos += ${p} + n;`,
      '} else {',
      ...slow,
      '}',
    ];
  }

  const masks = Array.from({ length: 16 }, (_, k) => `m${k} = 0`).join(', ');
  const put = (k: number) =>
    bitmapEnc === 'hex'
      ? [`buf[at + ${2 * k}] = H[m${k} >> 4];`, `buf[at + ${2 * k + 1}] = H[m${k} & 15];`]
      : [`buf[at + ${k}] = m${k};`];
  const consts = (name: string, list: unknown[]) =>
    list.flatMap((x, id) => (x ? [`const ${name}${id} = ${name}[${id}];`] : []));
  const source = [
    ...consts('C', C),
    ...consts('W', W),
    'return function encodeElements(w, f, bitmaps) {',
    ...refuse,
    'const at = w.pos;',
    `w.ensure(${2 * block});`,
    'let buf = w.buf;',
    'let second = bitmaps >= 2;',
    `let pos = at + (second ? ${2 * block} : ${block});`,
    `let ${masks};`,
    'let v, n;',
    ...body,
    'if (second) m0 |= 0x80;',
    ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap(put),
    'if (second) {',
    ...[8, 9, 10, 11, 12, 13, 14, 15].flatMap(put),
    '}',
    'w.pos = pos;',
    '};',
  ].join('\n');
  const grow = (w: Writer, at: number, pos: number) => {
    w.pos = pos;
    w.ensure(block);
    w.buf.copyWithin(at + 2 * block, at + block, pos);
    return pos + block;
  };
  return new Function('C', 'W', 'X', 'H', 'U', 'S', 'G', source)(
    C,
    W,
    writeLatin1,
    HEX_DIGITS,
    undefinedElementHeld,
    throughCodec,
    grow,
  );
}

/** Writes one value with its field codec at `pos`; returns the position after it. */
function throughCodec(w: Writer, codec: FieldCodec, value: FieldValue, pos: number): number {
  w.pos = pos;
  codec.pack(w, value);
  return w.pos;
}

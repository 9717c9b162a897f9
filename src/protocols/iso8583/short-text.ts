/**
 * Short Latin-1 text, the codec's hottest work: most fields are 2–32 characters. Each length gets
 * straight-line code, generated once from numbers only (no input reaches the generator). In a loop
 * V8 checks a typed array's map and reloads its bounds for every byte, ~33 instructions per byte
 * counted under callgrind; straight-line code checks once, and a byte then costs ~8.
 */

/** Reads `n` bytes at `i`; undefined when a byte's entry in the class table is 0. */
export type CheckedReader = (b: Uint8Array, i: number, t: Uint8Array) => string | undefined;
/** Reads `n` bytes at `i`, unchecked. */
type Reader = (b: Uint8Array, i: number) => string;
/** Writes `s` (of its length) at `p`; false, writing nothing, when a char is beyond Latin-1. */
export type TextWriter = (b: Uint8Array, p: number, s: string) => boolean;

/** Longest field with generated code (track 2 is 37 characters); longer ones loop, or take Buffer's native calls. */
export const SHORT_TEXT_MAX = 64;

const range = (n: number) => Array.from({ length: n }, (_, k) => k);
const READ: Reader[] = [];
const CHECKED: CheckedReader[] = [];
const WRITE: TextWriter[] = [];
for (let n = 0; n <= SHORT_TEXT_MAX; n++) {
  const ks = range(n);
  const loads = ks.map((k) => `const c${k} = b[i + ${k}];`).join('\n');
  const chars = ks.map((k) => `c${k}`).join(', ');
  // String.fromCharCode with one argument per byte: 2–3x faster than Buffer#latin1Slice, whose
  // native call dominates for 2–16 bytes.
  READ.push(new Function('b', 'i', `${loads}\nreturn String.fromCharCode(${chars});`) as Reader);
  const allowed = n === 0 ? '1' : ks.map((k) => `t[c${k}]`).join(' & ');
  CHECKED.push(
    new Function(
      'b',
      'i',
      't',
      `${loads}\nif ((${allowed}) === 0) return undefined;\nreturn String.fromCharCode(${chars});`,
    ) as CheckedReader,
  );
  const codes = ks.map((k) => `const c${k} = s.charCodeAt(${k});`).join('\n');
  const wide = n === 0 ? '0' : ks.map((k) => `c${k}`).join(' | ');
  const stores = ks.map((k) => `b[p + ${k}] = c${k};`).join('\n');
  WRITE.push(
    new Function(
      'b',
      'p',
      's',
      `${codes}\nif ((${wide}) > 255) return false;\n${stores}\nreturn true;`,
    ) as TextWriter,
  );
}

/** The checked reader of exactly `n` bytes (n <= SHORT_TEXT_MAX), for code that knows its length. */
export function checkedReaderOf(n: number): CheckedReader {
  return CHECKED[n]!;
}

/** The writer of exactly `n` characters (n <= SHORT_TEXT_MAX), for code that knows its length. */
export function writerOf(n: number): TextWriter {
  return WRITE[n]!;
}

/** Latin-1 bytes `[start, end)` as a string. */
export function latin1Slice(buf: Buffer, start: number, end: number): string {
  const n = end - start;
  if (n <= SHORT_TEXT_MAX) return READ[n]!(buf, start);
  // latin1Slice skips toString's argument handling; it is not in @types/node.
  return (buf as unknown as { latin1Slice(s: number, e: number): string }).latin1Slice(start, end);
}

/**
 * Latin-1 bytes `[start, end)` as a string, when every byte's entry in `table` (a content type's
 * byte class, 1 = allowed) is 1; undefined otherwise.
 */
export function checkedLatin1(
  buf: Buffer,
  start: number,
  end: number,
  table: Uint8Array,
): string | undefined {
  const n = end - start;
  if (n <= SHORT_TEXT_MAX) return CHECKED[n]!(buf, start, table);
  for (let i = start; i < end; i++) if (table[buf[i]!] === 0) return undefined;
  return latin1Slice(buf, start, end);
}

/** Writes `text` as Latin-1 at `pos` (room checked by the caller); false, writing nothing, when it is not Latin-1. */
export function writeLatin1(buf: Buffer, pos: number, text: string): boolean {
  const n = text.length;
  if (n <= SHORT_TEXT_MAX) return WRITE[n]!(buf, pos, text);
  for (let i = 0; i < n; i++) if (text.charCodeAt(i) > 0xff) return false;
  buf.write(text, pos, n, 'latin1');
  return true;
}

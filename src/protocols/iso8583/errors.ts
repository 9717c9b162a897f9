/**
 * Every failure of the codec is an Iso8583Error: callers (hosts, the CLI, reports) can rely on
 * one shape carrying where it happened (field path and byte offset) and what was expected vs found.
 */
export type Iso8583ErrorCode =
  | 'truncated' // the message ends inside a field
  | 'invalid-length' // a length prefix is not a number, or exceeds the field's maximum
  | 'invalid-content' // bytes that the field's content type or encoding does not allow
  | 'invalid-mti'
  | 'undefined-field' // the bitmap names a field the dialect does not define
  | 'trailing-bytes' // bytes left over after the last field
  | 'invalid-frame' // the length prefix, TPDU or header around the message is wrong
  | 'invalid-value'; // pack: a value that cannot be encoded with the field's spec

export class Iso8583Error extends Error {
  override readonly name = 'Iso8583Error';
  constructor(
    readonly code: Iso8583ErrorCode,
    /** Field path such as `MTI`, `bitmap`, `4`, `60.3` or `55.9F26`. */
    readonly path: string,
    /** Byte offset in the unpacked buffer; -1 when packing. */
    readonly offset: number,
    readonly expected: string,
    readonly found: string,
  ) {
    super(
      offset >= 0
        ? `${label(path)} at byte ${offset}: expected ${expected}, found ${found}`
        : `${label(path)}: expected ${expected}, found ${found}`,
    );
  }
}

function label(path: string): string {
  return /^\d/.test(path) ? `DE${path}` : path;
}

/** Short, safe rendering of bytes or text found on the wire, for error messages. */
export function show(found: string, max = 24): string {
  const clipped = found.length > max ? `${found.slice(0, max)}…` : found;
  return JSON.stringify(clipped);
}

/** Unpack: the bitmap names an element the dialect does not define. */
export function undefinedElementSet(id: number, offset: number): Iso8583Error {
  return new Iso8583Error(
    'undefined-field',
    String(id),
    offset,
    'a field the dialect defines',
    `bit ${id} set`,
  );
}

/** Pack: the message holds an element the dialect does not define (or a key that is no element). */
export function undefinedElementHeld(key: string): Iso8583Error {
  return new Iso8583Error(
    'invalid-value',
    key,
    -1,
    'a field the dialect defines',
    'a field it does not define',
  );
}

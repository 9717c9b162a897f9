/**
 * The decoded shape of a message. Values are wire-exact strings: digits and text as read
 * (fixed fields keep their padding, so unpack(pack(m)) = m and re-encoding is byte-identical),
 * binary as UPPERCASE hex. Composite fields are objects keyed by subfield number, or TLV lists
 * (a list, not an object, because tag order on the wire matters and '82' would sort first).
 */
export interface TlvItem {
  tag: string;
  /** Hex of a primitive tag's value, or the items inside a constructed tag. */
  value: string | TlvItem[];
}

export interface Subfields {
  [id: string]: FieldValue;
}

export type FieldValue = string | Subfields | TlvItem[];

export interface IsoMessage {
  mti: string;
  /** Data elements by number ("2" … "192"); bitmaps are derived from them. */
  fields: Record<string, FieldValue>;
  /**
   * Only when the wire carried more bitmaps than the fields need (a secondary bitmap with no
   * bit set, which some hosts send): pack writes at least this many, so re-encoding is exact.
   */
  bitmaps?: 2 | 3;
}

export function isTlvList(v: FieldValue): v is TlvItem[] {
  return Array.isArray(v);
}

/** Reads a value by path: "4", "60.3", "55.9F26", "48.2.1". */
export function getField(msg: IsoMessage, path: string): FieldValue | undefined {
  // The usual case, an element (`39`), without allocating; a subfield path has a dot after a digit.
  if (path.length < 3 || !path.includes('.')) return msg.fields[path];
  const [head, ...rest] = path.split('.');
  let cur: FieldValue | undefined = msg.fields[head!];
  for (const key of rest) {
    if (cur === undefined || typeof cur === 'string') return undefined;
    cur = isTlvList(cur) ? cur.find((i) => i.tag === key.toUpperCase())?.value : cur[key];
  }
  return cur;
}

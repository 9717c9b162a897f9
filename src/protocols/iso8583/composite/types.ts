import type { Reader, Writer } from '../bytes.js';
import type { FieldValue } from '../values.js';

/**
 * A composite field splits its parent's content into subfields. Positional subfields work on the
 * parent's decoded string (CUP DE60 is packed BCD, so its subfields do not sit on byte boundaries);
 * TLV and bitmapped subfields work on the parent's raw bytes.
 */
export type Composite = StringComposite | BytesComposite;

export interface StringComposite {
  readonly domain: 'string';
  encode(value: FieldValue, path: string): string;
  /** `offset` is the byte offset of the parent's content, for error reports. */
  decode(text: string, path: string, offset: number, strict: boolean): FieldValue;
}

export interface BytesComposite {
  readonly domain: 'bytes';
  write(w: Writer, value: FieldValue, path: string): void;
  /** Reads subfields until r.end; the reader is bounded to the parent's content. */
  read(r: Reader, path: string, strict: boolean): FieldValue;
}

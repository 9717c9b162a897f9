// TCP framing around an ISO 8583 message: [length prefix] [TPDU] [network header] [body].
// Kept apart from the message codec because networks mix and match these independently.

/** 2-byte big-endian binary, 4-byte binary, 4 ASCII digits, 2-byte packed BCD (4 digits); 'none' = no prefix. */
export type LengthPrefixKind = 'none' | 'binary2' | 'binary4' | 'ascii4' | 'bcd2';

export interface FramingSpec {
  length: LengthPrefixKind;
  /** true: the length counts TPDU + header + body; false: only the body (differs per network). */
  lengthIncludesHeader: boolean;
  /** 5 bytes: id (1 byte, usually 0x60), destination (2 bytes), source (2 bytes). */
  tpdu: boolean;
  /** Fixed network header bytes after the TPDU (0 = none). */
  headerLength: number;
  /** Refuse any frame whose declared length exceeds this, before buffering it. */
  maxFrameLength: number;
}

/** destination/source as 4 uppercase hex chars (decoding yields uppercase; encoding accepts either case). */
export interface Tpdu {
  id: number;
  destination: string;
  source: string;
}

export interface Frame {
  tpdu?: Tpdu;
  header?: Buffer;
  body: Buffer;
}

// A framing failure says where it happened in the byte stream, so it is never mistaken for
// a field error in the message codec (DOMAIN.md §1: users of every library complain about that).

export type FrameErrorCode =
  | 'length-invalid'
  | 'length-too-large'
  | 'truncated'
  | 'trailing-bytes'
  | 'header-mismatch';

export class FrameError extends Error {
  override name = 'FrameError';
  readonly code: FrameErrorCode;
  /** Byte offset in the frame (decodeFrame/encodeFrame) or in the TCP stream (FrameStreamDecoder). */
  readonly offset: number;
  readonly expected: string;
  readonly found: string;
  /** The likely cause, when the bytes suggest one (ASCII framing sent to a binary-framed receiver …). */
  readonly hint: string | undefined;

  constructor(code: FrameErrorCode, offset: number, expected: string, found: string, hint?: string) {
    super(`frame: expected ${expected} at byte ${offset}, found ${found}${hint ? ` (${hint})` : ''}`);
    this.code = code;
    this.offset = offset;
    this.expected = expected;
    this.found = found;
    this.hint = hint;
  }
}

// Public API of the ISO 8583 TCP framing layer.
export { decodeFrame, encodeFrame, frameOverhead, replyTpdu, writeFrameHead } from './frame.js';
export { FrameError, type FrameErrorCode } from './frame-error.js';
export { FrameStreamDecoder } from './stream-decoder.js';
export type { Frame, FramingSpec, LengthPrefixKind, Tpdu } from './types.js';

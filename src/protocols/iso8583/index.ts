// Public API of the ISO 8583 codec.

export { describeMessage } from './describe.js';
export type { Dialect, FramedMessage } from './dialect.js';
export {
  builtinDialectsDir,
  type DialectRegistry,
  loadDialects,
  mergeDialect,
  unknownDialect,
  workspaceDialects,
} from './dialect-loader.js';
export type { DialectFile, FieldSpecFile } from './dialect-schema.js';
export { DialectFileSchema } from './dialect-schema.js';
export { Iso8583Error, type Iso8583ErrorCode } from './errors.js';
export type { ResolvedField } from './field-spec.js';
export * from './framing/index.js';
export * from './mac/index.js';
export { CARD_DATA_MASKS, maskMessage, maskPan, maskValue } from './mask.js';
export type { MessageCodec, PackOptions, UnpackOptions } from './message-codec.js';
export { macFieldOf, signMessage, verifyMessageMac } from './message-mac.js';
export { hasResponseMti } from './mti.js';
export { looksLikePan, maskPansInText } from './pan-in-text.js';
export { summarizeMessage } from './summary.js';
export { type FieldValue, getField, type IsoMessage, type Subfields, type TlvItem } from './values.js';

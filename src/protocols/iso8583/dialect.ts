import { Buffer } from 'node:buffer';
import type { Charset } from './charsets.js';
import { describeMessage } from './describe.js';
import type { DialectFile, FieldSpecFile } from './dialect-schema.js';
import { Iso8583Error, type Iso8583ErrorCode } from './errors.js';
import type { ResolvedField } from './field-spec.js';
import {
  decodeFrame,
  type Frame,
  FrameError,
  type FramingSpec,
  frameOverhead,
  type Tpdu,
  writeFrameHead,
} from './framing/index.js';
import type { MacAlgorithm } from './mac/index.js';
import { CARD_DATA_MASKS } from './mask.js';
import {
  compileMessageCodec,
  type MessageCodec,
  type PackOptions,
  type UnpackOptions,
} from './message-codec.js';
import type { IsoMessage } from './values.js';

/** A message with the parts its framing adds around it (length prefix excluded: it is derived). */
export interface FramedMessage {
  tpdu?: Tpdu;
  /** Network header bytes as hex. */
  header?: string;
  message: IsoMessage;
}

/** A loaded, compiled dialect: everything the rest of paymatrix needs to speak it. */
export interface Dialect {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** The file it was loaded from, and the ids it extends (nearest first). */
  readonly file: string;
  readonly lineage: readonly string[];
  readonly charset: Charset;
  readonly framing?: FramingSpec;
  readonly mac?: { field: number; algorithm: MacAlgorithm };
  readonly codec: MessageCodec;
  field(id: number): ResolvedField | undefined;
  pack(msg: IsoMessage, options?: Pick<PackOptions, 'knownFields'>): Buffer;
  unpack(bytes: Uint8Array, options?: UnpackOptions): IsoMessage;
  /** Message plus framing (length prefix, TPDU, header); without framing it equals pack(). */
  packFrame(framed: FramedMessage, options?: Pick<PackOptions, 'knownFields'>): Buffer;
  unpackFrame(bytes: Uint8Array, options?: UnpackOptions): FramedMessage;
  /** Field-by-field dump, card data masked (see describeMessage). */
  describe(message: IsoMessage | FramedMessage): string;
}

export const DEFAULT_MAX_FRAME = 8192;

/**
 * A card-data element the dialect gives no mask is masked anyway (CARD_DATA_MASKS): a dialect that
 * redefines DE2 for a new encoding and leaves out `mask: pan` must not put PANs in clear into
 * journals, logs and reports. `mask: none` opts out.
 */
function withCardDataMask(id: string, spec: FieldSpecFile): FieldSpecFile {
  const mask = CARD_DATA_MASKS[id];
  return mask && spec.mask === undefined ? { ...spec, mask } : spec;
}

export function buildDialect(merged: DialectFile, file: string, lineage: string[]): Dialect {
  const charset = merged.charset ?? 'latin1';
  const fields: Record<string, FieldSpecFile> = {};
  for (const [id, f] of Object.entries(merged.fields ?? {})) if (f) fields[id] = withCardDataMask(id, f);
  const codec = compileMessageCodec({
    mti: merged.mti?.enc ?? 'ascii',
    bitmap: { enc: merged.bitmap?.enc ?? 'binary', tertiary: merged.bitmap?.tertiary ?? false },
    charset,
    defaults: merged.defaults,
    fields,
  });
  const framing: FramingSpec | undefined = merged.framing && {
    length: merged.framing.length,
    lengthIncludesHeader: merged.framing.lengthIncludesHeader ?? true,
    tpdu: merged.framing.tpdu ?? false,
    headerLength: merged.framing.headerLength ?? 0,
    maxFrameLength: merged.framing.maxFrameLength ?? DEFAULT_MAX_FRAME,
  };

  function packFrame(framed: FramedMessage, options?: Pick<PackOptions, 'knownFields'>): Buffer {
    if (!framing) return codec.pack(framed.message, options);
    // The message is encoded after room for the framing, which is then written in place: one copy.
    const room = frameOverhead(framing);
    const out = codec.pack(framed.message, { room, knownFields: options?.knownFields ?? false });
    try {
      const head: Pick<Frame, 'tpdu' | 'header'> = {};
      if (framed.tpdu) head.tpdu = framed.tpdu;
      if (framed.header !== undefined) head.header = Buffer.from(framed.header, 'hex');
      writeFrameHead(framing, out, head, out.length - room);
      return out;
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      throw new Iso8583Error('invalid-frame', 'frame', -1, err.expected, err.found);
    }
  }

  function unpackFrame(bytes: Uint8Array, options?: UnpackOptions): FramedMessage {
    if (!framing) return { message: codec.unpack(bytes, options) };
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
    let frame: ReturnType<typeof decodeFrame>;
    try {
      frame = decodeFrame(framing, buf);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      throw new Iso8583Error('invalid-frame', 'frame', err.offset, err.expected, err.found);
    }
    const bodyOffset = buf.length - frame.body.length;
    let message: IsoMessage;
    try {
      message = codec.unpack(frame.body, options);
    } catch (err) {
      if (!(err instanceof Iso8583Error) || err.offset < 0) throw err;
      // Offsets count from the start of the frame the caller gave us, not from the body.
      throw new Iso8583Error(
        err.code as Iso8583ErrorCode,
        err.path,
        err.offset + bodyOffset,
        err.expected,
        err.found,
      );
    }
    return {
      ...(frame.tpdu && { tpdu: frame.tpdu }),
      ...(frame.header && { header: frame.header.toString('hex').toUpperCase() }),
      message,
    };
  }

  const dialect: Dialect = {
    id: merged.id,
    title: merged.title,
    description: merged.description ?? '',
    file,
    lineage,
    charset,
    ...(framing && { framing }),
    ...(merged.mac && { mac: merged.mac }),
    codec,
    field: (id) => codec.fields.get(id)?.spec,
    pack: codec.pack,
    unpack: codec.unpack,
    packFrame,
    unpackFrame,
    describe: (m) => describeMessage(dialect, 'message' in m ? m : { message: m }),
  };
  return dialect;
}

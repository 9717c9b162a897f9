import { Buffer } from 'node:buffer';
import { readBitmapBytes, writeBitmapBytes } from './bitmap.js';
import { Reader, Writer } from './bytes.js';
import { berTlv } from './composite/ber-tlv.js';
import { bitmapped } from './composite/bitmapped.js';
import { positional } from './composite/positional.js';
import { simpleTlv } from './composite/tlv.js';
import type { Composite } from './composite/types.js';
import type { DialectFile, FieldSpecFile } from './dialect-schema.js';
import { elementDecoder } from './element-decoder.js';
import { elementEncoder } from './element-encoder.js';
import { elementScan } from './element-scan.js';
import { Iso8583Error, undefinedElementHeld, undefinedElementSet } from './errors.js';
import { compileField, type FieldCodec } from './field-codec.js';
import { type ResolvedField, resolveField } from './field-spec.js';
import { type MtiEncoding, readMti, writeMti } from './mti.js';
import type { FieldValue, IsoMessage } from './values.js';

export interface PackOptions {
  /** Bytes (unspecified) before the message: space for framing written in place. */
  room?: number;
  /**
   * The caller vouches that every key of `fields` is an element number in canonical form (`"41"`,
   * never `"041"` or `"200"` for a 128-bit dialect), e.g. a message it built from this dialect's own
   * fields. The encoder then looks the elements up instead of listing the object's keys, which
   * allocates per message; an element the dialect does not define is still refused.
   */
  knownFields?: boolean;
}

export interface UnpackOptions {
  /** Check every value against its content type while decoding (default true). */
  strict?: boolean;
}

/** Message = MTI + bitmap(s) + fields, compiled once per dialect. Framing is not its concern. */
export interface MessageCodec {
  readonly fields: ReadonlyMap<number, FieldCodec>;
  /** What it was compiled from. */
  readonly layout: MessageLayout;
  pack(msg: IsoMessage, options?: PackOptions): Buffer;
  unpack(bytes: Uint8Array, options?: UnpackOptions): IsoMessage;
}

export interface CompileOptions {
  /**
   * Per-dialect generated code for the elements (element-decoder.ts, element-encoder.ts); default
   * true. Off, every element goes through its field codec: the reference the generated code is
   * tested against.
   */
  generated?: boolean;
}

export interface MessageLayout {
  mti: MtiEncoding;
  bitmap: { enc: 'binary' | 'hex'; tertiary: boolean };
  charset: NonNullable<DialectFile['charset']>;
  defaults: DialectFile['defaults'];
  fields: Record<string, FieldSpecFile>;
}

export function compileMessageCodec(layout: MessageLayout, options: CompileOptions = {}): MessageCodec {
  const resolve = (path: string, spec: Parameters<typeof resolveField>[1]) =>
    resolveField(path, spec, layout.defaults, layout.charset);

  function makeComposite(spec: ResolvedField): Composite {
    const sub = spec.subfields!;
    switch (sub.kind) {
      case 'positional':
        return positional(sub.fields, spec.path, !spec.prefix);
      case 'ber-tlv':
        return berTlv;
      case 'tlv':
        return simpleTlv(sub.tag, sub.length);
      case 'bitmap': {
        const inner = new Map<number, FieldCodec>();
        for (const [id, f] of Object.entries(sub.fields)) {
          inner.set(Number(id), compile(resolve(`${spec.path}.${id}`, f)));
        }
        return bitmapped(sub.bitmap, inner);
      }
    }
  }

  function compile(spec: ResolvedField): FieldCodec {
    try {
      return compileField(spec, makeComposite);
    } catch (err) {
      if (err instanceof Error && !err.message.startsWith('field ')) {
        err.message = `field ${spec.path} (${spec.format}): ${err.message}`;
      }
      throw err;
    }
  }

  const fields = new Map<number, FieldCodec>();
  for (const [id, f] of Object.entries(layout.fields)) fields.set(Number(id), compile(resolve(id, f)));

  const { enc: bitmapEnc, tertiary } = layout.bitmap;
  const maxBit = tertiary ? 192 : 128;
  // Flat array lookup: faster than a Map on the per-field hot path.
  const byBit: (FieldCodec | undefined)[] = new Array(maxBit + 1);
  for (const [id, codec] of fields) byBit[id] = codec;
  const structural = (bit: number) => bit === 1 || (tertiary && bit === 65);
  for (const id of fields.keys()) {
    if (id > maxBit || structural(id)) throw new Error(`field ${id}: not a data element with this bitmap`);
  }

  // Scratch state reused across calls: pack and unpack are synchronous, so calls never interleave.
  const unpackBitmap = new Uint8Array(24);
  const writer = new Writer(4096);
  const packBitmap = new Uint8Array(24);
  // The elements of the message being packed: a count into a fixed array, since setting an
  // array's length to 0 is a runtime call and the pushes after it grow the array again.
  const ids = new Int32Array(maxBit);
  const scanElements = elementScan(maxBit, (id) => byBit[id] !== undefined);
  // Per-dialect straight-line code for 128-bit bitmaps (every built-in dialect); a tertiary
  // bitmap takes the loops below.
  const generated = !tertiary && options.generated !== false;
  const encodeElements = generated ? elementEncoder(byBit, bitmapEnc) : undefined;
  const decodeElements = generated ? elementDecoder(byBit) : undefined;

  function pack(msg: IsoMessage, options?: PackOptions): Buffer {
    const room = options?.room ?? 0;
    const w = writer;
    w.pos = 0;
    w.ensure(room);
    w.pos = room;
    writeMti(w, layout.mti, msg.mti);
    const fieldsOf = msg.fields;
    const bm = packBitmap;
    let count = 0;
    let sorted = true;
    if (options?.knownFields) {
      if (encodeElements) {
        encodeElements(w, fieldsOf, msg.bitmaps ?? 1);
        return w.take();
      }
      // Every element number in ascending order: no key list, no sort.
      count = scanElements(fieldsOf, ids);
      if (count < 0) throw undefinedElementHeld(String(-count));
    } else {
      // Object.keys lists integer keys in ascending order: no sort in the usual case.
      const keys = Object.keys(fieldsOf);
      let last = 0;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        if (fieldsOf[key] === undefined) continue;
        const id = +key;
        if (!byBit[id] || String(id) !== key) throw undefinedElementHeld(key);
        if (id < last) sorted = false;
        last = id;
        ids[count++] = id;
      }
      // Every key is now a canonical element number the dialect defines: the generated code's case.
      if (encodeElements) {
        encodeElements(w, fieldsOf, msg.bitmaps ?? 1);
        return w.take();
      }
    }
    if (!sorted) ids.subarray(0, count).sort();
    // Cleared here rather than after use: an encoding error must not leave bits for the next message.
    for (let i = 0; i < bm.length; i++) bm[i] = 0;
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      bm[(id - 1) >> 3]! |= 0x80 >> ((id - 1) & 7);
    }
    const max = count > 0 ? ids[count - 1]! : 0;
    const bitmaps = msg.bitmaps ?? 1;
    if (max > 64 || bitmaps >= 2) bm[0]! |= 0x80;
    if (tertiary && (max > 128 || bitmaps === 3)) bm[8]! |= 0x80;
    const blocks = bm[0]! & 0x80 ? (tertiary && bm[8]! & 0x80 ? 3 : 2) : 1;
    writeBitmapBytes(w, bitmapEnc, bm, blocks * 8);
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      byBit[id]!.pack(w, fieldsOf[id] as FieldValue);
    }
    return w.take();
  }

  /** The elements the bitmap names, read by their codecs; returns the highest. */
  function walkElements(
    r: Reader,
    bm: Uint8Array,
    blocks: number,
    fields: Record<string, FieldValue>,
    strict: boolean,
  ): number {
    let max = 0;
    // Walk set bits a byte at a time: most bitmap bytes are zero, the secondary often entirely.
    for (let i = 0; i < blocks * 8; i++) {
      let byte = bm[i]!;
      while (byte !== 0) {
        // clz32 finds the next set bit directly, skipping the clear ones.
        const bit = Math.clz32(byte) - 24;
        byte &= ~(0x80 >> bit);
        const id = i * 8 + bit + 1;
        if (id === 1 || (tertiary && id === 65)) continue;
        const codec = byBit[id];
        if (!codec) throw undefinedElementSet(id, r.pos);
        fields[id] = codec.unpack(r, strict);
        max = id;
      }
    }
    return max;
  }

  function unpack(bytes: Uint8Array, options?: UnpackOptions): IsoMessage {
    const strict = options?.strict ?? true;
    const buf = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const r = new Reader(buf, 0, buf.length);
    const mti = readMti(r, layout.mti);
    const bm = unpackBitmap;
    readBitmapBytes(r, bitmapEnc, 8, 'bitmap', bm, 0);
    let blocks = 1;
    if (bm[0]! & 0x80) {
      readBitmapBytes(r, bitmapEnc, 8, 'bitmap', bm, 8);
      blocks = 2;
      if (tertiary && bm[8]! & 0x80) {
        readBitmapBytes(r, bitmapEnc, 8, 'bitmap', bm, 16);
        blocks = 3;
      }
    }
    const fields: Record<string, FieldValue> = {};
    // The highest element first (a placeholder the loop overwrites): the object's element store is
    // then allocated once at its size instead of grown and copied as ascending ids arrive.
    for (let i = blocks * 8 - 1; i >= 0; i--) {
      const byte = bm[i]!;
      if (byte === 0) continue;
      // The byte's lowest set bit is its highest element (bit 0x01 of byte i is element i * 8 + 8).
      const top = i * 8 + 8 - (31 - Math.clz32(byte & -byte));
      if (top !== 1 && !(tertiary && top === 65)) fields[top] = undefined as unknown as FieldValue;
      break;
    }
    const max =
      decodeElements && strict
        ? decodeElements(r, bm, blocks, fields)
        : walkElements(r, bm, blocks, fields, strict);
    if (r.pos < r.end) {
      throw new Iso8583Error(
        'trailing-bytes',
        'message',
        r.pos,
        'end of message',
        `${r.end - r.pos} more bytes (${buf.toString('hex', r.pos, Math.min(r.end, r.pos + 8))}…)`,
      );
    }
    if (blocks > (max > 128 ? 3 : max > 64 ? 2 : 1)) return { mti, fields, bitmaps: blocks as 2 | 3 };
    return { mti, fields };
  }

  return { fields, layout, pack, unpack };
}

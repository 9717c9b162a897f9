import { readBitmapInto, writeBitmap } from './bitmap.js';
import { Reader, Writer } from './bytes.js';
import { berTlv } from './composite/ber-tlv.js';
import { bitmapped } from './composite/bitmapped.js';
import { positional } from './composite/positional.js';
import { simpleTlv } from './composite/tlv.js';
import type { Composite } from './composite/types.js';
import type { DialectFile, FieldSpecFile } from './dialect-schema.js';
import { Iso8583Error } from './errors.js';
import { compileField, type FieldCodec } from './field-codec.js';
import { type ResolvedField, resolveField } from './field-spec.js';
import { type MtiEncoding, readMti, writeMti } from './mti.js';
import type { FieldValue, IsoMessage } from './values.js';

export interface UnpackOptions {
  /** Check every value against its content type while decoding (default true). */
  strict?: boolean;
}

/** Message = MTI + bitmap(s) + fields, compiled once per dialect. Framing is not its concern. */
export interface MessageCodec {
  readonly fields: ReadonlyMap<number, FieldCodec>;
  pack(msg: IsoMessage): Buffer;
  unpack(bytes: Uint8Array, options?: UnpackOptions): IsoMessage;
}

export interface MessageLayout {
  mti: MtiEncoding;
  bitmap: { enc: 'binary' | 'hex'; tertiary: boolean };
  charset: NonNullable<DialectFile['charset']>;
  defaults: DialectFile['defaults'];
  fields: Record<string, FieldSpecFile>;
}

export function compileMessageCodec(layout: MessageLayout): MessageCodec {
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

  const writer = new Writer(4096);
  const present = new Uint8Array(maxBit + 1);
  const ids: number[] = [];

  function pack(msg: IsoMessage): Buffer {
    const w = writer;
    w.pos = 0;
    writeMti(w, layout.mti, msg.mti);
    present.fill(0);
    ids.length = 0;
    let last = 0;
    let sorted = true;
    for (const key in msg.fields) {
      const id = Number(key);
      if (!byBit[id] || !(id > 0)) {
        throw new Iso8583Error(
          'invalid-value',
          key,
          -1,
          'a field the dialect defines',
          'a field it does not define',
        );
      }
      if (msg.fields[key] === undefined) continue;
      present[id] = 1;
      if (id < last) sorted = false;
      last = id;
      ids.push(id);
    }
    if (!sorted) ids.sort((a, b) => a - b);
    const max = ids.length ? ids[ids.length - 1]! : 0;
    const bitmaps = msg.bitmaps ?? 1;
    if (max > 64 || bitmaps >= 2) present[1] = 1;
    if (tertiary && (max > 128 || bitmaps === 3)) present[65] = 1;
    writeBitmap(w, bitmapEnc, 8, present, 0);
    if (present[1]) writeBitmap(w, bitmapEnc, 8, present, 64);
    if (tertiary && present[65]) writeBitmap(w, bitmapEnc, 8, present, 128);
    const fieldsOf = msg.fields;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      byBit[id]!.pack(w, fieldsOf[id] as FieldValue);
    }
    return w.take();
  }

  function unpack(bytes: Uint8Array, options?: UnpackOptions): IsoMessage {
    const strict = options?.strict ?? true;
    const buf = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const r = new Reader(buf, 0, buf.length);
    const mti = readMti(r, layout.mti);
    const bits = new Uint8Array(maxBit + 1);
    readBitmapInto(r, bitmapEnc, 8, 'bitmap', bits, 0);
    if (bits[1]) readBitmapInto(r, bitmapEnc, 8, 'bitmap', bits, 64);
    if (tertiary && bits[65]) readBitmapInto(r, bitmapEnc, 8, 'bitmap', bits, 128);
    const fields: Record<string, FieldValue> = {};
    const limit = bits[1] ? (tertiary && bits[65] ? 192 : 128) : 64;
    let max = 0;
    for (let id = 2; id <= limit; id++) {
      if (!bits[id] || structural(id)) continue;
      max = id;
      const codec = byBit[id];
      if (!codec) {
        throw new Iso8583Error(
          'undefined-field',
          String(id),
          r.pos,
          'a field the dialect defines',
          `bit ${id} set`,
        );
      }
      fields[id] = codec.unpack(r, strict);
    }
    if (r.pos < r.end) {
      throw new Iso8583Error(
        'trailing-bytes',
        'message',
        r.pos,
        'end of message',
        `${r.end - r.pos} more bytes (${buf.toString('hex', r.pos, Math.min(r.end, r.pos + 8))}…)`,
      );
    }
    const count = limit === 192 ? 3 : limit === 128 ? 2 : 1;
    if (count > (max > 128 ? 3 : max > 64 ? 2 : 1)) return { mti, fields, bitmaps: count as 2 | 3 };
    return { mti, fields };
  }

  return { fields, pack, unpack };
}

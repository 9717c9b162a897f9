// The per-dialect generated element code (element-decoder.ts, element-encoder.ts) against the
// field codecs it stands in for: same bytes, same messages, same errors, on valid and broken input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Iso8583Error, loadDialects } from '../../../src/protocols/iso8583/index.js';
import {
  compileMessageCodec,
  type MessageCodec,
  type MessageLayout,
} from '../../../src/protocols/iso8583/message-codec.js';
import type { FieldValue, IsoMessage } from '../../../src/protocols/iso8583/values.js';
import { arbitraryMessage } from '../../support/arbitrary-message.js';

if (process.env.FC_SEED) fc.configureGlobal({ seed: Number(process.env.FC_SEED) });

type Outcome<T> =
  | { value: T }
  | { error: { name: string; message: string; code?: string; path?: string; offset?: number } };

function outcome<T>(run: () => T): Outcome<T> {
  try {
    return { value: run() };
  } catch (err) {
    const e = err as Error;
    if (err instanceof Iso8583Error) {
      return {
        error: { name: e.name, message: e.message, code: err.code, path: err.path, offset: err.offset },
      };
    }
    return { error: { name: e.name, message: e.message } };
  }
}

/** Outcomes compared with key order: a decoder must list elements as the reference does. */
function expectSameMessage(a: Outcome<IsoMessage>, b: Outcome<IsoMessage>) {
  expect(a).toEqual(b);
  if ('value' in a && 'value' in b) expect(Object.keys(a.value.fields)).toEqual(Object.keys(b.value.fields));
}

function expectSameBytes(a: Outcome<Buffer>, b: Outcome<Buffer>) {
  if ('value' in a && 'value' in b) expect(a.value.toString('hex')).toBe(b.value.toString('hex'));
  else expect(a).toEqual(b);
}

// Broken input the field codecs must refuse with their own errors: corrupt lengths and contents,
// cuts inside any field, a bitmap naming what the dialect lacks.
const edit = fc.oneof(
  fc.record({
    at: fc.nat(),
    byte: fc.constantFrom(0x00, 0x20, 0x2f, 0x30, 0x39, 0x3a, 0x3d, 0x41, 0x7f, 0xff),
  }),
  fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  // A digit: a length prefix that still reads as a number, often past the field's maximum.
  fc.record({ at: fc.nat(), byte: fc.integer({ min: 0x30, max: 0x39 }) }),
  fc.record({ cut: fc.nat() }),
);
type Edit = { at: number; byte: number } | { cut: number };

function broken(bytes: Buffer, edits: Edit[]): Buffer {
  let out = Buffer.from(bytes);
  for (const e of edits) {
    if (out.length === 0) break;
    if ('cut' in e) out = out.subarray(0, e.cut % out.length);
    else out[e.at % out.length] = e.byte;
  }
  return out;
}

// Values the inline code must hand to the field codec: to be padded, too long, not strings, not
// Latin-1, empty.
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 3 }),
  fc.string({ minLength: 20, maxLength: 120 }),
  fc.stringMatching(/^[0-9]{0,30}$/),
  fc.constantFrom('', 'ÿ', '中', '\u0100', ' ', '=', 'D', 'abc\u00ff'),
  fc.integer(),
  fc.constant(null),
  fc.constant({ a: '1' }),
  fc.constant(['x']),
);

function properties(
  name: string,
  fast: MessageCodec,
  reference: MessageCodec,
  messages: fc.Arbitrary<IsoMessage>,
) {
  describe(name, () => {
    it('packs and unpacks valid messages as the field codecs do', () => {
      fc.assert(
        fc.property(messages, fc.constantFrom(1, 2), (m, bitmaps) => {
          const msg: IsoMessage = bitmaps === 2 ? { ...m, bitmaps } : m;
          const bytes = outcome(() => fast.pack(msg, { knownFields: true }));
          expectSameBytes(
            bytes,
            outcome(() => reference.pack(msg, { knownFields: true })),
          );
          // Without knownFields the codec checks the keys itself, then takes the same code.
          expectSameBytes(
            outcome(() => fast.pack(msg)),
            outcome(() => reference.pack(msg)),
          );
          if (!('value' in bytes)) return;
          expectSameMessage(
            outcome(() => fast.unpack(bytes.value)),
            outcome(() => reference.unpack(bytes.value)),
          );
        }),
        { numRuns: 300 },
      );
    });

    it('refuses broken bytes with the errors of the field codecs', () => {
      fc.assert(
        fc.property(messages, fc.array(edit, { minLength: 1, maxLength: 3 }), (m, edits) => {
          const bytes = broken(reference.pack(m), edits);
          expectSameMessage(
            outcome(() => fast.unpack(bytes)),
            outcome(() => reference.unpack(bytes)),
          );
        }),
        { numRuns: 600 },
      );
    });

    it('packs odd values and undefined elements as the field codecs do', () => {
      // Keys that are no element numbers too: the codec refuses them when it checks the keys.
      const key = fc.oneof(
        { weight: 5, arbitrary: fc.integer({ min: 1, max: 128 }).map(String) },
        { weight: 1, arbitrary: fc.constantFrom('041', '200', '0', '-3', '1e1', 'x', '3 ') },
      );
      const odd = fc.array(fc.tuple(key, oddValue), {
        minLength: 1,
        maxLength: 3,
      });
      fc.assert(
        fc.property(messages, odd, (m, changes) => {
          const fields: Record<string, unknown> = { ...m.fields };
          for (const [id, value] of changes) fields[id] = value;
          const msg = { mti: m.mti, fields: fields as Record<string, FieldValue> };
          // Packed behind 3 bytes of room (unspecified bytes, left out of the comparison).
          expectSameBytes(
            outcome(() => fast.pack(msg, { knownFields: true, room: 3 }).subarray(3)),
            outcome(() => reference.pack(msg, { knownFields: true, room: 3 }).subarray(3)),
          );
          expectSameBytes(
            outcome(() => fast.pack(msg)),
            outcome(() => reference.pack(msg)),
          );
        }),
        { numRuns: 400 },
      );
    });
  });
}

for (const dialect of loadDialects().list()) {
  const reference = compileMessageCodec(dialect.codec.layout, { generated: false });
  properties(`dialect ${dialect.id}`, dialect.codec, reference, arbitraryMessage(dialect, { maxFields: 20 }));
}

// What no built-in dialect has: gaps between elements, a fixed text field past the generated
// lengths, three length digits counting a short maximum, a date, an element above 64 alone.
const layout: MessageLayout = {
  mti: 'ascii',
  bitmap: { enc: 'binary', tertiary: false },
  charset: 'latin1',
  defaults: { all: { enc: 'ascii', prefix: { enc: 'ascii', unit: 'bytes' } } },
  fields: {
    '2': { format: 'n..19' },
    '3': { format: 'n6' },
    '7': { format: 'n10', date: 'MMDDhhmmss' },
    '12': { format: 'n6', date: 'hhmmss' },
    '35': { format: 'z..37' },
    '43': { format: 'ans80' },
    '44': { format: 'ans..25', prefix: { digits: 3 } },
    '48': { format: 'ans...120', prefix: { enc: 'bcd' } },
    '64': { format: 'an2' },
    '90': { format: 'n42' },
    '128': { format: 'ans..8' },
  },
};
const custom = compileMessageCodec(layout);
const customMessages = fc
  .record(
    {
      '2': fc.stringMatching(/^[0-9]{12,19}$/),
      '3': fc.stringMatching(/^[0-9]{6}$/),
      '7': fc.stringMatching(
        /^(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]$/,
      ),
      '12': fc.stringMatching(/^([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]$/),
      '35': fc.stringMatching(/^[0-9]{12,19}=[0-9]{4,17}$/),
      '43': fc.string({
        minLength: 80,
        maxLength: 80,
        unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      }),
      '44': fc.string({
        maxLength: 25,
        unit: fc
          .integer({ min: 0x20, max: 0xff })
          .filter((c) => c !== 0x7f)
          .map((c) => String.fromCharCode(c)),
      }),
      '48': fc.string({ maxLength: 120, unit: fc.constantFrom('A', ' ', '9') }),
      '64': fc.stringMatching(/^[A-Za-z0-9 ]{2}$/),
      '90': fc.stringMatching(/^[0-9]{42}$/),
      '128': fc.string({ maxLength: 8, unit: fc.constantFrom('x', '~', ' ') }),
    },
    { requiredKeys: [] },
  )
  .chain((fields) =>
    fc.stringMatching(/^[0-9]{4}$/).map((mti) => ({ mti, fields: fields as Record<string, FieldValue> })),
  );
properties(
  'a dialect with gaps, long and BCD-prefixed fields',
  custom,
  compileMessageCodec(layout, { generated: false }),
  customMessages,
);

describe('a dialect with gaps, long and BCD-prefixed fields: lengths past the maximum', () => {
  const reference = compileMessageCodec(layout, { generated: false });
  it.each([
    ['DE2, 20 digits', '0200', '4000000000000000', '20'.concat('1'.repeat(20))],
    ['DE44, 26 characters', '0200', '0000000000100000', '026'.concat('x'.repeat(26))],
  ])('%s: the length error of the field codec', (_name, mti, bitmap, field) => {
    const bytes = Buffer.concat([Buffer.from(mti), Buffer.from(bitmap, 'hex'), Buffer.from(field)]);
    const fast = outcome(() => custom.unpack(bytes));
    expect(fast).toEqual(outcome(() => reference.unpack(bytes)));
    expect(fast).toMatchObject({ error: { code: 'invalid-length' } });
  });
});

describe("a message larger than the encoder's first buffer (4 KB)", () => {
  const ascii = loadDialects().get('iso8583-1987-ascii');
  it('grows the buffer in the middle of the elements, and moves them for the secondary bitmap after', () => {
    // Fresh codecs: the encoder's scratch buffer grows once and stays grown.
    const fast = compileMessageCodec(ascii.codec.layout);
    const reference = compileMessageCodec(ascii.codec.layout, { generated: false });
    const fields: Record<string, FieldValue> = { '3': '000000', '11': '123456' };
    for (const id of [46, 47, 48, 56, 57]) fields[id] = String(id % 10).repeat(999);
    fields['105'] = 'z'.repeat(999);
    const msg: IsoMessage = { mti: '0200', fields };
    const bytes = fast.pack(msg, { knownFields: true });
    expect(bytes.length).toBeGreaterThan(6000);
    expect(bytes.toString('hex')).toBe(reference.pack(msg, { knownFields: true }).toString('hex'));
    expect(fast.unpack(bytes)).toEqual(msg);
  });
});

import { type Static, Type as T } from '@sinclair/typebox';
import { Literals } from '../../data/schema-helpers.js';

/**
 * The JSON Schema of a dialect file (protocols/iso8583/*.yaml), written once with TypeBox so the
 * TypeScript types and the ajv validation cannot drift apart.
 */

const Described = { additionalProperties: false } as const;

export const ContentTypeSchema = Literals(['n', 'a', 'an', 'ans', 'b', 'z', 'x+n'], {
  description: 'ISO 8583 content type',
});
export type ContentType = 'n' | 'a' | 'an' | 'ans' | 'b' | 'z' | 'x+n';

export const EncodingSchema = Literals(['ascii', 'ebcdic', 'bcd', 'bcd-left', 'binary', 'ascii-hex'], {
  description:
    'ascii/ebcdic: one char per byte; bcd: packed, odd length padded on the left (right-aligned); ' +
    'bcd-left: padded on the right (left-aligned); binary: raw bytes; ascii-hex: each byte as 2 hex chars',
});
export type Encoding = 'ascii' | 'ebcdic' | 'bcd' | 'bcd-left' | 'binary' | 'ascii-hex';

export const PrefixEncodingSchema = Literals(['ascii', 'ebcdic', 'bcd', 'bcd-left', 'binary', 'hex'], {
  description: 'how the length digits are written; binary: one byte per L (L = 1 byte, LL = 2 bytes)',
});
export type PrefixEncoding = 'ascii' | 'ebcdic' | 'bcd' | 'bcd-left' | 'binary' | 'hex';

export const CharsetSchema = Literals(['latin1', 'ebcdic', 'gbk', 'utf8']);

export const PrefixSchema = T.Object(
  {
    enc: T.Optional(PrefixEncodingSchema),
    unit: T.Optional(
      T.Union([T.Literal('digits'), T.Literal('bytes')], {
        description: 'digits: the length counts characters/digits of the value; bytes: bytes on the wire',
      }),
    ),
    digits: T.Optional(T.Integer({ minimum: 1, maximum: 6, description: 'L=1 … LLLLLL=6' })),
  },
  Described,
);
export type PrefixSpec = Static<typeof PrefixSchema>;

export const FORMAT_PATTERN = '^(n|a|an|ans|b|z|x\\+n)(\\d+|\\.{2,6}\\d+)$';
const Format = T.String({
  pattern: FORMAT_PATTERN,
  description: 'ISO notation: n6 (fixed), ans..25 (LL), b...255 (LLL); b lengths are in bytes',
});

const Pad = T.Object(
  {
    char: T.String({ minLength: 1, maxLength: 1 }),
    side: T.Union([T.Literal('left'), T.Literal('right')]),
  },
  Described,
);

const Names = T.Record(T.String(), T.String(), { description: 'display names of tags, for describe()' });

export const PositionalSubfieldSchema = T.Object(
  {
    format: Format,
    name: T.Optional(T.String()),
    mask: T.Optional(T.Union([T.Literal('pan'), T.Literal('hide')])),
  },
  Described,
);

export interface FieldSpecFile {
  format: string;
  name?: string;
  enc?: Encoding;
  prefix?: PrefixSpec;
  pad?: { char: string; side: 'left' | 'right' };
  nibble?: '0' | 'F';
  charset?: 'latin1' | 'ebcdic' | 'gbk' | 'utf8';
  mask?: 'pan' | 'hide' | 'none';
  date?: DateFormat;
  subfields?: CompositeSpec;
}

export type DateFormat = 'MMDD' | 'hhmmss' | 'YYMM' | 'YYMMDD' | 'MMDDhhmmss' | 'YYMMDDhhmmss';

export type CompositeSpec =
  | { kind: 'positional'; fields: Record<string, Static<typeof PositionalSubfieldSchema>> }
  | { kind: 'ber-tlv'; names?: Record<string, string>; hide?: string[] }
  | {
      kind: 'tlv';
      tag: { length: number; enc: 'ascii' | 'binary' };
      length: { digits: number; enc: PrefixEncoding };
      names?: Record<string, string>;
      hide?: string[];
    }
  | {
      kind: 'bitmap';
      bitmap: { enc: 'binary' | 'hex'; bytes: number };
      fields: Record<string, FieldSpecFile>;
    };

export const FieldSpecSchema = T.Recursive(
  (Self) =>
    T.Object(
      {
        format: Format,
        name: T.Optional(T.String()),
        enc: T.Optional(EncodingSchema),
        prefix: T.Optional(PrefixSchema),
        pad: T.Optional(Pad),
        nibble: T.Optional(
          T.Union([T.Literal('0'), T.Literal('F')], { description: 'spare nibble of odd-length BCD' }),
        ),
        charset: T.Optional(CharsetSchema),
        mask: T.Optional(
          T.Union([T.Literal('pan'), T.Literal('hide'), T.Literal('none')], {
            description:
              'pan: show first 6 and last 4; hide: never show (track, PIN block, keys, CVV); none: show (DE2, 34, 35, 36, 45, 52 and 96 are masked unless it says so)',
          }),
        ),
        date: T.Optional(Literals(['MMDD', 'hhmmss', 'YYMM', 'YYMMDD', 'MMDDhhmmss', 'YYMMDDhhmmss'])),
        subfields: T.Optional(
          T.Union([
            T.Object(
              {
                kind: T.Literal('positional'),
                fields: T.Record(T.String({ pattern: '^[1-9][0-9]*$' }), PositionalSubfieldSchema),
              },
              Described,
            ),
            T.Object(
              {
                kind: T.Literal('ber-tlv'),
                names: T.Optional(Names),
                hide: T.Optional(T.Array(T.String())),
              },
              Described,
            ),
            T.Object(
              {
                kind: T.Literal('tlv'),
                tag: T.Object(
                  {
                    length: T.Integer({ minimum: 1, maximum: 8 }),
                    enc: T.Union([T.Literal('ascii'), T.Literal('binary')]),
                  },
                  Described,
                ),
                length: T.Object(
                  { digits: T.Integer({ minimum: 1, maximum: 6 }), enc: PrefixEncodingSchema },
                  Described,
                ),
                names: T.Optional(Names),
                hide: T.Optional(T.Array(T.String())),
              },
              Described,
            ),
            T.Object(
              {
                kind: T.Literal('bitmap'),
                bitmap: T.Object(
                  {
                    enc: T.Union([T.Literal('binary'), T.Literal('hex')]),
                    bytes: T.Integer({ minimum: 1, maximum: 16 }),
                  },
                  Described,
                ),
                fields: T.Record(T.String({ pattern: '^[1-9][0-9]*$' }), Self),
              },
              Described,
            ),
          ]),
        ),
      },
      Described,
    ),
  { $id: 'FieldSpec' },
);

const TypeDefaults = T.Object(
  {
    enc: T.Optional(EncodingSchema),
    prefix: T.Optional(PrefixSchema),
    pad: T.Optional(Pad),
    nibble: T.Optional(T.Union([T.Literal('0'), T.Literal('F')])),
    charset: T.Optional(CharsetSchema),
  },
  Described,
);
export type TypeDefaults = Static<typeof TypeDefaults>;

export const FramingSchema = T.Object(
  {
    length: Literals(['none', 'binary2', 'binary4', 'ascii4', 'bcd2']),
    lengthIncludesHeader: T.Optional(T.Boolean({ default: true })),
    tpdu: T.Optional(T.Boolean()),
    headerLength: T.Optional(T.Integer({ minimum: 0, maximum: 64 })),
    maxFrameLength: T.Optional(T.Integer({ minimum: 16, maximum: 1048576 })),
  },
  Described,
);

export const MacSpecSchema = T.Object(
  {
    field: T.Integer({ minimum: 2, maximum: 192, description: 'the field carrying the MAC (64 or 128)' }),
    algorithm: T.Union([T.Literal('x9.9'), T.Literal('x9.19'), T.Literal('cup-ecb')]),
  },
  {
    ...Described,
    description: 'MAC input = the packed message from the MTI up to the byte before the MAC field',
  },
);

export const DialectFileSchema = T.Object(
  {
    id: T.String({ pattern: '^[a-z0-9][a-z0-9.-]*$' }),
    title: T.String(),
    description: T.Optional(T.String()),
    extends: T.Optional(T.String()),
    charset: T.Optional(CharsetSchema),
    mti: T.Optional(
      T.Object({ enc: T.Union([T.Literal('ascii'), T.Literal('bcd'), T.Literal('ebcdic')]) }, Described),
    ),
    bitmap: T.Optional(
      T.Object(
        {
          enc: T.Union([T.Literal('binary'), T.Literal('hex')]),
          tertiary: T.Optional(T.Boolean({ description: 'bit 65 announces a third bitmap' })),
        },
        Described,
      ),
    ),
    defaults: T.Optional(
      T.Object(
        {
          all: T.Optional(TypeDefaults),
          n: T.Optional(TypeDefaults),
          a: T.Optional(TypeDefaults),
          an: T.Optional(TypeDefaults),
          ans: T.Optional(TypeDefaults),
          b: T.Optional(TypeDefaults),
          z: T.Optional(TypeDefaults),
          'x+n': T.Optional(TypeDefaults),
        },
        Described,
      ),
    ),
    framing: T.Optional(FramingSchema),
    mac: T.Optional(MacSpecSchema),
    fields: T.Optional(
      T.Record(
        T.String({ pattern: '^([2-9]|[1-9][0-9]|1[0-9][0-9])$' }),
        T.Union([FieldSpecSchema, T.Null()]),
        {
          description: 'data elements by number; null removes a field inherited through extends',
        },
      ),
    ),
  },
  Described,
);

export type DialectFile = Omit<Static<typeof DialectFileSchema>, 'fields'> & {
  fields?: Record<string, FieldSpecFile | null>;
};

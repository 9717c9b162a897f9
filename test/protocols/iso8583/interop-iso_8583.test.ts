// Interop of our iso8583-1987-ascii dialect with an independent implementation: the iso_8583 npm
// package (zemuldo, v2.6.x, ASCII only). Messages it packs must decode with our codec, messages we
// pack must decode with it, and where both define a field the same way the bytes are identical.
//
// Where the two genuinely differ (each pinned by a test in the last block, so an upgrade that
// changes it shows up):
// - Length header: iso_8583 getBufferMessage() prepends 2 binary bytes; our dialect frames with 4
//   ASCII digits. We compare unframed messages (getRawMessage, getIsoJSON {lenHeader: false}).
// - Bitmap: iso_8583 writes it as 16 raw bytes unless field 1 is declared 'an' (then 32 hex
//   chars), and always writes the secondary bitmap, even when empty. Its unpacker with
//   bitmapEncoding 'utf8' always reads 32 chars, so it silently misreads a primary-only message:
//   we pack for it with bitmaps: 2 (an empty secondary bitmap), which our unpack also reports.
// - DE52, DE64, DE96, DE128 (b): iso_8583 writes raw bytes and counts MaxLen in hex digits, so its
//   DE64/96/128 are 4 bytes, not 8. Ours are hex text (16 chars). DE52 interoperates only when
//   iso_8583 is told it is 16 chars of text (PIN_AS_HEX).
// - DE53: iso_8583 uses the 1993 layout (48 raw bytes); ours the 1987 n16.
// - DE55: iso_8583 carries text (ans, LLL chars) and refuses raw bytes; ours raw BER-TLV bytes.
// - DE58: iso_8583 n..11 (LL); ours ans...999 (LLL). DE59: same LLL layout, max 255 vs 999.
// - DE65: iso_8583 b1 with MaxLen in hex digits writes no byte at all; ours 2 hex chars.
// - DE127: iso_8583 is Postilion-style (LLLLLL, 8-byte sub-bitmap, 127.x subfields, and a
//   built-in rule that DE3 000000 requires DE2 and DE4); ours plain ans...999.
// - Content classes: iso_8583 an has no space, anp (DE37/38) allows * and #, ans is a fixed ASCII
//   punctuation set (no @, #, \ or non-ASCII), z is anything; ours an has the space, ans is any
//   printable Latin-1, z is 0-9 A-F =. n vs an (DE49, DE51) and similar only narrow the values.
// - iso_8583 needs exact lengths for fixed fields and cannot send an empty variable field; ours
//   pads fixed fields and writes length 0. It returns binary fields as lowercase hex; ours upper.
// - iso_8583 never reports truncated input or trailing bytes; ours does.
import fc from 'fast-check';
import Iso8583 from 'iso_8583';
import isoFormats from 'iso_8583/lib/formats.js';
import isoCheckType from 'iso_8583/lib/types.js';
import { describe, expect, it } from 'vitest';
import { matchesContentType } from '../../../src/protocols/iso8583/content-types.js';
import {
  type FieldValue,
  Iso8583Error,
  type IsoMessage,
  loadDialects,
} from '../../../src/protocols/iso8583/index.js';

const dialect = loadDialects().get('iso8583-1987-ascii');

// iso_8583 writes the bitmap as raw bytes unless field 1 is declared as text.
const ASCII_BITMAP: Iso8583.Formats = {
  '1': { ContentType: 'an', Label: 'Bitmap', LenType: 'fixed', MaxLen: 32 },
};
// Its DE52 default is 8 raw bytes; ours is 16 hex chars, which it can carry as text.
const PIN_AS_HEX: Iso8583.Formats = {
  ...ASCII_BITMAP,
  '52': { ContentType: 'an', Label: 'PIN data', LenType: 'fixed', MaxLen: 16 },
};
const UNFRAMED_ASCII: Iso8583.UnpackConfig = { lenHeader: false, bitmapEncoding: 'utf8' };

function isoPack(json: Iso8583.IsoJson, formats: Iso8583.Formats = ASCII_BITMAP): Buffer {
  const out = new Iso8583(json, formats).getRawMessage();
  if (!Buffer.isBuffer(out)) throw new Error(`iso_8583 pack: ${out.error}`);
  return out;
}

function isoUnpack(bytes: Buffer, formats: Iso8583.Formats = ASCII_BITMAP): Iso8583.IsoJson {
  const out = new Iso8583(undefined, formats).getIsoJSON(bytes, UNFRAMED_ASCII) as Iso8583.IsoJson;
  if (out['0'] === undefined) throw new Error(`iso_8583 unpack: ${out.error}`);
  return out;
}

/** iso_8583's flat view of our message: positional subfields (DE90) joined back into one string. */
function flat(msg: IsoMessage): Iso8583.IsoJson {
  const out: Iso8583.IsoJson = { '0': msg.mti };
  for (const [id, v] of Object.entries(msg.fields)) out[id] = joined(id, v);
  return out;
}

function joined(id: string, v: FieldValue): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) throw new Error(`DE${id}: TLV has no iso_8583 counterpart`);
  return Object.keys(v)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => joined(`${id}.${k}`, v[k]!))
    .join('');
}

/** Our message for iso_8583's JSON, with the secondary bitmap iso_8583 always writes and reads. */
function ours(json: Iso8583.IsoJson): IsoMessage {
  const { '0': mti, ...fields } = json;
  return { mti: mti!, fields, bitmaps: 2 };
}

// DE90 as our positional subfields: n4 MTI, n6 STAN, n10 date/time, n11 acquirer, n11 forwarder.
// A fixed DE90 needs all five: our pack refuses a partial object rather than shift the subfields.
function de90(s: string): Record<string, string> {
  return {
    '1': s.slice(0, 4),
    '2': s.slice(4, 10),
    '3': s.slice(10, 20),
    '4': s.slice(20, 31),
    '5': s.slice(31),
  };
}

const PAN = '4761739001010119';
const TRACK2 = '4761739001010119=27122011758928889';
const ACCEPTOR = 'Corner Shop            Springfield  US';

const SCENARIOS: { name: string; json: Iso8583.IsoJson; formats?: Iso8583.Formats }[] = [
  {
    name: '0100 authorization request (track 2, PIN)',
    formats: PIN_AS_HEX,
    json: {
      '0': '0100',
      '2': PAN,
      '3': '000000',
      '4': '000000012500',
      '7': '0612142530',
      '11': '004217',
      '12': '142530',
      '13': '0612',
      '14': '2712',
      '18': '5411',
      '22': '021',
      '25': '00',
      '32': '423935',
      '35': TRACK2,
      '37': '416314004217',
      '41': 'TERM0001',
      '42': 'MERCHANT0000001',
      '43': ACCEPTOR.padEnd(40),
      '49': '840',
      '52': '7434F67813BAE545',
    },
  },
  {
    name: '0110 authorization response',
    json: {
      '0': '0110',
      '2': PAN,
      '3': '000000',
      '4': '000000012500',
      '7': '0612142531',
      '11': '004217',
      '37': '416314004217',
      '38': 'A1B2C3',
      '39': '00',
      '41': 'TERM0001',
      '44': 'R',
      '49': '840',
    },
  },
  {
    name: '0200 purchase (PAN, amounts, dates, DE22, track 2, DE37-43, DE49, PIN, fee)',
    formats: PIN_AS_HEX,
    json: {
      '0': '0200',
      '2': PAN,
      '3': '001000',
      '4': '000000004999',
      '7': '0612142530',
      '11': '004218',
      '12': '142530',
      '13': '0612',
      '14': '2712',
      '15': '0613',
      '18': '5411',
      '22': '051',
      '23': '001',
      '25': '00',
      '26': '12',
      '28': 'D00000150',
      '32': '423935',
      '35': TRACK2,
      '37': '416314004218',
      '40': '201',
      '41': 'TERM0001',
      '42': 'MERCHANT0000001',
      '43': ACCEPTOR.padEnd(40),
      '49': '840',
      '52': '0123456789ABCDEF',
    },
  },
  {
    name: '0210 purchase response with additional amounts',
    json: {
      '0': '0210',
      '2': PAN,
      '3': '001000',
      '4': '000000004999',
      '7': '0612142531',
      '11': '004218',
      '12': '142530',
      '13': '0612',
      '15': '0613',
      '37': '416314004218',
      '38': '093812',
      '39': '00',
      '41': 'TERM0001',
      '42': 'MERCHANT0000001',
      '49': '840',
      '54': '1002840C000000050000',
    },
  },
  {
    name: '0400 reversal with DE90 (secondary bitmap)',
    json: {
      '0': '0400',
      '2': PAN,
      '3': '001000',
      '4': '000000004999',
      '7': '0612142610',
      '11': '004219',
      '32': '423935',
      '37': '416314004218',
      '41': 'TERM0001',
      '42': 'MERCHANT0000001',
      '49': '840',
      '90': '020000421806121425300000042393500000000000',
    },
  },
  {
    name: '0410 reversal response',
    json: {
      '0': '0410',
      '2': PAN,
      '3': '001000',
      '4': '000000004999',
      '7': '0612142611',
      '11': '004219',
      '37': '416314004218',
      '39': '00',
      '41': 'TERM0001',
      '49': '840',
      '90': '020000421806121425300000042393500000000000',
    },
  },
  {
    name: '0800 sign-on with DE70',
    json: { '0': '0800', '7': '0612080000', '11': '000001', '33': '423935', '70': '001' },
  },
  {
    name: '0810 sign-on response',
    json: { '0': '0810', '7': '0612080000', '11': '000001', '39': '00', '70': '001' },
  },
];

describe('iso_8583 <-> iso8583-1987-ascii: realistic messages', () => {
  it.each(SCENARIOS)('iso_8583 packs, we unpack: $name', ({ json, formats }) => {
    const msg = dialect.unpack(isoPack(json, formats), { strict: true });
    expect(flat(msg)).toEqual(json);
  });

  it.each(SCENARIOS)('we pack, iso_8583 unpacks: $name', ({ json, formats }) => {
    const message = ours(json);
    if (json['90']) message.fields['90'] = de90(json['90']);
    expect(isoUnpack(dialect.pack(message), formats)).toEqual(json);
  });

  it.each(SCENARIOS)('same bytes both ways: $name', ({ json, formats }) => {
    const theirs = isoPack(json, formats);
    expect(theirs.toString('latin1')).toBe(dialect.pack(ours(json)).toString('latin1'));
    // Our unpack keeps the empty secondary bitmap, so re-encoding is exact.
    expect(dialect.pack(dialect.unpack(theirs)).toString('latin1')).toBe(theirs.toString('latin1'));
  });

  it('decodes DE90 into the same five positional subfields iso_8583 keeps as one string', () => {
    const json = SCENARIOS.find((s) => s.json['0'] === '0400')!.json;
    expect(dialect.unpack(isoPack(json)).fields['90']).toEqual({
      '1': '0200',
      '2': '004218',
      '3': '0612142530',
      '4': '00000423935',
      '5': '00000000000',
    });
  });

  it('reads a real secondary bitmap the same way (0800 with DE70)', () => {
    const { '0': mti, ...fields } = SCENARIOS.find((s) => s.json['0'] === '0800')!.json;
    // DE70 > 64 sets bit 1 by itself: no bitmaps hint needed.
    const bytes = dialect.pack({ mti: mti!, fields });
    expect(bytes.toString('latin1', 4, 20)).toBe('8220000080000000');
    expect(isoUnpack(bytes)['70']).toBe('001');
  });
});

// ---- field-by-field comparison of the two format tables ----------------------------------

const LEN_DIGITS: Record<string, number> = {
  lvar: 1,
  llvar: 2,
  lllvar: 3,
  llllvar: 4,
  lllllvar: 5,
  llllllvar: 6,
};

/** Wire layout of a field: fixed N chars/bytes, or N length digits. Content classes aside. */
function ourLayout(id: number): string {
  const f = dialect.field(id)!;
  if (f.enc === 'binary') return `L${f.prefix?.digits ?? 0} raw bytes`;
  if (f.prefix) return `L${f.prefix.digits} text`;
  return `fixed ${f.enc === 'ascii-hex' ? 2 * f.length : f.length} text`;
}

function theirLayout(id: number): string {
  const t = isoFormats[id]!;
  if (t.LenType !== 'fixed') return `L${LEN_DIGITS[t.LenType]} text`;
  return t.ContentType === 'b' ? `fixed ${t.MaxLen / 2} raw bytes` : `fixed ${t.MaxLen} text`;
}

const DATA_FIELDS = Array.from({ length: 127 }, (_, i) => i + 2);
const SAME_LAYOUT = DATA_FIELDS.filter((id) => ourLayout(id) === theirLayout(id));

describe('iso_8583 and iso8583-1987-ascii field formats', () => {
  it('agree on the wire layout of every data element but these', () => {
    const differ = DATA_FIELDS.filter((id) => !SAME_LAYOUT.includes(id)).map(
      (id) => `${id}: ours ${ourLayout(id)}, iso_8583 ${theirLayout(id)}`,
    );
    expect(differ).toEqual([
      '52: ours fixed 16 text, iso_8583 fixed 8 raw bytes',
      '53: ours fixed 16 text, iso_8583 fixed 48 raw bytes',
      '55: ours L3 raw bytes, iso_8583 L3 text',
      '58: ours L3 text, iso_8583 L2 text',
      '64: ours fixed 16 text, iso_8583 fixed 4 raw bytes',
      '65: ours fixed 2 text, iso_8583 fixed 0.5 raw bytes',
      '96: ours fixed 16 text, iso_8583 fixed 4 raw bytes',
      '127: ours L3 text, iso_8583 L6 text',
      '128: ours fixed 16 text, iso_8583 fixed 4 raw bytes',
    ]);
  });

  it('differ in maximum length only for DE59 among same-layout variable fields', () => {
    const maxDiffers = SAME_LAYOUT.filter((id) => {
      const f = dialect.field(id)!;
      return f.prefix && f.length !== isoFormats[id]!.MaxLen;
    });
    expect(maxDiffers).toEqual([59]);
  });
});

// ---- property: random 0200 messages over the fields both define alike ---------------------

const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));

const two = (min: number, max: number) => fc.integer({ min, max }).map((n) => String(n).padStart(2, '0'));
const DATE_PARTS: Record<string, fc.Arbitrary<string>> = {
  YY: two(0, 99),
  MM: two(1, 12),
  DD: two(1, 31),
  hh: two(0, 23),
  mm: two(0, 59),
  ss: two(0, 59),
};

function dateOf(format: string): fc.Arbitrary<string> {
  return format
    .match(/YY|MM|DD|hh|mm|ss/g)!
    .reduce<fc.Arbitrary<string>>(
      (acc, part) => fc.tuple(acc, DATE_PARTS[part]!).map(([a, b]) => a + b),
      fc.constant(''),
    );
}

/** Values both implementations accept for a field: the intersection of the two content classes. */
function agreedValue(id: number): fc.Arbitrary<string> {
  const f = dialect.field(id)!;
  const t = isoFormats[id]!;
  if (f.type === 'x+n') {
    // Full length only: iso_8583 wants exact lengths (ours pads short ones after the sign).
    const digits = fc.string({
      unit: fc.constantFrom(...'0123456789'),
      minLength: f.length - 1,
      maxLength: f.length - 1,
    });
    return fc.tuple(fc.constantFrom('C', 'D'), digits).map(([sign, d]) => sign + d);
  }
  // Our strict unpack checks declared dates; iso_8583 takes any digits.
  if (f.date) return dateOf(f.date);
  const unit = PRINTABLE.filter((c) => matchesContentType(f.type, c) && isoCheckType(t, c, id) === true);
  // iso_8583 cannot send an empty variable field ("in bitmap but not in json").
  const [minLength, maxLength] = f.prefix ? [1, Math.min(f.length, t.MaxLen)] : [f.length, f.length];
  return fc.string({ unit: fc.constantFrom(...unit), minLength, maxLength, size: 'medium' });
}

const AGREED = SAME_LAYOUT.map(String);
const message0200 = fc
  .record(Object.fromEntries(AGREED.map((id) => [id, agreedValue(Number(id))])), {
    requiredKeys: ['3', '4', '11'],
  })
  .map((fields): Iso8583.IsoJson => ({ '0': '0200', ...fields }));

describe('iso_8583 <-> iso8583-1987-ascii: random 0200 messages', () => {
  it('round-trip across the two implementations, byte for byte', () => {
    fc.assert(
      fc.property(message0200, (json) => {
        const theirs = isoPack(json);
        const mine = dialect.pack(ours(json));
        expect(theirs.toString('latin1')).toBe(mine.toString('latin1'));
        expect(flat(dialect.unpack(theirs))).toEqual(json);
        expect(isoUnpack(mine)).toEqual(json);
        // And back: what we decoded from iso_8583 packs to what iso_8583 reads.
        expect(isoUnpack(dialect.pack(dialect.unpack(theirs)))).toEqual(json);
      }),
      { numRuns: 200 },
    );
  });
});

// ---- the differences, pinned ------------------------------------------------------------------

/** Our codec's error as "code path", to pin where and why it refuses iso_8583's bytes. */
function refusal(bytes: Buffer): string {
  try {
    dialect.unpack(bytes);
  } catch (err) {
    if (err instanceof Iso8583Error) return `${err.code} ${err.path}`;
    throw err;
  }
  return 'accepted';
}

describe('where iso_8583 and iso8583-1987-ascii differ', () => {
  const small: Iso8583.IsoJson = { '0': '0200', '3': '000000', '4': '000000001000' };

  it('length header: 2 binary bytes (iso_8583) vs 4 ASCII digits (our framing)', () => {
    const raw = isoPack(small);
    const theirs = new Iso8583(small, ASCII_BITMAP).getBufferMessage() as Buffer;
    expect(theirs.readUInt16BE(0)).toBe(raw.length);
    expect(theirs.subarray(2)).toEqual(raw);
    const body = dialect.pack(ours(small));
    const framed = dialect.packFrame({ message: ours(small) });
    expect(framed.subarray(0, 4).toString('latin1')).toBe(String(body.length).padStart(4, '0'));
    expect(() => dialect.unpackFrame(theirs)).toThrow(Iso8583Error);
  });

  it('bitmap: iso_8583 defaults to 16 raw bytes and always includes the secondary bitmap', () => {
    const raw = new Iso8583(small).getRawMessage() as Buffer;
    expect(raw.subarray(4, 20).toString('hex')).toBe('b0000000000000000000000000000000');
    const { '0': mti, ...fields } = small;
    expect(dialect.pack({ mti: mti!, fields }).subarray(4, 20).toString('latin1')).toBe('3000000000000000');
  });

  it('bitmap: iso_8583 silently misreads a primary-only ASCII bitmap (it always reads 32 chars)', () => {
    const bytes = dialect.pack({
      mti: '0200',
      fields: { '3': '000000', '4': '000000001000', '41': 'TERM0001' },
    });
    const misread = new Iso8583(undefined, ASCII_BITMAP).getIsoJSON(bytes, UNFRAMED_ASCII) as Iso8583.IsoJson;
    expect(misread).not.toHaveProperty('error');
    // It takes 16 field characters for the secondary bitmap and shifts every field after it.
    expect(misread['4']).not.toBe('000000001000');
    expect(
      isoUnpack(dialect.pack({ ...ours(small), fields: { ...ours(small).fields, '41': 'TERM0001' } })),
    ).toEqual({ ...small, '41': 'TERM0001' });
  });

  it('DE52: iso_8583 writes the PIN block as 8 raw bytes and reads it back as lowercase hex', () => {
    const json = { ...small, '52': '7434F67813BAE545' };
    const raw = isoPack(json);
    expect(raw.subarray(-8).toString('hex')).toBe('7434f67813bae545');
    expect(isoUnpack(raw)['52']).toBe('7434f67813bae545');
    expect(refusal(raw)).toBe('truncated 52');
    expect(dialect.pack(ours(json)).subarray(-16).toString('latin1')).toBe('7434F67813BAE545');
  });

  it('DE64/DE96/DE128: iso_8583 MACs are 4 raw bytes (MaxLen counts hex digits), ours 8 bytes as hex', () => {
    expect(new Iso8583({ ...small, '64': '0123456789ABCDEF' }, ASCII_BITMAP).getRawMessage()).toEqual({
      error: 'invalid length of data on field 64',
    });
    expect(
      isoPack({ ...small, '64': '01234567' })
        .subarray(-4)
        .toString('hex'),
    ).toBe('01234567');
    const mine = dialect.pack(ours({ ...small, '64': '0123456789ABCDEF' }));
    expect(mine.subarray(-16).toString('latin1')).toBe('0123456789ABCDEF');
  });

  it('DE53: iso_8583 uses the 1993 layout (48 raw bytes), ours the 1987 n16', () => {
    const raw = isoPack({ ...small, '53': '0'.repeat(96) });
    expect(raw.length).toBe(isoPack(small).length + 48);
    expect(refusal(raw)).toBe('invalid-content 53');
  });

  it('DE55: iso_8583 only carries text; our raw BER-TLV bytes are refused, its hex text is not TLV', () => {
    const tlv = Buffer.from('9F2608A1B2C3D4E5F607089505000000800', 'hex').toString('latin1');
    expect(new Iso8583({ ...small, '55': tlv }, ASCII_BITMAP).getRawMessage()).toHaveProperty('error');
    const hexText = isoPack({ ...small, '55': '9F2608A1B2C3D4E5F60708' });
    // We read the character '9' (0x39) as a tag and 'F' (0x46) as a 70-byte length.
    expect(refusal(hexText)).toBe('truncated 55.39');
  });

  it('DE58: iso_8583 LL (n..11), ours LLL (ans...999)', () => {
    expect(refusal(isoPack({ ...small, '58': '12345' }))).toBe('truncated 58');
    expect(isoUnpack(dialect.pack(ours({ ...small, '58': '12345' })))['58']).not.toBe('12345');
  });

  it('DE65: iso_8583 writes no byte for it (b1 with MaxLen in hex digits)', () => {
    const raw = isoPack({ ...small, '65': '1' });
    expect(raw.length).toBe(isoPack(small).length);
    expect(raw.subarray(20, 36).toString('latin1')).toBe('8000000000000000');
  });

  it('DE127: iso_8583 packs Postilion-style subfields (LLLLLL + 8-byte bitmap), ours plain LLL text', () => {
    // Its built-in required-fields rule (DE3 000000 needs DE2 and DE4) only applies with DE127.
    expect(new Iso8583({ ...small, '127.2': '0007713856' }, ASCII_BITMAP).getRawMessage()).toHaveProperty(
      'error',
    );
    const raw = isoPack({ ...small, '2': PAN, '127.2': '0007713856' });
    // 6-digit length 20 = 8-byte sub-bitmap (bit 2) + 127.2 as LL 10.
    expect(raw.subarray(-26).toString('hex')).toBe(
      Buffer.concat([
        Buffer.from('000020'),
        Buffer.from('4000000000000000', 'hex'),
        Buffer.from('100007713856'),
      ]).toString('hex'),
    );
    expect(refusal(raw)).toBe('trailing-bytes message');
    // The other way, it takes our LLL and 3 text chars as its LLLLLL and the text as a bitmap.
    const mine = dialect.pack(ours({ ...small, '127': 'HELLO WORLD' }));
    expect(new Iso8583(undefined, ASCII_BITMAP).getIsoJSON(mine, UNFRAMED_ASCII)).toHaveProperty('error');
  });

  it('content classes: space, *, #, @ and non-ASCII are accepted by one side only', () => {
    const theirs = (id: number, v: string) => isoCheckType(isoFormats[id]!, v, id) === true;
    // DE39 an: iso_8583 has no space in an; ours does.
    expect([theirs(39, ' 1'), matchesContentType('an', ' 1')]).toEqual([false, true]);
    // DE37 anp in iso_8583 allows * and #; our an does not, so strict unpack refuses it.
    expect(refusal(isoPack({ ...small, '37': '12345*678901' }))).toBe('invalid-content 37');
    expect(dialect.unpack(isoPack({ ...small, '37': '12345*678901' }), { strict: false }).fields['37']).toBe(
      '12345*678901',
    );
    // DE43 ans: iso_8583's punctuation set lacks @, # and \, and all non-ASCII.
    for (const v of ['shop@example.com', 'Café']) {
      expect([theirs(43, v), matchesContentType('ans', v)]).toEqual([false, true]);
    }
  });

  it('fixed and empty fields: iso_8583 wants exact lengths and cannot send empty variable fields', () => {
    expect(new Iso8583({ ...small, '4': '1000' }, ASCII_BITMAP).getRawMessage()).toHaveProperty('error');
    expect(dialect.unpack(dialect.pack(ours({ ...small, '4': '1000' }))).fields['4']).toBe('000000001000');
    expect(new Iso8583({ ...small, '2': '' }, ASCII_BITMAP).getRawMessage()).toEqual({
      error: 'Field 2 in bitmap but not in json',
    });
    expect(dialect.unpack(dialect.pack(ours({ ...small, '2': '' }))).fields['2']).toBe('');
  });

  it('truncated and trailing bytes: iso_8583 returns what it could read, ours throws', () => {
    const raw = isoPack(small);
    expect(isoUnpack(raw.subarray(0, raw.length - 9))['4']).toBe('000');
    expect(isoUnpack(Buffer.concat([raw, Buffer.from('XYZ')]))).toEqual(small);
    expect(refusal(raw.subarray(0, raw.length - 9))).toBe('truncated 4');
    expect(refusal(Buffer.concat([raw, Buffer.from('XYZ')]))).toBe('trailing-bytes message');
  });
});

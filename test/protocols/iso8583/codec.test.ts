import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  builtinDialectsDir,
  type DialectRegistry,
  type FieldValue,
  getField,
  Iso8583Error,
  type IsoMessage,
  loadDialects,
} from '../../../src/protocols/iso8583/index.js';
import { tempDir } from '../../support/temp-dir.js';

/** Writes dialect files into a fresh folder and loads them together with the built-in ones. */
function withDialects(files: Record<string, string>): DialectRegistry {
  const dir = tempDir('pm-dialects-');
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return loadDialects([builtinDialectsDir(), dir]);
}

function thrown(fn: () => unknown): Iso8583Error {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(Iso8583Error);
    return err as Iso8583Error;
  }
  throw new Error('expected an Iso8583Error');
}

const builtin = loadDialects();

describe('field encodings', () => {
  let reg: DialectRegistry;
  beforeAll(() => {
    reg = withDialects({
      'axes.yaml': `
id: axes
title: every axis
mti: { enc: ebcdic }
bitmap: { enc: hex, tertiary: true }
fields:
  2: { format: "n..19", enc: bcd, prefix: { enc: bcd, unit: digits } }
  3: { format: "n..19", enc: bcd-left, nibble: F, prefix: { enc: binary, digits: 1, unit: digits } }
  4: { format: "n..19", enc: bcd, prefix: { enc: ascii, unit: bytes } }
  5: { format: n5, enc: bcd }
  6: { format: n5, enc: bcd-left }
  7: { format: "x+n9", enc: bcd }
  8: { format: ans6, enc: ebcdic }
  9: { format: "ans...99", prefix: { enc: ebcdic } }
  10: { format: "ans..20", charset: gbk, prefix: { enc: bcd, unit: bytes } }
  11: { format: b4, enc: ascii-hex }
  12: { format: "b...99", prefix: { enc: bcd-left } }
  13: { format: "ans..30", prefix: { enc: hex, digits: 1 } }
  14: { format: "ans....9999", prefix: { enc: binary, digits: 2 } }
  130: { format: n3 }
`,
    });
  });

  const cases: [string, string, string][] = [
    // field, value, expected wire bytes (hex) of that field
    ['2', '12345', '05012345'],
    ['3', '12345', '051234 5F'.replace(' ', '')],
    ['4', '1234', '3032' + '1234'],
    ['5', '12345', '012345'],
    ['6', '12345', '123450'],
    ['7', 'D12345678', '44' + '12345678'],
    ['8', 'AB 12 ', 'c1c240f1f240'],
    ['9', 'hi', 'f0f0f2' + '6869'],
    ['10', '成功', '04' + 'b3c9b9a6'],
    ['11', 'CAFE0001', '4341464530303031'],
    ['12', 'CAFE', '0020' + 'cafe'],
    ['13', 'abcdefghijklm', '44' + Buffer.from('abcdefghijklm').toString('hex')],
    ['14', 'x', '0001' + '78'],
  ];

  it.each(cases)('DE%s %s packs to its documented bytes and back', (id, value, wire) => {
    const d = reg.get('axes');
    const msg: IsoMessage = { mti: '0100', fields: { [id]: value } };
    const packed = d.pack(msg);
    // MTI (4 EBCDIC bytes) + 16 hex bitmap chars come first.
    expect(packed.subarray(20).toString('hex')).toBe(wire.toLowerCase());
    expect(d.unpack(packed)).toEqual(msg);
  });

  it('writes the MTI in EBCDIC and a tertiary bitmap when a field above 128 is present', () => {
    const d = reg.get('axes');
    const packed = d.pack({ mti: '0800', fields: { 130: '007' } });
    expect(packed.subarray(0, 4).toString('hex')).toBe('f0f8f0f0');
    // Primary has bit 1 (secondary follows), secondary has bit 65 (tertiary follows), tertiary bit 130.
    expect(packed.subarray(4, 52).toString('latin1')).toBe(
      `8000000000000000${'8000000000000000'}4000000000000000`,
    );
    expect(d.unpack(packed)).toEqual({ mti: '0800', fields: { 130: '007' } });
  });

  it('pads a short x+n amount after its sign, in ASCII and in BCD', () => {
    for (const id of ['iso8583-1987-ascii', 'iso8583-1987-binary']) {
      const d = builtin.get(id);
      expect(d.unpack(d.pack({ mti: '0200', fields: { 28: 'D100' } })).fields[28]).toBe('D00000100');
    }
  });

  it('pads short fixed values and refuses long ones', () => {
    const d = builtin.get('iso8583-1987-ascii');
    const back = d.unpack(d.pack({ mti: '0200', fields: { 4: '2500', 41: 'T1' } }));
    expect(back.fields).toEqual({ 4: '000000002500', 41: 'T1      ' });
    const err = thrown(() => d.pack({ mti: '0200', fields: { 4: '1234567890123' } }));
    expect(err.path).toBe('4');
    expect(err.message).toContain('exactly 12');
  });

  it('refuses a binary value that is not hex instead of silently truncating it', () => {
    const d = builtin.get('iso8583-1987-binary');
    const err = thrown(() => d.pack({ mti: '0200', fields: { 52: '12345678ABCDEFGZ' } }));
    expect(err).toMatchObject({ code: 'invalid-value', path: '52' });
  });

  it('refuses text that its charset cannot carry', () => {
    const d = builtin.get('iso8583-1987-ascii');
    expect(thrown(() => d.pack({ mti: '0200', fields: { 43: '成功' } })).path).toBe('43');
  });
});

describe('composite fields', () => {
  const cup = builtin.get('cup-pos');

  it('packs CUP DE60 subfields as one left-aligned BCD run, trailing subfields optional', () => {
    const msg: IsoMessage = { mti: '0200', fields: { 60: { 1: '22', 2: '000001', 3: '000' } } };
    const packed = cup.pack(msg);
    // 11 digits counted in the prefix, left-aligned: 22 00 00 01 00 0(0)
    expect(packed.subarray(10).toString('hex')).toBe('0011' + '220000010000');
    expect(cup.unpack(packed)).toEqual(msg);
    expect(getField(cup.unpack(packed), '60.2')).toBe('000001');
  });

  it('names the subfield in errors: 60.3', () => {
    const packed = cup.pack({ mti: '0200', fields: { 60: '22000001' + '0A1' } });
    const err = thrown(() => cup.unpack(packed));
    expect(err).toMatchObject({ code: 'invalid-content', path: '60.3', offset: 12 });
    expect(err.message).toBe('DE60.3 at byte 12: expected digits, found "0A1"');
  });

  it('refuses a gap in positional subfields', () => {
    const err = thrown(() => cup.pack({ mti: '0200', fields: { 60: { 1: '22', 3: '000' } } }));
    expect(err.path).toBe('60.3');
  });

  it('decodes DE55 as BER-TLV with multi-byte tags, long lengths and nested templates', () => {
    const long = 'AB'.repeat(130);
    const msg: IsoMessage = {
      mti: '0200',
      fields: {
        55: [
          { tag: '9F26', value: '0102030405060708' },
          { tag: '82', value: '7C00' },
          { tag: '71', value: [{ tag: '86', value: long }] },
        ],
      },
    };
    const packed = cup.pack(msg);
    expect(packed.toString('hex')).toContain('7181858681' + '82');
    expect(cup.unpack(packed)).toEqual(msg);
    expect(getField(cup.unpack(packed), '55.9f26')).toBe('0102030405060708');
  });

  it('names the TLV tag in errors: 55.9F26', () => {
    // A TLV whose length (08) runs past the end of DE55 (only 2 value bytes follow).
    const good = cup.pack({ mti: '0200', fields: { 55: [{ tag: '9F26', value: '0102' }] } });
    const fixed = Buffer.from(good.toString('hex').replace('9f26020102', '9f26080102'), 'hex');
    const err = thrown(() => cup.unpack(fixed));
    expect(err).toMatchObject({ code: 'truncated', path: '55.9F26' });
    expect(err.offset).toBe(good.length - 2);
  });

  it('supports subfields with their own bitmap and simple TLV', () => {
    const reg = withDialects({
      'nested.yaml': `
id: nested
title: composites
extends: iso8583-1987-ascii
fields:
  48:
    format: "ans...999"
    subfields:
      kind: bitmap
      bitmap: { enc: hex, bytes: 8 }
      fields:
        2: { format: "ans..20" }
        3: { format: n4 }
        64: { format: "ans..10" }
  63:
    format: "ans...999"
    subfields:
      kind: tlv
      tag: { length: 2, enc: ascii }
      length: { digits: 3, enc: ascii }
`,
    });
    const d = reg.get('nested');
    const msg: IsoMessage = {
      mti: '0100',
      fields: {
        48: { 2: 'hello', 3: '0042', 64: 'end' },
        63: [
          { tag: 'AB', value: 'xyz' },
          { tag: 'CD', value: '' },
        ],
      },
    };
    const packed = d.pack(msg);
    expect(packed.toString('latin1')).toContain('6000000000000001' + '05hello' + '0042' + '03end');
    expect(packed.toString('latin1')).toContain('013AB003xyzCD000');
    expect(d.unpack(packed)).toEqual(msg);
    const bad = Buffer.from(packed.toString('latin1').replace('0042', '00x2'), 'latin1');
    expect(thrown(() => d.unpack(bad)).path).toBe('48.3');
  });
});

describe('message structure errors', () => {
  const d = builtin.get('iso8583-1987-ascii');
  const sample = d.pack({
    mti: '0200',
    fields: { 3: '000000', 4: '000000002500', 11: '000001', 41: 'TERM0001' },
  });

  it('refuses a key the dialect does not define; with knownFields it looks elements up instead of listing keys', () => {
    for (const key of ['1', '129', '007', 'amount']) {
      const err = thrown(() => d.pack({ mti: '0200', fields: { 3: '000000', [key]: '1' } }));
      expect(err).toMatchObject({ code: 'invalid-value', path: key });
    }
    const fields: Record<string, FieldValue> = {
      41: 'TERM0001',
      11: '000001',
      3: '000000',
      4: '000000002500',
    };
    expect(d.pack({ mti: '0200', fields }, { knownFields: true }).equals(sample)).toBe(true);
    // An element without a codec is still refused; keys beyond the bitmap are the caller's promise.
    const tiny = withDialects({
      'tiny.yaml':
        'id: tiny\ntitle: tiny\nmti: { enc: ascii }\nbitmap: { enc: hex }\nfields:\n  3: { format: n6 }\n',
    }).get('tiny');
    const err = thrown(() =>
      tiny.pack({ mti: '0200', fields: { 3: '000000', 4: '1' } }, { knownFields: true }),
    );
    expect(err).toMatchObject({ code: 'invalid-value', path: '4' });
  });

  it('leaves nothing of a message it could not pack in the next one (the encoder reuses its scratch)', () => {
    const fields = { 3: '000000', 4: '000000002500', 11: '000001', 41: 'TERM0001' };
    for (const options of [{}, { knownFields: true }]) {
      // DE70 sets the secondary bitmap before its value (too long for n3) fails.
      const err = thrown(() => d.pack({ mti: '0800', fields: { ...fields, 70: '12345' } }, options));
      expect(err).toMatchObject({ code: 'invalid-value', path: '70' });
      expect(d.pack({ mti: '0200', fields }, options).equals(sample)).toBe(true);
    }
  });

  it('reports truncation with the field and offset', () => {
    const err = thrown(() => d.unpack(sample.subarray(0, sample.length - 3)));
    expect(err).toMatchObject({ code: 'truncated', path: '41' });
    expect(err.offset).toBe(sample.length - 8);
  });

  it('reports trailing bytes', () => {
    const err = thrown(() => d.unpack(Buffer.concat([sample, Buffer.from('XX')])));
    expect(err).toMatchObject({ code: 'trailing-bytes', offset: sample.length });
  });

  it('reports a bad MTI and a bad hex bitmap', () => {
    expect(thrown(() => d.unpack(Buffer.from('02A0'))).code).toBe('invalid-mti');
    expect(thrown(() => d.unpack(Buffer.from('0200ZZ00000000000000'))).path).toBe('bitmap');
  });

  it('reports a bit the dialect does not define', () => {
    const reg = withDialects({
      'tiny.yaml':
        'id: tiny\ntitle: tiny\nmti: { enc: ascii }\nbitmap: { enc: hex }\nfields:\n  3: { format: n6 }\n',
    });
    const err = thrown(() => reg.get('tiny').unpack(Buffer.from('02006000000000000000000000')));
    expect(err).toMatchObject({ code: 'undefined-field', path: '2', offset: 20 });
  });

  it('lenient unpack keeps content the content type forbids, strict refuses it', () => {
    const bad = Buffer.from(sample.toString('latin1').replace('000000002500', '00000000250X'), 'latin1');
    expect(d.unpack(bad, { strict: false }).fields[4]).toBe('00000000250X');
    expect(thrown(() => d.unpack(bad))).toMatchObject({ code: 'invalid-content', path: '4', offset: 26 });
  });

  it('never quotes card data in an error: a PAN masked like everywhere else, track data and secret TLVs hidden', () => {
    const pan = '4111111111111111';
    const track = `${pan}=30122011234567890`;
    const packed = d
      .pack({ mti: '0200', fields: { 2: pan, 3: '000000', 4: '000000002500', 35: track } })
      .toString('latin1');
    const badPan = thrown(() => d.unpack(Buffer.from(packed.replace(pan, '41111111111111X1'), 'latin1')));
    expect(badPan).toMatchObject({ code: 'invalid-content', path: '2', found: '"411111******11X1"' });
    const badTrack = thrown(() => d.unpack(Buffer.from(packed.replace('=3012', 'X3012'), 'latin1')));
    expect(badTrack).toMatchObject({ code: 'invalid-content', path: '35', found: '[hidden: 24+ chars]' });
    expect(badTrack.message).not.toContain('41111111');
    // Packing refuses bad values just as quietly (a template with a typo in the PAN, in BCD).
    const cup = builtin.get('cup-pos');
    const packPan = thrown(() => cup.pack({ mti: '0200', fields: { 2: '41111111111111X1' } }));
    expect(packPan).toMatchObject({ path: '2', found: '"411111******11X1"' });
    // A field that is not card data still says what it found.
    const amount = thrown(() =>
      d.unpack(Buffer.from(packed.replace('000000002500', '00000000250X'), 'latin1')),
    );
    expect(amount).toMatchObject({ path: '4', found: '"00000000250X"' });
    // DE55 of a CUP message: TLVs with track 2 equivalent (57) are hidden in the journal, and in errors.
    const de55 = thrown(() =>
      cup.pack({ mti: '0200', fields: { 55: [{ tag: '57', value: `${pan}D3012ZZ` }] } }),
    );
    expect(de55.message).not.toContain(pan);
  });

  it('refuses a length prefix above the field maximum', () => {
    const packed = d.pack({ mti: '0200', fields: { 2: '4000000000000002' } });
    const bad = Buffer.from(packed.toString('latin1').replace('164000', '994000'), 'latin1');
    expect(thrown(() => d.unpack(bad))).toMatchObject({ code: 'invalid-length', path: '2', offset: 20 });
  });
});

describe('framing through the dialect', () => {
  const cup = builtin.get('cup-pos');

  it('packs length + TPDU + header around the body and reports body errors at frame offsets', () => {
    const framed = {
      tpdu: { id: 0x60, destination: '0003', source: '0000' },
      header: '613100311001',
      message: {
        mti: '0800',
        fields: { 11: '000001', 41: 'PM000001', 60: { 1: '00', 2: '000001', 3: '003' } },
      },
    };
    const bytes = cup.packFrame(framed);
    expect(bytes.readUInt16BE(0)).toBe(bytes.length - 2);
    expect(bytes.subarray(2, 13).toString('hex')).toBe('6000030000613100311001');
    expect(cup.unpackFrame(bytes)).toEqual(framed);
    const cut = Buffer.from(bytes.subarray(0, bytes.length - 1));
    cut.writeUInt16BE(cut.length - 2, 0);
    const err = thrown(() => cup.unpackFrame(cut));
    expect(err.path).toBe('60');
    expect(err.offset).toBeGreaterThan(13);
  });

  it('turns a framing error into an Iso8583Error', () => {
    expect(thrown(() => cup.unpackFrame(Buffer.from('00ff6000030000', 'hex'))).code).toBe('invalid-frame');
  });
});

describe('edge cases found by the property tests', () => {
  it('DE65 is a data element when the dialect has no tertiary bitmap', () => {
    const d = builtin.get('iso8583-1987-binary');
    const msg = { mti: '0100', fields: { 65: '00' } };
    expect(d.pack(msg).length).toBe(2 + 16 + 1);
    expect(d.unpack(d.pack(msg))).toEqual(msg);
  });

  it('a fixed positional field needs every subfield', () => {
    const d = builtin.get('iso8583-1987-ascii');
    expect(thrown(() => d.pack({ mti: '0400', fields: { 90: { 1: '0200' } } })).path).toBe('90.2');
  });

  it('strict unpack refuses malformed GBK; lenient keeps it as U+FFFD', () => {
    const cup = builtin.get('cup-pos');
    const bytes = Buffer.from('0200' + '0000000000800000' + '8120434445464748', 'hex');
    expect(thrown(() => cup.unpack(bytes))).toMatchObject({ code: 'invalid-content', path: '41' });
    expect(cup.unpack(bytes, { strict: false }).fields[41]).toBe('\uFFFD CDEFGH');
  });

  it('packFrame reports framing problems as Iso8583Error', () => {
    const cup = builtin.get('cup-pos');
    expect(thrown(() => cup.packFrame({ message: { mti: '0800', fields: {} } })).code).toBe('invalid-frame');
  });
});

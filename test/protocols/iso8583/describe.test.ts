import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  builtinDialectsDir,
  describeMessage,
  loadDialects,
  macFieldOf,
  maskMessage,
  maskPan,
  signMessage,
  verifyMessageMac,
} from '../../../src/protocols/iso8583/index.js';
import { tempDir } from '../../support/temp-dir.js';

const reg = loadDialects();
const cup = reg.get('cup-pos');

const sale = {
  mti: '0200',
  fields: {
    2: '6200000000000005',
    4: '000000002500',
    35: '6200000000000005D29122011234567800000',
    41: 'PM000001',
    52: '1A2B3C4D5E6F7A8B',
    55: [
      { tag: '9F26', value: '46FD62985CAAE758' },
      { tag: '57', value: '6200000000000005D2912201' },
    ],
    62: 'A1B2C3D4E5F60718',
  },
};

describe('describe() and masking', () => {
  const text = describeMessage(cup, { message: sale });

  it('masks the PAN (first 6, last 4) and hides track 2, PIN block, key fields and EMV track/PAN tags', () => {
    expect(text).toContain('620000******0005');
    expect(text).toContain('[hidden: 37 chars]');
    expect(text).toContain('[hidden: 8 bytes]');
    expect(text).toContain('55.57');
    expect(text).toContain('[hidden: 12 bytes]');
    for (const secret of ['6200000000000005', '1A2B3C4D5E6F7A8B', 'D2912201', 'A1B2C3D4E5F60718']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('46FD62985CAAE758');
  });

  it('masks the same values in the JSON shape', () => {
    const json = JSON.stringify(maskMessage(cup, sale));
    expect(json).not.toContain('6200000000000005');
    expect(json).toContain('620000******0005');
  });

  it('escapes control characters that a hostile firmware might send', () => {
    const ascii = reg.get('iso8583-1987-ascii');
    const hostile = describeMessage(ascii, { message: { mti: '0210', fields: { 44: '\u001b[2J<script>' } } });
    expect(hostile).not.toContain('\u001b');
    expect(hostile).toContain('\\u001b[2J<script>');
  });

  it('masks short and long PANs sensibly', () => {
    expect(maskPan('4000000000000002')).toBe('400000******0002');
    expect(maskPan('6200000000000000005')).toBe('620000*********0005');
    expect(maskPan('12345')).toBe('*2345');
  });
});

describe('message MAC', () => {
  const mak = Buffer.from('0123456789ABCDEF', 'hex');

  it.each([
    ['cup-pos', { mti: '0200', fields: { 3: '000000', 4: '000000002500', 11: '000123', 41: 'PM000001' } }],
    ['iso8583-1987-ascii', { mti: '0200', fields: { 3: '000000', 4: '000000002500', 11: '000123' } }],
  ])('%s: a signed message verifies, and any tampered byte before the MAC fails', (id, msg) => {
    const d = reg.get(id);
    const key = id === 'cup-pos' ? mak : Buffer.concat([mak, Buffer.from('FEDCBA9876543210', 'hex')]);
    const signed = signMessage(d, msg, key);
    const body = d.pack(signed);
    expect(verifyMessageMac(d, body, key)).toBe(true);
    const macWire = id === 'cup-pos' ? 8 : 16;
    for (let i = 0; i < body.length - macWire; i++) {
      const tampered = Buffer.from(body);
      tampered[i] = tampered[i]! ^ 0x01;
      let ok: boolean;
      try {
        ok = verifyMessageMac(d, tampered, key);
      } catch {
        ok = false; // a flipped bit may also make the message undecodable
      }
      expect(ok, `byte ${i}`).toBe(false);
    }
  });

  it('puts the MAC last: DE64, or DE128 when the message has fields after DE64', () => {
    const d = reg.get('iso8583-1987-ascii');
    const key = Buffer.alloc(16);
    expect(macFieldOf(d, { mti: '0200', fields: { 3: '000000' } })).toBe(64);
    const signed = signMessage(d, { mti: '0500', fields: { 3: '000000', 74: '0000000001' } }, key);
    expect(Object.keys(signed.fields)).toEqual(['3', '74', '128']);
    expect(verifyMessageMac(d, d.pack(signed), key)).toBe(true);
  });

  it('refuses to sign when a field follows the MAC field', () => {
    // Without a DE128 the MAC cannot move after DE70, so it would not be last.
    const dir = tempDir('pm-dialects-');
    writeFileSync(
      join(dir, 'no-128.yaml'),
      'id: no-128\ntitle: no DE128\nextends: iso8583-1987-ascii\nfields:\n  128: null\n',
    );
    const d = loadDialects([builtinDialectsDir(), dir]).get('no-128');
    expect(() =>
      signMessage(d, { mti: '0200', fields: { 3: '000000', 70: '301' } }, Buffer.alloc(16)),
    ).toThrow(/no field after the MAC field 64/);
  });
});

describe('dialect.describe()', () => {
  it('dumps a bare message or a framed one, masked', () => {
    expect(cup.describe(sale)).toContain('620000******0005');
    const framed = {
      tpdu: { id: 0x60, destination: '0003', source: '0000' },
      header: '613100311001',
      message: sale,
    };
    expect(cup.describe(framed)).toMatch(/TPDU\s+id 60\s+destination 0003\s+source 0000/);
  });
});

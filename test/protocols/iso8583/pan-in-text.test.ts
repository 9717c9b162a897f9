// Card numbers inside free text: the last guard of reasons and of ISO text elements.
import { describe, expect, it } from 'vitest';
import { loadDialects, maskMessage } from '../../../src/protocols/iso8583/index.js';
import { looksLikePan, maskPansInText } from '../../../src/protocols/iso8583/pan-in-text.js';

describe('maskPansInText', () => {
  it('masks Luhn-valid runs of 13-19 digits to first 6 and last 4, wherever they stand', () => {
    expect(maskPansInText('has pan (DE2) expected "4111111111111111", got "411111******1111"')).toBe(
      'has pan (DE2) expected "411111******1111", got "411111******1111"',
    );
    expect(maskPansInText('SHOP 5500005555555559 CITY')).toBe('SHOP 550000******5559 CITY');
    expect(maskPansInText('pan=6200000000000005;')).toBe('pan=620000******0005;');
    expect(maskPansInText('4222222222222')).toBe('422222***2222'); // 13 digits
    // Written in groups, and a track 2 written out: everything after the card number goes too.
    expect(maskPansInText('card 4000 0000 0000 0002 or 4111-1111-1111-1111')).toBe(
      'card 400000******0002 or 411111******1111',
    );
    expect(maskPansInText(';4111111111111111=30122011234567890?')).toBe(';411111******1111=[hidden]');
    expect(maskPansInText('ref 4111.1111.1111.1111')).toBe('ref 411111******1111');
    // A version number or an amount with dots is no card number.
    expect(maskPansInText('v 1.2.3, 1500.00 EUR')).toBe('v 1.2.3, 1500.00 EUR');
  });

  it('leaves numbers that are no card numbers: Luhn-invalid, zero-padded, too short or too long', () => {
    expect(looksLikePan('4111111111111112')).toBe(false);
    for (const text of [
      'card 4111111111111112', // Luhn check fails
      'DE4 000000000000018', // zero-padded (Luhn-valid): an amount, a counter
      'RRN 411111111117', // 12 digits, Luhn-valid: a retrieval reference, not a card
      'totals 41111111111111110000', // 20 digits
      'no digits at all',
      'on 2026-11-26 at 10:45', // groups, but a date
      'ref 4111 1111 1111 1112', // groups that fail the Luhn check
    ]) {
      expect(maskPansInText(text)).toBe(text);
    }
    expect(looksLikePan('000000000000018')).toBe(true); // Luhn alone would mask it
  });
});

/** One BER-TLV item in hex: tag, short length, value. */
const tlv = (tag: string, value: string) => tag + (value.length / 2).toString(16).padStart(2, '0') + value;
/** The tag and length of that item, without its value. */
const head = (tag: string, value: string) => tlv(tag, value).slice(0, tag.length + 2);
const PAN = '4761739001010119';

describe('EMV data written as hex in text', () => {
  const cryptogram = tlv('9F26', '1122334455667788');
  const amount = tlv('9F02', '000000001000');

  it('hides the PAN, track 2 equivalent and name tags of hex that is BER-TLV, and keeps the rest', () => {
    const t2 = `${PAN}D22122011143804400000F`;
    const name = '534D4954482F4A4F484E';
    const hex = cryptogram + tlv('5A', PAN) + amount + tlv('57', t2) + tlv('5F20', name);
    const masked = maskPansInText(`{"emv_data":"${hex}"}`);
    expect(masked).toBe(
      `{"emv_data":"${cryptogram}${head('5A', PAN)}[hidden: 8 bytes]${amount}` +
        `${head('57', t2)}[hidden: 19 bytes]${head('5F20', name)}[hidden: 10 bytes]"}`,
    );
    expect(masked).not.toContain('47617390');
  });

  it('looks inside a template (70) and reads lowercase hex', () => {
    const inner = amount + tlv('5a', PAN);
    const hex = tlv('70', inner).toLowerCase();
    expect(maskPansInText(`icc=${hex}`)).toBe(
      `icc=${head('70', inner)}${amount.toLowerCase()}5a08[hidden: 8 bytes]`,
    );
  });

  it('hides a PAN item in hex that is not TLV through to its end (cut, or glued to more hex)', () => {
    const t2 = `${PAN}D2212201114380440`;
    const cut = `${cryptogram}${tlv('5A', PAN)}${amount.slice(0, -2)}`;
    expect(maskPansInText(cut)).toBe(`${cryptogram}5A08[hidden: 8 bytes]${amount.slice(0, -2)}`);
    // 57's expiry, service code and discretionary data go with the card number.
    expect(maskPansInText(`${tlv('57', `${t2}F`)}00`)).toBe(`${head('57', `${t2}F`)}[hidden: 17 bytes]00`);
    // Odd length: the PAN is F-padded to whole bytes.
    const odd = '4222222222222';
    expect(maskPansInText(`${tlv('5A', `${odd}F`)}00`)).toBe('5A07[hidden: 7 bytes]00');
    // A 5A item of digits that are no card number stays.
    const notPan = `${tlv('5A', '4761739001010118')}00`;
    expect(maskPansInText(notPan)).toBe(notPan);
  });

  it('reads templates nested 20,000 deep as no TLV, without running out of stack', () => {
    // A hostile body: E0 templates around E0 templates around a PAN, 20,000 deep (long-form lengths).
    const length = (n: number) =>
      n < 0x80
        ? n.toString(16).padStart(2, '0')
        : n < 0x10000
          ? `82${n.toString(16).padStart(4, '0')}`
          : `83${n.toString(16).padStart(6, '0')}`;
    let hex = tlv('5A', PAN);
    for (let i = 0; i < 20_000; i++) hex = `E0${length(hex.length / 2)}${hex}`;
    const masked = maskPansInText(hex);
    expect(masked.endsWith('5A08[hidden: 8 bytes]')).toBe(true);
  });

  it('leaves hex that is no TLV through to its end, and TLV without card data', () => {
    for (const text of [
      `mac ${'0123456789ABCDEF'.repeat(2)}`,
      `${cryptogram}${amount}`,
      `cut ${cryptogram}${tlv('5A', PAN).slice(0, -2)}`, // the PAN's last byte missing
      `id 5A08${PAN}XYZ`, // part of a longer word
    ]) {
      expect(maskPansInText(text)).toBe(text);
    }
  });
});

describe('full-width digits', () => {
  const wide = (digits: string) =>
    digits.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + d.charCodeAt(0) - 0x30));

  it('masks a card number typed in full-width digits, alone or mixed with ASCII ones', () => {
    expect(maskPansInText(`卡号 ${wide('4111111111111111')} 收款`)).toBe('卡号 411111******1111 收款');
    expect(maskPansInText(`${wide('41111111')}11111111`)).toBe('411111******1111');
  });

  it('leaves full-width numbers that are no card numbers', () => {
    for (const text of [wide('4111111111111112'), wide('000000000000018'), `店号${wide('12')}`]) {
      expect(maskPansInText(text)).toBe(text);
    }
  });
});

describe('ISO text elements', () => {
  const dialect = loadDialects().get('iso8583-1987-ascii');

  it('a card number a terminal put into a text element (DE43, DE48) is masked; numeric elements are left', () => {
    const masked = maskMessage(dialect, {
      mti: '0200',
      fields: {
        '11': '000123',
        '43': 'SHOP 4111111111111111 CITY',
        '48': '4111111111111111',
        '4': '000000002500',
      },
    });
    expect(masked.fields).toMatchObject({
      '11': '000123',
      '43': 'SHOP 411111******1111 CITY',
      '48': '411111******1111',
      '4': '000000002500',
    });
  });

  it('EMV tags with track data or the PIN (9F6B, 9F20, 99) are hidden at any depth, whatever the hide list', () => {
    const masked = maskMessage(dialect, {
      mti: '0200',
      fields: {
        '55': [
          { tag: '9F6B', value: '4111111111111111D30122011234' },
          { tag: '99', value: '0412AC7E9B1D0F33' },
          { tag: '70', value: [{ tag: '9F20', value: '2011234567' }] },
          { tag: '9F26', value: '1122334455667788' },
        ],
      },
    });
    expect(masked.fields['55']).toEqual([
      { tag: '9F6B', value: '[hidden: 14 bytes]' },
      { tag: '99', value: '[hidden: 8 bytes]' },
      { tag: '70', value: [{ tag: '9F20', value: '[hidden: 5 bytes]' }] },
      { tag: '9F26', value: '1122334455667788' },
    ]);
  });
});

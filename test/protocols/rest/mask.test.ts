import { describe, expect, it } from 'vitest';
import { looksLikePan, maskHeaders, maskJson } from '../../../src/protocols/rest/index.js';
import { maskUrl } from '../../../src/protocols/rest/mask.js';

describe('masking JSON bodies', () => {
  it('masks the PAN where the version says it is, and any Luhn-valid card number anywhere', () => {
    const body = {
      card: { number: '5555555555554444', cvc: '123' },
      note: 'pan 4111111111111111 in text, order 1234567890123456',
      other: ['4012888888881881', '1234567890123'],
      expiry: '12/30',
      nested: {
        track2: '4111111111111111=30122011234',
        pinBlock: 'AB12',
        card_code: '999',
        'Security-Code': 7,
        cardSecurityCode: '737',
      },
      numeric: 4111111111111111,
    };
    const masked = maskJson(body, { pans: ['/card/number'], hidden: ['/expiry'] }) as typeof body;
    expect(masked.card).toEqual({ number: '555555******4444', cvc: '[hidden: 3 chars]' });
    expect(masked.other).toEqual(['401288******1881', '1234567890123']);
    expect(masked.expiry).toBe('[hidden: 5 chars]');
    expect(masked.nested).toEqual({
      track2: '[hidden: 28 chars]',
      pinBlock: '[hidden: 4 chars]',
      card_code: '[hidden: 3 chars]',
      'Security-Code': '[hidden: 1 chars]',
      cardSecurityCode: '[hidden: 3 chars]',
    });
    expect(masked.numeric).toBe('411111******1111');
    // A card number inside text is masked too; a number that fails the Luhn check is evidence, kept.
    expect(masked.note).toBe('pan 411111******1111 in text, order 1234567890123456');
    expect(body.card.number).toBe('5555555555554444');
    expect(looksLikePan('4111111111111112')).toBe(false);
  });

  it('masks secrets in headers, keeping the scheme and the last 4 characters of long keys', () => {
    expect(
      maskHeaders(
        {
          Authorization: 'Bearer sk_test_abcdefgh1234',
          'X-API-Key': 'MC_TEST_KEY_7d1f0c2a9b',
          'X-Custom-Secret': 'abc',
          Cookie: ['a=1', 'b=2'],
          'Content-Length': 12,
        },
        ['x-custom-secret'],
      ),
    ).toEqual({
      authorization: 'Bearer ****1234',
      'x-api-key': '****2a9b',
      'x-custom-secret': '****',
      cookie: '****',
      'content-length': '12',
    });
    expect(maskHeaders({ authorization: 'Basic c2tfdGVzdDo=' })).toEqual({ authorization: 'Basic ****' });
  });

  it('hides card codes, PINs and credentials under any prefix, and masks a PAN used as a name', () => {
    const body = {
      merchant_api_key: 'MC_TEST_KEY_7d1f0c2a9b',
      card_pin: '1234',
      card_pin_block: '0412AC7E9B1D0F33',
      terminal_password: 'hunter22',
      auth_token: 'tok_abcdef',
      cardCVV2: '123',
      card_track2_data: ';4111111111111111=3012?',
      '4111111111111111': 'a key that is a PAN',
      shipping: 'kept',
      amount: 1000,
    };
    expect(maskJson(body)).toEqual({
      merchant_api_key: '[hidden: 22 chars]',
      card_pin: '[hidden: 4 chars]',
      card_pin_block: '[hidden: 16 chars]',
      terminal_password: '[hidden: 8 chars]',
      auth_token: '[hidden: 10 chars]',
      cardCVV2: '[hidden: 3 chars]',
      card_track2_data: '[hidden: 23 chars]',
      '411111******1111': 'a key that is a PAN',
      shipping: 'kept',
      amount: 1000,
    });
    expect(maskHeaders({ 'x-4111111111111111': '1' })).toEqual({ 'x-411111******1111': '1' });
    expect(maskUrl('/v4/payments/MC1?4111111111111111=1&card_pin=1234')).toBe(
      '/v4/payments/MC1?411111******1111=1&card_pin=[hidden: 4 chars]',
    );
  });
});

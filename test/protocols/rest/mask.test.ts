import { describe, expect, it } from 'vitest';
import { looksLikePan, maskHeaders, maskJson } from '../../../src/protocols/rest/index.js';

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
});

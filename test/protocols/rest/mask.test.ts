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

  it('hides the card data of EMV hex a body carries, and card numbers in full-width digits', () => {
    // 9F26 cryptogram, 5A PAN, 9F02 amount: a terminal's ICC data as a gateway takes it.
    const icc = '9F260811223344556677885A0847617390010101199F0206000000001000';
    const masked = maskJson({
      card_present: { emv_data: icc.toLowerCase() },
      memo: '\uFF14\uFF11'.concat('\uFF11'.repeat(14)),
    }) as { card_present: { emv_data: string }; memo: string };
    expect(masked.card_present.emv_data).toBe(
      '9f260811223344556677885a08[hidden: 8 bytes]9f0206000000001000',
    );
    expect(masked.memo).toBe('411111******1111');
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

  it('hides secrets named in words, in header names, in encoded URLs, and known keys wherever they stand', () => {
    const KEY = 'sk_test_nimbus_7d1f0c2a9b3e4d5f';
    expect(
      maskJson(
        {
          cvc_code: '987',
          pinCode: '4321',
          'cvv-value': '123',
          spinner: 'kept',
          note: `key ${KEY}`,
        },
        { secrets: [KEY] },
      ),
    ).toEqual({
      cvc_code: '[hidden: 3 chars]',
      pinCode: '[hidden: 4 chars]',
      'cvv-value': '[hidden: 3 chars]',
      spinner: 'kept',
      note: 'key ****4d5f',
    });
    expect(
      maskHeaders(
        {
          'X-Card-CVV': '987',
          'X-PIN-Block': '0412AC7E',
          'X-Auth-Token': 'tok',
          'Nimbus-Key': KEY,
          'idempotency-key': 'k1',
        },
        [],
        [KEY],
      ),
    ).toEqual({
      'x-card-cvv': '[hidden: 3 chars]',
      'x-pin-block': '[hidden: 8 chars]',
      'x-auth-token': '[hidden: 3 chars]',
      'nimbus-key': '****4d5f',
      'idempotency-key': 'k1',
    });
    // A result about a secret is no secret: shown.
    const results = {
      cvc_check: 'pass',
      cvv_result: 'M',
      pin_entry_mode: 'online',
      pinVerified: true,
      secret_question: 'q',
    };
    expect(maskJson(results)).toEqual(results);
    expect(maskHeaders({ 'X-Pin-Entry-Mode': 'online', 'X-CVV-Result': 'M' })).toEqual({
      'x-pin-entry-mode': 'online',
      'x-cvv-result': 'M',
    });
    expect(maskUrl('/p?cvc_check=pass&pin_verified=true')).toBe('/p?cvc_check=pass&pin_verified=true');
    // Read as the server reads it: %35 is 5, %20 and + are spaces; card[cvc] and c%76v are card codes.
    expect(maskUrl('/v1/payment_intents/%35555555555554444')).toBe('/v1/payment_intents/555555******4444');
    expect(maskUrl('/p/5555%205555%205555%204444')).toBe('/p/555555******4444');
    expect(
      maskUrl(`/p?card[cvc]=987&card[pin]=4321&c%76v=987&bearer=${KEY}&n=5555+5555+5555+4444`, [KEY]),
    ).toBe(
      '/p?card[cvc]=[hidden: 3 chars]&card[pin]=[hidden: 4 chars]&c%76v=[hidden: 3 chars]&bearer=****4d5f&n=555555******4444',
    );
    // Nothing to mask: the URL as sent.
    expect(maskUrl('/p/a%20b?x=1+2')).toBe('/p/a%20b?x=1+2');
  });
});

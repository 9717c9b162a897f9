// What an external emulator reports is masked before paymatrix keeps it: the emulator is not
// trusted to mask. Every kind of card data and secret, in every place it can put it.
import { describe, expect, it } from 'vitest';
import { loadDialects } from '../../../src/protocols/iso8583/index.js';
import { OutputMasker } from '../../../src/terminals/process/output-masker.js';

const PAN = '4111111111111111';
const MASKED = '411111******1111';
const dialects = loadDialects();

describe('OutputMasker', () => {
  it('masks PANs, track 1 and track 2 data and PIN words in free text (stderr, summaries)', () => {
    const m = new OutputMasker();
    const text = m.text(
      `sale ${PAN} ok; track2 ;${PAN}=30121010000012300000?; ` +
        `track1 %B${PAN}^CARDHOLDER/TEST^3012101000000123000000?; pin block: 0412AC89ABCDEF67`,
    );
    expect(text).toBe(
      `sale ${MASKED} ok; track2 ;${MASKED}=[hidden]?; track1 B${MASKED}^[hidden]; pin block: [hidden]`,
    );
    for (const secret of [PAN, '3012101000000123', 'CARDHOLDER', '0412AC89ABCDEF67'])
      expect(text).not.toContain(secret);
  });

  it('removes the secrets the driver handed the emulator wherever they appear', () => {
    const m = new OutputMasker();
    m.addSecrets('0123456789ABCDEFFEDCBA9876543210', 'sk_test_nimbus_4eC39HqLyjWDarjtT1zdp7dc', 'short');
    expect(
      m.text('MAK 0123456789ABCDEFFEDCBA9876543210 key=sk_test_nimbus_4eC39HqLyjWDarjtT1zdp7dc short'),
    ).toBe('MAK [hidden: 32 chars] key=[hidden: 39 chars] short');
  });

  it("masks ISO elements by the build's dialect: PAN 6+4, track 2 and PIN block hidden, amounts kept", () => {
    const m = new OutputMasker(dialects.get('iso8583-1987-ascii'));
    const out = m.message({
      summary: `0200 sale 10.00 ${PAN}`,
      size: 120,
      iso: {
        mti: '0200',
        fields: {
          '2': PAN,
          '4': '000000001000',
          '35': `${PAN}=3012101`,
          '42': '000000000000001',
          '43': `SHOP ${PAN} CITY`,
          '52': '0412AC89ABCDEF67',
        },
      },
    });
    expect(out.summary).toBe(`0200 sale 10.00 ${MASKED}`);
    expect(out.iso!.fields['2']).toBe(MASKED);
    expect(out.iso!.fields['4']).toBe('000000001000');
    // A text element: a 15-digit merchant id is no card number; a PAN written into it is.
    expect(out.iso!.fields['42']).toBe('000000000000001');
    expect(out.iso!.fields['43']).toBe(`SHOP ${MASKED} CITY`);
    expect(JSON.stringify(out)).not.toContain('3012101');
    expect(JSON.stringify(out)).not.toContain('0412AC89ABCDEF67');
  });

  it('without a dialect still masks the elements that hold card data in every ISO 8583 version', () => {
    const m = new OutputMasker();
    const out = m.message({
      summary: '0200',
      size: 1,
      iso: {
        mti: '0200',
        fields: { '2': PAN, '35': `${PAN}D3012`, '45': `B${PAN}^X^3012`, '52': 'AB12CD34EF56AB78' },
      },
    });
    expect(out.iso!.fields).toEqual({ '2': MASKED, '35': '[hidden]', '45': '[hidden]', '52': '[hidden]' });
  });

  it('masks HTTP credentials and JSON card data: cvc and track keys hidden, a PAN masked even as a number', () => {
    const m = new OutputMasker();
    const out = m.message({
      summary: 'POST /v1/payment_intents',
      size: 300,
      http: {
        method: 'POST',
        path: '/v1/payment_intents',
        headers: {
          Authorization: 'Bearer sk_test_nimbus_4eC39HqLyjWDarjtT1zdp7dc',
          'X-Api-Key': 'MC_TEST_KEY_7d1f0c2a9b',
          'Idempotency-Key': 'k-1',
        },
        body: {
          amount: 1200,
          card: { number: PAN, cvc: '123', exp_month: 12, exp_year: 2030 },
          cards: [{ pan: Number(PAN), track2: `${PAN}=3012` }],
          note: `card ${PAN}`,
        },
      },
    });
    expect(out.http!.headers).toEqual({
      authorization: 'Bearer ****p7dc',
      'x-api-key': '****2a9b',
      'idempotency-key': 'k-1',
    });
    expect(out.http!.body).toEqual({
      amount: 1200,
      card: { number: MASKED, cvc: '[hidden: 3 chars]', exp_month: 12, exp_year: 2030 },
      cards: [{ pan: MASKED, track2: '[hidden: 21 chars]' }],
      note: `card ${MASKED}`,
    });
  });

  it('masks event data the same way (deep)', () => {
    const m = new OutputMasker();
    expect(m.deep({ step: 'card read', track1: `B${PAN}^X^3012`, detail: [`pan ${PAN}`], cvv: 123 })).toEqual(
      {
        step: 'card read',
        track1: '[hidden: 24 chars]',
        detail: [`pan ${MASKED}`],
        cvv: '[hidden: 3 chars]',
      },
    );
  });
});

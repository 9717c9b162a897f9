import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprintOf, PaymentStore } from '../../../src/mocks/gateway/index.js';

describe('PaymentStore ids', () => {
  it('are the prefix, the sequence in base 36 (5 digits or more) and 8 seeded base-36 letters', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1 }),
        (draws) => {
          let i = 0;
          const store = new PaymentStore(10, () => draws[i++ % draws.length]!);
          draws.forEach((r, n) => {
            const tail = Math.floor(r * 36 ** 8)
              .toString(36)
              .padStart(8, '0');
            expect(store.newId('pi_')).toBe(`pi_${(n + 1).toString(36).padStart(5, '0')}${tail}`);
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('fingerprintOf', () => {
  it('is the same for the same method, path and body, and differs when any of them does', () => {
    const body = '{"amount":{"value":1000,"currency":"USD"}}';
    const fp = fingerprintOf('POST', '/v1/payment_intents', body);
    expect(fingerprintOf('POST', '/v1/payment_intents', body)).toBe(fp);
    expect(fingerprintOf('POST', '/v1/payment_intents', body.replace('1000', '1001'))).not.toBe(fp);
    expect(fingerprintOf('POST', '/v1/payment_intents/x', body)).not.toBe(fp);
    expect(fingerprintOf('PUT', '/v1/payment_intents', body)).not.toBe(fp);
    // The parts are separated: moving a character from the path to the body changes it.
    expect(fingerprintOf('POST', '/a', 'b')).not.toBe(fingerprintOf('POST', '/', 'ab'));
  });
});

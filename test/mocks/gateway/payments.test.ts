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
  const body = { amount: { value: 1000, currency: 'USD' }, capture: false, tags: ['a', 'b'] };

  it('is the same for the same method, path and body, and differs when any of them does', () => {
    const fp = fingerprintOf('POST', '/v1/payment_intents', body);
    expect(fingerprintOf('POST', '/v1/payment_intents', structuredClone(body))).toBe(fp);
    expect(
      fingerprintOf('POST', '/v1/payment_intents', { ...body, amount: { value: 1001, currency: 'USD' } }),
    ).not.toBe(fp);
    expect(fingerprintOf('POST', '/v1/payment_intents/x', body)).not.toBe(fp);
    expect(fingerprintOf('PUT', '/v1/payment_intents', body)).not.toBe(fp);
    // The parts are separated: moving a character from the path to the method changes it.
    expect(fingerprintOf('POS', 'T/', body)).not.toBe(fingerprintOf('POST', '/', body));
  });

  it('compares the body as data: member order and whitespace do not count, types and nesting do', () => {
    const fp = fingerprintOf('POST', '/p', body);
    // A retry serialized again, members in another order.
    const reordered = JSON.parse(
      '{ "tags": ["a","b"], "capture": false,\n "amount": {"currency":"USD","value":1000} }',
    );
    expect(fingerprintOf('POST', '/p', reordered)).toBe(fp);
    // List order counts; a number is not its digits as a string; a member moved a level is another body.
    expect(fingerprintOf('POST', '/p', { ...body, tags: ['b', 'a'] })).not.toBe(fp);
    expect(fingerprintOf('POST', '/p', { ...body, amount: { value: '1000', currency: 'USD' } })).not.toBe(fp);
    expect(
      fingerprintOf('POST', '/p', { value: 1000, currency: 'USD', capture: false, tags: ['a', 'b'] }),
    ).not.toBe(fp);
    expect(fingerprintOf('POST', '/p', { a: 'bc' })).not.toBe(fingerprintOf('POST', '/p', { ab: 'c' }));
    expect(fingerprintOf('POST', '/p', ['ab', 'c'])).not.toBe(fingerprintOf('POST', '/p', ['a', 'bc']));
    expect(fingerprintOf('POST', '/p', true)).not.toBe(fingerprintOf('POST', '/p', false));
    // No body at all, and an empty object: no parameters either way.
    expect(fingerprintOf('POST', '/p', undefined)).toBe(fingerprintOf('POST', '/p', {}));
    expect(fingerprintOf('POST', '/p', undefined)).not.toBe(fp);
    expect(fingerprintOf('POST', '/p', { a: {} })).not.toBe(fingerprintOf('POST', '/p', { a: null }));
  });
});

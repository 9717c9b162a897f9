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

  it('two bodies have one fingerprint exactly when they are the same data (property)', () => {
    // Small values and few names, so that near misses (swapped values, one-off numbers) are common.
    const leaf = fc.oneof(
      fc.integer({ min: 0, max: 3 }),
      fc.constantFrom('1', '2', 'x'),
      fc.boolean(),
      fc.constant(null),
    );
    const value = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom('a', 'b', 'c', 'lane', 'store'), tie('v'), { maxKeys: 4 }),
      ),
    })).v;
    // The same data whatever the members' order: JSON with keys sorted, recursively.
    const canonical = (v: unknown): string =>
      JSON.stringify(v, (_k, x) =>
        x && typeof x === 'object' && !Array.isArray(x)
          ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0)))
          : x,
      );
    fc.assert(
      fc.property(value, value, (x, y) => {
        const same = canonical(x) === canonical(y) || (isEmpty(x) && isEmpty(y));
        expect(fingerprintOf('POST', '/p', x) === fingerprintOf('POST', '/p', y)).toBe(same);
      }),
      { numRuns: 2000 },
    );
    // Near misses, the likely ones: the same members with their values traded around.
    const members = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'lane', 'store'), leaf, {
      minKeys: 2,
      maxKeys: 5,
    });
    fc.assert(
      fc.property(members, fc.integer({ min: 1, max: 4 }), (x, shift) => {
        const keys = Object.keys(x);
        const y = Object.fromEntries(keys.map((k, i) => [k, x[keys[(i + shift) % keys.length]!]]));
        expect(fingerprintOf('POST', '/p', x) === fingerprintOf('POST', '/p', y)).toBe(
          canonical(x) === canonical(y),
        );
      }),
      { numRuns: 2000 },
    );
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
    // Members that trade values, or bits, are another body (a sum of member hashes must not hide it).
    for (const [x, y] of [
      [
        { lane: '1', store: '2' },
        { lane: '2', store: '1' },
      ],
      [
        { a: 0, c: 1 },
        { a: 1, c: 0 },
      ],
      [
        { a: 0, b: 0 },
        { a: 1, b: 1 },
      ],
      [
        { amount: 1000, tip: 5 },
        { amount: 1001, tip: 4 },
      ],
      // Integers that met when a number was fed as two raw 32-bit words; text found by a birthday
      // search on the 64-bit fingerprint of the time (it has 128 bits now).
      [{ a: -1 }, { a: 4294967297 }],
      [{ amount_to_capture: 415577088 }, { amount_to_capture: 7155621727879168 }],
      [{ metadata: { note: 'h+0ejhIw[!' } }, { metadata: { note: 'XQdVl^ ~"%' } }],
    ]) {
      expect(fingerprintOf('POST', '/p', x)).not.toBe(fingerprintOf('POST', '/p', y));
    }
    // No body at all, and an empty object: no parameters either way.
    expect(fingerprintOf('POST', '/p', undefined)).toBe(fingerprintOf('POST', '/p', {}));
    expect(fingerprintOf('POST', '/p', undefined)).not.toBe(fp);
    expect(fingerprintOf('POST', '/p', { a: {} })).not.toBe(fingerprintOf('POST', '/p', { a: null }));
  });
});

/** No body, a `null` one and `{}` are the same parameters, none (fingerprintOf). */
function isEmpty(v: unknown): boolean {
  return v == null || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);
}

// Amounts in minor units shown with the currency's own decimals (ISO 4217), in journals and reasons.
import { describe, expect, it } from 'vitest';
import { formatMinor } from '../../../src/protocols/rest/minor-units.js';

describe('formatMinor', () => {
  it("uses the currency's decimals: two for USD, none for JPY, three for BHD; two when unknown", () => {
    expect(formatMinor(1000, 'USD')).toBe('10.00');
    expect(formatMinor(1000, 'jpy')).toBe('1000');
    expect(formatMinor(1000, 'BHD')).toBe('1.000');
    expect(formatMinor(1000, 'XYZ')).toBe('10.00');
    expect(formatMinor(1000)).toBe('10.00');
  });
});

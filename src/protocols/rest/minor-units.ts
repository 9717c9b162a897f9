import currencyCodes from 'currency-codes';

/**
 * An amount in minor units as people read it, with the currency's own decimals (ISO 4217): 1000
 * USD is 10.00, 1000 JPY is 1000, 1000 BHD is 1.000. An unknown or absent currency gets two.
 */
export function formatMinor(amount: number, currency?: string): string {
  const digits = (currency ? currencyCodes.code(currency.toUpperCase())?.digits : undefined) ?? 2;
  return (amount / 10 ** digits).toFixed(digits);
}

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${name} is the profile template syntax, not JavaScript.
import currencyCodes from 'currency-codes';
import type { CardInput } from '../../terminal.js';

/**
 * The variables a REST body template (and the idempotency key and payment id templates) can use.
 * A variable without a value (no card, no original) leaves its key out of the body. docs/firmware.md
 * lists them; the profile loader refuses any other name.
 */
export const REST_VARIABLES: Readonly<Record<string, string>> = {
  amount: 'amount, integer minor units (alone: a JSON number)',
  currency: 'ISO 4217 alphabetic, upper case (USD)',
  currencyLower: 'ISO 4217 alphabetic, lower case (usd)',
  currencyNumeric: 'ISO 4217 numeric (840)',
  pan: 'card number',
  expiry: 'card expiry YYMM',
  expiryMonth: 'expiry month, a number (${expiryMonth:2} for "03")',
  expiryYear: 'expiry year, a 4-digit number',
  entryMode: 'chip, magstripe, contactless or manual',
  terminalId: 'the terminal id (configuration or terminal:)',
  merchantId: 'the merchant id (configuration or terminal:)',
  sequence: "the terminal's transaction counter, from 1 until reset (${sequence:6} for 000001)",
  uuid: 'a UUID drawn for this transaction from the seeded stream (the same in all its templates)',
  timestamp: 'the transaction start, ISO 8601 UTC',
  'original.paymentId': 'the payment a void, completion, refund or reversal refers to',
  'original.amount': 'its amount, minor units',
};

export function isRestVariable(name: string): boolean {
  return Object.hasOwn(REST_VARIABLES, name);
}

export type RestValue = string | number;
export type RestLookup = (name: string) => RestValue | undefined;

/** What one transaction's templates are rendered from. */
export interface RestInputs {
  amount?: number;
  /** ISO 4217 numeric. */
  currency: string;
  card?: CardInput;
  terminalId?: string;
  merchantId?: string;
  sequence: number;
  uuid: string;
  now: Date;
  original?: { paymentId?: string; amount?: number };
  /** The amount-as-decimal defect: amounts in major units. */
  amountAsDecimal: boolean;
}

/** ISO 4217 numeric → its record (alphabetic code, minor digits); undefined when unknown. */
export function currencyOf(numeric: string): { code: string; digits: number } | undefined {
  const found = currencyCodes.number(numeric);
  return found && { code: found.code, digits: found.digits };
}

export function restLookup(inputs: RestInputs): RestLookup {
  const currency = currencyOf(inputs.currency);
  const money = (minor: number | undefined): number | undefined => {
    if (minor === undefined || !inputs.amountAsDecimal) return minor;
    return minor / 10 ** (currency?.digits ?? 2);
  };
  const card = inputs.card;
  const expiry = card?.expiry;
  return (name) => {
    switch (name) {
      case 'amount':
        return money(inputs.amount);
      case 'currency':
        return currency?.code;
      case 'currencyLower':
        return currency?.code.toLowerCase();
      case 'currencyNumeric':
        return inputs.currency;
      case 'pan':
        return card?.pan;
      case 'expiry':
        return expiry;
      case 'expiryMonth':
        return expiry ? Number(expiry.slice(2, 4)) : undefined;
      case 'expiryYear':
        return expiry ? 2000 + Number(expiry.slice(0, 2)) : undefined;
      case 'entryMode':
        return card?.entryMode;
      case 'terminalId':
        return inputs.terminalId;
      case 'merchantId':
        return inputs.merchantId;
      case 'sequence':
        return inputs.sequence;
      case 'uuid':
        return inputs.uuid;
      case 'timestamp':
        return inputs.now.toISOString();
      case 'original.paymentId':
        return inputs.original?.paymentId;
      case 'original.amount':
        return money(inputs.original?.amount);
      default:
        return undefined;
    }
  };
}

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DataFileError } from '../../../src/data/data-file-error.js';
import type { CardFile } from '../../../src/mocks/hosts/card-schema.js';
import { builtinCardsFile, loadCards, loadHosts, luhnValid } from '../../../src/mocks/hosts/host-loader.js';
import { tempDir } from '../../support/temp-dir.js';

/**
 * Published test numbers only: card-scheme / gateway test PANs that are never issued to a cardholder.
 * Visa and Mastercard: the classic test PANs (also in Stripe's, Adyen's and Braintree's lists);
 * 4000000000000002/0069/9995 and the UnionPay ones: Stripe's test cards.
 */
const TEST_PANS = new Set([
  '4111111111111111',
  '4012888888881881',
  '4242424242424242',
  '4000000000000002',
  '4000000000000069',
  '4000000000009995',
  '5555555555554444',
  '5105105105105100',
  '2223003122003222',
  '6200000000000005',
  '6200000000000047',
  '6205500000000000004',
  '6250941006528599',
]);

/** Written out again here so the test does not trust the loader's own check. */
function luhn(pan: string): boolean {
  const digits = [...pan].reverse().map(Number);
  const sum = digits.reduce(
    (s, d, i) => s + (i % 2 === 1 ? ((d * 2) % 10) + Math.floor((d * 2) / 10) : d),
    0,
  );
  return sum % 10 === 0;
}

const cards = loadCards();
const raw = parse(readFileSync(builtinCardsFile(), 'utf8')) as CardFile;

describe('mocks/cards.yaml', () => {
  it('every PAN is Luhn-valid and a published test number', () => {
    expect(cards.list().length).toBeGreaterThanOrEqual(8);
    for (const card of cards.list()) {
      expect(luhn(card.pan), card.id).toBe(true);
      expect(luhnValid(card.pan), card.id).toBe(true);
      expect(TEST_PANS.has(card.pan), `${card.id} ${card.pan} is not on the test list`).toBe(true);
    }
  });

  it('covers the schemes, both technologies, every status, and more than one currency', () => {
    const list = cards.list();
    expect(new Set(list.map((c) => c.scheme))).toEqual(new Set(['visa', 'mastercard', 'unionpay']));
    expect(new Set(list.map((c) => c.technology))).toEqual(new Set(['chip', 'magstripe']));
    expect(new Set(list.map((c) => c.status))).toEqual(new Set(['active', 'blocked', 'lost', 'stolen']));
    expect(new Set(list.map((c) => c.currency)).size).toBeGreaterThan(1);
    // Only the expired card is expired; the others stay valid for years.
    for (const c of list) {
      if (c.id === 'visa-expired') expect(c.expiry < '2101').toBe(true);
      else expect(c.expiry >= '2901', c.id).toBe(true);
    }
  });

  it('says in the file that these are test values', () => {
    expect(raw.note).toMatch(/test/i);
  });

  it('every outcome it names has a code in every host version', () => {
    const outcomes = new Set([
      ...Object.values(raw.checks),
      ...raw.triggers.map((t) => t.outcome),
      ...Object.values(raw.cards).flatMap((c) => (c.triggers ?? []).map((t) => t.outcome)),
    ]);
    expect(outcomes.size).toBeGreaterThan(8);
    for (const host of loadHosts().list()) {
      for (const v of host.versions) {
        for (const o of outcomes)
          expect(v.spec.responseCodes[o], `${v.ref} has no code for ${o}`).toBeDefined();
      }
    }
  });
});

describe('triggers', () => {
  const visa = cards.get('visa-credit-chip');

  it('an amount ending .51 gives insufficient funds, .05 do not honour, .91 issuer unavailable', () => {
    expect(cards.triggerFor(visa, 1051, 'sale')?.outcome).toBe('insufficient-funds');
    expect(cards.triggerFor(visa, 205, 'authorization')?.outcome).toBe('declined');
    expect(cards.triggerFor(visa, 991, 'pre-auth')?.outcome).toBe('issuer-unavailable');
    expect(cards.triggerFor(visa, 1000, 'sale')).toBeUndefined();
  });

  it('has an amount that makes the host answer late', () => {
    const late = cards.triggerFor(visa, 1098, 'sale');
    expect(late).toMatchObject({ outcome: 'approved' });
    expect(late!.delayMs).toBeGreaterThan(60_000);
  });

  it('applies only to the default kinds unless a trigger names its own', () => {
    expect(cards.triggerFor(visa, 1051, 'refund')).toBeUndefined();
    expect(cards.triggerFor(visa, 99999, 'refund')?.outcome).toBe('exceeds-limit');
    expect(cards.triggerFor(visa, 99999, 'sale')).toBeUndefined();
  });

  it("checks the card's own triggers first", () => {
    const slow = cards.get('unionpay-debit-chip');
    expect(cards.triggerFor(slow, 1000, 'pre-auth')).toMatchObject({ outcome: 'approved', delayMs: 8000 });
    expect(cards.triggerFor(slow, 1051, 'pre-auth')?.outcome).toBe('insufficient-funds');
    expect(cards.triggerFor(slow, 1000, 'sale')).toBeUndefined();
  });

  it('finds cards by id and PAN', () => {
    expect(cards.byPan('6200000000000005')?.id).toBe('unionpay-credit-chip');
    expect(cards.byPan('4111111111111112')).toBeUndefined();
    expect(() => cards.get('nope')).toThrow(/unknown test card "nope" \(known: visa-credit-chip/);
  });
});

describe('bad card files name the file, the JSON path and the problem', () => {
  function loadError(mutate: (data: Record<string, unknown> & typeof raw) => void): DataFileError {
    const data = structuredClone(raw) as Record<string, unknown> & typeof raw;
    mutate(data);
    const file = join(tempDir('pm-cards-'), 'cards.yaml');
    writeFileSync(file, stringify(data));
    try {
      loadCards(file);
    } catch (err) {
      expect(err).toBeInstanceOf(DataFileError);
      expect((err as DataFileError).file).toBe(file);
      return err as DataFileError;
    }
    throw new Error('expected the card file to be refused');
  }

  it('a PAN that fails the Luhn check', () => {
    const e = loadError((d) => {
      d.cards['visa-credit-chip']!.pan = '4111111111111112';
    });
    expect([e.path, e.problem]).toEqual(['/cards/visa-credit-chip/pan', 'fails the Luhn check']);
  });

  it('the same PAN twice', () => {
    const e = loadError((d) => {
      d.cards['visa-blocked']!.pan = '4111111111111111';
    });
    expect([e.path, e.problem]).toEqual(['/cards/visa-blocked/pan', 'same PAN as card visa-credit-chip']);
  });

  it('an outcome that is not a response-code name', () => {
    const e = loadError((d) => {
      (d.triggers[0] as { outcome: string }).outcome = 'do-not-honour';
    });
    expect(e.path).toBe('/triggers/0/outcome');
    expect(e.problem).toMatch(/^must be one of "approved", "declined"/);
  });

  it('a trigger without an amount, a bad expiry, an unknown property', () => {
    let e = loadError((d) => {
      d.triggers.push({ outcome: 'declined' });
    });
    expect([e.path, e.problem]).toEqual([
      `/triggers/${raw.triggers.length}`,
      'a trigger needs amountEndsWith or amountMinor',
    ]);
    e = loadError((d) => {
      d.cards['visa-credit-chip']!.expiry = '3013';
    });
    expect(e.path).toBe('/cards/visa-credit-chip/expiry');
    e = loadError((d) => {
      (d.cards['visa-credit-chip'] as Record<string, unknown>).cvv = '123';
    });
    expect([e.path, e.problem]).toEqual(['/cards/visa-credit-chip', 'unknown property "cvv"']);
  });
});

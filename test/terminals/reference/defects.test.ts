// Each modelled defect visibly changes the traffic: the same transactions against the same host
// version, once by the correct test build and once by the same build carrying the defect, and the
// two journals compared.

import { describe, expect, it } from 'vitest';
import type { Defect } from '../../../src/terminals/reference/defects.js';
import type { TransactionOutcome, TransactionRequest } from '../../../src/terminals/terminal.js';
import { build, field, host, play, requests, seen, VISA, violations } from './world.js';

/** Plays the requests with the build as it is and with the defects; returns both hosts and outcomes. */
async function compare(
  ref: string,
  id: string,
  defects: Defect[],
  faults: unknown[],
  script: TransactionRequest[],
) {
  const run = async (withDefects: Defect[]) => {
    const h = await host(ref, { faults });
    const { terminal: t } = await play(build(id, { defects: withDefects }), h);
    const outcomes: TransactionOutcome[] = [];
    for (const request of script) outcomes.push(await t.run(request));
    return { h, outcomes };
  };
  return { good: await run([]), bad: await run(defects) };
}

const lostSale = [{ fault: 'no-response', scope: { mti: ['0200'], nth: [1] } }];
const twoSales: TransactionRequest[] = [
  { type: 'sale', amount: 2500, card: VISA() },
  { type: 'sale', amount: 2500, card: VISA() },
];

describe('defects', () => {
  it('no-reversal-on-timeout: no 0400 follows the lost sale, and the host keeps it', async () => {
    const { good, bad } = await compare(
      'harbor-bank@2019.4',
      'test-harbor-87',
      ['no-reversal-on-timeout'],
      lostSale,
      twoSales,
    );
    expect(seen(good.h)).toEqual(['0200 sale', '0400 reversal', '0200 sale']);
    expect(seen(bad.h)).toEqual(['0200 sale', '0200 sale']);
    expect(bad.outcomes[0]!.detail).toContain('no reversal');
    expect(bad.h.ledger.list().filter((e) => e.kind === 'sale' && e.cancelledBy === undefined)).toHaveLength(
      2,
    );
  });

  it('stan-reused-on-retry: the message after the lost one goes out with its STAN', async () => {
    const { good, bad } = await compare(
      'harbor-bank@2019.4',
      'test-harbor-87',
      ['stan-reused-on-retry'],
      lostSale,
      twoSales,
    );
    const stans = (h: typeof good.h) => requests(h).map((e) => e.request!.iso!.fields['11']);
    expect(stans(good.h)).toEqual(['000001', '000002', '000003']);
    expect(stans(bad.h)).toEqual(['000001', '000001', '000002']);
  });

  it('stan-reused-on-retry without reversals: the retried sale is a duplicate to the host (94)', async () => {
    const { good, bad } = await compare(
      'harbor-bank@2019.4',
      'test-harbor-87',
      ['stan-reused-on-retry', 'no-reversal-on-timeout'],
      lostSale,
      twoSales,
    );
    expect(good.outcomes[1]!.responseCode).toBe('00');
    expect([bad.outcomes[1]!.status, bad.outcomes[1]!.responseCode]).toEqual(['declined', '94']);
    expect(violations(bad.h)).toEqual(['0200: 41+11+13 duplicate']);
  });

  it('no-repeat-mti: the reversal is retried as 0400 instead of 0401', async () => {
    const faults = [...lostSale, { fault: 'no-response', scope: { mti: ['0400'], nth: [1] } }];
    const { good, bad } = await compare(
      'harbor-bank@2019.4',
      'test-harbor-87',
      ['no-repeat-mti'],
      faults,
      twoSales,
    );
    const mtis = (h: typeof good.h) => requests(h).map((e) => e.request!.iso!.mti);
    expect(mtis(good.h)).toEqual(['0200', '0400', '0401', '0200']);
    expect(mtis(bad.h)).toEqual(['0200', '0400', '0400', '0200']);
  });

  it("legacy-de22: a 1993 chip sale carries '051' instead of the 12-character POS data code", async () => {
    const { good, bad } = await compare(
      'harbor-bank@2025.1',
      'test-harbor-93',
      ['legacy-de22'],
      [],
      [twoSales[0]!],
    );
    expect(field(good.h, '1200', '22')).toBe('510101510134');
    expect(field(bad.h, '1200', '22')).toBe('051         ');
  });

  it('no-de55: fine on harbor 2019.4, refused (30, DE55 mandatory) since the 2022.2 EMV mandate', async () => {
    const old = await compare('harbor-bank@2019.4', 'test-harbor-87', ['no-de55'], [], [twoSales[0]!]);
    expect(field(old.good.h, '0200', '55')).toBeDefined();
    expect(field(old.bad.h, '0200', '55')).toBeUndefined();
    expect(old.bad.outcomes[0]!.status).toBe('approved');
    const emv = await compare('harbor-bank@2022.2', 'test-harbor-87', ['no-de55'], [], [twoSales[0]!]);
    expect(emv.good.outcomes[0]!.status).toBe('approved');
    expect([emv.bad.outcomes[0]!.status, emv.bad.outcomes[0]!.responseCode]).toEqual(['declined', '30']);
    expect(violations(emv.bad.h)).toEqual(['0200: 55 mandatory-field']);
  });

  it('no-mac: no DE64 goes out, and harbor 2025.1 answers 916', async () => {
    const { good, bad } = await compare(
      'harbor-bank@2025.1',
      'test-harbor-93',
      ['no-mac'],
      [],
      [twoSales[0]!],
    );
    expect(field(good.h, '1200', '64')).toMatch(/^[0-9A-F]{16}$/);
    expect(field(bad.h, '1200', '64')).toBeUndefined();
    expect([bad.outcomes[0]!.status, bad.outcomes[0]!.responseCode]).toEqual(['declined', '916']);
    expect(violations(bad.h)).toEqual(['1200: 64 mac']);
  });

  it('no-stan-check: an answer with the wrong STAN is taken, so the lost sale is never reversed', async () => {
    const faults = [{ fault: 'wrong-stan', scope: { mti: ['0200'], nth: [1] } }];
    const { good, bad } = await compare(
      'harbor-bank@2019.4',
      'test-harbor-87',
      ['no-stan-check'],
      faults,
      twoSales,
    );
    expect(good.outcomes[0]!.status).toBe('timed-out');
    expect(bad.outcomes[0]!.status).toBe('approved');
    expect(seen(good.h)).toEqual(['0200 sale', '0400 reversal', '0200 sale']);
    expect(seen(bad.h)).toEqual(['0200 sale', '0200 sale']);
  });
});

// `response: { code }` and request aliases on a REST gateway's journal: real answers of both mock
// gateways (a sale, a decline), read through the API version that gave them, so `approved` and an
// outcome name mean the same on both gateways whatever status carries a decline (402 or 200), and
// `amount` is the amount wherever the version keeps it.

import { afterAll, describe, expect, it } from 'vitest';
import { type MockGateway, startGateway } from '../../../src/mocks/gateway/index.js';
import type { Outcome } from '../../../src/mocks/hosts/host-schema.js';
import { createGatewayClient } from '../../../src/protocols/rest/gateway-client.js';
import { hostMessages } from '../../../src/suites/matchers/host-message.js';
import { mismatches } from '../../../src/suites/matchers/message-expectation.js';
import { withRestKinds } from '../../../src/suites/rest-kinds.js';
import { hosts } from '../support/world.js';

const started: MockGateway[] = [];
afterAll(async () => {
  await Promise.all(started.map((g) => g.close()));
});

const KEYS: Record<string, string> = {
  'nimbus-pay': 'sk_test_nimbus_4eC39HqLyjWDarjtT1zdp7dc',
  'meridian-checkout': 'MC_TEST_KEY_7d1f0c2a9b',
};
const card = { number: '4111111111111111', exp_month: 12, exp_year: 2030 };
const BODIES: Record<string, (amount: number) => unknown> = {
  'nimbus-pay@2024-06-15': (amount) => ({
    amount: { value: amount, currency: 'USD' },
    payment_method_data: { type: 'card', card },
    return_url: 'https://merchant.test/done',
  }),
  'meridian-checkout@v4': (amount) => ({
    amount: { value: amount, currency: 'EUR' },
    reference: `order-${amount}`,
    paymentMethod: { type: 'scheme', number: card.number, expiryMonth: '12', expiryYear: '2030' },
  }),
};

/** A sale of 25.00 and a decline for insufficient funds (an amount ending in 51). */
async function journal(ref: string) {
  const version = hosts.getGateway(ref);
  const g = await startGateway({ host: version, port: 0 });
  started.push(g);
  const client = createGatewayClient({ baseUrl: g.url, api: version.api, apiKey: KEYS[version.host]! });
  try {
    await client.authorize(BODIES[ref]!(2500), { idempotencyKey: 'k1' });
    await client.authorize(BODIES[ref]!(2551), { idempotencyKey: 'k2' });
  } finally {
    await client.close();
  }
  const messages = hostMessages([{ instance: 'primary', exchanges: g.journal.entries() }], undefined);
  return withRestKinds(messages, version).filter((m) => m.request?.http);
}

const ctx = { captures: new Map(), stepIndex: () => undefined };
const code = (c: Outcome | Outcome[]) => ({ response: { code: c } });

describe.each([
  ['nimbus-pay@2024-06-15', 'insufficient_funds', '402'],
  ['meridian-checkout@v4', 'Not enough balance', '200'],
])('response codes on %s', (ref, word, declineStatus) => {
  it('approved, and an outcome name in the version’s words', async () => {
    const [sale, decline] = await journal(ref);
    expect(sale!.api?.version).toBe(hosts.getGateway(ref).api.version);
    expect(mismatches(code('approved'), sale!, ctx)).toEqual([]);
    expect(mismatches(code('approved'), decline!, ctx)).toEqual([
      {
        what: 'response code',
        expected: 'approved (a 2xx, not declined)',
        actual: expect.stringContaining(`${declineStatus} `),
      },
    ]);
    expect(mismatches(code('insufficient-funds'), decline!, ctx)).toEqual([]);
    expect(mismatches(code(['approved', 'insufficient-funds']), decline!, ctx)).toEqual([]);
    expect(mismatches(code('expired-card'), decline!, ctx)).toEqual([
      {
        what: 'response code',
        expected: expect.stringMatching(/^expired-card \(/),
        actual: expect.stringContaining(word),
      },
    ]);
    expect(mismatches(code('insufficient-funds'), sale!, ctx)).toHaveLength(1);
  });

  it('amount and currency read the request where the API version keeps them', async () => {
    const [sale] = await journal(ref);
    expect(
      mismatches({ fields: { amount: { equals: 2500 }, currency: { present: true } } }, sale!, ctx),
    ).toEqual([]);
    expect(mismatches({ fields: { amount: { equals: 2000 } } }, sale!, ctx)).toEqual([
      { what: 'amount (/amount/value)', expected: '2000', actual: '2500' },
    ]);
    expect(mismatches({ fields: { stan: { equals: '000001' } } }, sale!, ctx)).toEqual([
      {
        what: 'stan',
        expected: 'a field this message can have',
        actual: expect.stringContaining('has no stan'),
      },
    ]);
  });
});

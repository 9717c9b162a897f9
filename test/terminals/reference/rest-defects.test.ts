// Each modelled REST defect visibly changes the traffic: the same transactions against the same
// gateway version, once by the correct test build and once by the same build carrying the defect,
// and the two journals compared.

import { describe, expect, it } from 'vitest';
import type { MockGateway } from '../../../src/mocks/gateway/index.js';
import type { Defect } from '../../../src/terminals/reference/defects.js';
import type { TransactionOutcome, TransactionRequest } from '../../../src/terminals/terminal.js';
import { build, card, gateway, header, play, requests, seen } from './rest-world.js';

/** Plays the requests with the build as it is and with the defects, each on its own gateway. */
async function compare(
  ref: string,
  id: string,
  defects: Defect[],
  faults: unknown[],
  script: TransactionRequest[],
) {
  const run = async (withDefects: Defect[]) => {
    const g = await gateway(ref, { faults });
    const played = await play(build(id, { defects: withDefects }), g);
    const outcomes: TransactionOutcome[] = [];
    for (const request of script) outcomes.push(await played.terminal.run(request));
    return { g, outcomes, kinds: played.kinds };
  };
  return { good: await run([]), bad: await run(defects) };
}

const keys = (g: MockGateway) => requests(g).map((e) => header(e, 'idempotency-key'));
const states = (g: MockGateway) => g.payments.list().map((p) => `${p.state} ${p.amount}`);
const lostFirst = [{ fault: 'no-response', scope: { operation: ['authorize'], nth: [1] } }];
const lostAll = [{ fault: 'no-response', scope: { operation: ['authorize'], firstN: 3 } }];
const sale = (amount = 2500): TransactionRequest => ({ type: 'sale', amount, card: card() });

describe('REST defects', () => {
  it('missing-idempotency-key: the retry after a lost answer is a second payment (a double charge)', async () => {
    const { good, bad } = await compare(
      'nimbus-pay@2023-10-16',
      'test-nimbus-2023',
      ['missing-idempotency-key'],
      lostFirst,
      [sale()],
    );
    expect(good.outcomes[0]!.status).toBe('approved');
    expect(bad.outcomes[0]!.status).toBe('approved');
    expect(keys(good.g)[0]).toBe(keys(good.g)[1]);
    expect(keys(bad.g)).toEqual([undefined, undefined]);
    expect(states(good.g)).toEqual(['captured 2500']);
    expect(states(bad.g)).toEqual(['captured 2500', 'captured 2500']);
  });

  it('missing-idempotency-key: a payment lost on every attempt cannot be found again, so it is never reversed', async () => {
    const { good, bad } = await compare(
      'nimbus-pay@2023-10-16',
      'test-nimbus-2023',
      ['missing-idempotency-key'],
      lostAll,
      [sale(), sale(1000)],
    );
    expect(good.kinds()).toContain('reversal-sent');
    expect(bad.outcomes[0]!.detail).toContain('no key to find the payment by');
    expect(bad.kinds()).not.toContain('reversal-queued');
    expect(states(good.g)).toEqual(['refunded 2500', 'captured 1000']);
    expect(states(bad.g)).toEqual(['captured 2500', 'captured 2500', 'captured 2500', 'captured 1000']);
  });

  it('missing-idempotency-key on API 2024-06-15, where the key is required: every payment refused', async () => {
    const { good, bad } = await compare(
      'nimbus-pay@2024-06-15',
      'test-nimbus-2024',
      ['missing-idempotency-key'],
      [],
      [sale()],
    );
    expect(good.outcomes[0]!.status).toBe('approved');
    expect([bad.outcomes[0]!.status, bad.outcomes[0]!.responseCode]).toEqual([
      'declined',
      'parameter_invalid',
    ]);
    expect(requests(bad.g)[0]!.violations.map((v) => v.path)).toContain('header Idempotency-Key');
  });

  it('idempotency-key-reused on meridian v3 (replays whatever the body): the second sale gets the first one’s answer', async () => {
    const { good, bad } = await compare(
      'meridian-checkout@v3',
      'test-meridian-v3',
      ['idempotency-key-reused'],
      [],
      [sale(2500), sale(1800)],
    );
    expect(new Set(keys(good.g)).size).toBe(2);
    expect(new Set(keys(bad.g)).size).toBe(1);
    expect(states(good.g)).toEqual(['captured 2500', 'captured 1800']);
    // The terminal shows two approvals; the gateway made one payment and never charged the 18.00.
    expect(bad.outcomes.map((o) => o.status)).toEqual(['approved', 'approved']);
    expect(bad.outcomes[1]!.reference!.paymentId).toBe(bad.outcomes[0]!.reference!.paymentId);
    expect(states(bad.g)).toEqual(['captured 2500']);
  });

  it('idempotency-key-reused on meridian v4 (refuses a key reused with another body): 422 704', async () => {
    const { bad } = await compare(
      'meridian-checkout@v4',
      'test-meridian-v4',
      ['idempotency-key-reused'],
      [],
      [sale(2500), sale(1800)],
    );
    expect([bad.outcomes[1]!.status, bad.outcomes[1]!.responseCode]).toEqual(['declined', '704']);
    expect(seen(bad.g)).toEqual(['POST /v4/payments → 200', 'POST /v4/payments → 422']);
  });

  it('idempotency-key-reused on nimbus 2024-06-15: the second sale refused (400 idempotency_error)', async () => {
    const { bad } = await compare(
      'nimbus-pay@2024-06-15',
      'test-nimbus-2024',
      ['idempotency-key-reused'],
      [],
      [sale(2500), sale(1800)],
    );
    expect([bad.outcomes[1]!.status, bad.outcomes[1]!.responseCode]).toEqual(['declined', '400']);
    expect(states(bad.g)).toEqual(['captured 2500']);
  });

  it('no-version-pin: harmless while the account default is the version built for, refused once it moves', async () => {
    const before = await compare(
      'nimbus-pay@2023-10-16',
      'test-nimbus-2023',
      ['no-version-pin'],
      [],
      [sale()],
    );
    expect(before.bad.outcomes[0]!.status).toBe('approved');
    expect(header(requests(before.good.g)[0]!, 'nimbus-version')).toBe('2023-10-16');
    expect(header(requests(before.bad.g)[0]!, 'nimbus-version')).toBeUndefined();

    const after = await compare(
      'nimbus-pay@2024-06-15',
      'test-nimbus-2023',
      ['no-version-pin'],
      [],
      [sale()],
    );
    // Pinned, the 2024-06-15 gateway still serves 2023-10-16; unpinned, its default refuses the body.
    expect(after.good.outcomes[0]!.status).toBe('approved');
    expect([after.bad.outcomes[0]!.status, after.bad.outcomes[0]!.responseCode]).toEqual([
      'declined',
      'parameter_invalid',
    ]);
    expect(
      after.bad.g.journal.entries().find((e) => e.request)!.response!.http!.headers!['nimbus-version'],
    ).toBe('2024-06-15');
  });

  it('no-retry-on-timeout: one attempt, then the outcome is unknown and the payment is reversed', async () => {
    const { good, bad } = await compare(
      'meridian-checkout@v3',
      'test-meridian-v3',
      ['no-retry-on-timeout'],
      lostFirst,
      [sale(), sale(1000)],
    );
    expect(good.outcomes[0]!.status).toBe('approved');
    expect(bad.outcomes[0]!.status).toBe('timed-out');
    expect(good.kinds().filter((k) => k === 'sent')).toHaveLength(3);
    const id = bad.g.payments.list()[0]!.id;
    expect(seen(bad.g)).toEqual([
      'POST /v3/payments → 200',
      'POST /v3/payments → 200',
      `POST /v3/payments/${id}/refunds → 201`,
      'POST /v3/payments → 200',
    ]);
    expect(states(bad.g)).toEqual(['refunded 2500', 'captured 1000']);
  });

  it('amount-as-decimal: 25.5 is refused, 25.00 becomes 25 minor units', async () => {
    const { good, bad } = await compare(
      'meridian-checkout@v3',
      'test-meridian-v3',
      ['amount-as-decimal'],
      [],
      [sale(2550), sale(2500)],
    );
    expect(good.outcomes.map((o) => o.status)).toEqual(['approved', 'approved']);
    const sent = requests(bad.g).map((e) => (e.request!.http!.body as { amount: unknown }).amount);
    expect(sent).toEqual([
      { value: 25.5, currency: 'USD' },
      { value: 25, currency: 'USD' },
    ]);
    expect([bad.outcomes[0]!.status, bad.outcomes[0]!.responseCode]).toEqual(['declined', '100']);
    expect(bad.outcomes[1]!.status).toBe('approved');
    expect(states(good.g)).toEqual(['captured 2550', 'captured 2500']);
    expect(states(bad.g)).toEqual(['captured 25']);
  });

  it('no-reversal-on-timeout: the lost sale stays captured at the gateway', async () => {
    const { good, bad } = await compare(
      'nimbus-pay@2024-06-15',
      'test-nimbus-2024',
      ['no-reversal-on-timeout'],
      lostAll,
      [sale(), sale(1000)],
    );
    expect(good.kinds()).toContain('reversal-queued');
    expect(bad.kinds()).not.toContain('reversal-queued');
    expect(bad.outcomes[0]!.detail).toContain('outcome unknown, no reversal');
    expect(states(good.g)).toEqual(['refunded 2500', 'captured 1000']);
    expect(states(bad.g)).toEqual(['captured 2500', 'captured 1000']);
  });
});

// The payment lifecycle against a model: random sequences of authorize, capture (full or partial),
// cancel, refund (full or partial) and retrieve on several payments, over real HTTP, each answer
// compared with what a payment's rules say it must be — the state, the amounts, or the version's
// error for a transition the state does not allow. fast-check shrinks a failure to the shortest
// sequence that shows it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MockGateway } from '../../../src/mocks/gateway/index.js';
import { call, gateway, nimbusBody, useGateways } from './support.js';

useGateways();

type State = 'authorized' | 'captured' | 'partially_refunded' | 'refunded' | 'canceled';
interface ModelPayment {
  id: string;
  amount: number;
  captured: number;
  refunded: number;
  state: State;
}
interface Model {
  payments: ModelPayment[];
}
interface Real {
  g: MockGateway;
  keys: number;
}

const V = '2024-06-15';
const post = (r: Real, path: string, body?: unknown) =>
  call(r.g, 'POST', path, {
    ...(body !== undefined && { body }),
    headers: { 'nimbus-version': V, 'idempotency-key': `model-${++r.keys}` },
  });
const refusal = (json: { error?: { code?: string } }) => json.error?.code;

// Amounts in whole units (…00 minor): the card book fires no amount trigger on them.
const amount = fc.integer({ min: 1, max: 8 }).map((n) => n * 100);
// Few payments, so that operations meet the same payment in every state.
const which = fc.nat({ max: 3 });
// Half the captures and refunds name no amount: the whole amount, or all that is left.
const maybe = fc.option(amount, { nil: undefined, freq: 2 });

class Authorize implements fc.AsyncCommand<Model, Real> {
  constructor(readonly amount: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const a = await post(r, '/v1/payment_intents', nimbusBody(V, { amount: this.amount, capture: false }));
    expect(a.status, a.text).toBe(200);
    expect(a.json).toMatchObject({
      status: 'authorized',
      amount_capturable: this.amount,
      amount_received: 0,
    });
    m.payments.push({ id: a.json.id, amount: this.amount, captured: 0, refunded: 0, state: 'authorized' });
  }
  toString = () => `authorize ${this.amount}`;
}

/**
 * A command on one of the payments taken so far (`at`, modulo their number); `amount` for the
 * commands that take one (capture, refund), undefined meaning all of it.
 */
abstract class OnPayment implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly at: number,
    readonly amount?: number,
  ) {}
  check = (m: Readonly<Model>) => m.payments.length > 0;
  protected payment(m: Model): ModelPayment {
    return m.payments[this.at % m.payments.length]!;
  }
  abstract run(m: Model, r: Real): Promise<void>;
}

class Capture extends OnPayment {
  override async run(m: Model, r: Real) {
    const p = this.payment(m);
    const a = await post(
      r,
      `/v1/payment_intents/${p.id}/capture`,
      this.amount && { amount_to_capture: this.amount },
    );
    const want = this.amount ?? p.amount;
    if (p.state !== 'authorized') return expectRefused(a, 'payment_intent_unexpected_state');
    if (want > p.amount) return expectRefused(a, 'amount_too_large');
    expect(a.status, a.text).toBe(200);
    Object.assign(p, { captured: want, state: 'captured' });
    expectPayment(a.json, p);
  }
  override toString = () => `capture #${this.at} ${this.amount ?? 'all'}`;
}

class Cancel extends OnPayment {
  override async run(m: Model, r: Real) {
    const p = this.payment(m);
    const a = await post(r, `/v1/payment_intents/${p.id}/cancel`);
    if (p.state !== 'authorized') return expectRefused(a, 'payment_intent_unexpected_state');
    expect(a.status, a.text).toBe(200);
    p.state = 'canceled';
    expectPayment(a.json, p);
  }
  override toString = () => `cancel #${this.at}`;
}

class Refund extends OnPayment {
  override async run(m: Model, r: Real) {
    const p = this.payment(m);
    const a = await post(r, `/v1/payment_intents/${p.id}/refund`, this.amount && { amount: this.amount });
    const left = p.captured - p.refunded;
    const want = this.amount ?? left;
    if (p.state !== 'captured' && p.state !== 'partially_refunded')
      return expectRefused(a, 'payment_intent_unexpected_state');
    if (want > left) return expectRefused(a, 'amount_too_large');
    expect(a.status, a.text).toBe(200);
    p.refunded += want;
    p.state = p.refunded >= p.captured ? 'refunded' : 'partially_refunded';
    expectPayment(a.json, p);
  }
  override toString = () => `refund #${this.at} ${this.amount ?? 'the rest'}`;
}

class Retrieve extends OnPayment {
  override async run(m: Model, r: Real) {
    const p = this.payment(m);
    const a = await call(r.g, 'GET', `/v1/payment_intents/${p.id}`, { headers: { 'nimbus-version': V } });
    expect(a.status, a.text).toBe(200);
    expectPayment(a.json, p);
  }
  override toString = () => `retrieve #${this.at}`;
}

function expectRefused(
  a: { status: number; text: string; json: { error?: { code?: string } } },
  code: string,
) {
  expect(a.status, a.text).toBe(400);
  expect(refusal(a.json), a.text).toBe(code);
}

function expectPayment(json: Record<string, unknown>, p: ModelPayment) {
  expect(json).toMatchObject({
    id: p.id,
    status: p.state,
    amount: { value: p.amount, currency: 'USD' },
    amount_capturable: p.state === 'authorized' ? p.amount : 0,
    amount_received: p.captured,
    amount_refunded: p.refunded,
  });
}

describe('the payment lifecycle against its model (nimbus-pay 2024-06-15, manual capture)', () => {
  it('every answer to a random sequence of operations is what the model says', async () => {
    const commands = fc.commands(
      [
        amount.map((a) => new Authorize(a)),
        fc.tuple(which, maybe).map(([i, a]) => new Capture(i, a)),
        which.map((i) => new Cancel(i)),
        fc.tuple(which, maybe).map(([i, a]) => new Refund(i, a)),
        which.map((i) => new Retrieve(i)),
      ],
      { maxCommands: 30, size: 'max' },
    );
    await fc.assert(
      fc.asyncProperty(commands, async (cmds) => {
        // A gateway per sequence: a fresh card balance and payment store.
        const g = await gateway('nimbus-pay@2024-06-15');
        try {
          await fc.asyncModelRun(() => ({ model: { payments: [] }, real: { g, keys: 0 } }), cmds);
        } finally {
          await g.close();
        }
      }),
      { numRuns: Number(process.env.PROP_RUNS ?? 60), seed: Number(process.env.PROP_SEED ?? 2024) },
    );
  }, 120_000);
});

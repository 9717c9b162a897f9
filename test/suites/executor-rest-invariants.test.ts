// The REST sides of the built-in invariants, on synthetic gateway journals (no sockets): what
// response-correlation, stan-unique and charge-reported check when the cell's host is a REST gateway.

import { describe, expect, it } from 'vitest';
import type { Exchange, RecordedMessage } from '../../src/mocks/exchange.js';
import type { CellObservation, ObservedPayment, ObservedStep } from '../../src/suites/invariants/index.js';
import { BUILTIN_INVARIANTS } from '../../src/suites/invariants/index.js';
import { hostMessages } from '../../src/suites/matchers/host-message.js';
import { withRestKinds } from '../../src/suites/rest-kinds.js';
import type { TransactionStep } from '../../src/suites/scenario.js';
import type { TerminalMessage, TransactionOutcome } from '../../src/terminals/terminal.js';
import { hosts } from './support/world.js';

const gateway = hosts.getGateway('nimbus-pay@2023-10-16');
const invariant = (id: string) => BUILTIN_INVARIANTS.find((i) => i.id === id)!;
const judge = (id: string, obs: CellObservation) =>
  invariant(id)
    .check(obs, { expectedViolations: [] })
    .map((f) => f.message);

let seq = 0;
function post(
  path: string,
  key: string | undefined,
  body: unknown,
  status = 200,
  answer: unknown = {},
): Exchange {
  seq++;
  return {
    seq,
    transport: 'http',
    host: gateway.ref,
    connection: 1,
    at: new Date(Date.parse('2026-03-01T12:00:00Z') + seq).toISOString(),
    request: {
      summary: `POST ${path}`,
      size: 10,
      http: {
        method: 'POST',
        path,
        operation: path.endsWith('/refund') ? 'refundPaymentIntent' : 'createPaymentIntent',
        headers: key === undefined ? {} : { 'idempotency-key': key },
        body,
      },
    },
    response: { summary: String(status), size: 10, http: { status, headers: {}, body: answer } },
    durationMs: 1,
    violations: [],
    faults: [],
  };
}

const sale: TransactionStep = {
  kind: 'transaction',
  index: 0,
  position: 0,
  name: 'sale',
  refs: ['sale'],
  type: 'sale',
  amountMinor: 2500,
};

function observation(
  exchanges: Exchange[],
  options: { outcome?: TransactionOutcome; payments?: ObservedPayment[] } = {},
): CellObservation {
  const steps: ObservedStep[] = [
    {
      step: sale,
      request: { type: 'sale', amount: 2500 },
      ...(options.outcome && { outcome: options.outcome }),
    },
  ];
  const messages = hostMessages([{ instance: 'primary', exchanges }], undefined, () => 0);
  return {
    hostRef: gateway.ref,
    messages: withRestKinds(messages, gateway),
    steps,
    rest: { gateway, payments: options.payments ?? [] },
  };
}

const http = (direction: TerminalMessage['direction'], summary: string): TerminalMessage => ({
  direction,
  atMs: 0,
  message: { summary, size: 1, http: { headers: {} } } as RecordedMessage,
});
const approved = (messages: TerminalMessage[]): TransactionOutcome => ({
  status: 'approved',
  detail: 'approved 200 succeeded',
  messages,
  durationMs: 1,
});

const payment = (id: string, state: ObservedPayment['state'], step = 0): ObservedPayment => ({
  id,
  state,
  amount: 2500,
  currency: 'USD',
  captured: state === 'captured' ? 2500 : 0,
  refunded: 0,
  createdMs: 0,
  instance: 'primary',
  step,
});

describe('stan-unique on a REST gateway: idempotency keys', () => {
  const body = { amount: 2500, currency: 'usd', capture_method: 'automatic' };

  it('a retry with the same key and body is fine; the key on another request is a finding', () => {
    // The retry serialized again, its members in another order: the same request, as the gateway sees it.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const retried = [post('/v1/payment_intents', 'k-1', body), post('/v1/payment_intents', 'k-1', reordered)];
    expect(judge('stan-unique', observation(retried))).toEqual([]);
    const reused = [...retried, post('/v1/payment_intents', 'k-1', { ...body, amount: 1000 })];
    expect(judge('stan-unique', observation(reused))).toEqual([
      `the terminal reused Idempotency-Key "k-1" of POST /v1/payment_intents (exchange ${seq - 2}) for POST /v1/payment_intents (exchange ${seq}), another body: a key names one request and its retries`,
    ]);
  });

  it('two live payments made during one step are a double charge; a cancelled one is not', () => {
    const one = observation([], { payments: [payment('pi_1', 'captured'), payment('pi_2', 'cancelled')] });
    expect(judge('stan-unique', one)).toEqual([]);
    const two = observation([], { payments: [payment('pi_1', 'captured'), payment('pi_2', 'captured')] });
    expect(judge('stan-unique', two)).toEqual([
      'step sale: the gateway holds 2 live payments made during it (pi_1 captured 25.00 USD, pi_2 captured 25.00 USD): the cardholder is charged 2 times for one transaction',
    ]);
  });

  it('two payments though every attempt carried one key: the gateway is named as the cause', () => {
    const attempts = [post('/v1/payment_intents', 'k-9', body), post('/v1/payment_intents', 'k-9', body)];
    const live = [payment('pi_1', 'captured'), payment('pi_2', 'captured')];
    expect(judge('stan-unique', observation(attempts, { payments: live }))).toEqual([
      'step sale: the gateway holds 2 live payments made during it (pi_1 captured 25.00 USD, pi_2 captured 25.00 USD): the cardholder is charged 2 times for one transaction — every attempt carried the same Idempotency-Key: the gateway did not recognise the retry (the key had expired)',
    ]);
    const unkeyed = [
      post('/v1/payment_intents', undefined, body),
      post('/v1/payment_intents', undefined, body),
    ];
    expect(judge('stan-unique', observation(unkeyed, { payments: live }))[0]).toMatch(/one transaction$/);
  });

  it('requests read as the kinds scenarios use', () => {
    const obs = observation([
      post('/v1/payment_intents', 'a', { capture_method: 'automatic' }),
      post('/v1/payment_intents', 'b', { capture_method: 'manual' }),
      post('/v1/payment_intents/pi_1/refund', 'c', {}),
    ]);
    expect(obs.messages.map((m) => m.kind)).toEqual(['sale', 'pre-auth', 'refund']);
  });

  it('a refund sent during a step that is no void or refund is a reversal', () => {
    const exchanges = [post('/v1/payment_intents/pi_1/refund', 'c', {})];
    const messages = hostMessages([{ instance: 'primary', exchanges }], undefined, () => 0);
    const kindDuring = (type: 'sale' | 'void' | 'refund') =>
      withRestKinds(messages, gateway, () => type).map((m) => m.kind);
    expect(kindDuring('sale')).toEqual(['reversal']);
    expect(kindDuring('void')).toEqual(['refund']);
    expect(kindDuring('refund')).toEqual(['refund']);
  });
});

describe('charge-reported on a REST gateway', () => {
  const next: TransactionStep = { ...sale, index: 1, position: 1, name: 'sale-2', refs: ['sale-2'] };
  const echo: TransactionStep = {
    ...sale,
    index: 1,
    position: 1,
    name: 'echo',
    refs: ['echo'],
    type: 'echo',
  };
  const played = (
    first: TransactionOutcome,
    then: TransactionStep | undefined,
    payments: ObservedPayment[],
  ): CellObservation => ({
    ...observation([], { payments }),
    steps: [
      { step: sale, request: { type: 'sale', amount: 2500 }, outcome: first },
      ...(then
        ? [{ step: then, request: { type: then.type, amount: 1000 }, outcome: approved([]) } as ObservedStep]
        : []),
    ],
  });
  const timedOut: TransactionOutcome = {
    status: 'timed-out',
    detail: 'no answer',
    messages: [],
    durationMs: 1,
  };
  const named = (id: string): TransactionOutcome => ({ ...approved([]), reference: { paymentId: id } });

  it('a payment the terminal reported approved, by its id, is fine', () => {
    expect(judge('charge-reported', played(named('pi_1'), next, [payment('pi_1', 'captured')]))).toEqual([]);
  });

  it('a payment from a timed-out step, still live after the next sale, is a finding; reversed, it is not', () => {
    expect(judge('charge-reported', played(timedOut, next, [payment('pi_1', 'captured')]))).toEqual([
      'step sale: the gateway still holds pi_1 captured 25.00 USD made during it, after sale-2; the terminal reported timed-out: the cardholder is charged for a payment the terminal does not know of',
    ]);
    expect(judge('charge-reported', played(timedOut, next, [payment('pi_1', 'refunded')]))).toEqual([]);
  });

  it('no finding while the terminal is still at it: its last replay of the key got a 409 or a 429', () => {
    const body = { amount: 2500, currency: 'usd', capture_method: 'automatic' };
    const paid = { id: 'pi_1', status: 'succeeded' };
    const exchanges = (last: number) => [
      post('/v1/payment_intents', 'k-1', body, 200, paid),
      post('/v1/payment_intents', 'k-1', body, last, last === 200 ? paid : {}),
    ];
    const judged = (last: number) =>
      judge('charge-reported', {
        ...played(timedOut, next, [payment('pi_1', 'captured')]),
        messages: observation(exchanges(last)).messages,
      });
    expect(judged(409)).toEqual([]);
    expect(judged(429)).toEqual([]);
    // A final answer: the terminal learnt the payment and still did not reverse it.
    expect(judged(200)).toHaveLength(1);
  });

  it('no finding before the terminal had its chance: no later step, or only an echo', () => {
    expect(judge('charge-reported', played(timedOut, undefined, [payment('pi_1', 'captured')]))).toEqual([]);
    expect(judge('charge-reported', played(timedOut, echo, [payment('pi_1', 'captured')]))).toEqual([]);
  });

  it('an approval naming another payment leaves the unnamed one a finding (a retry without its key)', () => {
    const both = [payment('pi_1', 'captured'), payment('pi_2', 'refunded')];
    expect(judge('charge-reported', played(named('pi_2'), next, both))).toEqual([
      'step sale: the gateway still holds pi_1 captured 25.00 USD made during it, after sale-2; the terminal approved pi_2, never naming this one: the cardholder is charged for a payment the terminal does not know of',
    ]);
  });

  it('one finding per step, naming every payment it left', () => {
    const three = [payment('pi_1', 'captured'), payment('pi_2', 'captured'), payment('pi_3', 'authorized')];
    expect(judge('charge-reported', played(timedOut, next, three))).toEqual([
      'step sale: the gateway still holds 3 payments (pi_1 captured 25.00 USD, pi_2 captured 25.00 USD, pi_3 authorized 25.00 USD) made during it, after sale-2; the terminal reported timed-out: the cardholder is charged for a payment the terminal does not know of',
    ]);
  });

  it('a driver that reports no payment id: its approved step is taken to know its payment', () => {
    expect(judge('charge-reported', played(approved([]), next, [payment('pi_1', 'captured')]))).toEqual([]);
  });

  it('is silent on an ISO host', () => {
    const { rest: _rest, ...iso } = played(timedOut, next, [payment('pi_1', 'captured')]);
    expect(judge('charge-reported', iso)).toEqual([]);
  });
});

describe('response-correlation on a REST gateway', () => {
  it('approved on the answer to its last request passes, retries included', () => {
    const outcome = approved([
      http('sent', 'POST /v1/payment_intents'),
      http('sent', 'POST /v1/payment_intents'),
      http('received', '200 succeeded'),
    ]);
    expect(judge('response-correlation', observation([], { outcome }))).toEqual([]);
  });

  it('approved while its last request went unanswered is a finding', () => {
    const outcome = approved([
      http('sent', 'POST /v1/payment_intents'),
      http('received', '500 api_error'),
      http('sent', 'POST /v1/payment_intents'),
    ]);
    expect(judge('response-correlation', observation([], { outcome }))).toEqual([
      'step sale: the terminal approved although its last request, POST /v1/payment_intents, got no answer',
    ]);
  });

  it('two answers to one request is a finding', () => {
    const outcome = approved([
      http('sent', 'POST /v1/payment_intents'),
      http('received', '200 succeeded'),
      http('received', '200 succeeded'),
    ]);
    expect(judge('response-correlation', observation([], { outcome }))).toEqual([
      'step sale: the terminal took 200 succeeded with no request outstanding (a second answer to one request)',
    ]);
  });
});

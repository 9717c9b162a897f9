// What the REST terminal does when the gateway does not answer cleanly: the same idempotency key on
// every retry after a timeout or a 5xx (one payment at the gateway), Retry-After on 429, and the
// REST reversal — the payment found again by its key, then cancelled or refunded — before the next
// transaction when the outcome stayed unknown.

import { describe, expect, it } from 'vitest';
import {
  build,
  card,
  gateway,
  header,
  play,
  recorded,
  requests,
  SCALE,
  seen,
  traffic,
  WORLDS,
} from './rest-world.js';

const authorizeKeys = (g: Parameters<typeof requests>[0]) =>
  requests(g)
    .filter((e) => e.request!.http!.operation === g.version.api.operation('authorize')!.operationId)
    .map((e) => header(e, 'idempotency-key'));

describe.each(WORLDS)('$build on $gateway', ({ gateway: ref, build: id }) => {
  it('a lost answer: retried with the same key, the stored answer comes back, one payment', async () => {
    const g = await gateway(ref, {
      faults: [{ fault: 'no-response', scope: { operation: ['authorize'], nth: [1] } }],
    });
    const { terminal: t, kinds } = await play(build(id), g);
    const o = await t.run({ type: 'sale', amount: 2500, card: card() });
    expect(o.status, o.detail).toBe('approved');
    expect(traffic(o)).toEqual([
      'sent POST ' + g.version.api.operation('authorize')!.fullPath,
      'sent POST ' + g.version.api.operation('authorize')!.fullPath,
      'received 200',
    ]);
    expect(kinds()).toEqual(['sent', 'timed-out', 'sent', 'received']);
    const keys = authorizeKeys(g);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(g.payments.size).toBe(1);
    expect(g.payments.list()[0]).toMatchObject({ id: o.reference!.paymentId, state: 'captured' });
  });

  it('a 5xx before the gateway ran it, then success: one payment', async () => {
    const g = await gateway(ref, {
      faults: [
        { fault: 'http-error', params: { status: 503 }, scope: { operation: ['authorize'], nth: [1] } },
      ],
    });
    const { terminal: t } = await play(build(id), g);
    const o = await t.run({ type: 'sale', amount: 2500, card: card() });
    expect(o.status, o.detail).toBe('approved');
    expect(traffic(o)).toEqual([
      'sent POST ' + g.version.api.operation('authorize')!.fullPath,
      'received 503',
      'sent POST ' + g.version.api.operation('authorize')!.fullPath,
      'received 200',
    ]);
    const keys = authorizeKeys(g);
    expect(keys[0]).toBe(keys[1]);
    expect(g.payments.size).toBe(1);
  });

  it.each(['cut', 'html', 'empty'])(
    'a 200 whose body is not JSON (%s): not taken for approved, asked again with the same key, one payment',
    async (mode) => {
      const g = await gateway(ref, {
        faults: [
          { fault: 'malformed-json', params: { mode }, scope: { operation: ['authorize'], nth: [1] } },
        ],
      });
      const { terminal: t, events } = await play(build(id), g);
      const o = await t.run({ type: 'sale', amount: 2500, card: card() });
      expect(o.status, o.detail).toBe('approved');
      expect(traffic(o)).toEqual([
        'sent POST ' + g.version.api.operation('authorize')!.fullPath,
        'received 200',
        'sent POST ' + g.version.api.operation('authorize')!.fullPath,
        'received 200',
      ]);
      expect(events.map((e) => e.detail).join('\n')).toMatch(/answered 200 with a body that is not JSON/);
      const keys = authorizeKeys(g);
      expect(keys[0]).toBe(keys[1]);
      expect(g.payments.size).toBe(1);
      expect(o.reference?.paymentId).toBe(g.payments.list()[0]!.id);
    },
  );

  it('429: waits Retry-After (time-scaled), then goes again', async () => {
    const g = await gateway(ref, {
      faults: [
        {
          fault: 'rate-limit',
          params: { retryAfterSeconds: 3 },
          scope: { operation: ['authorize'], nth: [1] },
        },
      ],
    });
    const { terminal: t, events } = await play(build(id), g);
    const o = await t.run({ type: 'sale', amount: 2500, card: card() });
    expect(o.status, o.detail).toBe('approved');
    expect(traffic(o)).toEqual([
      'sent POST ' + g.version.api.operation('authorize')!.fullPath,
      'received 429',
      'sent POST ' + g.version.api.operation('authorize')!.fullPath,
      'received 200',
    ]);
    // 3 s at the time scale: the retry leaves at least 30 ms after the 429 arrived.
    expect(o.messages[2]!.atMs - o.messages[1]!.atMs).toBeGreaterThanOrEqual(3000 * SCALE - 2);
    expect(events.map((e) => e.detail)).toContain('429: retrying after 3000 ms (attempt 1 of 3)');
    expect(g.payments.size).toBe(1);
  });
});

describe('answers that cannot be read', () => {
  it('a decline answered 200 (meridian) with its body cut: not approved; the retry reads the decline', async () => {
    const g = await gateway('meridian-checkout@v4', {
      faults: [{ fault: 'malformed-json', scope: { operation: ['authorize'], nth: [1] } }],
    });
    const { terminal: t } = await play(build('test-meridian-v4'), g);
    const o = await t.run({ type: 'sale', amount: 1051, card: card() });
    expect([o.status, o.responseCode]).toEqual(['declined', 'Not enough balance']);
    expect(seen(g)).toEqual(['POST /v4/payments → 200', 'POST /v4/payments → 200']);
  });

  it('a decline answered 402 (nimbus) with an HTML body: a refusal all the same, not asked again', async () => {
    const g = await gateway('nimbus-pay@2024-06-15', {
      faults: [{ fault: 'malformed-json', params: { mode: 'html' }, scope: { operation: ['authorize'] } }],
    });
    const { terminal: t } = await play(build('test-nimbus-2024'), g);
    const o = await t.run({ type: 'sale', amount: 1051, card: card() });
    expect([o.status, o.responseCode]).toEqual(['declined', '402']);
    expect(seen(g)).toEqual(['POST /v1/payment_intents → 402']);
  });
});

describe('rate limits', () => {
  it('a Retry-After longer than retry.maxRetryAfterMs: declined with the rate-limit code, no retry', async () => {
    const g = await gateway('nimbus-pay@2024-06-15', {
      faults: [
        { fault: 'rate-limit', params: { retryAfterSeconds: 120 }, scope: { operation: ['authorize'] } },
      ],
    });
    const { terminal: t, events } = await play(build('test-nimbus-2024'), g);
    const o = await t.run({ type: 'sale', amount: 2500, card: card() });
    expect([o.status, o.responseCode]).toEqual(['declined', 'rate_limit']);
    expect(seen(g)).toEqual(['POST /v1/payment_intents → 429']);
    // The next sale within the wait is not sent at all: the gateway would only limit it again.
    const next = await t.run({ type: 'sale', amount: 1000, card: card() });
    expect([next.status, next.responseCode]).toEqual(['declined', 'rate_limit']);
    expect(seen(g)).toEqual(['POST /v1/payment_intents → 429']);
    expect(events.map((e) => e.detail)).toContainEqual(
      expect.stringMatching(/^not sent: the gateway asked to wait 1[12]\d s more \(Retry-After\)$/),
    );
    expect(g.journal.entries().flatMap((e) => e.violations)).toEqual([]);
    expect(g.payments.size).toBe(0);
  });
});

describe('unknown outcomes and the REST reversal', () => {
  it('no answer to any attempt: timed out, then the sale is found by its key and refunded before the next', async () => {
    const g = await gateway('nimbus-pay@2024-06-15', {
      faults: [{ fault: 'no-response', scope: { operation: ['authorize'], firstN: 3 } }],
    });
    const { terminal: t, kinds } = await play(build('test-nimbus-2024'), g);
    const lost = await t.run({ type: 'sale', amount: 2500, card: card() });
    expect([lost.status, lost.detail]).toEqual([
      'timed-out',
      expect.stringMatching(/no complete answer .*\(3 attempts\): reversal queued$/),
    ]);
    expect(kinds()).toEqual([
      ...['sent', 'timed-out', 'sent', 'timed-out', 'sent', 'timed-out'],
      'reversal-queued',
    ]);
    expect(g.payments.list().map((p) => p.state)).toEqual(['captured']);

    const next = await t.run({ type: 'sale', amount: 1000, card: card() });
    expect(next.status, next.detail).toBe('approved');
    // The replay (same key) names the payment, the refund reverses it, then the new sale.
    expect(seen(g)).toEqual([
      'POST /v1/payment_intents → 200',
      'POST /v1/payment_intents → 200',
      'POST /v1/payment_intents → 200',
      'POST /v1/payment_intents → 200',
      `POST /v1/payment_intents/${g.payments.list()[0]!.id}/refund → 200`,
      'POST /v1/payment_intents → 200',
    ]);
    const keys = authorizeKeys(g);
    expect(new Set(keys.slice(0, 4)).size).toBe(1);
    expect(keys[4]).not.toBe(keys[0]);
    expect(header(requests(g)[3]!, 'idempotency-key')).toBe(keys[0]);
    expect(g.payments.list().map((p) => [p.state, p.amount])).toEqual([
      ['refunded', 2500],
      ['captured', 1000],
    ]);
    expect(kinds()).toContain('reversal-sent');
  });

  it('two unknown outcomes in a row: each owes its own reversal, both delivered before the next sale', async () => {
    const g = await gateway('nimbus-pay@2024-06-15', {
      faults: [{ fault: 'no-response', scope: { operation: ['authorize'], firstN: 3 } }],
    });
    const b = build('test-nimbus-2024', { rest: { retry: { maxAttempts: 1 } } });
    const { terminal: t } = await play(b, g);
    // Lost: the first sale, the replay of it before the second (it stays owed), the second sale.
    expect((await t.run({ type: 'sale', amount: 2500, card: card() })).status).toBe('timed-out');
    expect((await t.run({ type: 'sale', amount: 1500, card: card() })).status).toBe('timed-out');
    const third = await t.run({ type: 'sale', amount: 1000, card: card() });
    expect(third.status, third.detail).toBe('approved');
    expect(g.payments.list().map((p) => [p.amount, p.state])).toEqual([
      [2500, 'refunded'],
      [1500, 'refunded'],
      [1000, 'captured'],
    ]);
  });

  it('a 429 to the reversal: it stays owed (a rate limit says nothing of the payment) and goes next time', async () => {
    const g = await gateway('nimbus-pay@2024-06-15', {
      faults: [
        { fault: 'no-response', scope: { operation: ['authorize'], firstN: 1 } },
        {
          fault: 'rate-limit',
          params: { retryAfterSeconds: 5 },
          scope: { operation: ['authorize'], nth: [2] },
        },
      ],
    });
    const b = build('test-nimbus-2024', { rest: { retry: { maxAttempts: 1 } } });
    const { terminal: t, events } = await play(b, g);
    expect((await t.run({ type: 'sale', amount: 2500, card: card() })).status).toBe('timed-out');
    // The replay before this sale is answered 429: the reversal stays owed, and the sale goes once
    // the Retry-After is over (5 s, 50 ms at the time scale), or the gateway would limit it again.
    const second = await t.run({ type: 'sale', amount: 1000, card: card() });
    expect(second.status, second.detail).toBe('approved');
    const [, replay, sale] = requests(g);
    expect(Date.parse(sale!.at) - Date.parse(replay!.at)).toBeGreaterThanOrEqual(5000 * SCALE - 2);
    expect(events.map((e) => e.detail)).toContain(
      `reversal of sale ${authorizeKeys(g)[0]}: rate-limited (429), it stays owed`,
    );
    expect(g.payments.list()[0]).toMatchObject({ amount: 2500, state: 'captured' });
    // Delivered before the next one.
    expect((await t.run({ type: 'sale', amount: 500, card: card() })).status).toBe('approved');
    expect(g.payments.list()[0]).toMatchObject({ amount: 2500, state: 'refunded' });
  });

  it('a reversal whose answer was lost goes again as the same request under the same key', async () => {
    const g = await gateway('meridian-checkout@v4', {
      faults: [
        { fault: 'no-response', scope: { operation: ['authorize'], nth: [1] } },
        { fault: 'no-response', scope: { operation: ['refund'], nth: [1] } },
      ],
    });
    const b = build('test-meridian-v4', { rest: { retry: { maxAttempts: 1 } } });
    const { terminal: t } = await play(b, g);
    expect((await t.run({ type: 'sale', amount: 1100, card: card() })).status).toBe('timed-out');
    // The replay names the payment; its refund's answer is lost: it stays owed.
    expect((await t.run({ type: 'sale', amount: 1200, card: card() })).status).toBe('approved');
    expect((await t.run({ type: 'sale', amount: 1300, card: card() })).status).toBe('approved');
    const refunds = requests(g).filter(
      (e) => e.request!.http!.operation === g.version.api.operation('refund')!.operationId,
    );
    expect(refunds).toHaveLength(2);
    expect(refunds[1]!.request!.http!.body).toEqual(refunds[0]!.request!.http!.body);
    expect(header(refunds[1]!, 'idempotency-key')).toBe(header(refunds[0]!, 'idempotency-key'));
    expect(g.journal.entries().flatMap((e) => e.violations)).toEqual([]);
    expect(g.payments.list()[0]).toMatchObject({ amount: 1100, state: 'refunded' });
  });

  it('a lost pre-auth is cancelled, at once with reversal.immediate: outcome reversed', async () => {
    const g = await gateway('meridian-checkout@v4', {
      faults: [{ fault: 'no-response', scope: { operation: ['authorize'], firstN: 2 } }],
    });
    const b = build('test-meridian-v4', {
      reversal: { immediate: true },
      rest: { retry: { maxAttempts: 2 } },
    });
    const { terminal: t } = await play(b, g);
    const o = await t.run({ type: 'pre-auth', amount: 4000, card: card() });
    expect([o.status, o.responseCode]).toEqual(['reversed', 'Canceled']);
    const id = g.payments.list()[0]!.id;
    expect(seen(g).slice(-2)).toEqual(['POST /v4/payments → 200', `POST /v4/payments/${id}/cancels → 201`]);
    expect(g.payments.get(id)).toMatchObject({ state: 'cancelled' });
  });

  it('cancel() while the answer is outstanding: error, reversal queued and delivered before the next sale', async () => {
    const g = await gateway('nimbus-pay@2023-10-16', {
      faults: [{ fault: 'no-response', scope: { operation: ['authorize'], nth: [1] } }],
    });
    const { terminal: t } = await play(build('test-nimbus-2023'), g);
    const running = t.run({ type: 'sale', amount: 2500, card: card() });
    await recorded(g, 1);
    await t.cancel();
    const o = await running;
    expect([o.status, o.error?.code, o.detail]).toEqual(['error', 'cancelled', 'cancelled: reversal queued']);
    const next = await t.run({ type: 'sale', amount: 1000, card: card() });
    expect(next.status).toBe('approved');
    expect(g.payments.list().map((p) => [p.amount, p.refunded])).toEqual([
      [2500, 2500],
      [1000, 0],
    ]);
  });

  it('a gateway that refuses connections: timed out as unreachable, nothing owed; failover to the backup', async () => {
    const down = await gateway('nimbus-pay@2024-06-15');
    const url = down.url;
    await down.close();
    const backup = await gateway('nimbus-pay@2024-06-15');
    const alone = await play(build('test-nimbus-2024'), backup, { primary: { url } });
    const o = await alone.terminal.run({ type: 'sale', amount: 2500, card: card() });
    expect([o.status, o.detail]).toEqual(['timed-out', expect.stringContaining('gateway unreachable')]);
    expect(alone.kinds()).toEqual(['connect-failed', 'connect-failed', 'connect-failed']);
    expect(alone.kinds()).not.toContain('reversal-queued');

    const pair = await play(build('test-nimbus-2024', { failover: { afterFailedConnects: 2 } }), backup, {
      primary: { url },
      backup: { url: backup.url },
    });
    const f = await pair.terminal.run({ type: 'sale', amount: 2500, card: card() });
    expect(f.status, f.detail).toBe('approved');
    expect(pair.kinds()).toEqual(['connect-failed', 'connect-failed', 'failover', 'sent', 'received']);
    expect(backup.payments.size).toBe(1);
  });
});

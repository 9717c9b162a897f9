import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JournalFile } from '../../../src/mocks/journal-file.js';
import { tempDir } from '../../support/temp-dir.js';
import {
  call,
  gateway,
  MERIDIAN_KEY,
  meridian,
  meridianBody,
  NIMBUS_KEY,
  nimbusBody,
  recorded,
  useGateways,
  VISA,
  VISA_MASKED,
} from './support.js';

useGateways();

describe('the journal', () => {
  it('records each exchange in the shared model: http section, masked card data and secrets, timings', async () => {
    const g = await gateway('nimbus-pay@2024-06-15', { label: 'primary' });
    const r = await call(g, 'POST', '/v1/payment_intents?expand=none', {
      body: nimbusBody('2024-06-15', { amount: 2500 }),
      headers: { 'idempotency-key': 'j-1' },
    });
    expect(r.status).toBe(200);
    await recorded(g, 1);
    const e = g.journal.entries().find((x) => x.request)!;
    expect(e).toMatchObject({
      transport: 'http',
      host: 'nimbus-pay@2024-06-15 (primary)',
      violations: [],
      faults: [],
    });
    expect(e.connection).toBeGreaterThan(0);
    expect(e.durationMs).toBeGreaterThanOrEqual(0);
    expect(e.request!.summary).toBe('POST /v1/payment_intents authorize 25.00 USD');
    expect(e.request!.http).toMatchObject({
      method: 'POST',
      path: '/v1/payment_intents?expand=none',
      operation: 'createPaymentIntent',
    });
    expect(e.request!.http!.headers.authorization).toBe('Bearer ****p7dc');
    expect(e.request!.http!.body).toMatchObject({
      payment_method_data: { card: { number: VISA_MASKED, cvc: '[hidden: 3 chars]' } },
    });
    expect(e.response!.summary).toBe(`200 captured ${r.json.id}`);
    expect(e.response!.http).toMatchObject({ status: 200, body: { id: r.json.id, status: 'captured' } });
    expect(e.response!.size).toBe(Buffer.byteLength(r.text));
    const text = JSON.stringify(g.journal.entries());
    expect(text).not.toContain(VISA);
    expect(text).not.toContain(NIMBUS_KEY);
  });

  it('masks card numbers and credentials wherever a terminal puts them: path, query, headers, free text', async () => {
    const g = await gateway('nimbus-pay@2024-06-15');
    await call(g, 'GET', `/v1/payment_intents/${VISA}?card=5105105105105100&api_key=${NIMBUS_KEY}&cvc=123`);
    await call(g, 'POST', '/v1/payment_intents', {
      body: {
        ...nimbusBody('2024-06-15', { amount: 2500 }),
        description: 'card 4000 0000 0000 0002, track ;4111111111111111=30122011234567890?',
        metadata: { pan: '4111-1111-1111-1111' },
      },
      headers: { 'idempotency-key': VISA, 'x-card': '5555555555554444' },
    });
    await recorded(g, 2);
    const [get, post] = g.journal.entries().filter((e) => e.request);
    expect(get!.request!.http!.path).toBe(
      '/v1/payment_intents/411111******1111?card=510510******5100&api_key=****p7dc&cvc=[hidden: 3 chars]',
    );
    expect(get!.request!.summary).toContain('/v1/payment_intents/411111******1111');
    expect(post!.request!.http!.headers).toMatchObject({
      'idempotency-key': VISA_MASKED,
      'x-card': '555555******4444',
    });
    expect(post!.request!.http!.body).toMatchObject({
      description: 'card 400000******0002, track ;411111******1111=[hidden]',
      metadata: { pan: '411111******1111' },
    });
    const text = JSON.stringify(g.journal.entries());
    for (const secret of [VISA, '5105105105105100', '5555555555554444', NIMBUS_KEY, '30122011234567890'])
      expect(text).not.toContain(secret);
  });

  it('masks card data that the rules a request broke quote: a PAN as a route, a version, a member name', async () => {
    const g = await gateway('nimbus-pay@2024-06-15');
    const m = await gateway('meridian-checkout@v4');
    await call(g, 'GET', `/${VISA}`);
    await call(g, 'GET', '/v1/payment_intents/pi_x', { headers: { 'nimbus-version': VISA } });
    await call(m, 'POST', '/v4/payments', {
      body: { ...meridianBody(), [VISA]: 1, card_cvv: '123', cardCVV: '456', api_key: MERIDIAN_KEY },
      headers: { 'x-api-key': MERIDIAN_KEY, 'idempotency-key': 'k-1' },
    });
    await call(m, 'POST', `/v${VISA}/payments`, { body: {}, headers: { 'x-api-key': MERIDIAN_KEY } });
    await recorded(g, 2);
    await recorded(m, 2);
    const entries = [...g.journal.entries(), ...m.journal.entries()];
    const violations = entries.flatMap((e) => e.violations);
    // Each request broke a rule, and each rule's words say where, masked.
    expect(violations.length).toBeGreaterThanOrEqual(4);
    expect(violations.map((v) => v.message).join('\n')).toContain('411111******1111');
    const post = m.journal
      .entries()
      .find((e) => e.request?.http?.method === 'POST' && e.request.http.path === '/v4/payments');
    expect(post!.request!.http!.body).toMatchObject({
      '411111******1111': 1,
      card_cvv: '[hidden: 3 chars]',
      cardCVV: '[hidden: 3 chars]',
      api_key: expect.stringMatching(/^\[hidden/),
    });
    // The gateway's own key, quoted by a rule's message (a path with the key in it), is masked too.
    await call(g, 'GET', `/v1/nothing/${NIMBUS_KEY}/${VISA}`);
    await recorded(g, 3);
    const text = JSON.stringify([...g.journal.entries(), ...m.journal.entries()]);
    for (const secret of [VISA, MERIDIAN_KEY, NIMBUS_KEY, '"123"', '"456"'])
      expect(text).not.toContain(secret);
    expect(text).toContain('No such resource: GET /v1/nothing/****');
  });

  it("bytes that are not HTTP get the version's error shape and a malformed entry; a body cut by a hang-up is no answer", async () => {
    const g = await gateway('nimbus-pay@2024-06-15');
    const { port } = g.address;
    const exchange = (bytes: string, close = false) =>
      new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(bytes);
          if (close) setTimeout(() => socket.destroy(), 30);
        });
        let got = '';
        socket.on('data', (d) => {
          got += d.toString('latin1');
        });
        socket.on('error', () => {});
        socket.on('close', () => resolve(got));
      });
    const answer = await exchange('HELLO\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    expect(body.error).toMatchObject({ type: 'invalid_request_error' });
    expect(body.error.message).toContain('not an HTTP request');
    const malformed = () => g.journal.entries().find((e) => e.event?.kind === 'malformed');
    for (let i = 0; i < 100 && !malformed(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(malformed()!.event!.detail).toMatch(/^answered 400: the bytes are not an HTTP request/);
    expect(malformed()!.violations).toEqual([expect.objectContaining({ rule: 'http' })]);

    // 20 of the 500 bytes promised, then gone: journaled as a request with no answer.
    await exchange(
      `POST /v1/payment_intents HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${NIMBUS_KEY}\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{"amount":{"value":1`,
      true,
    );
    const cut = () => g.journal.entries().find((e) => e.request && e.event?.kind === 'malformed');
    for (let i = 0; i < 100 && !cut(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(cut()!.event!.detail).toBe('the terminal hung up before its request body was complete');
    expect(cut()!.violations).toEqual([expect.objectContaining({ path: 'body', rule: 'http' })]);
    expect(cut()!.response).toBeUndefined();
    // Routed before the body was read: the entry (and the metrics) name the operation.
    expect(cut()!.request!.http!.operation).toBe('createPaymentIntent');
    expect(g.payments.size).toBe(0);
    // In the order it happened: the request the hang-up cut short, then the terminal gone.
    const left = () =>
      g.journal.entries().find((e) => e.connection === cut()!.connection && e.event?.kind === 'disconnected');
    for (let i = 0; i < 100 && !left(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(left()!.seq).toBeGreaterThan(cut()!.seq);
  });

  it('an answer ready after the terminal gave up is journaled unsent; a FIN mid-body is a hang-up, not bad HTTP', async () => {
    // An amount ending in 97: the card book's slow issuer (20 s, 200 ms at this time scale).
    const g = await gateway('nimbus-pay@2024-06-15', { timeScale: 0.01 });
    const { port } = g.address;
    const raw = (bytes: string, after: (s: Socket) => void) =>
      new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(bytes);
          after(socket);
        });
        let got = '';
        socket.on('data', (d) => {
          got += d.toString('latin1');
        });
        socket.on('error', () => {});
        socket.on('close', () => resolve(got));
      });
    const post = (body: string, length = Buffer.byteLength(body)) =>
      `POST /v1/payment_intents HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${NIMBUS_KEY}\r\ncontent-type: application/json\r\nidempotency-key: k-${length}\r\ncontent-length: ${length}\r\n\r\n${body}`;
    const slow = JSON.stringify(nimbusBody('2024-06-15', { amount: 1097 }));
    expect(await raw(post(slow), (s) => setTimeout(() => s.destroy(), 30))).toBe('');
    const gone = () => g.journal.entries().find((e) => e.request && e.response);
    for (let i = 0; i < 200 && !gone(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(gone()!.event).toEqual({
      kind: 'unsent',
      detail: 'the terminal closed the connection before the answer was sent',
    });
    expect(gone()!.durationMs).toBeUndefined();

    // 10 of 1,000 promised bytes, then a FIN: the terminal hung up; the gateway answers nothing.
    expect(await raw(post('{"amount":', 1000), (s) => s.end())).toBe('');
    const cut = () => g.journal.entries().find((e) => e.event?.detail.includes('request body was complete'));
    for (let i = 0; i < 100 && !cut(); i++) await new Promise((r) => setTimeout(r, 5));
    // Once, as a hang-up: not also as bytes that are not HTTP.
    expect(
      g.journal
        .entries()
        .filter((e) => e.event?.kind === 'malformed')
        .map((e) => e.event!.detail),
    ).toEqual(['the terminal hung up before its request body was complete']);

    // A good request, then bytes that are not HTTP, on one connection: the answer goes out first.
    const pipelined = await raw(
      `GET /v1/payment_intents/pi_x HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${NIMBUS_KEY}\r\n\r\nGARBAGE\r\n\r\n`,
      () => {},
    );
    expect(pipelined).toMatch(/^HTTP\/1\.1 404 [\s\S]*HTTP\/1\.1 400 Bad Request/);
  });

  it('a body nested 100,000 deep is journaled by its size: the journal and its file keep working', async () => {
    const path = join(tempDir('gateway-journal-'), 'journal.ndjson');
    const g = await gateway('nimbus-pay@2024-06-15');
    const file = await JournalFile.open(path);
    file.follow(g.journal);
    const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const r = await call(g, 'POST', '/v1/payment_intents', {
      raw: deep,
      headers: { 'idempotency-key': 'deep' },
    });
    expect(r.status).toBe(400);
    await call(g, 'POST', '/v1/payment_intents', {
      body: nimbusBody('2024-06-15', { amount: 2500 }),
      headers: { 'idempotency-key': 'after' },
    });
    await recorded(g, 2);
    const bodies = g.journal.entries().flatMap((e) => (e.request ? [e.request.http!.body] : []));
    expect(bodies[0]).toBe(`[JSON nested deeper than 64 levels: ${deep.length} chars]`);
    expect(bodies[1]).toMatchObject({ amount: { value: 2500 } });
    await file.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines.filter((l) => l.includes('"request"'))).toHaveLength(2);
  });

  it('records the rules a request broke as violations with JSON paths, and bad JSON without crashing', async () => {
    const g = await gateway('meridian-checkout@v4');
    await meridian(g, 'POST', '/v4/payments', {
      body: { ...meridianBody({ reference: null }), amount: { value: '10' } },
    });
    const bad = await meridian(g, 'POST', '/v4/payments', { raw: '{"amount": ' });
    expect(bad.status).toBe(422);
    expect(bad.json.detail).toContain('the body is not JSON');
    const text = await meridian(g, 'POST', '/v4/payments', {
      raw: 'amount=1',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(422);
    await recorded(g, 3);
    const [first, second, third] = g.journal.entries().filter((e) => e.request);
    expect(first!.violations).toEqual(
      expect.arrayContaining([
        { path: '/reference', rule: 'required', message: 'reference is required' },
        { path: '/amount/value', rule: 'type', message: 'amount.value must be integer' },
        { path: '/amount/currency', rule: 'required', message: 'amount.currency is required' },
      ]),
    );
    expect(second!.violations).toEqual([expect.objectContaining({ path: '', rule: 'json' })]);
    expect(third!.violations).toEqual([expect.objectContaining({ rule: 'content-type' })]);
    expect(JSON.stringify(g.journal.entries())).not.toContain(MERIDIAN_KEY);
  });

  it('a body that is not JSON is refused without quoting it: V8 would show a short body whole', async () => {
    const g = await gateway('meridian-checkout@v4');
    const bad = await meridian(g, 'POST', '/v4/payments', { raw: `[${VISA},]` });
    expect(bad.status).toBe(422);
    expect(bad.json.detail).toBe("the body is not JSON: Unexpected token ']'");
    await recorded(g, 1);
    const entry = g.journal.entries().find((e) => e.request)!;
    expect(entry.violations).toEqual([
      { path: '', rule: 'json', message: "the body is not JSON: Unexpected token ']'" },
    ]);
    expect(bad.text).not.toContain(VISA);
    expect(JSON.stringify(g.journal.entries())).not.toContain(VISA);
  });

  it('is bounded, and so are the payments', async () => {
    const g = await gateway('nimbus-pay@2023-10-16', { journalLimit: 5, paymentsLimit: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push((await call(g, 'POST', '/v1/payment_intents', { body: nimbusBody('2023-10-16') })).json.id);
    }
    expect(g.journal.entries().length).toBeLessThanOrEqual(6);
    expect(g.journal.dropped).toBeGreaterThan(0);
    expect(g.payments.size).toBe(3);
    expect(g.payments.evicted).toBe(9);
    expect((await call(g, 'GET', `/v1/payment_intents/${ids[0]}`)).status).toBe(404);
    expect((await call(g, 'GET', `/v1/payment_intents/${ids[11]}`)).status).toBe(200);
    g.reset();
    expect(g.payments.size).toBe(0);
    expect(g.journal.entries()).toEqual([]);
  });

  it('bounds the message text it keeps: large bodies push the oldest exchanges out', async () => {
    const g = await gateway('nimbus-pay@2023-10-16', { journalBytes: 200_000 });
    const padding = 'x'.repeat(60_000);
    for (let i = 0; i < 6; i++) {
      const body = { ...nimbusBody('2023-10-16'), metadata: { note: padding, n: String(i) } };
      await call(g, 'POST', '/v1/payment_intents', { body });
    }
    // The gateway records an exchange in the turn it answers: the sixth is in by now.
    const kept = g.journal.entries().filter((e) => e.request);
    // Six requests of 60 kB each, two connection events: what is left fits in 200 kB.
    expect(g.journal.bytes).toBeLessThanOrEqual(200_000);
    expect(g.journal.bytes).toBeGreaterThan(kept.length * 60_000);
    expect(kept.length).toBeLessThanOrEqual(3);
    expect(g.journal.dropped).toBeGreaterThanOrEqual(3);
    // The newest stays, whole.
    expect(kept.at(-1)!.request!.http!.body).toMatchObject({ metadata: { note: padding, n: '5' } });
  });

  it('a journal file gets every exchange as the admin API serves it: card data and keys masked', async () => {
    const path = join(tempDir('gateway-journal-'), 'journal.ndjson');
    const g = await gateway('nimbus-pay@2024-06-15');
    const file = await JournalFile.open(path);
    file.follow(g.journal);
    const r = await call(g, 'POST', '/v1/payment_intents', {
      body: nimbusBody('2024-06-15', { amount: 2500 }),
      headers: { 'idempotency-key': 'file-1' },
    });
    expect(r.status).toBe(200);
    await file.close();
    const text = readFileSync(path, 'utf8');
    const exchange = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((e) => e.request);
    expect(exchange.request.summary).toBe('POST /v1/payment_intents authorize 25.00 USD');
    expect(exchange.request.http.body.payment_method_data.card.number).toBe(VISA_MASKED);
    expect(exchange.response.http.body.id).toBe(r.json.id);
    expect(text).not.toContain(VISA);
    expect(text).not.toContain(NIMBUS_KEY);
  });

  it('payment ids are reproducible for a seed', async () => {
    const a = await gateway('nimbus-pay@2023-10-16', { seed: 7 });
    const b = await gateway('nimbus-pay@2023-10-16', { seed: 7 });
    const c = await gateway('nimbus-pay@2023-10-16', { seed: 8 });
    const id = async (g: typeof a) =>
      (await call(g, 'POST', '/v1/payment_intents', { body: nimbusBody('2023-10-16') })).json.id;
    const [x, y, z] = [await id(a), await id(b), await id(c)];
    expect(x).toBe(y);
    expect(x).not.toBe(z);
  });
});

import { describe, expect, it } from 'vitest';
import {
  call,
  gateway,
  MERIDIAN_KEY,
  meridian,
  meridianBody,
  NIMBUS_KEY,
  nimbusBody,
  useGateways,
} from './support.js';

useGateways();

describe('header-versioned gateway (nimbus-pay)', () => {
  it('serves the account default without a header, and a pinned older version with one', async () => {
    const g = await gateway('nimbus-pay@2024-06-15');
    const idem = { 'idempotency-key': 'k-default' };
    const now = await call(g, 'POST', '/v1/payment_intents', {
      body: nimbusBody('2024-06-15', { capture: false }),
      headers: idem,
    });
    expect(now.status).toBe(200);
    expect(now.json).toMatchObject({ status: 'authorized', amount: { value: 1000, currency: 'USD' } });
    expect(now.headers['nimbus-version']).toBe('2024-06-15');

    const pinned = await call(g, 'POST', '/v1/payment_intents', {
      body: nimbusBody('2023-10-16', { capture: false }),
      headers: { 'nimbus-version': '2023-10-16' },
    });
    expect(pinned.status).toBe(200);
    expect(pinned.json).toMatchObject({ status: 'requires_capture', amount: 1000, currency: 'usd' });
    expect(pinned.headers['nimbus-version']).toBe('2023-10-16');

    // The same payment read through either version speaks that version's vocabulary.
    const old = await call(g, 'GET', `/v1/payment_intents/${now.json.id}`, {
      headers: { 'nimbus-version': '2023-10-16' },
    });
    expect(old.json).toMatchObject({ status: 'requires_capture', amount: 1000, currency: 'usd' });
  });

  it('rejects an unpinned 2023-10-16 request on 2024-06-15 with the 2024-06-15 errors, and accepts it on 2023-10-16', async () => {
    const body = nimbusBody('2023-10-16');
    const g2024 = await gateway('nimbus-pay@2024-06-15');
    const refused = await call(g2024, 'POST', '/v1/payment_intents', { body });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid' });
    // The first thing 2024-06-15 misses is the now-required idempotency key.
    expect(refused.json.error.param).toBe('Idempotency-Key');
    const withKey = await call(g2024, 'POST', '/v1/payment_intents', {
      body,
      headers: { 'idempotency-key': 'k1' },
    });
    expect(withKey.status).toBe(400);
    expect(withKey.json.error.message).toMatch(/return_url is required|amount must be object/);
    const paths = g2024.journal
      .entries()
      .filter((e) => e.request)
      .at(-1)!
      .violations.map((v) => `${v.path} ${v.rule}`);
    expect(paths).toEqual(
      expect.arrayContaining(['/return_url required', '/currency additionalProperties', '/amount type']),
    );

    const g2023 = await gateway('nimbus-pay@2023-10-16');
    const ok = await call(g2023, 'POST', '/v1/payment_intents', { body });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ status: 'succeeded', amount: 1000, amount_received: 1000 });
  });

  it('answers a version it does not serve with the gateway’s error, in the default version’s shape', async () => {
    const g = await gateway('nimbus-pay@2023-10-16');
    const future = await call(g, 'POST', '/v1/payment_intents', {
      body: nimbusBody('2024-06-15'),
      headers: { 'nimbus-version': '2024-06-15', 'idempotency-key': 'k' },
    });
    expect(future.status).toBe(400);
    expect(future.json.error).toMatchObject({ code: 'api_version_invalid', type: 'invalid_request_error' });
    expect(future.json.error.message).toContain('"2024-06-15" is not served here (served: 2023-10-16)');
    expect(g.payments.size).toBe(0);
  });

  it('serves the OpenAPI document of the selected version', async () => {
    const g = await gateway('nimbus-pay@2024-06-15');
    const doc = await call(g, 'GET', '/openapi.json', { bearer: null });
    expect(doc.status).toBe(200);
    expect(doc.json.info.version).toBe('2024-06-15');
    const old = await call(g, 'GET', '/openapi.json', { headers: { 'nimbus-version': '2023-10-16' } });
    expect(old.json.info.version).toBe('2023-10-16');
    // A version it does not serve has no document: refused as the API would refuse it.
    const unknown = await call(g, 'GET', '/openapi.json', { headers: { 'nimbus-version': '2099-01-01' } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toContain('"2099-01-01" is not served here');
  });
});

describe('path-versioned gateway (meridian-checkout)', () => {
  it('v3 serves /v3 with legacy errors and ignores unknown fields; /v4 is unknown to it', async () => {
    const g = await gateway('meridian-checkout@v3');
    const ok = await meridian(g, 'POST', '/v3/payments', {
      body: { ...meridianBody({ reference: null }), shopperLocale: 'en-GB' },
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ resultCode: 'Authorised', amount: { value: 1000, currency: 'EUR' } });
    expect(ok.json.pspReference).toMatch(/^MC/);

    const future = await meridian(g, 'POST', '/v4/payments', { body: meridianBody() });
    expect(future.status).toBe(404);
    expect(future.headers['content-type']).toMatch(/^application\/json/);
    expect(future.json).toEqual({
      status: 404,
      errorCode: '000',
      message: expect.stringContaining('API v4 is not served here'),
      errorType: 'validation',
      pspReference: expect.any(String),
    });
  });

  it('v4 refuses what v3 accepted, with RFC 7807 problem details; /v3 is retired (410)', async () => {
    const g = await gateway('meridian-checkout@v4');
    const v3Style = await meridian(g, 'POST', '/v4/payments', {
      body: { ...meridianBody({ reference: null }), shopperLocale: 'en-GB' },
    });
    expect(v3Style.status).toBe(422);
    expect(v3Style.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(v3Style.json).toMatchObject({
      type: 'https://docs.meridian.test/problems/validation',
      title: 'Validation failed',
      status: 422,
      errorCode: '100',
    });
    expect(v3Style.json.invalidFields).toEqual(
      expect.arrayContaining([
        { name: 'reference', message: 'reference is required' },
        { name: 'shopperLocale', message: 'shopperLocale is not allowed (unknown field)' },
      ]),
    );

    const ok = await meridian(g, 'POST', '/v4/payments', { body: meridianBody() });
    expect(ok.status).toBe(200);
    expect(ok.json.resultCode).toBe('Authorized');

    const retired = await meridian(g, 'POST', '/v3/payments', { body: meridianBody() });
    expect(retired.status).toBe(410);
    expect(retired.json).toMatchObject({ title: 'API version retired', status: 410 });
    expect(g.payments.size).toBe(1);
    // The journal says which rule the request broke, in the gateway's words (a cell's reason).
    expect(g.journal.entries().find((e) => e.request?.http?.path === '/v3/payments')?.violations).toEqual([
      { path: '', rule: 'version', message: 'API v3 is not served here (served: /v4)' },
    ]);
    // A version this gateway never had is a version all the same: the unsupported-version error.
    const future = await meridian(g, 'POST', '/v5/payments', { body: meridianBody() });
    expect(future.status).toBe(410);
    expect(g.journal.entries().find((e) => e.request?.http?.path === '/v5/payments')?.violations).toEqual([
      { path: '', rule: 'version', message: 'API v5 is not served here (served: /v4)' },
    ]);
    const nowhere = await meridian(g, 'GET', '/v4/nowhere');
    expect(nowhere.status).toBe(404);
    expect(g.journal.entries().at(-1)?.violations).toEqual([
      { path: '', rule: 'route', message: 'No such resource: GET /v4/nowhere' },
    ]);

    const docs = await meridian(g, 'GET', '/v4/openapi.json');
    expect(docs.json.info.version).toBe('v4');
  });
});

describe('authentication', () => {
  it('nimbus: bearer or basic with a known key; a missing or unknown key gets 401 in the version’s shape', async () => {
    const g = await gateway('nimbus-pay@2023-10-16');
    const body = nimbusBody('2023-10-16');
    const missing = await call(g, 'POST', '/v1/payment_intents', { body, bearer: null });
    expect(missing.status).toBe(401);
    expect(missing.json.error).toMatchObject({ type: 'invalid_request_error', code: 'api_key_invalid' });
    expect(missing.json.error.message).toContain('No API key was sent');
    // A 401 says how to authenticate (RFC 9110): the schemes this operation takes.
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="nimbus-pay", Basic realm="nimbus-pay"');
    const unknown = await call(g, 'POST', '/v1/payment_intents', { body, bearer: 'sk_test_nimbus_nope_000' });
    expect(unknown.status).toBe(401);
    expect(unknown.json.error.message).toContain('The API key is not known');
    expect(g.journal.entries().flatMap((e) => e.violations.map((v) => `${v.rule}: ${v.message}`))).toEqual([
      expect.stringMatching(/^authentication: No API key was sent/),
      'authentication: The API key is not known.',
    ]);
    // Sent, but not in a way the API reads: said so, never quoting what was sent.
    for (const [authorization, problem] of [
      [`Token ${NIMBUS_KEY}`, 'The Authorization header uses the Token scheme'],
      [NIMBUS_KEY, 'The Authorization header uses an unknown scheme'],
      ['sktestsecretkey whatever', 'The Authorization header uses an unknown scheme'],
      ['Bearer ', 'The Authorization: Bearer header carries no credentials'],
      [
        `Basic ${Buffer.from(':pw').toString('base64')}`,
        'The Authorization: Basic credentials carry no user name',
      ],
      // RFC 7617: user-id ":" password, in padded base64; a strict gateway reads nothing else.
      [
        `Basic ${Buffer.from(NIMBUS_KEY).toString('base64')}`,
        'The Authorization: Basic credentials have no colon (RFC 7617: user-id:password)',
      ],
      [`Basic ${NIMBUS_KEY}:`, 'The Authorization: Basic credentials are not base64'],
      [
        `Basic ${Buffer.from(`${NIMBUS_KEY}:`).toString('base64').replace(/=+$/, '')}`,
        'The Authorization: Basic credentials are not base64',
      ],
    ]) {
      const r = await call(g, 'POST', '/v1/payment_intents', {
        body,
        headers: { authorization: authorization! },
      });
      expect(r.status).toBe(401);
      expect(r.json.error.message).toContain(problem);
      expect(r.json.error.message).toContain(
        'expected as Authorization: Bearer … or as Authorization: Basic …',
      );
      expect(r.json.error.message).not.toContain(NIMBUS_KEY);
    }
    const basic = await call(g, 'POST', '/v1/payment_intents', {
      body,
      headers: { authorization: `Basic ${Buffer.from(`${NIMBUS_KEY}:`).toString('base64')}` },
    });
    expect(basic.status).toBe(200);
    expect(g.payments.size).toBe(1);
    // The key never reaches the journal in clear.
    const text = JSON.stringify(g.journal.entries());
    expect(text).not.toContain(NIMBUS_KEY);
    expect(text).toContain('Bearer ****_000');
  });

  it('meridian: the key goes in X-API-Key; a bearer token is not its scheme', async () => {
    const g = await gateway('meridian-checkout@v4');
    const bearer = await call(g, 'POST', '/v4/payments', { body: meridianBody(), bearer: MERIDIAN_KEY });
    expect(bearer.status).toBe(401);
    expect(bearer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bearer.json).toMatchObject({ title: 'Unauthorized', status: 401, errorCode: '000' });
    // An API-key header has no HTTP challenge: none is made up.
    expect(bearer.headers['www-authenticate']).toBeUndefined();
    const ok = await meridian(g, 'POST', '/v4/payments', { body: meridianBody() });
    expect(ok.status).toBe(200);
    const text = JSON.stringify(g.journal.entries());
    expect(text).not.toContain(MERIDIAN_KEY);
  });
});

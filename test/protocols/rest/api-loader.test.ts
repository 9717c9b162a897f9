import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFileError } from '../../../src/data/data-file-error.js';
import { builtinApisDir, loadApis } from '../../../src/protocols/rest/index.js';
import { tempDir } from '../../support/temp-dir.js';

const apis = loadApis();

describe('the built-in API versions', () => {
  it('loads every OpenAPI document with its binding, oldest version first', () => {
    expect(apis.list().map((a) => [a.id, a.versions.map((v) => v.version)])).toEqual([
      ['meridian-checkout', ['v3', 'v4']],
      ['nimbus-pay', ['2023-10-16', '2024-06-15']],
    ]);
    const nimbus = apis.get('nimbus-pay@2024-06-15');
    expect(nimbus.versionHeader).toBe('Nimbus-Version');
    expect(nimbus.prefix).toBe('');
    expect(nimbus.operations.map((o) => `${o.action} ${o.method} ${o.fullPath} ${o.successStatus}`)).toEqual([
      'authorize POST /v1/payment_intents 200',
      'retrieve GET /v1/payment_intents/{id} 200',
      'capture POST /v1/payment_intents/{id}/capture 200',
      'cancel POST /v1/payment_intents/{id}/cancel 200',
      'refund POST /v1/payment_intents/{id}/refund 200',
    ]);
    expect(nimbus.operation('capture')?.paymentIdParam).toBe('id');
    expect(nimbus.operation('createPaymentIntent')?.action).toBe('authorize');
    expect(nimbus.operation('authorize')!.security.map((alt) => alt.map((s) => s.kind))).toEqual([
      ['bearer'],
      ['basic'],
    ]);
    const meridian = apis.get('meridian-checkout@v4');
    expect(meridian.versionHeader).toBeUndefined();
    expect(meridian.prefix).toBe('/v4');
    expect(meridian.operation('refund')?.successStatus).toBe(201);
    expect(meridian.operation('authorize')!.security).toEqual([
      [{ name: 'apiKeyAuth', kind: 'header', header: 'x-api-key' }],
    ]);
    expect(meridian.mask).toEqual({ pans: ['/paymentMethod/number'], hidden: ['/paymentMethod/cvc'] });
    expect(() => apis.get('nimbus-pay@2025-01-01')).toThrow(
      'unknown version "2025-01-01" of API nimbus-pay (versions: 2023-10-16, 2024-06-15)',
    );
  });

  it('validates requests against each version: one body, two verdicts', () => {
    const body = {
      amount: 1000,
      currency: 'usd',
      payment_method_data: {
        type: 'card',
        card: { number: '4111111111111111', exp_month: 12, exp_year: 2030 },
      },
    };
    const parts = { body, hasBody: true, headers: {}, query: {}, params: {} };
    expect(apis.get('nimbus-pay@2023-10-16').operation('authorize')!.validateRequest(parts)).toEqual([]);
    const v = apis.get('nimbus-pay@2024-06-15').operation('authorize')!.validateRequest(parts);
    expect(v.map((x) => `${x.path}|${x.rule}`)).toEqual(
      expect.arrayContaining([
        'header Idempotency-Key|required',
        '/return_url|required',
        '/currency|additionalProperties',
        '/amount|type',
      ]),
    );
    // Path parameters and the required body are checked too.
    const capture = apis.get('meridian-checkout@v3').operation('capture')!;
    expect(
      capture.validateRequest({
        ...parts,
        body: undefined,
        hasBody: false,
        params: { paymentPspReference: 'pi_x' },
      }),
    ).toEqual([expect.objectContaining({ path: 'path paymentPspReference', rule: 'pattern' })]);
  });

  it('validates answers against the declared responses (status, content type, schema)', () => {
    const op = apis.get('meridian-checkout@v4').operation('capture')!;
    expect(op.validateResponse(422, 'application/json', {})).toEqual([
      expect.objectContaining({ rule: 'content-type' }),
    ]);
    expect(
      op.validateResponse(422, 'application/problem+json', {
        type: 'https://x.test/p',
        title: 't',
        status: 422,
        detail: 'd',
      }),
    ).toEqual([]);
    expect(op.validateResponse(201, 'application/json', { pspReference: 'x' }).map((v) => v.path)).toContain(
      '/resultCode',
    );
  });
});

describe('a bad API version file', () => {
  /** A workspace copy of nimbus-pay 2023-10-16 with one change, loaded over the built-in catalogue. */
  function broken(edit: (text: string) => string, name = '2023-10-16'): DataFileError {
    const dir = tempDir('pm-api-');
    mkdirSync(join(dir, 'nimbus-pay'));
    const text = readFileSync(join(builtinApisDir(), 'nimbus-pay/2023-10-16.yaml'), 'utf8');
    writeFileSync(join(dir, 'nimbus-pay', `${name}.yaml`), edit(text));
    try {
      loadApis([builtinApisDir(), dir]);
    } catch (err) {
      if (err instanceof DataFileError) return err;
      throw err;
    }
    throw new Error('expected a DataFileError');
  }

  it.each([
    [
      'an unknown placeholder',
      (t: string) => t.replace('status: "{status}"', 'status: "{state}"'),
      '/x-paymatrix/payment/status',
      /unknown placeholder "\{state\}"/,
    ],
    [
      'an authorize without an amount pointer',
      (t: string) => t.replace('        amount: /amount\n', ''),
      '/paths/~1v1~1payment_intents/post/x-paymatrix-request',
      /needs amount/,
    ],
    [
      'an unknown lifecycle action',
      (t: string) => t.replace('x-paymatrix-operation: cancel', 'x-paymatrix-operation: void'),
      '/paths/~1v1~1payment_intents~1{id}~1cancel/post/x-paymatrix-operation',
      /must be one of authorize, capture, cancel, refund, retrieve/,
    ],
    [
      'an unsupported security scheme',
      (t: string) =>
        t.replace('basicAuth: { type: http, scheme: basic', 'basicAuth: { type: oauth2, scheme: basic'),
      '/components/securitySchemes/basicAuth',
      /supports http bearer, http basic and apiKey/,
    ],
    [
      'a missing error kind',
      (t: string) => t.replace(/ {6}rate-limited: .*\n/, ''),
      '/x-paymatrix/errors/kinds',
      /missing property "rate-limited"/,
    ],
    [
      'a dangling $ref',
      (t: string) => t.replace('"#/components/parameters/Id"', '"#/components/parameters/Nope"'),
      '/paths/~1v1~1payment_intents~1{id}/get/parameters/0',
      /does not resolve/,
    ],
  ])('is refused with the file and JSON path: %s', (_what, edit, path, problem) => {
    const err = broken(edit);
    expect(err.file).toMatch(/nimbus-pay\/2023-10-16\.yaml$/);
    expect(err.path).toBe(path);
    expect(err.problem).toMatch(problem);
  });

  it('must be named after info.version', () => {
    const err = broken((t) => t, '2023-10-17');
    expect(err.path).toBe('/info/version');
    expect(err.problem).toBe('is "2023-10-16" but the file is named 2023-10-17.yaml');
  });

  it('a workspace may add an API version without code', () => {
    const dir = tempDir('pm-api-');
    cpSync(join(builtinApisDir(), 'nimbus-pay/2024-06-15.yaml'), join(dir, 'x.yaml'));
    mkdirSync(join(dir, 'nimbus-pay'));
    writeFileSync(
      join(dir, 'nimbus-pay/2025-01-01.yaml'),
      readFileSync(join(dir, 'x.yaml'), 'utf8').replace('version: "2024-06-15"', 'version: "2025-01-01"'),
    );
    const reg = loadApis([builtinApisDir(), dir]);
    expect(reg.get('nimbus-pay@2025-01-01').operations).toHaveLength(5);
  });
});

// The API docs page (docs: true): Swagger UI of every API version a gateway serves, over real HTTP.
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { MockGateway } from '../../../src/mocks/gateway/index.js';
import { call, gateway, MERIDIAN_KEY, useGateways } from './support.js';

useGateways();

async function get(g: MockGateway, path: string) {
  const res = await request(`${g.url}${path}`);
  return { status: res.statusCode, type: String(res.headers['content-type']), text: await res.body.text() };
}

type Doc = {
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  paths: Record<
    string,
    Record<string, { parameters?: Array<{ name: string; in: string; schema?: unknown }> }>
  >;
};

const CAPTURED: Record<string, string> = {
  '2024-06-15': 'captured',
  '2023-10-16': 'succeeded',
  v3: 'Captured',
  v4: 'Captured',
};

/** Requests the journal recorded (connects and disconnects are not requests). */
const requests = (g: MockGateway) => g.journal.entries().filter((e) => e.request);

describe('the API docs page', () => {
  it('serves Swagger UI with its own files, listing every served version, the default first', async () => {
    const g = await gateway('nimbus-pay@2024-06-15', { docs: true });
    const page = await get(g, '/docs');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    const init = await get(g, '/docs/static/swagger-initializer.js');
    expect(init.status).toBe(200);
    const urls = JSON.parse(/"urls":(\[[^\]]*\])/.exec(init.text)![1]!) as Array<{
      url: string;
      name: string;
    }>;
    expect(urls).toEqual([
      { url: '/docs/openapi/2024-06-15.json', name: 'nimbus-pay@2024-06-15 (default)' },
      { url: '/docs/openapi/2023-10-16.json', name: 'nimbus-pay@2023-10-16' },
    ]);
    // Nothing of the page goes to the internet: no validator badge, Swagger UI's files from here.
    expect(init.text).toMatch(/validatorUrl: null/);
    const bundle = await get(g, '/docs/static/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.text.length).toBeGreaterThan(100_000);
    // The page is not the gateway's traffic: its journal has no exchange for it.
    expect(requests(g)).toEqual([]);
  });

  it("pins a header-versioned gateway's version header in each version's document, and points it at the mock", async () => {
    const g = await gateway('nimbus-pay@2024-06-15', { docs: true });
    for (const version of ['2024-06-15', '2023-10-16']) {
      const res = await get(g, `/docs/openapi/${version}.json`);
      expect(res.status).toBe(200);
      const doc = JSON.parse(res.text) as Doc;
      expect(doc.info.version).toBe(version);
      expect(doc.info.description).toContain(
        `paymatrix mock gateway nimbus-pay@2024-06-15: nimbus-pay@${version}`,
      );
      expect(doc.info.description).toContain('mocks/hosts/nimbus-pay.yaml (auth.keys)');
      expect(doc.servers).toEqual([{ url: '/', description: 'this mock (nimbus-pay@2024-06-15)' }]);
      const operations = Object.values(doc.paths).flatMap((item) => Object.values(item));
      expect(operations.length).toBeGreaterThanOrEqual(5);
      for (const op of operations) {
        expect(op.parameters).toContainEqual(
          expect.objectContaining({
            name: 'Nimbus-Version',
            in: 'header',
            required: true,
            schema: { type: 'string', enum: [version], default: version },
          }),
        );
      }
    }
    // The loaded document itself is untouched: /openapi.json serves it as written.
    const served = JSON.parse((await get(g, '/openapi.json')).text) as Doc;
    expect(served.servers).toEqual([{ url: 'https://api.nimbus-pay.test' }]);
  });

  it("gives a path-versioned gateway's document its path prefix, and only the versions it serves", async () => {
    const g = await gateway('meridian-checkout@v4', { docs: true });
    const doc = JSON.parse((await get(g, '/docs/openapi/v4.json')).text) as Doc;
    expect(doc.servers).toEqual([{ url: '/v4', description: 'this mock (meridian-checkout@v4)' }]);
    expect(JSON.stringify(doc.paths)).not.toContain(
      '"in":"header","required":true,"description":"The API version',
    );
    // v3 is retired at v4: no document for it; the miss is the gateway's own 404, journaled.
    const v3 = await get(g, '/docs/openapi/v3.json');
    expect(v3.status).toBe(404);
    expect(requests(g)).toHaveLength(1);
  });

  it('is served at another path when told, and not at all by default', async () => {
    const elsewhere = await gateway('meridian-checkout@v4', { docs: '/api-docs' });
    expect((await get(elsewhere, '/api-docs')).status).toBe(200);
    expect((await get(elsewhere, '/api-docs/openapi/v4.json')).status).toBe(200);
    const none = await gateway('meridian-checkout@v4');
    expect((await get(none, '/docs')).status).toBe(404);
  });

  it('refuses a path that an API operation uses, or that is not a path, naming the clash', async () => {
    // As if the API had a /v1/payment_intents docs page of its own.
    await expect(gateway('nimbus-pay@2024-06-15', { docs: '/v1/payment_intents' })).rejects.toThrow(
      'nimbus-pay@2024-06-15 serves POST /v1/payment_intents: the API docs page cannot be at /v1/payment_intents',
    );
    await expect(gateway('meridian-checkout@v4', { docs: '/v4' })).rejects.toThrow(
      /serves POST \/v4\/payments/,
    );
    await expect(gateway('meridian-checkout@v4', { docs: 'docs/' })).rejects.toThrow(
      'the API docs page path must look like /docs, got "docs/"',
    );
  });

  it("each version's authorize example is valid, and approved when sent as the page sends it", async () => {
    for (const ref of ['nimbus-pay@2024-06-15', 'meridian-checkout@v3', 'meridian-checkout@v4']) {
      const g = await gateway(ref, { docs: true });
      for (const api of g.version.apis) {
        const doc = JSON.parse((await get(g, `/docs/openapi/${api.version}.json`)).text) as {
          servers: Array<{ url: string }>;
          paths: Record<string, Record<string, Record<string, unknown>>>;
        };
        const [path, op] = Object.entries(doc.paths).flatMap(([p, item]) =>
          Object.values(item)
            .filter((o) => o['x-paymatrix-operation'] === 'authorize')
            .map((o) => [p, o] as const),
        )[0]!;
        const example = (op.requestBody as { content: Record<string, { example?: unknown }> }).content[
          'application/json'
        ]!.example;
        expect(example, `${api.ref}: no example`).toBeDefined();
        const server = doc.servers[0]!.url.replace(/\/$/, '');
        const headers: Record<string, string> = { 'idempotency-key': `docs-${api.ref}` };
        if (api.versionHeader) headers[api.versionHeader.toLowerCase()] = api.version;
        const answer = ref.startsWith('meridian')
          ? await call(g, 'POST', `${server}${path}`, {
              body: example,
              bearer: null,
              headers: { ...headers, 'x-api-key': MERIDIAN_KEY },
            })
          : await call(g, 'POST', `${server}${path}`, { body: example, headers });
        expect(answer.status, `${api.ref}: ${answer.text}`).toBe(200);
        // Captured at once: each version's own word for it.
        expect(answer.json.status ?? answer.json.resultCode, api.ref).toBe(CAPTURED[api.version]);
      }
    }
  });
});

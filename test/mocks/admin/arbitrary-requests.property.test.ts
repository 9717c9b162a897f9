// Whatever a script or a person sends the admin API — any query on any route, any JSON (or not
// JSON) as a fault — it answers 2xx, or a 4xx that says what is wrong; never a 5xx. It runs beside a
// mock bank that terminals are using, so a bad call must not take it down. Over real HTTP.
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminApi, startAdminApi } from '../../../src/mocks/admin/admin-api.js';
import { type IsoHost, startIsoHost } from '../../../src/mocks/iso-host/start-iso-host.js';
import { asciiDialect, sale, send } from './terminal.js';

let host: IsoHost;
let api: AdminApi;
beforeAll(async () => {
  host = await startIsoHost({ host: 'harbor-bank@2019.4', port: 0, timeScale: 0 });
  api = await startAdminApi({ hosts: [host], port: 0 });
  await send(asciiDialect(), host.address.port, sale({ stan: 1 })); // something in journal and ledger
});
afterAll(async () => {
  await api?.close();
  await host?.close();
});

const ROUTES = ['/health', '/hosts', '/journal', '/faults', '/ledger', '/metrics', '/payments'];
const PARAMS = [
  'host',
  'since',
  'limit',
  'mti',
  'terminal',
  'stan',
  'code',
  'violations',
  'event',
  'fault',
  'text',
];
const values = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', '-1', '0', '1', '1e9', 'NaN', 'primary', 'backup', '0200', 'true', '%', '%zz', '../'),
);
const query = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...PARAMS), fc.string({ maxLength: 6 })), values), {
    maxLength: 4,
  })
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));

/** A 4xx must say why: a JSON body with a message. */
async function check(method: 'GET' | 'POST' | 'DELETE', path: string, body?: string): Promise<void> {
  const res = await request(`${api.url}${path}`, {
    method,
    ...(body !== undefined && { body, headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.body.text();
  expect(res.statusCode, `${method} ${path} ${body ?? ''} → ${text}`).toBeLessThan(500);
  if (res.statusCode >= 400)
    expect(text, `${method} ${path}: a refusal without a reason`).toMatch(/"message":"[^"]+/);
}

describe('the admin API under arbitrary requests', () => {
  it('answers any query on any route with a 2xx or a 4xx that says why', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), query, (route, q) => check('GET', `${route}?${q}`)),
      { numRuns: Number(process.env.PROP_RUNS ?? 300), seed: Number(process.env.PROP_SEED ?? 4242) },
    );
  });

  it('answers any fault posted, JSON or not, and any fault id deleted, the same way', async () => {
    const spec = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc
        .record({
          fault: fc.oneof(
            fc.constantFrom('latency', 'no-response', 'wrong-stan', 'host-down'),
            fc.string({ maxLength: 8 }),
          ),
          params: fc.dictionary(
            fc.constantFrom('delayMs', 'jitterMs', 'probability', 'x'),
            fc.jsonValue({ maxDepth: 1 }),
          ),
          scope: fc.dictionary(
            fc.constantFrom('mti', 'nth', 'firstN', 'probability', 'y'),
            fc.jsonValue({ maxDepth: 1 }),
          ),
        })
        .map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 20 }),
    );
    await fc.assert(
      fc.asyncProperty(spec, query, async (body, q) => {
        await check('POST', `/faults?${q}`, body);
        await check('DELETE', `/faults/${encodeURIComponent(body.slice(0, 8))}?${q}`);
      }),
      { numRuns: Number(process.env.PROP_RUNS ?? 200), seed: Number(process.env.PROP_SEED ?? 4243) },
    );
    // Whatever was added is removed, and terminals are served as before.
    await check('DELETE', '/faults');
    const answer = await send(asciiDialect(), host.address.port, sale({ stan: 2 }));
    expect(answer.fields['39']).toBe('00');
  });
});

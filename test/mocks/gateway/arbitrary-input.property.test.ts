// Whatever a terminal sends, a mock gateway answers it inside its own contract: a 4xx in the
// version's error shape for a bad request, never a 5xx (a 5xx without a fault is a bug in the mock),
// never a dropped connection, and it keeps serving. Bodies are valid authorize bodies with parts
// replaced, removed or added at random, or not JSON at all; over real HTTP, on every served version
// of both gateways. useGateways() checks every answer against the version's OpenAPI document.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MockGateway } from '../../../src/mocks/gateway/index.js';
import {
  type Answer,
  call,
  gateway,
  MERIDIAN_KEY,
  meridianBody,
  nimbusBody,
  useGateways,
} from './support.js';

useGateways();

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The paths of every value inside a JSON object, e.g. ['amount', 'value']. */
function pathsOf(value: Json, at: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [at];
  const keys = Array.isArray(value) ? value.map((_, i) => String(i)) : Object.keys(value);
  return [at, ...keys.flatMap((k) => pathsOf((value as Record<string, Json>)[k]!, [...at, k]))];
}

type Edit = { kind: 'set'; value: Json } | { kind: 'delete' } | { kind: 'add'; key: string; value: Json };

/** A deep copy of `body` with `edit` applied at `path` (an earlier edit may have removed it: no change). */
function edited(body: Json, path: string[], edit: Edit): Json {
  const copy = structuredClone(body);
  const isObject = (v: Json | undefined): v is Record<string, Json> =>
    v !== null && v !== undefined && typeof v === 'object';
  if (edit.kind === 'add') {
    const target = path.reduce<Json | undefined>((node, k) => (isObject(node) ? node[k] : undefined), copy);
    if (isObject(target) && !Array.isArray(target)) target[edit.key] = edit.value;
    return copy;
  }
  if (path.length === 0) return edit.kind === 'set' ? edit.value : copy;
  const parent = path
    .slice(0, -1)
    .reduce<Json | undefined>((node, k) => (isObject(node) ? node[k] : undefined), copy);
  if (!isObject(parent)) return copy;
  const key = path.at(-1)!;
  if (edit.kind === 'set') parent[key] = edit.value;
  else delete parent[key];
  return copy;
}

// Values a buggy or hostile terminal might put anywhere: wrong types, edge numbers, odd text.
const oddValue: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(
    -1,
    0,
    0.5,
    1e21,
    Number.MAX_SAFE_INTEGER,
    -0,
    '',
    ' ',
    '4111111111111111',
    '１２３',
    '\u0000',
    'usd',
    'XXX',
    [],
    {},
    true,
    null,
  ),
);
const edit: fc.Arbitrary<Edit> = fc.oneof(
  oddValue.map((value) => ({ kind: 'set' as const, value })),
  fc.constant({ kind: 'delete' as const }),
  fc
    .tuple(fc.string({ maxLength: 12 }), oddValue)
    .map(([key, value]) => ({ kind: 'add' as const, key, value })),
);

/** A body: a valid one with one to three edits, or raw text that may not be JSON at all. */
function bodies(valid: Json): fc.Arbitrary<{ body?: Json; raw?: string }> {
  const paths = pathsOf(valid);
  const edits = fc.array(fc.tuple(fc.constantFrom(...paths), edit), { minLength: 1, maxLength: 3 });
  return fc.oneof(
    {
      weight: 4,
      arbitrary: edits.map((list) => ({ body: list.reduce((b, [p, e]) => edited(b, p, e), valid) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.string({ maxLength: 40 }),
          fc.constantFrom(
            '{',
            '[1,',
            '{"amount":',
            'null',
            '"x"',
            '{}'.repeat(3),
            JSON.stringify(valid).slice(0, -1),
          ),
        )
        .map((raw) => ({ raw })),
    },
  );
}

interface Case {
  ref: string;
  path: string;
  headers: Record<string, string>;
  valid: Json;
  key: 'bearer' | 'x-api-key';
}

const CASES: Case[] = [
  {
    ref: 'nimbus-pay@2024-06-15',
    path: '/v1/payment_intents',
    headers: { 'nimbus-version': '2024-06-15' },
    valid: nimbusBody('2024-06-15') as Json,
    key: 'bearer',
  },
  {
    ref: 'nimbus-pay@2024-06-15',
    path: '/v1/payment_intents',
    headers: { 'nimbus-version': '2023-10-16' },
    valid: nimbusBody('2023-10-16') as Json,
    key: 'bearer',
  },
  {
    ref: 'meridian-checkout@v3',
    path: '/v3/payments',
    headers: {},
    valid: meridianBody() as Json,
    key: 'x-api-key',
  },
  {
    ref: 'meridian-checkout@v4',
    path: '/v4/payments',
    headers: {},
    valid: meridianBody() as Json,
    key: 'x-api-key',
  },
];

describe('a mock gateway under arbitrary request bodies', () => {
  for (const c of CASES) {
    it(`${c.ref} ${c.headers['nimbus-version'] ?? ''}: a 2xx or a 4xx in its contract, never a 5xx; still serving after`, async () => {
      const g: MockGateway = await gateway(c.ref);
      let n = 0;
      const send = (b: { body?: Json; raw?: string }): Promise<Answer> =>
        call(g, 'POST', c.path, {
          ...b,
          headers: {
            ...c.headers,
            'idempotency-key': `prop-${++n}`,
            ...(c.key === 'x-api-key' && { 'x-api-key': MERIDIAN_KEY }),
          },
          ...(c.key === 'x-api-key' && { bearer: null }),
        });
      const valid = await send({ body: c.valid });
      expect(valid.status, valid.text).toBeLessThan(300);
      await fc.assert(
        fc.asyncProperty(bodies(c.valid), async (b) => {
          const answer = await send(b);
          expect(answer.status, `${JSON.stringify(b)} → ${answer.status} ${answer.text}`).toBeLessThan(500);
          if (answer.status >= 400) expect(answer.json, answer.text).toBeTypeOf('object');
        }),
        { numRuns: Number(process.env.PROP_RUNS ?? 150), seed: Number(process.env.PROP_SEED ?? 20261126) },
      );
      const after = await send({ body: c.valid });
      expect(after.status, after.text).toBeLessThan(300);
    }, 60_000);
  }
});

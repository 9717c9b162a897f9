import { Agent, request } from 'undici';
import { afterEach, expect } from 'vitest';
import {
  type MockGateway,
  type StartGatewayOptions,
  startGateway,
} from '../../../src/mocks/gateway/index.js';
import { workspaceHosts } from '../../../src/mocks/hosts/host-loader.js';

/** The public test keys of mocks/hosts/*.yaml (they open nothing but the mocks). */
export const NIMBUS_KEY = 'sk_test_nimbus_4eC39HqLyjWDarjtT1zdp7dc';
export const MERIDIAN_KEY = 'MC_TEST_KEY_7d1f0c2a9b';
/** visa-credit-chip of mocks/cards.yaml: approved unless an amount trigger says otherwise. */
export const VISA = '4111111111111111';
export const VISA_MASKED = '411111******1111';
/** visa-expired (12/20) and an unknown (Luhn-valid, not in the card book) PAN. */
export const VISA_EXPIRED = '4000000000000069';
export const UNKNOWN_PAN = '4242424242424242';
/** The card book is checked against this date: tests do not age. */
export const NOW = new Date('2026-03-01T12:00:00Z');

const registry = workspaceHosts();
const running = new Set<MockGateway>();

/** Starts a gateway for one test (closed after it), time-scaled, checking its own answers. */
export async function gateway(ref: string, options: Partial<StartGatewayOptions> = {}): Promise<MockGateway> {
  const g = await startGateway({
    host: registry.getGateway(ref),
    port: 0,
    timeScale: 0.01,
    validateResponses: true,
    now: () => NOW,
    ...options,
  });
  running.add(g);
  return g;
}

/** Closes every gateway a test started, after checking none answered outside its contract. */
export function useGateways(): void {
  afterEach(async () => {
    const all = [...running];
    running.clear();
    try {
      for (const g of all) {
        const broken = g.journal
          .entries()
          .flatMap((e) => e.violations.filter((v) => v.rule === 'response-contract'));
        expect(broken, `${g.ref} answered outside its own OpenAPI document`).toEqual([]);
      }
    } finally {
      await Promise.all(all.map((g) => g.close()));
    }
  });
}

export interface NimbusPayment {
  amount?: number;
  pan?: string;
  capture?: boolean;
  expMonth?: number;
  expYear?: number;
}

/** An authorize body as a terminal built for that Nimbus API version sends it. */
export function nimbusBody(
  version: '2023-10-16' | '2024-06-15',
  p: NimbusPayment = {},
): Record<string, unknown> {
  const card = {
    number: p.pan ?? VISA,
    exp_month: p.expMonth ?? 12,
    exp_year: p.expYear ?? 2030,
    cvc: '123',
  };
  const common = {
    capture_method: p.capture === false ? 'manual' : 'automatic',
    payment_method_data: { type: 'card', card },
  };
  return version === '2023-10-16'
    ? { amount: p.amount ?? 1000, currency: 'usd', ...common }
    : {
        amount: { value: p.amount ?? 1000, currency: 'USD' },
        return_url: 'https://pos.test/return',
        ...common,
      };
}

/** An authorize body for Meridian; `reference` is optional in v3 and required in v4. */
export function meridianBody(p: NimbusPayment & { reference?: string | null } = {}): Record<string, unknown> {
  return {
    amount: { value: p.amount ?? 1000, currency: 'EUR' },
    ...(p.reference !== null && { reference: p.reference ?? 'order-1' }),
    autoCapture: p.capture ?? false,
    paymentMethod: {
      type: 'scheme',
      number: p.pan ?? VISA,
      expiryMonth: String(p.expMonth ?? 12).padStart(2, '0'),
      expiryYear: String(p.expYear ?? 2030),
      cvc: '737',
    },
  };
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience for reading JSON answers
  json: any;
}

export interface CallOptions {
  body?: unknown;
  /** A raw body (sent as is). */
  raw?: string;
  headers?: Record<string, string>;
  /** Bearer key (nimbus); null: no Authorization header. */
  bearer?: string | null;
  dispatcher?: Agent;
}

const agent = new Agent({ keepAliveTimeout: 1000 });

/** One request over real HTTP with undici; JSON body in, status/headers/JSON out. */
export async function call(
  g: MockGateway,
  method: string,
  path: string,
  o: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.bearer !== null && !Object.keys(headers).some((h) => h.toLowerCase() === 'x-api-key')) {
    headers.authorization ??= `Bearer ${o.bearer ?? NIMBUS_KEY}`;
  }
  const body = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await request(`${g.url}${path}`, {
    method: method as 'POST',
    headers,
    ...(body !== undefined && { body }),
    dispatcher: o.dispatcher ?? agent,
  });
  const text = await res.body.text();
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = String(v);
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: flat, text, json };
}

/** Meridian calls: the key in X-API-Key. */
export function meridian(g: MockGateway, method: string, path: string, o: CallOptions = {}): Promise<Answer> {
  return call(g, method, path, { ...o, bearer: null, headers: { 'x-api-key': MERIDIAN_KEY, ...o.headers } });
}

/** Waits until the journal holds `count` exchanges with a request (the gateway records after answering). */
export async function recorded(g: MockGateway, count: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (g.journal.entries().filter((e) => e.request).length >= count) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`the journal never held ${count} requests`);
}

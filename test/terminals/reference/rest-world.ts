// Shared set-up for the reference terminal's REST tests: the sample world's gateways (real HTTP on
// 127.0.0.1, time scale 0.01, pinned clock, answers checked against their own OpenAPI documents),
// the REST test builds of test/fixtures/firmware, terminals created through the reference driver
// and configured like the executor will (base URL, API key, time scale), and journal helpers.

import { resolve } from 'node:path';
import { afterEach, expect } from 'vitest';
import type { Exchange } from '../../../src/mocks/exchange.js';
import {
  type MockGateway,
  type StartGatewayOptions,
  startGateway,
} from '../../../src/mocks/gateway/index.js';
import { loadCards, loadHosts } from '../../../src/mocks/hosts/host-loader.js';
import { type FirmwareBuild, loadFirmware } from '../../../src/terminals/firmware-loader.js';
import type { ReferenceProfile } from '../../../src/terminals/reference/profile-schema.js';
import { referenceDriver } from '../../../src/terminals/reference/reference-driver.js';
import type {
  CardInput,
  Terminal,
  TerminalConfig,
  TerminalEvent,
  TransactionOutcome,
} from '../../../src/terminals/terminal.js';

export const SCALE = 0.01;
export const NOW = new Date('2026-03-01T12:00:00Z');
const FIXTURES = resolve(import.meta.dirname, '../../fixtures/firmware');
const hosts = loadHosts();
const cards = loadCards();
const builds = loadFirmware([FIXTURES]);

/** The public test keys of mocks/hosts/*.yaml (they open nothing but the mocks). */
export const KEYS: Record<string, string> = {
  'nimbus-pay': 'sk_test_nimbus_4eC39HqLyjWDarjtT1zdp7dc',
  'meridian-checkout': 'MC_TEST_KEY_7d1f0c2a9b',
};

/** Each gateway's word for insufficient funds (amounts ending in 51, mocks/cards.yaml). */
export const INSUFFICIENT: Record<string, string> = {
  'nimbus-pay': 'insufficient_funds',
  'meridian-checkout': 'Not enough balance',
};

/** Each gateway version with the test build written for it. */
export const WORLDS = [
  { gateway: 'nimbus-pay@2023-10-16', build: 'test-nimbus-2023' },
  { gateway: 'nimbus-pay@2024-06-15', build: 'test-nimbus-2024' },
  { gateway: 'meridian-checkout@v3', build: 'test-meridian-v3' },
  { gateway: 'meridian-checkout@v4', build: 'test-meridian-v4' },
] as const;

/**
 * The gateways compile a validator the first time an operation is used; under a loaded machine that
 * can outlast the terminal's 300 ms (scaled) answer timeout and turn into a spurious retry. Compile
 * them all once, before any test waits on an answer.
 */
function warmValidators(): void {
  const seenApis = new Set<unknown>();
  for (const host of hosts.gateways()) {
    for (const version of host.versions) {
      for (const api of version.known) {
        if (seenApis.has(api)) continue;
        seenApis.add(api);
        for (const op of api.operations) {
          op.validateRequest({ body: {}, hasBody: true, headers: {}, query: {}, params: {} });
          for (const status of [200, 201, 400, 401, 402, 404, 409, 410, 422, 429, 500, 503])
            op.validateResponse(status, api.binding.errors.contentType, {});
        }
      }
    }
  }
}
warmValidators();

let gateways: MockGateway[] = [];
let terminals: Terminal[] = [];

afterEach(async () => {
  await Promise.all(terminals.map((t) => t.close()));
  terminals = [];
  const all = gateways;
  gateways = [];
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

export async function gateway(
  ref: string,
  options: Partial<Omit<StartGatewayOptions, 'host'>> = {},
): Promise<MockGateway> {
  const g = await startGateway({
    host: hosts.getGateway(ref),
    cards,
    port: 0,
    timeScale: SCALE,
    validateResponses: true,
    now: () => NOW,
    seed: 5,
    ...options,
  });
  gateways.push(g);
  return g;
}

/** A fixture build, optionally with profile entries merged over its own (defects, timeouts). */
export function build(id: string, profile: Partial<ReferenceProfile> = {}): FirmwareBuild {
  const b = builds.get(id);
  return { ...b, profile: { ...b.profile, ...profile } };
}

export interface Played {
  terminal: Terminal;
  events: TerminalEvent[];
  kinds(): string[];
}

/** A terminal of the build pointed at the gateway, with the gateway's test API key. */
export async function play(
  b: FirmwareBuild,
  g: MockGateway,
  config: Partial<TerminalConfig> = {},
): Promise<Played> {
  const terminal = await referenceDriver.create(b);
  terminals.push(terminal);
  const events: TerminalEvent[] = [];
  terminal.onEvent((e) => events.push(e));
  await terminal.configure({
    primary: { url: g.url },
    apiKey: KEYS[g.version.host]!,
    timeScale: SCALE,
    now: () => NOW,
    seed: 1,
    ...config,
  });
  return { terminal, events, kinds: () => events.map((e) => e.kind) };
}

/** A test card of the card book as the terminal reads it (chip, no PIN: REST sends none). */
export function card(name = 'visa-credit-chip'): CardInput {
  const c = cards.get(name);
  return { name, pan: c.pan, expiry: c.expiry, entryMode: 'chip' };
}

/** Exchanges that carry a request, oldest first. */
export const requests = (g: MockGateway): Exchange[] => g.journal.entries().filter((e) => e.request);

/** `METHOD path → status` of each request the gateway saw (no status: no answer sent). */
export const seen = (g: MockGateway): string[] =>
  requests(g).map(
    (e) => `${e.request!.http!.method} ${e.request!.http!.path} → ${e.response?.http?.status ?? '-'}`,
  );

/** A request header as the gateway recorded it (lower-case name). */
export const header = (e: Exchange, name: string): string | undefined => e.request?.http?.headers?.[name];

/** Messages of an outcome as `sent METHOD path` / `received status`. */
export const traffic = (o: TransactionOutcome): string[] =>
  o.messages.map((m) =>
    m.direction === 'sent'
      ? `sent ${m.message.http?.method} ${m.message.http?.path}`
      : `received ${m.message.http?.status}`,
  );

/** Waits until the gateway's journal holds `count` requests (it records after answering). */
export async function recorded(g: MockGateway, count: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (requests(g).length >= count) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`the journal never held ${count} requests`);
}

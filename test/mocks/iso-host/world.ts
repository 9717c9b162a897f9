// Shared set-up for the mock host tests: the sample world (mocks/hosts, mocks/cards.yaml), a pinned
// clock, hosts that are closed after each test, and terminals wired to them.

import { afterEach, expect } from 'vitest';
import type { Exchange } from '../../../src/mocks/exchange.js';
import { type HostVersion, loadCards, loadHosts } from '../../../src/mocks/hosts/host-loader.js';
import {
  type IsoHost,
  type StartIsoHostOptions,
  startIsoHost,
} from '../../../src/mocks/iso-host/start-iso-host.js';
import type { FieldValue, IsoMessage } from '../../../src/protocols/iso8583/index.js';
import { type IsoConnection, TestTerminal } from '../../support/iso-terminal.js';

/** Every duration of the host shrinks 100-fold: a 65 s slow issuer answers after 650 ms. */
export const SCALE = 0.01;
export const NOW = new Date('2026-03-14T10:20:30Z');
export const hosts = loadHosts();
export const cards = loadCards();

export const VISA = cards.get('visa-credit-chip');
export const VISA_MAGSTRIPE = cards.get('visa-debit-magstripe');
export const UNIONPAY = cards.get('unionpay-credit-chip');

let started: IsoHost[] = [];
let connections: IsoConnection[] = [];

afterEach(async () => {
  for (const c of connections) c.close();
  connections = [];
  await Promise.all(started.map((h) => h.close()));
  started = [];
});

/** A host of the sample world, closed after the test. */
export async function host(
  ref: string | HostVersion,
  options: Partial<Omit<StartIsoHostOptions, 'host'>> = {},
): Promise<IsoHost> {
  const h = await startIsoHost({
    host: ref,
    registry: hosts,
    cards,
    timeScale: SCALE,
    now: () => NOW,
    seed: 7,
    ...options,
  });
  started.push(h);
  return h;
}

export function terminal(h: IsoHost, terminalId = defaultTerminal(h), stan = 1): TestTerminal {
  return new TestTerminal(h.version, { terminalId, now: NOW, stan });
}

function defaultTerminal(h: IsoHost): string {
  return h.version.host === 'lotus-acquirer' ? 'LT000001' : 'HB000001';
}

/**
 * Opens a connection (closed after the test); over TLS, trusting the host's certificate, when it
 * speaks TLS, and presenting the terminal certificate it issued when it requires one.
 */
export async function connect(t: TestTerminal, h: IsoHost): Promise<IsoConnection> {
  const client = h.terminalCertificate;
  const c = await t.connect(
    h.address.port,
    h.certificate !== undefined
      ? { ca: h.certificate, ...(client && { cert: client.cert, key: client.key }) }
      : undefined,
  );
  connections.push(c);
  return c;
}

/** A terminal and an open connection to the host. */
export async function session(
  h: IsoHost,
  terminalId?: string,
): Promise<{ t: TestTerminal; c: IsoConnection }> {
  const t = terminal(h, terminalId);
  return { t, c: await connect(t, h) };
}

/** CUP-style sign-on: 0800 with the batch, then the downloaded PIK/MAK, their check values verified. */
export async function signOn(t: TestTerminal, c: IsoConnection): Promise<IsoMessage> {
  const response = await t.exchange(c, t.build('0800', { 60: { 1: '00', 2: t.batch, 3: '003' } }));
  if (response.fields['39'] !== '00') throw new Error(`sign-on answered ${String(response.fields['39'])}`);
  t.adoptKeys(response);
  return response;
}

export const code = (m: IsoMessage) => m.fields['39'];

/** DE60 of a CUP message: transaction type, the terminal's batch, network management code. */
export const de60 = (t: TestTerminal, type: string, nmc = '000'): FieldValue => ({
  1: type,
  2: t.batch,
  3: nmc,
});

/** 1987 DE90: original MTI, STAN and DE7, then acquirer and forwarder ids. */
export const de90 = (original: IsoMessage): FieldValue => ({
  1: original.mti,
  2: String(original.fields['11']),
  3: String(original.fields['7']),
  4: '00000000000',
  5: '00000000000',
});

/** 1993 DE56: original MTI, STAN and local date and time. */
export const de56 = (original: IsoMessage): FieldValue => ({
  1: original.mti,
  2: String(original.fields['11']),
  3: String(original.fields['12']),
});

/** Exchanges of the journal that carry a request (events without one are left out). */
export const exchanges = (h: IsoHost): Exchange[] => h.journal.entries().filter((e) => e.request);

/** Waits until `check` holds (the journal is written just after the bytes leave). */
export async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

// stillServes: a new STAN for every check, so none is a duplicate.
let stillServesStan = 500;

/** A fresh connection from another terminal completes a sale: the host is alive and undisturbed. */
export async function stillServes(h: IsoHost): Promise<void> {
  const lotus = h.version.spec.signOnRequired;
  stillServesStan += 2; // the sign-on takes one
  const t = terminal(h, lotus ? 'LT000002' : 'HB000002', stillServesStan);
  const c = await connect(t, h);
  if (lotus) await signOn(t, c);
  const sale = lotus
    ? t.build(
        '0200',
        { 3: '000000', 4: '000000001000', 25: '00', 60: de60(t, '22') },
        { read: { card: UNIONPAY } },
      )
    : h.version.spec.messages['1200']
      ? t.build('1200', { 3: '000000', 4: '000000001000', 24: '200' }, { read: { card: VISA } })
      : t.build('0200', { 3: '000000', 4: '000000001000' }, { read: { card: VISA } });
  const r = await t.exchange(c, sale);
  expect(String(code(r))).toMatch(/^00?0$/);
  c.close();
}

// Shared set-up for the reference terminal tests: the sample world's hosts (real sockets, time scale
// 0.01, pinned clock), the test builds of test/fixtures/firmware, terminals created through the
// reference driver and configured like the executor will (host keys, time scale), and journal helpers.

import { resolve } from 'node:path';
import { afterEach } from 'vitest';
import type { Exchange } from '../../../src/mocks/exchange.js';
import {
  type HostRegistry,
  type HostVersion,
  loadCards,
  loadHosts,
} from '../../../src/mocks/hosts/host-loader.js';
import { Ledger } from '../../../src/mocks/iso-host/ledger.js';
import {
  type IsoHost,
  type StartIsoHostOptions,
  startIsoHost,
} from '../../../src/mocks/iso-host/start-iso-host.js';
import { type FirmwareBuild, loadFirmware } from '../../../src/terminals/firmware-loader.js';
import type { ReferenceProfile } from '../../../src/terminals/reference/profile-schema.js';
import { referenceDriver } from '../../../src/terminals/reference/reference-driver.js';
import type {
  CardInput,
  EntryMode,
  Terminal,
  TerminalConfig,
  TerminalEvent,
} from '../../../src/terminals/terminal.js';

/** Every duration shrinks 100-fold: a 30 s terminal timeout waits 300 ms. */
export const SCALE = 0.01;
export const NOW = new Date('2026-03-14T10:20:30Z');
export const FIXTURES = resolve(import.meta.dirname, '../../fixtures/firmware');
export const hosts = loadHosts();
export const cards = loadCards();
export const builds = loadFirmware([FIXTURES]);

let started: IsoHost[] = [];
let terminals: Terminal[] = [];

afterEach(async () => {
  await Promise.all(terminals.map((t) => t.close()));
  terminals = [];
  await Promise.all(started.map((h) => h.close()));
  started = [];
});

export async function host(
  ref: string | HostVersion,
  options: Partial<Omit<StartIsoHostOptions, 'host'>> & { registry?: HostRegistry } = {},
): Promise<IsoHost> {
  const h = await startIsoHost({
    host: ref,
    registry: hosts,
    cards,
    timeScale: SCALE,
    now: () => NOW,
    seed: 5,
    ...options,
  });
  started.push(h);
  return h;
}

/** A primary and a backup front end sharing one back end (ledger). */
export async function hostPair(ref: string): Promise<{ primary: IsoHost; backup: IsoHost }> {
  const ledger = new Ledger();
  const primary = await host(ref, { ledger, label: 'primary' });
  const backup = await host(ref, { ledger, label: 'backup' });
  return { primary, backup };
}

/** A fixture build, optionally with profile entries merged over its own (e.g. defects). */
export function build(id: string, profile: Partial<ReferenceProfile> = {}): FirmwareBuild {
  const b = builds.get(id);
  return { ...b, profile: { ...b.profile, ...profile } };
}

export interface Played {
  terminal: Terminal;
  events: TerminalEvent[];
  /** Event kinds in order, for quick comparisons. */
  kinds(): string[];
}

/** A terminal of the build, pointed at the host (and a backup), with the keys the host gives it. */
export async function play(
  b: FirmwareBuild,
  primary: IsoHost,
  options: { backup?: IsoHost; keys?: Record<string, string>; config?: Partial<TerminalConfig> } = {},
): Promise<Played> {
  const terminal = await referenceDriver.create(b);
  terminals.push(terminal);
  const events: TerminalEvent[] = [];
  terminal.onEvent((e) => events.push(e));
  const terminalId = b.terminal?.terminalId ?? 'HB000001';
  await terminal.configure({
    primary: primary.address,
    ...(options.backup && { backup: options.backup.address }),
    keys: options.keys ?? { ...primary.version.keysFor(terminalId) },
    timeScale: SCALE,
    now: () => NOW,
    ...options.config,
  });
  return { terminal, events, kinds: () => events.map((e) => e.kind) };
}

/** A test card of the card book as the terminal reads it. */
export function card(name: string, entryMode: EntryMode = 'chip', withPin = true): CardInput {
  const c = cards.get(name);
  return {
    name,
    pan: c.pan,
    expiry: c.expiry,
    serviceCode: c.serviceCode,
    entryMode,
    ...(withPin && { pin: c.pin }),
  };
}

export const VISA = () => card('visa-credit-chip');
export const UNIONPAY = () => card('unionpay-credit-chip');

/** Exchanges that carry a request, oldest first. */
export const requests = (h: IsoHost): Exchange[] => h.journal.entries().filter((e) => e.request);

/** `MTI kind` of each request the host saw, e.g. `0200 sale`. */
export const seen = (h: IsoHost): string[] =>
  requests(h).map((e) => e.request!.summary.split(' ').slice(0, 2).join(' '));

/** Every rule a request broke, as `MTI: path rule`. */
export const violations = (h: IsoHost): string[] =>
  requests(h).flatMap((e) => e.violations.map((v) => `${e.request!.iso!.mti}: ${v.path} ${v.rule}`));

/** A decoded (masked) request field of the n-th request with this MTI. */
export function field(h: IsoHost, mti: string, id: string, nth = 0): unknown {
  return requests(h).filter((e) => e.request!.iso!.mti === mti)[nth]?.request?.iso?.fields[id];
}

// Shared set-up for the process driver tests: mock hosts and emulator terminals that are closed after
// each test, the Pelican PX-7 build (the Python emulator) and small fake emulators built in code.

import { resolve } from 'node:path';
import { afterEach } from 'vitest';
import { validateData } from '../../../src/data/load-data-file.js';
import { type CardBook, loadCards, loadHosts } from '../../../src/mocks/hosts/host-loader.js';
import {
  type IsoHost,
  type StartIsoHostOptions,
  startIsoHost,
} from '../../../src/mocks/iso-host/start-iso-host.js';
import { type FirmwareBuild, loadFirmware } from '../../../src/terminals/firmware-loader.js';
import { type FirmwareFile, FirmwareFileSchema } from '../../../src/terminals/firmware-schema.js';
import { processDriver } from '../../../src/terminals/process/process-driver.js';
import type { ProcessSpec } from '../../../src/terminals/process/process-schema.js';
import type { CardInput, Terminal, TerminalConfig, TerminalEvent } from '../../../src/terminals/terminal.js';

/** A 30 s host timeout takes 300 ms. */
export const SCALE = 0.01;
export const NOW = new Date('2026-03-14T10:20:30Z');
export const cards: CardBook = loadCards();

const hostRegistry = loadHosts();

let hosts: IsoHost[] = [];
let terminals: Terminal[] = [];

afterEach(async () => {
  await Promise.all(terminals.map((t) => t.close()));
  await Promise.all(hosts.map((h) => h.close()));
  terminals = [];
  hosts = [];
});

export async function harbor(options: Partial<StartIsoHostOptions> = {}): Promise<IsoHost> {
  const h = await startIsoHost({
    host: 'harbor-bank@2019.4',
    port: 0,
    timeScale: SCALE,
    now: () => NOW,
    seed: 5,
    registry: hostRegistry,
    cards,
    ...options,
  });
  hosts.push(h);
  return h;
}

/** The Python emulator's build file, as the firmware catalogue loads it. */
export function pelican(): FirmwareBuild {
  return loadFirmware([resolve('firmware')]).get('pelican-px7-3.2.0');
}

/** A card of mocks/cards.yaml as the executor hands it to a terminal. */
export function card(name: string, overrides: Partial<CardInput> = {}): CardInput {
  const c = cards.get(name);
  const entryMode = c.technology === 'magstripe' ? 'magstripe' : 'chip';
  return {
    name,
    pan: c.pan,
    expiry: c.expiry,
    serviceCode: c.serviceCode,
    entryMode,
    pin: c.pin,
    ...overrides,
  };
}

/** Starts a terminal for a build, closed after the test, with its events collected. */
export async function open(build: FirmwareBuild): Promise<{ terminal: Terminal; events: TerminalEvent[] }> {
  const terminal = await processDriver.create(build);
  terminals.push(terminal);
  const events: TerminalEvent[] = [];
  terminal.onEvent((e) => events.push(e));
  return { terminal, events };
}

/** Starts the Python emulator configured for a host. */
export async function pyterm(
  host: IsoHost,
  config: Partial<TerminalConfig> = {},
  build = pelican(),
): Promise<{ terminal: Terminal; events: TerminalEvent[] }> {
  const opened = await open(build);
  await opened.terminal.configure({
    primary: host.address,
    keys: host.version.keysFor(build.terminal?.terminalId ?? ''),
    timeScale: SCALE,
    now: () => NOW,
    ...config,
  });
  return opened;
}

/** A build played by test/fixtures/emulators/fake-emulator.mjs in the given mode. */
export function fakeBuild(mode: string, process: Partial<ProcessSpec> = {}): FirmwareBuild {
  const data: FirmwareFile = {
    id: `fake-${mode}`,
    title: `Fake emulator (${mode})`,
    vendor: 'Fakery Inc',
    model: 'FK-1',
    version: '0.1',
    description: 'A broken emulator for the driver tests.',
    driver: 'process',
    protocol: { family: 'iso8583', dialect: 'iso8583-1987-ascii' },
    capabilities: ['sale', 'settlement'],
    process: {
      command: [globalThis.process.execPath, 'fake-emulator.mjs', mode],
      ...process,
      // Short waits so failures show fast; a test overrides the ones it is about.
      timeouts: {
        startMs: 3000,
        requestMs: 1000,
        transactionMs: 30_000,
        graceMs: 300,
        shutdownMs: 500,
        killMs: 300,
        ...process.timeouts,
      },
    },
  };
  const file = resolve('test/fixtures/emulators', `fake-${mode}.yaml`);
  validateData(file, data, FirmwareFileSchema);
  return { ...data, file };
}

/** A configured fake emulator terminal (any port: a fake never connects). */
export async function fake(
  mode: string,
  process: Partial<ProcessSpec> = {},
): Promise<{ terminal: Terminal; events: TerminalEvent[] }> {
  const opened = await open(fakeBuild(mode, process));
  await opened.terminal.configure({ primary: { host: '127.0.0.1', port: 9 }, timeScale: SCALE });
  return opened;
}

/** The MTIs of the requests a host received, in order. */
export function requests(host: IsoHost): string[] {
  return host.journal
    .entries()
    .filter((e) => e.request)
    .map((e) => e.request!.iso!.mti);
}

// Shared set-up for the executor tests: the sample hosts and cards, test builds played by the
// test-only TCP terminal, suites from the built-in catalogue or a fixture folder.

import { resolve } from 'node:path';
import type { Cell } from '../../../src/matrix/cell.js';
import {
  type CardBook,
  type HostRegistry,
  loadCards,
  loadHosts,
} from '../../../src/mocks/hosts/host-loader.js';
import type { Catalogue } from '../../../src/suites/executor.js';
import { builtinSuitesDir, loadSuites, type ScenarioRegistry } from '../../../src/suites/suite-loader.js';
import type { FirmwareBuild, FirmwareRegistry } from '../../../src/terminals/firmware-loader.js';
import type { Terminal } from '../../../src/terminals/terminal.js';
import { TcpTerminal, type TcpTerminalDefects } from './tcp-terminal.js';

export const hosts: HostRegistry = loadHosts();
export const cards: CardBook = loadCards();
export const FIXTURE_SUITES = resolve(import.meta.dirname, '../fixtures/suites');
export const suites: ScenarioRegistry = loadSuites([builtinSuitesDir(), FIXTURE_SUITES], { cards });

/** A test build: the host version whose rules its messages follow, and its defects. */
export interface TestBuild {
  speaks: string;
  defects?: TcpTerminalDefects;
  terminalId?: string;
}

export function firmwareBuild(id: string, spec: TestBuild): FirmwareBuild {
  return {
    id,
    title: `test build speaking ${spec.speaks}`,
    vendor: 'paymatrix',
    model: 'tcp-test',
    version: '1',
    description: 'test-only terminal (test/suites/support/tcp-terminal.ts)',
    driver: 'reference',
    protocol: { family: 'iso8583', dialect: hosts.get(spec.speaks).dialect.id },
    capabilities: ['sign-on', 'sale', 'void', 'reversal'],
    ...(spec.terminalId && { terminal: { terminalId: spec.terminalId } }),
    file: `<test>/${id}`,
  };
}

export function registry(builds: FirmwareBuild[]): FirmwareRegistry {
  return {
    get(id) {
      const b = builds.find((x) => x.id === id);
      if (!b) throw new Error(`unknown firmware build "${id}"`);
      return b;
    },
    has: (id) => builds.some((b) => b.id === id),
    list: () => builds,
  };
}

/** A catalogue whose builds are test terminals; `terminals` collects every terminal made. */
export function testCatalogue(
  builds: Record<string, TestBuild>,
  createTerminal?: (build: FirmwareBuild) => Promise<Terminal>,
): Catalogue & { terminals: TcpTerminal[] } {
  const terminals: TcpTerminal[] = [];
  return {
    workspace: '.',
    hosts,
    cards,
    suites,
    firmware: registry(Object.entries(builds).map(([id, spec]) => firmwareBuild(id, spec))),
    terminals,
    createTerminal:
      createTerminal ??
      (async (build) => {
        const spec = builds[build.id]!;
        const t = new TcpTerminal({
          speaks: hosts.get(spec.speaks),
          cards,
          ...(spec.defects && { defects: spec.defects }),
        });
        terminals.push(t);
        return t;
      }),
  };
}

export function cell(firmware: string, hostRef: string, scenarioRef: string): Cell {
  const [host, version] = hostRef.split('@') as [string, string];
  const [suite, scenario] = scenarioRef.split('/') as [string, string];
  return { key: `${firmware}|${hostRef}|${scenarioRef}`, firmware, host, version, suite, scenario };
}

/** Time scale of every executor test: a 30 s terminal timeout takes 300 ms. */
export const SCALE = 0.01;
export const run = { timeScale: SCALE, seed: 7, timeoutMs: 10_000 };

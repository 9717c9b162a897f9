import { resolve } from 'node:path';
import type { LoadHostsOptions } from '../mocks/hosts/host-loader.js';
import { type DialectRegistry, workspaceDialects } from '../protocols/iso8583/index.js';
import { type ApiRegistry, workspaceApis } from '../protocols/rest/api-loader.js';
import { loadCatalogue } from '../suites/catalogue.js';
import { warmGateway } from '../suites/cell-hosts.js';
import { type Catalogue, runCell } from '../suites/executor.js';
import { createTerminal, prepareTerminal } from '../terminals/drivers.js';
import type { DriverOptions } from '../terminals/terminal.js';
import type { Cell } from './cell.js';
import type { CellRunner } from './scheduler.js';

export interface Workspace {
  catalogue: Catalogue;
  runner: CellRunner;
  /** Give to runMatrix (RunMatrixOptions.warmUp): readies what the planned cells share before any starts. */
  warmUp(cells: readonly Cell[]): Promise<void>;
}

/**
 * The real thing behind `paymatrix run`: the workspace's catalogue (built-in data plus its own
 * firmware/, mocks/, suites/, protocols/) and the scenario executor as the cell runner, with terminals
 * from the driver each build names. Hosts and terminals share one set of dialects and API versions
 * (the OpenAPI documents are parsed once, and only if a gateway or a REST build needs them).
 */
export function openWorkspace(workspace: string): Workspace {
  const root = resolve(workspace);
  const dialects: DialectRegistry = workspaceDialects(root);
  let apis: ApiRegistry | undefined;
  // Getters, not values: spreading or copying these objects would load the API documents eagerly.
  const registries: LoadHostsOptions = {
    dialects,
    get apis() {
      apis ??= workspaceApis(root);
      return apis;
    },
  };
  const driverOptions: DriverOptions = {
    workspace: root,
    dialects,
    get apis() {
      return registries.apis;
    },
  };
  const catalogue = loadCatalogue(root, {
    createTerminal: (build) => createTerminal(build, driverOptions),
    registries,
  });
  return {
    catalogue,
    runner: (cell, options) => runCell(cell, catalogue, options),
    warmUp: (cells) => warmUp(catalogue, driverOptions, cells),
  };
}

/**
 * Before any cell is scheduled: what every cell would otherwise build on the shared event loop the
 * first time — each planned build's resolved profile (and the API documents a REST build reads), each
 * planned gateway version's request validators. Paid inside a cell, on a loaded machine that outlasts
 * a terminal's scaled answer timeout and makes a spurious timeout or retry. A build or host version
 * that fails here is left alone: its cells meet the same error and report it, with file and path.
 */
async function warmUp(catalogue: Catalogue, options: DriverOptions, cells: readonly Cell[]): Promise<void> {
  for (const ref of new Set(cells.map((c) => `${c.host}@${c.version}`))) {
    try {
      const version = catalogue.hosts.resolve(ref);
      if (version.kind === 'rest') warmGateway(version);
    } catch {
      // reported by its cells
    }
  }
  for (const id of new Set(cells.map((c) => c.firmware))) {
    try {
      await prepareTerminal(catalogue.firmware.get(id), options);
    } catch {
      // reported by its cells
    }
  }
}

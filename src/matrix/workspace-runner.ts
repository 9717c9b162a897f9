import { loadCatalogue } from '../suites/catalogue.js';
import { type Catalogue, runCell } from '../suites/executor.js';
import { createTerminal } from '../terminals/drivers.js';
import type { CellRunner } from './scheduler.js';

/**
 * The real thing behind `paymatrix run`: the workspace's catalogue (built-in data plus its own
 * firmware/, mocks/, suites/, protocols/) and the scenario executor as the cell runner, with terminals
 * from the driver each build names.
 */
export function openWorkspace(workspace: string): { catalogue: Catalogue; runner: CellRunner } {
  const catalogue = loadCatalogue(workspace, {
    createTerminal: (build) => createTerminal(build, { workspace }),
  });
  return { catalogue, runner: (cell, options) => runCell(cell, catalogue, options) };
}

import { resolve } from 'node:path';
import { type LoadHostsOptions, workspaceCards, workspaceHosts } from '../mocks/hosts/host-loader.js';
import { type FirmwareBuild, workspaceFirmware } from '../terminals/firmware-loader.js';
import type { Terminal } from '../terminals/terminal.js';
import type { Catalogue } from './executor.js';
import { workspaceSuites } from './suite-loader.js';

export interface LoadCatalogueOptions {
  /** Makes a terminal for a build (the driver registry). */
  createTerminal(build: FirmwareBuild): Promise<Terminal>;
  /** The workspace's dialects and API versions, when the caller shares them with its terminals. */
  registries?: LoadHostsOptions;
}

/**
 * The built-in catalogue with the workspace's own data over it: hosts (and the dialects they
 * name), test cards, firmware builds and suites. Scenario card names are checked against the
 * workspace's card book. Throws DataFileError (file, JSON path, problem) on the first bad file.
 */
export function loadCatalogue(workspace: string, options: LoadCatalogueOptions): Catalogue {
  const root = resolve(workspace);
  const cards = workspaceCards(root);
  return {
    workspace: root,
    hosts: workspaceHosts(root, options.registries),
    firmware: workspaceFirmware(root),
    suites: workspaceSuites(root, { cards }),
    cards,
    createTerminal: options.createTerminal,
  };
}

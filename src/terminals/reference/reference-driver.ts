import { resolve } from 'node:path';
import { workspaceDialects } from '../../cli/workspace.js';
import { DataFileError } from '../../data/data-file-error.js';
import type { DialectRegistry } from '../../protocols/iso8583/index.js';
import { type ApiRegistry, workspaceApis } from '../../protocols/rest/api-loader.js';
import type { FirmwareBuild } from '../firmware-loader.js';
import type { DriverOptions, Terminal, TerminalDriver } from '../terminal.js';
import { IsoEngine } from './iso/iso-engine.js';
import { resolveProfile } from './profile-loader.js';
import { ReferenceTerminal } from './reference-terminal.js';
import { RestEngine } from './rest/rest-engine.js';

// Compiling the dialects costs a few ms; a matrix run creates a terminal per cell.
const dialectsByWorkspace = new Map<string, DialectRegistry>();

function dialects(workspace: string): DialectRegistry {
  const key = resolve(workspace);
  let registry = dialectsByWorkspace.get(key);
  if (!registry) {
    registry = workspaceDialects(workspace);
    dialectsByWorkspace.set(key, registry);
  }
  return registry;
}

// The same for the API versions (OpenAPI documents with their validators) REST builds speak.
const apisByWorkspace = new Map<string, ApiRegistry>();

function apis(workspace: string): ApiRegistry {
  const key = resolve(workspace);
  let registry = apisByWorkspace.get(key);
  if (!registry) {
    registry = workspaceApis(workspace);
    apisByWorkspace.set(key, registry);
  }
  return registry;
}

/**
 * The `reference` driver: a built-in terminal played from the build's profile (docs/firmware.md).
 * The profile is resolved (base profiles, checks against the build and its dialect) when the
 * terminal is created, so a bad build fails here with its file and JSON path.
 */
export const referenceDriver: TerminalDriver = {
  name: 'reference',
  async create(build: FirmwareBuild, options: DriverOptions = {}): Promise<Terminal> {
    if (build.driver !== 'reference')
      throw new Error(`build ${build.id} has driver "${build.driver}", not "reference"`);
    const workspace = options.workspace ?? '.';
    const protocol = build.protocol;
    if (protocol.family === 'rest') {
      const ref = `${protocol.api}@${protocol.version}`;
      const registry = apis(workspace);
      if (!registry.has(ref)) {
        const known = registry
          .list()
          .flatMap((a) => a.versions.map((v) => v.ref))
          .join(', ');
        throw new DataFileError(build.file, '/protocol', `unknown API version "${ref}" (known: ${known})`);
      }
      const api = registry.get(ref);
      const profile = resolveProfile(build, { workspace, api });
      return new ReferenceTerminal(build, new RestEngine(build, profile, api), options);
    }
    const registry = dialects(workspace);
    if (!registry.has(protocol.dialect)) {
      const known = registry
        .list()
        .map((d) => d.id)
        .join(', ');
      throw new DataFileError(
        build.file,
        '/protocol/dialect',
        `unknown dialect "${protocol.dialect}" (known: ${known})`,
      );
    }
    const dialect = registry.get(protocol.dialect);
    const profile = resolveProfile(build, { workspace, dialect });
    return new ReferenceTerminal(build, new IsoEngine(build, profile, dialect), options);
  },
};

import { resolve } from 'node:path';
import { DataFileError } from '../../data/data-file-error.js';
import {
  type Dialect,
  type DialectRegistry,
  unknownDialect,
  workspaceDialects,
} from '../../protocols/iso8583/index.js';
import { type ApiRegistry, type ApiVersion, workspaceApis } from '../../protocols/rest/api-loader.js';
import type { FirmwareBuild } from '../firmware-loader.js';
import type { DriverOptions, Terminal, TerminalDriver } from '../terminal.js';
import { IsoEngine } from './iso/iso-engine.js';
import { type ResolvedProfile, resolveProfile } from './profile-loader.js';
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
 * Resolved profiles, so a run resolves each build's once, not once per cell (~1 ms warm, far more
 * on a loaded machine). Keyed by the build object itself (a build edited or rebuilt by a caller is
 * another object), then by workspace (whose firmware/profiles take part) and the very dialect or API
 * version the profile was checked against. The engines only read a profile, so one can be shared.
 */
const profiles = new WeakMap<
  FirmwareBuild,
  Map<string, { against: Dialect | ApiVersion; profile: ResolvedProfile }>
>();

function profileOf(build: FirmwareBuild, workspace: string, against: Dialect | ApiVersion): ResolvedProfile {
  const key = resolve(workspace);
  let byWorkspace = profiles.get(build);
  const hit = byWorkspace?.get(key);
  if (hit?.against === against) return hit.profile;
  const profile = resolveProfile(build, {
    workspace,
    ...(isApi(against) ? { api: against } : { dialect: against }),
  });
  if (!byWorkspace) {
    byWorkspace = new Map();
    profiles.set(build, byWorkspace);
  }
  byWorkspace.set(key, { against, profile });
  return profile;
}

const isApi = (x: Dialect | ApiVersion): x is ApiVersion => 'binding' in x;

/** What a terminal of the build is made from: its dialect or API version and its resolved profile. */
type Parts =
  | { family: 'iso8583'; dialect: Dialect; profile: ResolvedProfile }
  | { family: 'rest'; api: ApiVersion; profile: ResolvedProfile };

function partsOf(build: FirmwareBuild, options: DriverOptions): Parts {
  if (build.driver !== 'reference')
    throw new Error(`build ${build.id} has driver "${build.driver}", not "reference"`);
  const workspace = options.workspace ?? '.';
  const protocol = build.protocol;
  if (protocol.family === 'rest') {
    const ref = `${protocol.api}@${protocol.version}`;
    const registry = options.apis ?? apis(workspace);
    if (!registry.has(ref)) {
      const known = registry
        .list()
        .flatMap((a) => a.versions.map((v) => v.ref))
        .join(', ');
      throw new DataFileError(build.file, '/protocol', `unknown API version "${ref}" (known: ${known})`);
    }
    const api = registry.get(ref);
    return { family: 'rest', api, profile: profileOf(build, workspace, api) };
  }
  const registry = options.dialects ?? dialects(workspace);
  if (!registry.has(protocol.dialect)) {
    throw new DataFileError(
      build.file,
      '/protocol/dialect',
      unknownDialect(
        protocol.dialect,
        registry.list().map((d) => d.id),
      ),
    );
  }
  const dialect = registry.get(protocol.dialect);
  return { family: 'iso8583', dialect, profile: profileOf(build, workspace, dialect) };
}

/**
 * The `reference` driver: a built-in terminal played from the build's profile (docs/firmware.md).
 * The profile is resolved (base profiles, checks against the build and its dialect) when the
 * terminal is created, or ahead by prepare(), so a bad build fails there with its file and JSON path.
 */
export const referenceDriver: TerminalDriver = {
  name: 'reference',
  async create(build: FirmwareBuild, options: DriverOptions = {}): Promise<Terminal> {
    const parts = partsOf(build, options);
    const engine =
      parts.family === 'rest'
        ? new RestEngine(build, parts.profile, parts.api)
        : new IsoEngine(build, parts.profile, parts.dialect);
    return new ReferenceTerminal(build, engine, options);
  },
  async prepare(build: FirmwareBuild, options: DriverOptions = {}): Promise<void> {
    partsOf(build, options);
  },
};

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Static, Type as T } from '@sinclair/typebox';
import { DataFileError } from '../data/data-file-error.js';
import { loadDataFile } from '../data/load-data-file.js';

export const FLEET_FILE = 'fleet.yaml';

const Closed = { additionalProperties: false } as const;

/** One line of the fleet: a build running on so many terminals in one region / merchant group. */
export const DeploymentSchema = T.Object(
  {
    build: T.String({ minLength: 1, description: 'firmware build id (firmware/<id>.yaml)' }),
    terminals: T.Integer({ minimum: 0, description: 'terminals running this build here' }),
    region: T.Optional(T.String({ minLength: 1 })),
    merchantGroup: T.Optional(T.String({ minLength: 1 })),
  },
  Closed,
);
export type Deployment = Static<typeof DeploymentSchema>;

/**
 * fleet.yaml: which firmware builds are deployed and on how many terminals, so failures can be
 * weighed by the terminals they would stop (a build may appear on several lines, one per region or
 * merchant group).
 */
export const FleetFileSchema = T.Object(
  {
    title: T.Optional(T.String({ minLength: 1 })),
    deployments: T.Array(DeploymentSchema, { minItems: 1 }),
  },
  Closed,
);
export type FleetFile = Static<typeof FleetFileSchema>;

export interface Fleet extends FleetFile {
  readonly file: string;
  /** Terminals per build, all regions and groups added up. */
  readonly terminalsByBuild: ReadonlyMap<string, number>;
  readonly totalTerminals: number;
}

export interface LoadFleetOptions {
  /** Build ids that exist: a deployment naming another is an error naming its line. */
  knownBuilds?: Iterable<string>;
}

export function loadFleet(file: string, options: LoadFleetOptions = {}): Fleet {
  return toFleet(file, loadDataFile(file, FleetFileSchema), options);
}

/** A fleet from data already read (tests, a policy's inline fleet). */
export function toFleet(file: string, data: FleetFile, options: LoadFleetOptions = {}): Fleet {
  if (options.knownBuilds) {
    const [first] = unknownFleetBuilds(file, data, options.knownBuilds);
    if (first) throw first;
  }
  const terminalsByBuild = new Map<string, number>();
  for (const d of data.deployments)
    terminalsByBuild.set(d.build, (terminalsByBuild.get(d.build) ?? 0) + d.terminals);
  const totalTerminals = [...terminalsByBuild.values()].reduce((a, b) => a + b, 0);
  return { ...data, file, terminalsByBuild, totalTerminals };
}

/** One error per deployment naming a build that does not exist (`paymatrix validate` lists them all). */
export function unknownFleetBuilds(
  file: string,
  data: FleetFile,
  knownBuilds: Iterable<string>,
): DataFileError[] {
  const known = new Set(knownBuilds);
  return data.deployments.flatMap((d, i) =>
    known.has(d.build)
      ? []
      : [
          new DataFileError(
            file,
            `/deployments/${i}/build`,
            `unknown firmware build "${d.build}"; known: ${[...known].sort().join(', ')}`,
          ),
        ],
  );
}

/** `<workspace>/fleet.yaml` when there is one. */
export function findWorkspaceFleet(workspace: string): string | undefined {
  const file = join(workspace, FLEET_FILE);
  return existsSync(file) ? file : undefined;
}

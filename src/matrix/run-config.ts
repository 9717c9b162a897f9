import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Static, Type as T } from '@sinclair/typebox';
import { loadDataFile } from '../data/load-data-file.js';

export const CONFIG_FILE = 'paymatrix.config.yaml';

const Strings = (description: string) => T.Optional(T.Array(T.String({ minLength: 1 }), { description }));

/** paymatrix.config.yaml: the same options as `paymatrix run`, for a workspace; flags override it. */
export const RunConfigSchema = T.Object(
  {
    workspace: T.Optional(
      T.String({
        minLength: 1,
        description: 'folder with firmware/, mocks/, suites/, protocols/ (relative to this file)',
      }),
    ),
    firmware: Strings('build ids or globs'),
    hosts: Strings('host@version or host'),
    suites: Strings('suite ids or suite/scenario'),
    out: T.Optional(T.String({ minLength: 1, description: 'run folder (relative to this file)' })),
    concurrency: T.Optional(T.Integer({ minimum: 1, maximum: 256 })),
    timeScale: T.Optional(T.Number({ exclusiveMinimum: 0, maximum: 100 })),
    seed: T.Optional(T.Integer({ minimum: 0 })),
    cellTimeoutMs: T.Optional(T.Integer({ minimum: 100 })),
    retryFailed: T.Optional(
      T.Boolean({ description: 'play a failed cell again; a pass then marks it flaky' }),
    ),
  },
  { additionalProperties: false },
);
export type RunConfig = Static<typeof RunConfigSchema>;

/**
 * Reads a config file, with `workspace` and `out` made absolute from the file's folder. Without a
 * file name: `paymatrix.config.yaml` in the current folder if there is one, else no config.
 */
export function loadRunConfig(file?: string): { file?: string; config: RunConfig } {
  const path = file ?? (existsSync(CONFIG_FILE) ? CONFIG_FILE : undefined);
  if (!path) return { config: {} };
  const config = loadDataFile(path, RunConfigSchema);
  const base = dirname(resolve(path));
  return {
    file: path,
    config: {
      ...config,
      ...(config.workspace ? { workspace: resolve(base, config.workspace) } : {}),
      ...(config.out ? { out: resolve(base, config.out) } : {}),
    },
  };
}

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Static, Type as T } from '@sinclair/typebox';
import { DataFileError } from '../data/data-file-error.js';
import { validateData } from '../data/load-data-file.js';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'paymatrix-run/1';

/** The options that decide which cells a run has and what they do (not how fast it goes). */
export const RunSettingsSchema = T.Object(
  {
    firmware: T.Array(T.String()),
    hosts: T.Array(T.String()),
    suites: T.Array(T.String()),
    seed: T.Integer(),
    timeScale: T.Number({ exclusiveMinimum: 0 }),
    cellTimeoutMs: T.Integer({ minimum: 1 }),
    retryFailed: T.Boolean(),
    shard: T.Union([
      T.Null(),
      T.Object({ index: T.Integer({ minimum: 1 }), count: T.Integer({ minimum: 1 }) }),
    ]),
  },
  { additionalProperties: false },
);
export type RunSettings = Static<typeof RunSettingsSchema>;

/**
 * manifest.json in a run's folder, written before the first cell: what the run is, so --resume can
 * finish it and merge can check that shards belong together. `plan` is the WHOLE plan (every shard's
 * cells), so a merge can tell which cells no shard delivered.
 */
export const RunManifestSchema = T.Object(
  {
    format: T.Literal(MANIFEST_FORMAT),
    runId: T.String(),
    createdAt: T.String(),
    workspace: T.String(),
    settings: RunSettingsSchema,
    plan: T.Object({ hash: T.String(), cells: T.Array(T.String()) }),
  },
  { additionalProperties: false },
);
export type RunManifest = Static<typeof RunManifestSchema>;

/** Identifies a plan by its cell keys (order included) and the settings that change results. */
export function planHash(keys: readonly string[], settings: Pick<RunSettings, 'seed' | 'timeScale'>): string {
  const h = createHash('sha256');
  h.update(`seed=${settings.seed} timeScale=${settings.timeScale}\n`);
  for (const k of keys) h.update(`${k}\n`);
  return h.digest('hex').slice(0, 16);
}

export function writeManifest(dir: string, manifest: RunManifest): void {
  // Write then rename: a crash never leaves half a manifest behind.
  const file = join(dir, MANIFEST_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** The manifest of a run folder, or undefined when there is none. */
export function readManifest(dir: string): RunManifest | undefined {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DataFileError(file, '', `invalid JSON: ${(err as Error).message}`);
  }
  validateData(file, data, RunManifestSchema);
  return data as RunManifest;
}

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CellResult } from '../matrix/cell.js';
import { ConfigError } from '../matrix/config-error.js';
import { RESULTS_FILE, readResults } from '../matrix/result-store.js';
import { type RunManifest, readManifest } from '../matrix/run-manifest.js';
import { inShard } from '../matrix/shard.js';

/** A finished (or merged) run as reports and the gate read it: its results, in plan order. */
export interface RunFolder {
  dir: string;
  /** Absent for a results.jsonl put together by hand. */
  manifest?: RunManifest;
  results: CellResult[];
  /** Planned cell keys without a result (an unfinished run, or shards not merged). */
  missing: string[];
}

/** Reads `<dir>/results.jsonl` (and manifest.json if there); a folder without results is a ConfigError. */
export function readRunFolder(dir: string): RunFolder {
  const abs = resolve(dir);
  const file = join(abs, RESULTS_FILE);
  if (!existsSync(file)) throw new ConfigError(`no run in ${abs}: ${RESULTS_FILE} not found`);
  const manifest = readManifest(abs);
  const { results } = readResults(file);
  // The last line for a key wins: a resumed run may have played a cell again.
  const byKey = new Map<string, CellResult>();
  for (const r of results) byKey.set(r.key, r);
  const order = manifest?.plan.cells ?? [];
  const position = new Map(order.map((k, i) => [k, i]));
  const sorted = [...byKey.values()]
    .map((r, i) => ({ r, at: position.get(r.key) ?? order.length + i }))
    .sort((a, b) => a.at - b.at)
    .map(({ r }) => r);
  const missing = missingCells(byKey, manifest);
  return { dir: abs, ...(manifest ? { manifest } : {}), results: sorted, missing };
}

/** The planned cell keys of a run folder without a result (a shard's manifest holds the whole plan: only its own slice counts). */
export function missingCells(
  played: { has(key: string): boolean },
  manifest: RunManifest | undefined,
): string[] {
  const mine = inShard(manifest?.plan.cells ?? [], (k) => k, manifest?.settings.shard ?? undefined);
  return mine.filter((k) => !played.has(k));
}

/** A run folder read as a baseline: its errors say it is the baseline that is missing or broken. */
export function readBaseline(dir: string): RunFolder {
  try {
    return readRunFolder(dir);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`baseline: ${err.message}`);
    throw err;
  }
}

import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeReports } from '../report/write-reports.js';
import type { Matrix } from './aggregate.js';
import type { CellResult, CellStatus } from './cell.js';
import { ConfigError } from './config-error.js';
import { RESULTS_FILE, readResults } from './result-store.js';
import { lockRunFolder } from './run-lock.js';
import { type RunManifest, readManifest, writeManifest } from './run-manifest.js';

export interface MergeConflict {
  key: string;
  /** Each folder's status for the cell, in argument order. */
  found: { dir: string; status: CellStatus }[];
}

export interface MergeResult {
  manifest: RunManifest;
  results: CellResult[];
  matrix: Matrix;
  /** Cells present in more than one folder with the same status (the first is kept). */
  duplicates: string[];
  /** Cells present in more than one folder with different statuses (the first is kept). */
  conflicts: MergeConflict[];
  /** Planned cells no folder has a result for (a shard not run or not finished). */
  missing: string[];
}

/**
 * Joins the run folders of shards (or of partial runs) of ONE plan into `out`: results.jsonl in plan
 * order, a manifest for the whole plan, matrix.json and junit.xml. Folders of different plans (other
 * builds, hosts, suites, seed or time scale) are refused.
 */
export function mergeRuns(dirs: readonly string[], out: string): MergeResult {
  if (dirs.length === 0) throw new ConfigError('merge needs at least one run folder');
  const runs = dirs.map((d) => {
    const dir = resolve(d);
    const manifest = readManifest(dir);
    if (!manifest) throw new ConfigError(`${dir} is not a run folder (no manifest.json)`);
    return { dir, manifest, results: readResults(join(dir, RESULTS_FILE)).results };
  });
  const first = runs[0]!;
  for (const run of runs.slice(1)) {
    if (run.manifest.plan.hash !== first.manifest.plan.hash) {
      throw new ConfigError(
        `${run.dir} is not a shard of the same plan as ${first.dir} ` +
          `(plan ${run.manifest.plan.hash} vs ${first.manifest.plan.hash}: other builds, hosts, suites, seed or time scale)`,
      );
    }
    const a = first.manifest.settings.shard?.count ?? 1;
    const b = run.manifest.settings.shard?.count ?? 1;
    if (a !== b && a !== 1 && b !== 1)
      throw new ConfigError(
        `${run.dir} is a shard of ${b}, ${first.dir} a shard of ${a}: merge shards of one split`,
      );
  }

  const planned = new Set(first.manifest.plan.cells);
  const kept = new Map<string, { dir: string; result: CellResult }>();
  const duplicates: string[] = [];
  const conflicts = new Map<string, MergeConflict>();
  for (const run of runs) {
    for (const r of run.results) {
      if (!planned.has(r.key))
        throw new ConfigError(`${run.dir}: result for ${r.key}, which its plan does not have`);
      const seen = kept.get(r.key);
      if (!seen) {
        kept.set(r.key, { dir: run.dir, result: r });
      } else if (seen.result.status === r.status) {
        duplicates.push(r.key);
      } else {
        const c = conflicts.get(r.key) ?? {
          key: r.key,
          found: [{ dir: seen.dir, status: seen.result.status }],
        };
        c.found.push({ dir: run.dir, status: r.status });
        conflicts.set(r.key, c);
      }
    }
  }

  const results = first.manifest.plan.cells.flatMap((k) => kept.get(k)?.result ?? []);
  const missing = first.manifest.plan.cells.filter((k) => !kept.has(k));
  const manifest: RunManifest = {
    ...first.manifest,
    runId: `merged-${randomUUID().slice(0, 8)}`,
    createdAt: new Date().toISOString(),
    settings: { ...first.manifest.settings, shard: null },
  };
  const target = resolve(out);
  mkdirSync(target, { recursive: true });
  // A run writing there would interleave its lines with these: the folder is taken, or refused.
  const release = lockRunFolder(target);
  let matrix: ReturnType<typeof writeReports>;
  try {
    writeFileSync(join(target, RESULTS_FILE), results.map((r) => `${JSON.stringify(r)}\n`).join(''));
    writeManifest(target, manifest);
    matrix = writeReports(target, results, manifest);
  } finally {
    release();
  }
  return { manifest, results, matrix, duplicates, conflicts: [...conflicts.values()], missing };
}

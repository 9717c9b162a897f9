import type { Matrix } from '../matrix/aggregate.js';
import type { RunManifest } from '../matrix/run-manifest.js';

export const MATRIX_FORMAT = 'paymatrix-matrix/1';

/** matrix.json: the matrix for machines — the run, totals, and every build × host version with its scenarios. */
export interface MatrixJson {
  format: typeof MATRIX_FORMAT;
  run: { id: string; seed: number; timeScale: number; shard: { index: number; count: number } | null } | null;
  firmware: string[];
  hosts: string[];
  counts: Matrix['counts'];
  /** Planned cells without a result (an interrupted run, a shard not merged): not played, so no verdict. */
  missing: { count: number; cells: string[] };
  cells: Matrix['cells'];
}

export function renderMatrixJson(
  matrix: Matrix,
  manifest?: RunManifest,
  missing: readonly string[] = [],
): string {
  const json: MatrixJson = {
    format: MATRIX_FORMAT,
    run: manifest
      ? {
          id: manifest.runId,
          seed: manifest.settings.seed,
          timeScale: manifest.settings.timeScale,
          shard: manifest.settings.shard,
        }
      : null,
    firmware: matrix.firmware,
    hosts: matrix.hostVersions,
    counts: matrix.counts,
    missing: { count: missing.length, cells: [...missing] },
    cells: matrix.cells,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

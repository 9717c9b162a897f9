import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildMatrix, type Matrix } from '../matrix/aggregate.js';
import type { CellResult } from '../matrix/cell.js';
import { GATE_VERDICT_FILE } from '../matrix/gate-run.js';
import type { RunManifest } from '../matrix/run-manifest.js';
import { HTML_FILE } from './html/render-html.js';
import { renderJunit } from './junit-xml.js';
import { renderMatrixJson } from './matrix-json.js';
import { missingCells } from './run-folder.js';
import { SUMMARY_FILE } from './summary-md.js';

export const MATRIX_FILE = 'matrix.json';
export const JUNIT_FILE = 'junit.xml';

/** Writes matrix.json and junit.xml of a run folder from its results; returns the matrix. */
export function writeReports(dir: string, results: readonly CellResult[], manifest?: RunManifest): Matrix {
  const matrix = buildMatrix(results, manifest?.plan.cells);
  // Planned cells without a result: an interrupted run, a shard not merged. Never shown as n/a.
  const missing = missingCells(new Set(results.map((r) => r.key)), manifest);
  writeFileSync(join(dir, MATRIX_FILE), renderMatrixJson(matrix, manifest, missing));
  writeFileSync(
    join(dir, JUNIT_FILE),
    renderJunit(matrix, { timestamp: new Date().toISOString().slice(0, 19), missing }),
  );
  return matrix;
}

/**
 * Removes the reports of an earlier run (and its gate verdict), so a folder never shows reports or a
 * verdict that do not match its results, even when the new run is cut short.
 */
export function removeReports(dir: string): void {
  for (const f of [MATRIX_FILE, JUNIT_FILE, SUMMARY_FILE, HTML_FILE, GATE_VERDICT_FILE])
    rmSync(join(dir, f), { force: true });
}

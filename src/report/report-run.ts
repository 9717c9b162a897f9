import { Buffer } from 'node:buffer';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Matrix } from '../matrix/aggregate.js';
import type { Fleet } from '../matrix/fleet.js';
import { resolveFleet } from '../matrix/gate-run.js';
import { baselineCoverageNote } from './compare.js';
import { catalogueMeta, loadCatalogueMeta, type MetaSources } from './html/catalogue-meta.js';
import { HTML_FILE, renderHtml } from './html/render-html.js';
import { buildReportData } from './html/report-data.js';
import { type RunFolder, readBaseline, readRunFolder } from './run-folder.js';
import { SUMMARY_FILE, writeSummaryMd } from './summary-md.js';
import { JUNIT_FILE, MATRIX_FILE, writeReports } from './write-reports.js';

export interface ReportRunOptions {
  /** A baseline run folder: cells that got worse or better are marked. */
  baseline?: string;
  /** fleet.yaml; default `fleet.yaml` in the run's workspace when there is one. */
  fleet?: string;
  /** Where vendors and field names come from; default the run's workspace. */
  workspace?: string;
  title?: string;
}

export interface ReportRunResult {
  dir: string;
  files: string[];
  matrix: Matrix;
  fleet?: Fleet;
  /** Bytes of index.html. */
  htmlBytes: number;
  /** What the catalogue could not tell (the reports were written anyway). */
  notes: string[];
}

/**
 * `paymatrix report`: regenerates every report of a run folder from its results.jsonl — matrix.json
 * and junit.xml (the runner's writers), index.html and summary.md.
 */
export function reportRun(dir: string, options: ReportRunOptions = {}): ReportRunResult {
  const run = readRunFolder(dir);
  const matrix = writeReports(run.dir, run.results, run.manifest);
  const r = writeHtmlAndSummary(run, options);
  return { ...r, files: [join(run.dir, MATRIX_FILE), join(run.dir, JUNIT_FILE), ...r.files], matrix };
}

/**
 * index.html and summary.md of a run folder (`paymatrix run` writes them beside matrix.json and
 * junit.xml). `sources`: registries already loaded, to read vendors and field names from.
 */
export function writeHtmlAndSummary(
  runOrDir: RunFolder | string,
  options: ReportRunOptions & { sources?: MetaSources } = {},
): Omit<ReportRunResult, 'matrix'> {
  const run = typeof runOrDir === 'string' ? readRunFolder(runOrDir) : runOrDir;
  const baseline = options.baseline !== undefined ? readBaseline(options.baseline) : undefined;
  const fleet = resolveFleet(run, undefined, undefined, options.fleet);
  const hostVersions = [...new Set(run.results.map((r) => `${r.host}@${r.version}`))];
  const meta = options.sources
    ? catalogueMeta(options.sources, hostVersions)
    : loadCatalogueMeta(options.workspace ?? run.manifest?.workspace ?? '.', hostVersions);
  const data = buildReportData({
    results: run.results,
    manifest: run.manifest,
    missing: run.missing,
    baseline,
    fleet,
    meta,
    ...(options.title ? { title: options.title } : {}),
  });
  const html = renderHtml(data);
  writeFileSync(join(run.dir, HTML_FILE), html);
  const note = baseline && baselineCoverageNote(run.results, baseline.results, baseline.dir);
  const coverage = note ? [note] : [];
  writeSummaryMd(run, { fleet, baseline });
  return {
    dir: run.dir,
    files: [HTML_FILE, SUMMARY_FILE].map((f) => join(run.dir, f)),
    ...(fleet ? { fleet } : {}),
    htmlBytes: Buffer.byteLength(html),
    notes: [...meta.problems, ...coverage],
  };
}

/** The --baseline run, named as such when it cannot be read (the run itself may be fine). */

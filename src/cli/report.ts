import { relative } from 'node:path';
import type { Command } from 'commander';
import { describeHostImpact, fleetImpact } from '../matrix/fleet-impact.js';
import { renderMatrixTable } from '../report/console-table.js';
import { reportRun } from '../report/report-run.js';
import { readRunFolder } from '../report/run-folder.js';
import { workspaceArg } from './workspace-arg.js';

export interface ReportCommandOptions {
  baseline?: string;
  fleet?: string;
  workspace?: string;
  title?: string;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'regenerate index.html, summary.md, matrix.json and junit.xml of a run folder from its results.jsonl',
    )
    .argument('<run-dir>', 'run folder (paymatrix run --out, or paymatrix merge --out)')
    .option('-b, --baseline <run-dir>', 'mark cells that got worse or better than in this run')
    .option('--fleet <file>', "fleet.yaml for impact (default: fleet.yaml in the run's workspace)")
    .option(
      '-w, --workspace <dir>',
      "where vendors and field names come from (default: the run's workspace)",
      workspaceArg,
    )
    .option('--title <text>', 'title of the HTML report')
    .action((dir: string, opts: ReportCommandOptions) => {
      process.exitCode = reportCommand(dir, opts);
    });
}

/** `paymatrix report`: 0 written; a missing run or a bad fleet file throws (exit 2). */
export function reportCommand(dir: string, opts: ReportCommandOptions): number {
  const r = reportRun(dir, opts);
  process.stdout.write(renderMatrixTable(r.matrix));
  const run = readRunFolder(r.dir);
  if (r.fleet) {
    for (const h of fleetImpact(run.results, r.fleet).hosts)
      if (h.terminals > 0) process.stdout.write(`${describeHostImpact(h)}\n`);
  }
  if (run.missing.length > 0)
    process.stderr.write(
      `incomplete: ${run.missing.length} planned cell(s) have no result (the run was cut short: run --resume; ` +
        'or a shard is missing: merge every shard); the table shows only what was played\n',
    );
  for (const note of r.notes) process.stderr.write(`note: ${note}\n`);
  const shown = r.files.map((f) => relative(process.cwd(), f) || f).join(', ');
  process.stderr.write(`wrote ${shown} (index.html ${(r.htmlBytes / 1024).toFixed(0)} KiB)\n`);
  return 0;
}

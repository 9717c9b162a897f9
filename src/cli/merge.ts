import type { Command } from 'commander';
import { mergeRuns } from '../matrix/merge.js';
import { renderFindings, renderMatrixTable } from '../report/console-table.js';

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('join the run folders of shards (paymatrix run --shard k/n) of one plan into one run folder')
    .argument('<dirs...>', 'run folders')
    .requiredOption(
      '-o, --out <dir>',
      'folder for the merged results.jsonl, manifest.json, matrix.json and junit.xml',
    )
    .action((dirs: string[], opts: { out: string }) => {
      const m = mergeRuns(dirs, opts.out);
      process.stdout.write(renderMatrixTable(m.matrix));
      process.stdout.write(renderFindings(m.matrix));
      if (m.duplicates.length > 0)
        process.stderr.write(
          `note: ${m.duplicates.length} cell(s) in more than one folder with the same status; kept the first\n`,
        );
      for (const c of m.conflicts)
        process.stderr.write(
          `conflict: ${c.key}: ${c.found.map((f) => `${f.status} in ${f.dir}`).join(', ')}; kept the first\n`,
        );
      if (m.missing.length > 0) {
        const shown = m.missing
          .slice(0, 10)
          .map((k) => `  ${k}\n`)
          .join('');
        const more = m.missing.length > 10 ? `  … ${m.missing.length - 10} more\n` : '';
        process.stderr.write(
          `missing: ${m.missing.length} planned cell(s) have no result in any folder:\n${shown}${more}`,
        );
      }
      process.stderr.write(
        `merged ${m.results.length} of ${m.manifest.plan.cells.length} cells into ${opts.out}\n`,
      );
      // Disagreeing or missing shards mean the merged matrix is not the run's answer.
      if (m.conflicts.length > 0 || m.missing.length > 0) process.exitCode = 2;
    });
}

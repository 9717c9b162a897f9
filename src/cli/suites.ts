import type { Command } from 'commander';
import { workspaceCards } from '../mocks/hosts/host-loader.js';
import { workspaceSuites } from '../suites/suite-loader.js';
import { workspaceArg } from './workspace-arg.js';

export function registerSuites(program: Command): void {
  program
    .command('suites')
    .description('list the scenario suites and their scenarios (built-in and from the workspace)')
    .option('--json', 'print as JSON')
    .option('-w, --workspace <dir>', 'workspace whose suites/ adds suites and scenarios', workspaceArg, '.')
    .action((opts: { json?: boolean; workspace: string }) => {
      const suites = workspaceSuites(opts.workspace, { cards: workspaceCards(opts.workspace) }).list();
      const rows = suites.map((s) => ({
        id: s.id,
        title: s.title,
        description: s.description,
        scenarios: s.scenarios.map((c) => ({
          id: c.id,
          ref: `${s.id}/${c.id}`,
          title: c.title,
          why: c.why,
          tags: c.tags,
          requires: c.requires,
          families: c.families,
          file: c.file,
        })),
      }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const total = rows.reduce((n, s) => n + s.scenarios.length, 0);
      const w = Math.max(0, ...rows.flatMap((s) => s.scenarios.map((c) => c.id.length))) + 2;
      for (const s of rows) {
        process.stdout.write(`${s.id}  ${s.title} (${s.scenarios.length})\n`);
        for (const c of s.scenarios) {
          const tags = c.tags.length > 0 ? `  [${c.tags.join(', ')}]` : '';
          process.stdout.write(`  ${c.id.padEnd(w)}${c.title}${tags}\n`);
          process.stdout.write(`  ${''.padEnd(w)}why: ${c.why}\n`);
          if (c.requires.length > 0)
            process.stdout.write(`  ${''.padEnd(w)}requires: ${c.requires.join(', ')}\n`);
        }
      }
      process.stdout.write(`${rows.length} suites, ${total} scenarios\n`);
    });
}

import type { Command } from 'commander';
import { type Dialect, workspaceDialects } from '../protocols/iso8583/index.js';
import { workspaceArg } from './workspace-arg.js';

export function registerDialects(program: Command): void {
  program
    .command('dialects')
    .description('list the ISO 8583 dialects (built-in and from the workspace)')
    .option('--json', 'print as JSON')
    .option('-w, --workspace <dir>', 'workspace whose protocols/iso8583 adds dialects', workspaceArg, '.')
    .action((opts: { json?: boolean; workspace: string }) => {
      const list = workspaceDialects(opts.workspace)
        .list()
        .sort((a, b) => a.id.localeCompare(b.id));
      if (opts.json) {
        const rows = list.map((d) => ({
          id: d.id,
          title: d.title,
          extends: d.lineage[0] ?? null,
          framing: framingOf(d),
          mac: d.mac ?? null,
          fields: d.codec.fields.size,
          file: d.file,
        }));
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const width = Math.max(...list.map((d) => d.id.length)) + 2;
      for (const d of list) {
        const parent = d.lineage[0] ? `  (extends ${d.lineage[0]})` : '';
        process.stdout.write(
          `${d.id.padEnd(width)}${d.title}${parent}\n${' '.repeat(width)}${framingOf(d)}\n`,
        );
      }
    });
}

function framingOf(d: Dialect): string {
  const f = d.framing;
  if (!f || f.length === 'none') return 'no framing';
  const parts = [`${f.length} length`];
  if (f.tpdu) parts.push('TPDU');
  if (f.headerLength) parts.push(`${f.headerLength}-byte header`);
  if (d.mac) parts.push(`MAC ${d.mac.algorithm} in DE${d.mac.field}`);
  return parts.join(' + ');
}

import type { Command } from 'commander';
import { workspaceHosts } from '../mocks/hosts/host-loader.js';

export function registerHosts(program: Command): void {
  program
    .command('hosts')
    .description('list the mock acquirer hosts and their versions (built-in and from the workspace)')
    .option('--json', 'print as JSON')
    .option('-w, --workspace <dir>', 'workspace whose mocks/hosts adds hosts', '.')
    .action((opts: { json?: boolean; workspace: string }) => {
      const hosts = workspaceHosts(opts.workspace).list();
      if (opts.json) {
        const rows = hosts.map((h) => ({
          id: h.id,
          title: h.title,
          description: h.description,
          kind: h.kind,
          file: h.file,
          versions: h.versions.map((v) => ({
            version: v.version,
            ref: v.ref,
            dialect: v.dialect.id,
            extends: v.lineage[0] ?? null,
            summary: v.spec.summary,
            changes: v.spec.changes,
            messages: Object.keys(v.spec.messages),
            mac: v.spec.mac ? { algorithm: v.spec.mac.algorithm, required: v.spec.mac.required } : null,
          })),
        }));
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const all = hosts.flatMap((h) => h.versions);
      const vw = Math.max(0, ...all.map((v) => v.version.length)) + 2;
      const dw = Math.max(0, ...all.map((v) => v.dialect.id.length)) + 2;
      for (const h of hosts) {
        process.stdout.write(`${h.id}  ${h.title}\n`);
        for (const v of h.versions) {
          const parent = v.lineage[0] ? `  (extends ${v.lineage[0]})` : '';
          process.stdout.write(
            `  ${v.version.padEnd(vw)}${v.dialect.id.padEnd(dw)}${v.spec.summary}${parent}\n`,
          );
        }
      }
    });
}

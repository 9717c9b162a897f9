import type { Command } from 'commander';
import { workspaceFirmware } from '../terminals/firmware-loader.js';
import { workspaceArg } from './workspace-arg.js';

export function registerFirmware(program: Command): void {
  program
    .command('firmware')
    .description('list the firmware builds (built-in and from the workspace)')
    .option('--json', 'print as JSON')
    .option('-w, --workspace <dir>', 'workspace whose firmware/ adds builds', workspaceArg, '.')
    .action((opts: { json?: boolean; workspace: string }) => {
      const builds = workspaceFirmware(opts.workspace).list();
      const rows = builds.map((b) => ({
        id: b.id,
        title: b.title,
        vendor: b.vendor,
        model: b.model,
        version: b.version,
        driver: b.driver,
        protocol:
          b.protocol.family === 'iso8583'
            ? `iso8583 ${b.protocol.dialect}`
            : `rest ${b.protocol.api}@${b.protocol.version}`,
        acquirers: b.acquirers ?? null,
        capabilities: b.capabilities,
        defects: b.defects ?? [],
        file: b.file,
      }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      if (rows.length === 0) {
        process.stdout.write('no firmware builds\n');
        return;
      }
      const iw = Math.max(...rows.map((r) => r.id.length)) + 2;
      const pw = Math.max(...rows.map((r) => r.protocol.length)) + 2;
      for (const r of rows) {
        process.stdout.write(`${r.id.padEnd(iw)}${r.protocol.padEnd(pw)}${r.driver.padEnd(11)}${r.title}\n`);
        const only = r.acquirers ? `; only for ${r.acquirers.join(', ')}` : '';
        process.stdout.write(`${''.padEnd(iw)}${r.capabilities.join(' ')}${only}\n`);
        for (const d of r.defects) process.stdout.write(`${''.padEnd(iw)}defect: ${d}\n`);
      }
    });
}

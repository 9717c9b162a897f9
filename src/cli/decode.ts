import type { Command } from 'commander';
import { describeMessage } from '../protocols/iso8583/describe.js';
import { workspaceDialects } from '../protocols/iso8583/dialect-loader.js';
import { maskMessage } from '../protocols/iso8583/mask.js';
import { readMessageBytes } from './input.js';
import { workspaceArg } from './workspace-arg.js';

export function registerDecode(program: Command): void {
  program
    .command('decode')
    .description('decode an ISO 8583 message and print it field by field (card data masked)')
    .argument('<message>', 'hex, or @file (hex text or raw bytes), or @- for stdin')
    .requiredOption('-d, --dialect <id>', 'dialect id (see `paymatrix dialects`)')
    .option('--body', 'the input is the message body only, without the framing (length, TPDU, header)')
    .option('--lenient', 'do not check values against their content type (n, an, ans …)')
    .option('--json', 'print the decoded message as JSON (card data masked)')
    .option('-w, --workspace <dir>', 'workspace whose protocols/iso8583 adds dialects', workspaceArg, '.')
    .action(
      (
        input: string,
        opts: { dialect: string; body?: boolean; lenient?: boolean; json?: boolean; workspace: string },
      ) => {
        const dialect = workspaceDialects(opts.workspace).get(opts.dialect);
        const bytes = readMessageBytes(input);
        const options = { strict: !opts.lenient };
        const framed = opts.body
          ? { message: dialect.unpack(bytes, options) }
          : dialect.unpackFrame(bytes, options);
        if (opts.json) {
          const out = { dialect: dialect.id, ...framed, message: maskMessage(dialect, framed.message) };
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        } else {
          process.stdout.write(`${describeMessage(dialect, framed)}\n`);
        }
      },
    );
}

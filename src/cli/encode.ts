import { Buffer } from 'node:buffer';
import type { Command } from 'commander';
import { workspaceDialects } from '../protocols/iso8583/index.js';
import { signMessage } from '../protocols/iso8583/message-mac.js';
import { readFramedMessage, UsageError } from './input.js';
import { workspaceArg } from './workspace-arg.js';

export function registerEncode(program: Command): void {
  program
    .command('encode')
    .description('encode a message given as JSON and print it as hex')
    .argument('<message>', 'JSON {"mti", "fields", "tpdu"?, "header"?}, or @file, or @- for stdin')
    .requiredOption('-d, --dialect <id>', 'dialect id (see `paymatrix dialects`)')
    .option('--body', 'print the message body only, without the framing (length, TPDU, header)')
    .option('--mac-key <hex>', "fill the MAC field using the dialect's MAC algorithm and this test key")
    .option('-w, --workspace <dir>', 'workspace whose protocols/iso8583 adds dialects', workspaceArg, '.')
    .action(
      (input: string, opts: { dialect: string; body?: boolean; macKey?: string; workspace: string }) => {
        const dialect = workspaceDialects(opts.workspace).get(opts.dialect);
        const framed = readFramedMessage(input);
        if (opts.macKey) {
          if (!/^([0-9A-Fa-f]{16}){1,2}$/.test(opts.macKey))
            throw new UsageError('--mac-key must be 16 or 32 hex digits');
          framed.message = signMessage(dialect, framed.message, Buffer.from(opts.macKey, 'hex'));
        }
        const bytes = opts.body ? dialect.pack(framed.message) : dialect.packFrame(framed);
        process.stdout.write(`${bytes.toString('hex').toUpperCase()}\n`);
      },
    );
}

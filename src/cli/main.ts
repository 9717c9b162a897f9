#!/usr/bin/env node
import { CommanderError } from 'commander';
import { DataFileError } from '../data/data-file-error.js';
import { ConfigError } from '../matrix/config-error.js';
import { Iso8583Error } from '../protocols/iso8583/index.js';
import { UsageError } from './input.js';
import { buildProgram } from './program.js';

// A reader that stops early (`paymatrix run | head`) is no error, as for any Unix tool: the rest of
// the output has nowhere to go, but the work goes on (a run still writes its report files).
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.stdout.write = (() => true) as typeof process.stdout.write;
});

const program = buildProgram();

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = report(err);
}

/** Exit codes: 0 ok, 1 the input (message) is bad or `send` got no answer, 2 the command or a data file is bad. */
function report(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  if (err instanceof Iso8583Error) {
    process.stderr.write(`error: ${err.message}\n`);
    return 1;
  }
  if (err instanceof UsageError || err instanceof DataFileError || err instanceof ConfigError) {
    process.stderr.write(`error: ${err.message}\n`);
    return 2;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`error: ${message}\n`);
  return /^unknown dialect/.test(message) ? 2 : 1;
}

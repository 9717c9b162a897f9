#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { DataFileError } from '../data/data-file-error.js';
import { ConfigError } from '../matrix/config-error.js';
import { Iso8583Error } from '../protocols/iso8583/index.js';
import { registerDecode } from './decode.js';
import { registerDialects } from './dialects.js';
import { registerEncode } from './encode.js';
import { registerFaults } from './faults.js';
import { registerFirmware } from './firmware.js';
import { registerGate } from './gate.js';
import { registerHosts } from './hosts.js';
import { registerInit } from './init.js';
import { UsageError } from './input.js';
import { registerJournal } from './journal.js';
import { registerMerge } from './merge.js';
import { registerMock } from './mock.js';
import { registerReport } from './report.js';
import { registerRun } from './run.js';
import { registerSend } from './send.js';
import { registerSuites } from './suites.js';
import { registerValidate } from './validate.js';

/** Exit codes: 0 ok, 1 the input (message) is bad or `send` got no answer, 2 the command or a data file is bad. */
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('paymatrix')
  .description('payment terminal ↔ host compatibility harness')
  .version(pkg.version)
  .exitOverride();

registerDecode(program);
registerEncode(program);
registerSend(program);
registerDialects(program);
registerHosts(program);
registerFaults(program);
registerMock(program);
registerJournal(program);
registerRun(program);
registerMerge(program);
registerValidate(program);
registerFirmware(program);
registerSuites(program);
registerInit(program);
registerReport(program);
registerGate(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = report(err);
}

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

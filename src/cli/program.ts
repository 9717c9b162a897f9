import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerDecode } from './decode.js';
import { registerDialects } from './dialects.js';
import { registerEncode } from './encode.js';
import { registerFaults } from './faults.js';
import { registerFirmware } from './firmware.js';
import { registerGate } from './gate.js';
import { registerHosts } from './hosts.js';
import { registerInit } from './init.js';
import { registerJournal } from './journal.js';
import { registerMerge } from './merge.js';
import { registerMock } from './mock.js';
import { registerReport } from './report.js';
import { registerRun } from './run.js';
import { registerSend } from './send.js';
import { registerSuites } from './suites.js';
import { registerValidate } from './validate.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** The whole command line: every command and its options (main.ts runs it; tests read it). */
export function buildProgram(): Command {
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
  return program;
}

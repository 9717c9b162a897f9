import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from './input.js';

/**
 * `paymatrix init [dir]`: a workspace of the user's own — a run config, one host, one firmware build
 * and one suite — that `paymatrix run` plays out of the box, next to the built-in catalogue. Every
 * file says in comments what to change next.
 */
export const INIT_FILES: Readonly<Record<string, string>> = {
  'paymatrix.config.yaml': `# paymatrix run configuration (docs/running.md). Flags on the command line win.
# Without the three filters below, a run plays the whole built-in catalogue as well as your files.
firmware: [my-terminal-1.0]
hosts: [my-bank]
suites: [smoke]
out: paymatrix-report
timeScale: 0.01   # every host and terminal duration x 0.01: a 30 s timeout takes 300 ms
seed: 0
`,

  'mocks/hosts/my-bank.yaml': `# Your acquirer's host (docs/hosts.md). Add a version when the bank announces a change:
#   "1.1": { extends: "1.0", summary: ..., changes: [...], messages: { "0200": { conditional: ... } } }
# and paymatrix run shows which builds it breaks.
# ALL KEYS IN THIS FILE ARE PUBLIC TEST VALUES.
id: my-bank
title: My Bank acquiring host
description: A 1987 ASCII acquirer host to start from.
kind: iso8583

versions:
  "1.0":
    summary: ISO 8583:1987 ASCII link, static test keys, no MAC
    changes:
      - First version.
    dialect: iso8583-1987-ascii
    signOnRequired: false
    messages:
      "0800":
        name: Network management
        mandatory: [7, 11, 70]
        echo: [7, 11, 70]
        variants:
          sign-on: { when: { "70": "001" }, kind: sign-on }
          echo: { when: { "70": "301" }, kind: echo }
      "0200":
        name: Financial transaction
        mandatory: [3, 4, 7, 11, 12, 13, 22, 25, 41, 42, 49]
        echo: [3, 4, 7, 11, 12, 13, 41, 42, 49]
        returns: [37, 38]
        variants:
          sale: { processingCode: "00", kind: sale }
      "0400":
        name: Reversal
        kind: reversal
        mandatory: [3, 4, 7, 11, 25, 41, 42, 49, 90]
        echo: [3, 4, 7, 11, 41, 42, 49]
        original: required
      "0401":
        name: Reversal repeat
        kind: reversal-repeat
        mandatory: [3, 4, 7, 11, 25, 41, 42, 49, 90]
        echo: [3, 4, 7, 11, 41, 42, 49]
        original: required
    originalData:
      field: 90
      match: { "90.1": mti, "90.2": 11, "90.3": 7 }
    responseCodes:
      approved: "00"
      declined: "05"
      invalid-transaction: "12"
      invalid-amount: "13"
      invalid-card: "14"
      original-not-found: "25"
      format-error: "30"
      insufficient-funds: "51"
      expired-card: "54"
      wrong-pin: "55"
      duplicate: "94"
      system-error: "96"
    pin: { field: 52, key: tpk, format: iso-0 }
    keys:
      note: PUBLIC TEST KEYS.
      default:
        tmk: "0123456789ABCDEFFEDCBA9876543210"
        tpk: "5B6C7D8E9FA0B1C2D3E4F5061728394A"
        tak: "A1B2C3D4E5F60718293A4B5C6D7E8F90"
    duplicates:
      windowSeconds: 60
      key: [41, 11, 13]
      kinds: [sale]
    timeouts:
      idleSeconds: 120
      incompleteFrameMs: 5000
      processingDelayMs: 20
    answers:
      malformed: format-error
      violation: format-error
      unknownMessage: invalid-transaction
`,

  'firmware/my-terminal-1.0.yaml': `# Your terminal build (docs/firmware.md), played by the built-in reference terminal from its
# profile. To play your own emulator instead, use driver: process (docs/control-protocol.md).
id: my-terminal-1.0
title: My Terminal 1.0 - ISO 8583:1987 ASCII
vendor: My Company
model: T1
version: 1.0.0
description: A countertop chip terminal on My Bank's 1987 ASCII link.
driver: reference
protocol: { family: iso8583, dialect: iso8583-1987-ascii }
acquirers: [my-bank]
capabilities: [sign-on, echo, sale, reversal, pin, emv, magstripe]
terminal: { terminalId: MB000001, merchantId: "000000000000001", currency: "840" }
profile:
  extends: iso8583-1987-ascii
`,

  'suites/smoke/suite.yaml': `# Your suite (docs/scenarios.md): one scenario per file, the file name is its id.
title: Smoke
description: The first checks of my terminal against my bank.
`,

  'suites/smoke/sale-approved.yaml': `id: sale-approved
title: Approved chip sale of 25.00
why: The everyday purchase must go through, with the right amount and one message.
tags: [critical]
given:
  card: visa-credit-chip
when:
  - sale: 25.00
then:
  outcomes: approved
  host:
    sequence:
      - kind: sale
        fields:
          amount: 2500
          terminalId: { present: true }
        response: { code: approved }
    counts:
      - { kind: sale, count: 1, note: "one sale, no retransmission" }
`,
};

/** Writes the starter workspace into `dir`; refuses to overwrite a file unless `force`. Returns the files written. */
export function initWorkspace(dir: string, options: { force?: boolean } = {}): string[] {
  const root = resolve(dir);
  if (existsSync(root) && !statSync(root).isDirectory())
    throw new UsageError(`${root} is a file, not a folder`);
  const files = Object.keys(INIT_FILES).map((f) => join(root, f));
  const existing = files.filter((f) => existsSync(f));
  if (existing.length > 0 && !options.force)
    throw new UsageError(`would overwrite ${existing.join(', ')} (use --force)`);
  for (const [name, text] of Object.entries(INIT_FILES)) {
    const file = join(root, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return files;
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description(
      'write a workspace of your own (config, one host, one build, one suite) that paymatrix run plays',
    )
    .argument('[dir]', 'folder to write into', '.')
    .option('--force', 'overwrite existing files')
    .action((dir: string, opts: { force?: boolean }) => {
      const files = initWorkspace(dir, opts);
      for (const f of files) process.stdout.write(`wrote ${f}\n`);
      // From the paymatrix folder: npx finds paymatrix there (it is not on the npm registry).
      process.stdout.write(
        `next, in the paymatrix folder: npx paymatrix validate -w ${dir} && npx paymatrix run -w ${dir}\n`,
      );
    });
}

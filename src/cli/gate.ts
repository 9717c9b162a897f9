import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { GATE_FILE } from '../matrix/gate-policy.js';
import { gateRun } from '../matrix/gate-run.js';
import { renderGateText } from '../matrix/gate-text.js';

export interface GateCommandOptions {
  policy?: string;
  baseline?: string;
  fleet?: string;
  out?: string;
  json?: boolean;
}

export function registerGate(program: Command): void {
  program
    .command('gate')
    .description(
      'decide go / no go for a run against a policy (exit 0 go, 1 no go, 2 bad policy or missing run)',
    )
    .argument('<run-dir>', 'run folder (paymatrix run --out, or paymatrix merge --out)')
    .option(
      '-p, --policy <file>',
      `gate policy (default: ./${GATE_FILE} if present, else the default policy)`,
    )
    .option('-b, --baseline <run-dir>', 'run to compare with (for no-regressions)')
    .option(
      '--fleet <file>',
      "fleet.yaml (default: the policy's fleet:, else fleet.yaml in the run's workspace)",
    )
    .option('-o, --out <file>', 'where to write the verdict (default: <run-dir>/gate.json)')
    .option('--json', 'print the verdict as JSON instead of text')
    .action((dir: string, opts: GateCommandOptions) => {
      process.exitCode = gateCommand(dir, opts);
    });
}

/** `paymatrix gate`: 0 go, 1 no go, 2 the policy, fleet or run could not be read. */
export function gateCommand(dir: string, opts: GateCommandOptions): number {
  const policy = opts.policy ?? (existsSync(GATE_FILE) ? resolve(GATE_FILE) : undefined);
  let result: ReturnType<typeof gateRun>;
  try {
    result = gateRun(dir, policy, opts.baseline, {
      ...(opts.fleet ? { fleet: opts.fleet } : {}),
      ...(opts.out ? { out: opts.out } : {}),
    });
  } catch (err) {
    // Whatever stops the gate from judging is a 2, never a 1: "no go" must mean the run was judged.
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 2;
  }
  const { report, file, notes } = result;
  for (const note of notes) process.stderr.write(`note: ${note}\n`);
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : renderGateText(report));
  process.stderr.write(`verdict written to ${file}\n`);
  return report.verdict === 'go' ? 0 : 1;
}

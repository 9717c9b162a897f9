import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { loadGatePolicy } from '../matrix/gate-policy.js';
import { CONFIG_FILE, loadRunConfig } from '../matrix/run-config.js';
import type { RunSettings } from '../matrix/run-manifest.js';
import { runMatrix } from '../matrix/run-matrix.js';
import { parseShard } from '../matrix/shard.js';
import { openWorkspace } from '../matrix/workspace-runner.js';
import { renderFindings, renderMatrixTable } from '../report/console-table.js';
import { consoleProgress } from '../report/progress.js';
import { writeHtmlAndSummary } from '../report/report-run.js';
import { gateCommand } from './gate.js';
import { UsageError } from './input.js';
import { signalExitCode } from './signal-exit-code.js';
import { workspaceArg } from './workspace-arg.js';

export interface RunCommandOptions {
  config?: string;
  workspace?: string;
  firmware?: string[];
  hosts?: string[];
  suite?: string[];
  out?: string;
  concurrency?: number;
  timeScale?: number;
  seed?: number;
  cellTimeout?: number;
  shard?: string;
  resume?: boolean;
  retry?: boolean;
  fsync?: boolean;
  gate?: string;
}

/** Defaults: fast yet faithful — every duration of hosts and terminals shrinks 100-fold. */
export const RUN_DEFAULTS = {
  out: 'paymatrix-report',
  timeScale: 0.01,
  seed: 0,
  /** Cells are mostly waiting on (scaled) timers, so twice the cores keeps the CPU busy. */
  concurrency: () => Math.max(2, availableParallelism() * 2),
  /** 300 s of scenario time, time-scaled, but never under 10 s of wall time. */
  cellTimeoutMs: (timeScale: number) => Math.max(10_000, Math.round(300_000 * timeScale)),
};

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('play firmware builds × host versions × scenarios and write the compatibility matrix')
    .option(
      '-c, --config <file>',
      "run configuration (default: the workspace's paymatrix.config.yaml with -w, else ./paymatrix.config.yaml, if present)",
    )
    .option(
      '-w, --workspace <dir>',
      'workspace with firmware/, mocks/, suites/, protocols/ (default: .)',
      workspaceArg,
    )
    .option('--firmware <id...>', 'build ids or globs (default: every build)')
    .option('--hosts <ref...>', 'host@version or host (default: every host version)')
    .option('--suite <id...>', 'suite ids or suite/scenario (default: every suite)')
    .option('-o, --out <dir>', `run folder (default: ./${RUN_DEFAULTS.out}/)`)
    .option('--concurrency <n>', `cells in flight (default: ${RUN_DEFAULTS.concurrency()})`, positiveInt)
    .option(
      '--time-scale <x>',
      `multiplies every host and terminal duration (default: ${RUN_DEFAULTS.timeScale})`,
      positiveNumber,
    )
    .option(
      '--seed <n>',
      `run seed; each cell's fault seed derives from it (default: ${RUN_DEFAULTS.seed})`,
      nonNegativeInt,
    )
    .option(
      '--cell-timeout <ms>',
      'wall-clock budget per cell (default: 300 s × time scale, at least 10 s)',
      positiveInt,
    )
    .option('--shard <k/n>', 'play only the k-th of n deterministic slices (merge them with paymatrix merge)')
    .option('--resume', 'finish the run in --out: skip the cells already in its results.jsonl')
    .option('--no-retry', 'do not play a failed cell again (no flaky detection)')
    .option('--no-fsync', 'do not fsync results.jsonl after every cell (a killed run still loses nothing)')
    .option('--gate <policy>', 'then gate the run with this policy (exit 0 go, 1 no go; see paymatrix gate)')
    .action(async (opts: RunCommandOptions) => {
      process.exitCode = await runCommand(opts);
    });
}

/** `paymatrix run`: 0 the run completed (failing cells are findings), 2 harness errors, 130/143 interrupted (SIGINT/SIGTERM). */
export async function runCommand(opts: RunCommandOptions): Promise<number> {
  // -w names a workspace: its own config, as `paymatrix validate -w` reads it.
  const own = opts.workspace && join(opts.workspace, CONFIG_FILE);
  const { config } = loadRunConfig(opts.config ?? (own && existsSync(own) ? own : undefined));
  const timeScale = opts.timeScale ?? config.timeScale ?? RUN_DEFAULTS.timeScale;
  const settings: RunSettings = {
    firmware: opts.firmware ?? config.firmware ?? [],
    hosts: opts.hosts ?? config.hosts ?? [],
    suites: opts.suite ?? config.suites ?? [],
    seed: opts.seed ?? config.seed ?? RUN_DEFAULTS.seed,
    timeScale,
    cellTimeoutMs: opts.cellTimeout ?? config.cellTimeoutMs ?? RUN_DEFAULTS.cellTimeoutMs(timeScale),
    retryFailed: opts.retry === false ? false : (config.retryFailed ?? true),
    shard: opts.shard ? parseShard(opts.shard) : null,
  };
  if (!opts.workspace && config.workspace && !existsSync(config.workspace)) {
    throw new UsageError(`the run config's workspace ${config.workspace} does not exist`);
  }
  const workspace = resolve(opts.workspace ?? config.workspace ?? '.');
  const out = resolve(opts.out ?? config.out ?? RUN_DEFAULTS.out);
  // A bad policy is told now, not after every cell was played.
  if (opts.gate) loadGatePolicy(opts.gate);
  // A resumed run plays with its own settings (manifest.json): say so when others were given.
  if (opts.resume) {
    const given = (
      [
        ['--firmware', opts.firmware],
        ['--hosts', opts.hosts],
        ['--suite', opts.suite],
        ['--seed', opts.seed],
        ['--time-scale', opts.timeScale],
        ['--shard', opts.shard],
      ] as const
    ).flatMap(([flag, v]) => (v === undefined ? [] : [flag]));
    if (given.length > 0)
      process.stderr.write(
        `note: --resume finishes the run with its own settings (manifest.json); ${given.join(', ')} not used\n`,
      );
  }
  const { catalogue, runner, warmUp } = openWorkspace(workspace);

  const controller = new AbortController();
  // Exits as a shell reports a process the signal ended (signalExitCode).
  let interruptedBy: NodeJS.Signals = 'SIGINT';
  const stop = (signal: NodeJS.Signals) => {
    interruptedBy = signal;
    controller.abort(new Error('interrupted'));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const started = performance.now();
    const r = await runMatrix({
      catalogue,
      runner,
      warmUp,
      out,
      workspace,
      settings,
      concurrency: opts.concurrency ?? config.concurrency ?? RUN_DEFAULTS.concurrency(),
      resume: opts.resume ?? false,
      durable: opts.fsync !== false,
      signal: controller.signal,
      progress: consoleProgress(),
    });
    process.stdout.write(renderMatrixTable(r.matrix));
    process.stdout.write(renderFindings(r.matrix));
    // index.html and summary.md beside matrix.json and junit.xml (docs/report.md).
    writeHtmlAndSummary(out, { sources: catalogue });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stderr.write(
      `${r.played} ${r.played === 1 ? 'cell' : 'cells'} played${r.resumed ? `, ${r.resumed} resumed` : ''} in ${seconds} s; results in ${out}\n`,
    );
    if (r.interrupted) {
      process.stderr.write(`interrupted: run again with --resume --out ${out} to finish\n`);
      return signalExitCode(interruptedBy);
    }
    const harness = r.results.filter(
      (x) => x.status === 'error' && x.reasons.some((y) => y.kind === 'harness'),
    );
    if (harness.length > 0) {
      process.stderr.write(
        `${harness.length} cell(s) could not be played (harness errors): see matrix.json\n`,
      );
      return 2;
    }
    // --gate: judge the finished run as `paymatrix gate` does (0 go, 1 no go, 2 cannot judge).
    if (opts.gate) return gateCommand(out, { policy: opts.gate });
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
  return n;
}

function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return n;
}

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number > 0');
  return n;
}

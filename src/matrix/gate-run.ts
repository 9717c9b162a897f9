import { writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { baselineCoverageNote } from '../report/compare.js';
import { type RunFolder, readBaseline, readRunFolder } from '../report/run-folder.js';
import { writeSummaryMd } from '../report/summary-md.js';
import { type Fleet, findWorkspaceFleet, loadFleet } from './fleet.js';
import { type FleetImpact, fleetImpact } from './fleet-impact.js';
import { evaluateGate, type GateVerdict } from './gate.js';
import { DEFAULT_POLICY, type GatePolicy, loadGatePolicy } from './gate-policy.js';

export const GATE_VERDICT_FILE = 'gate.json';

/** gate.json: the verdict plus what it was reached from. */
export interface GateReport extends GateVerdict {
  createdAt: string;
  run: { dir: string; id: string | null };
  policy: { file: string | null; title: string | null };
  baseline: { dir: string; id: string | null } | null;
  fleet: { file: string; title: string | null; totalTerminals: number } | null;
  /** Per host version, the fleet builds the run breaks (when there is a fleet). */
  impact: FleetImpact | null;
}

export interface GateRunOptions {
  /** fleet.yaml; default the policy's `fleet:`, else `fleet.yaml` in the run's workspace. */
  fleet?: string;
  /** Where to write the verdict; default `<runDir>/gate.json`. */
  out?: string;
  /** Also add the verdict to `<runDir>/summary.md` (default true). */
  summary?: boolean;
}

/**
 * Gates a run folder: reads its results, the policy (a file, or DEFAULT_POLICY), the fleet and the
 * baseline run, evaluates, writes gate.json (and the verdict into summary.md). Throws ConfigError /
 * DataFileError for a missing run or a bad policy — the CLI's exit 2.
 */
export function gateRun(
  runDir: string,
  policy?: string | GatePolicy,
  baselineDir?: string,
  options: GateRunOptions = {},
): { report: GateReport; file: string; notes: string[] } {
  const run = readRunFolder(runDir);
  const policyFile = typeof policy === 'string' ? resolve(policy) : undefined;
  const rules: GatePolicy = policyFile
    ? loadGatePolicy(policyFile)
    : typeof policy === 'object'
      ? policy
      : DEFAULT_POLICY;
  const baseline = baselineDir !== undefined ? readBaseline(baselineDir) : undefined;
  const fleet = resolveFleet(run, rules, policyFile, options.fleet);
  const verdict = evaluateGate({
    policy: rules,
    ...(policyFile ? { policyFile } : {}),
    results: run.results,
    missing: run.missing,
    ...(fleet ? { fleet } : {}),
    ...(baseline ? { baseline: baseline.results } : {}),
  });
  const report: GateReport = {
    ...verdict,
    createdAt: new Date().toISOString(),
    run: { dir: run.dir, id: run.manifest?.runId ?? null },
    policy: { file: policyFile ?? null, title: rules.title ?? null },
    baseline: baseline ? { dir: baseline.dir, id: baseline.manifest?.runId ?? null } : null,
    fleet: fleet
      ? { file: fleet.file, title: fleet.title ?? null, totalTerminals: fleet.totalTerminals }
      : null,
    impact: fleet ? fleetImpact(run.results, fleet) : null,
  };
  const file = resolve(options.out ?? join(run.dir, GATE_VERDICT_FILE));
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  // summary.md names where the verdict went: gate.json beside it, or the --out file.
  const verdictFile = relative(run.dir, file).startsWith('..') ? file : relative(run.dir, file);
  if (options.summary !== false) writeSummaryMd(run, { fleet, baseline, verdict: report, verdictFile });
  const note = baseline && baselineCoverageNote(run.results, baseline.results, baseline.dir);
  return { report, file, notes: note ? [note] : [] };
}

/** --fleet, else the policy's `fleet:` (relative to the policy file), else the run workspace's fleet.yaml. */
export function resolveFleet(
  run: RunFolder,
  policy?: GatePolicy,
  policyFile?: string,
  explicit?: string,
): Fleet | undefined {
  if (explicit) return loadFleet(resolve(explicit));
  if (policy?.fleet) return loadFleet(resolve(policyFile ? dirname(policyFile) : '.', policy.fleet));
  const found = run.manifest ? findWorkspaceFleet(run.manifest.workspace) : undefined;
  return found ? loadFleet(found) : undefined;
}

import picomatch from 'picomatch';
import { DataFileError } from '../data/data-file-error.js';
import { compareRuns } from '../report/compare.js';
import type { CellResult, CellStatus } from './cell.js';
import type { Fleet } from './fleet.js';
import {
  type BuildImpact,
  describeHostImpact,
  fleetImpact,
  formatCount,
  formatPercent,
} from './fleet-impact.js';
import type { GatePolicy, GateRule, GateRuleKind } from './gate-policy.js';
import { hostMatcher, type UnmatchedSelector, unmatchedSelectors } from './gate-selectors.js';

export const GATE_FORMAT = 'paymatrix-gate/1';

/** Where a reason points: the rule (index in the policy, and its name). */
interface RuleRef {
  rule: number;
  ruleName: string;
  /** One sentence for people. */
  message: string;
}

/** A cell a reason is about. */
interface CellRef {
  build: string;
  /** host id */
  host: string;
  version: string;
  /** `suite/scenario` */
  scenario: string;
}

/** Why not: one typed reason per thing that broke a rule (the Pact Broker's can-i-deploy model). */
export type GateReason =
  | (RuleRef & CellRef & { kind: 'not-passing'; status: CellStatus; why: string })
  | (RuleRef & CellRef & { kind: 'cell-error'; why: string })
  | (RuleRef & CellRef & { kind: 'regression'; from: CellStatus; to: CellStatus; why: string })
  | (RuleRef & CellRef & { kind: 'missing-result'; key: string })
  | (RuleRef & { kind: 'build-not-run'; build: string })
  | (RuleRef & { kind: 'target-not-run'; target: string })
  | (RuleRef & { kind: 'no-baseline' })
  | (RuleRef & { kind: 'selects-nothing'; field: UnmatchedSelector['field'] | 'selection'; entry: string })
  | (RuleRef & {
      kind: 'terminals-affected';
      /** `host@version` */
      hostVersion: string;
      terminals: number;
      percent: number;
      limit: { percent?: number; terminals?: number };
      builds: BuildImpact[];
    });
export type GateReasonKind = GateReason['kind'];

export interface GateRuleResult {
  index: number;
  rule: GateRuleKind;
  name: string;
  outcome: 'pass' | 'fail' | 'skip';
  /** One line: what was checked and what was found. */
  summary: string;
  reasons: GateReason[];
}

export interface GateVerdict {
  format: typeof GATE_FORMAT;
  verdict: 'go' | 'no-go';
  rules: GateRuleResult[];
  /** Every rule's reasons, in rule order. */
  reasons: GateReason[];
}

export interface GateInput {
  policy: GatePolicy;
  /** Named in errors about the policy (a rule that needs a fleet it was not given). */
  policyFile?: string;
  results: readonly CellResult[];
  /** Planned cell keys without a result. */
  missing?: readonly string[];
  fleet?: Fleet;
  baseline?: readonly CellResult[];
}

/**
 * Evaluates a policy against a run: go when no rule fails. Throws DataFileError (→ exit 2) when the
 * policy asks for something it was not given (a fleet for `builds: fleet`).
 */
export function evaluateGate(input: GateInput): GateVerdict {
  const unmatched = unmatchedSelectors(input.policy, universeOf(input));
  const rules = input.policy.rules.map((rule, index) =>
    rule.rule === 'complete'
      ? evaluateRule(rule, index, input)
      : checkSelection(evaluateRule(rule, index, input), rule, index, input, unmatched),
  );
  return {
    format: GATE_FORMAT,
    verdict: rules.some((r) => r.outcome === 'fail') ? 'no-go' : 'go',
    rules,
    reasons: rules.flatMap((r) => r.reasons),
  };
}

function evaluateRule(rule: GateRule, index: number, input: GateInput): GateRuleResult {
  const name = rule.name ?? describeRule(rule, input.policy);
  const ref = (message: string): RuleRef => ({ rule: index, ruleName: name, message });
  const done = (summary: string, reasons: GateReason[], skip = false): GateRuleResult => ({
    index,
    rule: rule.rule,
    name,
    outcome: skip ? 'skip' : reasons.length > 0 ? 'fail' : 'pass',
    summary,
    reasons,
  });

  if (rule.rule === 'complete') {
    const missing = input.missing ?? [];
    const reasons = missing.map((key) => missingReason(key, ref));
    const planned = input.results.length + missing.length;
    return done(
      missing.length === 0
        ? `every one of ${planned} planned cells has a result`
        : `${missing.length} of ${planned} planned cells have no result (a shard not merged, or a run cut short)`,
      reasons,
    );
  }

  const select = selector(rule, index, input);
  const cells = input.results.filter(select.result);
  const cellRef = (r: CellResult): CellRef => ({
    build: r.firmware,
    host: r.host,
    version: r.version,
    scenario: `${r.suite}/${r.scenario}`,
  });
  const where = (r: CellResult) => `${r.firmware} × ${r.host}@${r.version} ${r.suite}/${r.scenario}`;
  const why = (r: CellResult) => r.reasons[0]?.message ?? r.status;

  switch (rule.rule) {
    case 'must-pass': {
      const allowFlaky = rule.allowFlaky ?? true;
      const bad = cells.filter(
        (r) => r.status === 'fail' || r.status === 'error' || (!allowFlaky && r.status === 'flaky'),
      );
      const reasons: GateReason[] = [
        ...select.absentBuilds().map(
          (build): GateReason => ({
            kind: 'build-not-run',
            build,
            ...ref(`build ${build} was not in the run: nothing shows it works`),
          }),
        ),
        ...select.absentTargets().map(
          (target): GateReason => ({
            kind: 'target-not-run',
            target,
            ...ref(`host version ${target} was not in the run: nothing shows it works`),
          }),
        ),
        ...bad.map(
          (r): GateReason => ({
            kind: 'not-passing',
            ...cellRef(r),
            status: r.status,
            why: why(r),
            ...ref(`${where(r)}: ${r.status} — ${why(r)}`),
          }),
        ),
        ...(input.missing ?? []).filter(select.missingKey).map((key) => missingReason(key, ref)),
      ];
      const applicable = cells.filter((r) => r.status !== 'n/a').length;
      return done(
        reasons.length === 0
          ? `${applicable} applicable cells passed`
          : `${bad.length} of ${applicable} applicable cells did not pass` +
              (reasons.length > bad.length ? `; ${reasons.length - bad.length} without evidence` : ''),
        reasons,
      );
    }
    case 'no-regressions': {
      if (!input.baseline) {
        if (rule.requireBaseline)
          return done('no baseline run was given', [
            { kind: 'no-baseline', ...ref('the policy requires a baseline run (--baseline <run-dir>)') },
          ]);
        return done('skipped: no baseline run was given', [], true);
      }
      const ignoreFlaky = rule.ignoreFlaky ?? true;
      const byKey = new Map(cells.map((r) => [r.key, r]));
      const worse = compareRuns(cells, input.baseline).worse.filter(
        (c) => !(ignoreFlaky && c.to === 'flaky'),
      );
      const reasons = worse.map((c): GateReason => {
        const r = byKey.get(c.key)!;
        return {
          kind: 'regression',
          ...cellRef(r),
          from: c.from!,
          to: c.to,
          why: why(r),
          ...ref(`${where(r)}: ${c.from} → ${c.to} — ${why(r)}`),
        };
      });
      return done(
        reasons.length === 0
          ? `no cell got worse than in the baseline (${cells.length} compared)`
          : `${reasons.length} cells got worse than in the baseline`,
        reasons,
      );
    }
    case 'max-terminals-affected': {
      const fleet = select.fleet('the rule weighs failures by the fleet');
      const impact = fleetImpact(cells, fleet, rule.statuses ? { statuses: rule.statuses } : {});
      const limit = {
        ...(rule.percent !== undefined ? { percent: rule.percent } : {}),
        ...(rule.terminals !== undefined ? { terminals: rule.terminals } : {}),
      };
      const over = impact.hosts.filter(
        (h) =>
          (limit.percent !== undefined && h.percent > limit.percent) ||
          (limit.terminals !== undefined && h.terminals > limit.terminals),
      );
      const reasons = over.map(
        (h): GateReason => ({
          kind: 'terminals-affected',
          hostVersion: h.hostVersion,
          terminals: h.terminals,
          percent: h.percent,
          limit,
          builds: h.builds,
          ...ref(
            `${describeHostImpact(h)} (${h.builds.map((b) => `${b.build}: ${formatCount(b.terminals)}`).join(', ')}); limit ${describeLimit(limit)}`,
          ),
        }),
      );
      const worst = [...impact.hosts].sort((a, b) => b.terminals - a.terminals)[0];
      return done(
        worst && worst.terminals > 0
          ? `worst: ${describeHostImpact(worst)} (limit ${describeLimit(limit)})`
          : `no host version breaks a fleet build (limit ${describeLimit(limit)})`,
        reasons,
      );
    }
    case 'no-errors': {
      const errors = cells.filter((r) => r.status === 'error');
      const reasons = errors.map(
        (r): GateReason => ({
          kind: 'cell-error',
          ...cellRef(r),
          why: why(r),
          ...ref(`${where(r)}: error — ${why(r)}`),
        }),
      );
      return done(
        reasons.length === 0
          ? `none of ${cells.length} cells is an error`
          : `${reasons.length} of ${cells.length} cells could not be played to the end`,
        reasons,
      );
    }
  }
}

/**
 * A rule whose selection checked nothing is never a pass (a typo would be a GO): each selector entry
 * that names nothing of the run, or entries that each name something but have no cell in common.
 */
function checkSelection(
  result: GateRuleResult,
  rule: Exclude<GateRule, { rule: 'complete' }>,
  index: number,
  input: GateInput,
  unmatched: readonly UnmatchedSelector[],
): GateRuleResult {
  const usesTargets = rule.hosts === undefined || rule.hosts === 'targets';
  // must-pass names a missing build or host version itself (build-not-run, target-not-run).
  const toldAlready = (u: UnmatchedSelector) =>
    rule.rule === 'must-pass' &&
    (u.field === 'targets' ||
      u.field === 'hosts' ||
      (u.field === 'builds' && !picomatch.scan(u.entry).isGlob));
  const own = unmatched.filter(
    (u) => (u.rule === index || (u.rule === undefined && usesTargets)) && !toldAlready(u),
  );
  const ref = { rule: index, ruleName: result.name };
  const reasons: GateReason[] = own.map((u) => ({
    kind: 'selects-nothing',
    field: u.field,
    entry: u.entry,
    ...ref,
    message: `${u.message} in this run`,
  }));
  const named = result.reasons.some((r) => r.kind === 'build-not-run' || r.kind === 'target-not-run');
  if (reasons.length === 0 && !named && selectsNothing(rule, index, input)) {
    reasons.push({
      kind: 'selects-nothing',
      field: 'selection',
      entry: result.name,
      ...ref,
      message: 'the rule selects no cell of this run: its builds, hosts, suites and tags have none in common',
    });
  }
  if (reasons.length === 0) return result;
  const what =
    reasons[0]!.kind === 'selects-nothing' && reasons[0]!.field === 'selection'
      ? 'the rule selects nothing'
      : `${reasons.length} selector ${reasons.length === 1 ? 'entry selects' : 'entries select'} nothing`;
  return {
    ...result,
    outcome: 'fail',
    summary: `${result.summary}; ${what}`,
    reasons: [...reasons, ...result.reasons],
  };
}

/** No result and no planned cell of the run is selected by the rule. */
function selectsNothing(
  rule: Exclude<GateRule, { rule: 'complete' }>,
  index: number,
  input: GateInput,
): boolean {
  if (rule.rule === 'max-terminals-affected' && rule.builds === 'fleet' && !input.fleet) return false;
  const select = selector(rule, index, input);
  return !input.results.some(select.result) && !(input.missing ?? []).some(select.missingKey);
}

/** What the run's cells (played or planned) offer a policy's selectors. */
function universeOf(input: GateInput): Parameters<typeof unmatchedSelectors>[1] {
  const cells = [
    ...input.results.map((r) => ({
      build: r.firmware,
      hv: `${r.host}@${r.version}`,
      scenario: `${r.suite}/${r.scenario}`,
    })),
    ...(input.missing ?? []).map((key) => {
      const c = parseKey(key);
      return { build: c.build, hv: `${c.host}@${c.version}`, scenario: c.scenario };
    }),
  ];
  return {
    builds: [...new Set(cells.map((c) => c.build))],
    hostVersions: [...new Set(cells.map((c) => c.hv))],
    scenarios: [...new Set(cells.map((c) => c.scenario))],
    tags: [...new Set(input.results.flatMap((r) => r.tags))],
  };
}

function missingReason(key: string, ref: (m: string) => RuleRef): GateReason {
  const cell = parseKey(key);
  return { kind: 'missing-result', key, ...cell, ...ref(`${key}: planned but has no result`) };
}

/** `<firmware>|<host>@<version>|<suite>/<scenario>` → its parts. */
export function parseKey(key: string): CellRef {
  const [build = '', hv = '', scenario = ''] = key.split('|');
  const at = hv.lastIndexOf('@');
  return { build, host: hv.slice(0, at), version: hv.slice(at + 1), scenario };
}

function describeLimit(limit: { percent?: number; terminals?: number }): string {
  const parts = [];
  if (limit.percent !== undefined) parts.push(`${formatPercent(limit.percent)} of the fleet`);
  if (limit.terminals !== undefined) parts.push(`${formatCount(limit.terminals)} terminals`);
  return parts.join(' and ');
}

/** A rule's default name: its kind and what it selects, e.g. `must-pass [critical] on fleet builds × targets`. */
export function describeRule(rule: GateRule, policy: GatePolicy): string {
  if (rule.rule === 'complete') return 'complete';
  const parts: string[] = [rule.rule];
  if (rule.rule === 'max-terminals-affected') {
    parts.push(
      `≤ ${describeLimit({
        ...(rule.percent !== undefined ? { percent: rule.percent } : {}),
        ...(rule.terminals !== undefined ? { terminals: rule.terminals } : {}),
      })}`,
    );
  }
  if (rule.tags) parts.push(`[${rule.tags.join(', ')}]`);
  if (rule.suites) parts.push(`suites ${rule.suites.join(', ')}`);
  const builds = rule.builds ?? 'all';
  const hosts = rule.hosts ?? 'targets';
  const b = builds === 'fleet' ? 'fleet builds' : builds === 'all' ? 'all builds' : builds.join(', ');
  const h =
    hosts === 'targets'
      ? policy.targets
        ? policy.targets.join(', ')
        : 'all host versions'
      : hosts === 'all'
        ? 'all host versions'
        : hosts.join(', ');
  parts.push(`on ${b} × ${h}`);
  return parts.join(' ');
}

/** A rule's selection of cells, builds and host versions. */
function selector(rule: Exclude<GateRule, { rule: 'complete' }>, index: number, input: GateInput) {
  const file = input.policyFile ?? '(policy)';
  const needFleet = (why: string): Fleet => {
    if (!input.fleet)
      throw new DataFileError(
        file,
        `/rules/${index}`,
        `${why}, but no fleet was given (fleet: in the policy, --fleet, or fleet.yaml in the workspace)`,
      );
    return input.fleet;
  };
  const builds = rule.builds ?? 'all';
  const hosts = rule.hosts ?? 'targets';
  const hostPatterns = hosts === 'all' ? undefined : hosts === 'targets' ? input.policy.targets : hosts;
  const buildIds =
    builds === 'fleet'
      ? [...needFleet('builds: fleet').terminalsByBuild.keys()]
      : builds === 'all'
        ? undefined
        : builds;
  const buildMatch = buildIds && picomatch(buildIds);
  const hostMatchers = hostPatterns?.map(hostMatcher);
  const suites = rule.suites;
  const tags = rule.tags && new Set(rule.tags);

  const buildOk = (b: string) => !buildMatch || buildMatch(b);
  const hostOk = (host: string, version: string) =>
    !hostMatchers || hostMatchers.some((m) => m(host, version));
  const suiteOk = (suite: string, scenario: string) =>
    !suites || suites.some((s) => s === suite || s === `${suite}/${scenario}`);
  // Tags of scenarios by id, for planned cells that have no result of their own.
  const tagsOf = new Map<string, string[]>();
  for (const r of input.results) tagsOf.set(`${r.suite}/${r.scenario}`, r.tags);
  const tagsOk = (t: readonly string[] | undefined) => !tags || t === undefined || t.some((x) => tags.has(x));

  return {
    result: (r: CellResult) =>
      buildOk(r.firmware) && hostOk(r.host, r.version) && suiteOk(r.suite, r.scenario) && tagsOk(r.tags),
    missingKey: (key: string) => {
      const c = parseKey(key);
      const [suite = '', scenario = ''] = c.scenario.split('/');
      return (
        buildOk(c.build) &&
        hostOk(c.host, c.version) &&
        suiteOk(suite, scenario) &&
        tagsOk(tagsOf.get(c.scenario))
      );
    },
    /** Named builds (fleet, or ids without glob characters) with no result at all. */
    absentBuilds: () => {
      if (!buildIds) return [];
      const played = new Set(input.results.map((r) => r.firmware));
      return buildIds.filter((b) => !picomatch.scan(b).isGlob && !played.has(b));
    },
    /** Host patterns that match no host version of the run. */
    absentTargets: () => {
      if (!hostPatterns) return [];
      const played = [...new Set(input.results.map((r) => `${r.host}@${r.version}`))];
      return hostPatterns.filter((p) => {
        const m = hostMatcher(p);
        return !played.some((hv) => {
          const at = hv.lastIndexOf('@');
          return m(hv.slice(0, at), hv.slice(at + 1));
        });
      });
    },
    fleet: needFleet,
  };
}

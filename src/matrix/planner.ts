import picomatch from 'picomatch';
import { didYouMean } from '../data/closest-word.js';
import type { ScenarioInfo, SuiteRegistry } from '../suites/suite-registry.js';
import { type Cell, cellKey, type Reason } from './cell.js';
import { ConfigError } from './config-error.js';

/**
 * The planner: firmware builds × host versions × scenarios → cells, in a deterministic order
 * (builds by id, hosts by id with versions oldest first, suites and scenarios by id).
 *
 * - A build and a host whose protocol families differ (an ISO 8583 build, a REST gateway) cannot meet:
 *   no cell is planned for them.
 * - A build with `acquirers` is planned only against those hosts.
 * - A scenario the build cannot play — a capability it lacks, or a family the scenario is not for —
 *   is planned as an n/a cell with the reason: it shows in the matrix but nothing runs.
 */

/** What the planner needs of a host (HostRegistry.list() items fit). */
export interface PlanHost {
  id: string;
  kind: string;
  versions: readonly { version: string }[];
}

/** What the planner needs of a firmware build (FirmwareBuild fits). */
export interface PlanBuild {
  id: string;
  protocol: { family: string };
  capabilities: readonly string[];
  acquirers?: readonly string[];
}

export interface PlanCatalogue {
  /** ISO 8583 hosts (`list`) and REST gateways (`gateways`, HostRegistry's split). */
  hosts: { list(): readonly PlanHost[]; gateways?(): readonly PlanHost[] };
  firmware: { list(): readonly PlanBuild[] };
  suites: Pick<SuiteRegistry, 'list'>;
}

export interface PlanFilters {
  /** Build ids or globs (`harbor-*`); empty: every build. */
  firmware?: readonly string[];
  /** `host@version` or `host` (every version); empty: every host. */
  hosts?: readonly string[];
  /** Suite ids or `suite/scenario`; empty: every suite. */
  suites?: readonly string[];
}

export interface PlannedCell {
  cell: Cell;
  /** Copied from the scenario so n/a results and reports need no catalogue. */
  title: string;
  tags: string[];
  /** Set when the cell is n/a: why it does not apply (nothing runs). */
  notApplicable?: Reason[];
}

export function planCells(catalogue: PlanCatalogue, filters: PlanFilters = {}): PlannedCell[] {
  const builds = selectBuilds(catalogue.firmware.list(), filters.firmware ?? []);
  const hosts = [...catalogue.hosts.list(), ...(catalogue.hosts.gateways?.() ?? [])];
  const versions = selectHostVersions(hosts, filters.hosts ?? []);
  const scenarios = selectScenarios(catalogue.suites, filters.suites ?? []);
  const planned: PlannedCell[] = [];
  for (const build of builds) {
    for (const { host, version } of versions) {
      if (host.kind !== build.protocol.family) continue;
      if (build.acquirers && !build.acquirers.includes(host.id)) continue;
      for (const s of scenarios) {
        const parts = { firmware: build.id, host: host.id, version, suite: s.suite, scenario: s.id };
        const reasons = notApplicable(build, s);
        planned.push({
          cell: { key: cellKey(parts), ...parts },
          title: s.title,
          tags: [...s.tags],
          ...(reasons.length > 0 ? { notApplicable: reasons } : {}),
        });
      }
    }
  }
  return planned;
}

function notApplicable(build: PlanBuild, s: ScenarioInfo): Reason[] {
  const reasons: Reason[] = [];
  const family = build.protocol.family as 'iso8583' | 'rest';
  if (s.families.length > 0 && !s.families.includes(family)) {
    reasons.push({
      kind: 'protocol',
      message: `${s.suite}/${s.id} is for ${s.families.join(' and ')} builds; ${build.id} speaks ${family}`,
    });
  }
  const missing = s.requires.filter((c) => !build.capabilities.includes(c));
  if (missing.length > 0) {
    reasons.push({
      kind: 'capability',
      message: `${build.id} lacks ${missing.join(', ')} (required by ${s.suite}/${s.id})`,
      expected: missing.join(', '),
    });
  }
  return reasons;
}

function selectBuilds(all: readonly PlanBuild[], patterns: readonly string[]): PlanBuild[] {
  const sorted = [...all].sort((a, b) => a.id.localeCompare(b.id));
  if (patterns.length === 0) return sorted;
  for (const p of patterns) {
    if (!sorted.some((b) => picomatch.isMatch(b.id, p))) {
      const ids = sorted.map((b) => b.id);
      // A plain id (no glob) is most likely a typo of one.
      const hint = /[*?[\]{}!]/.test(p) ? '' : didYouMean(p, ids);
      throw new ConfigError(`no firmware build matches "${p}"${hint} (builds: ${names(ids)})`, 'firmware');
    }
  }
  return sorted.filter((b) => patterns.some((p) => picomatch.isMatch(b.id, p)));
}

function selectHostVersions(
  all: readonly PlanHost[],
  refs: readonly string[],
): { host: PlanHost; version: string }[] {
  const hosts = [...all].sort((a, b) => a.id.localeCompare(b.id));
  const wanted = new Set<string>();
  for (const ref of refs) {
    const at = ref.lastIndexOf('@');
    const id = at > 0 ? ref.slice(0, at) : ref;
    const host = hosts.find((h) => h.id === id);
    if (!host) {
      const ids = hosts.map((h) => h.id);
      throw new ConfigError(`unknown host "${id}"${didYouMean(id, ids)} (hosts: ${names(ids)})`, 'hosts');
    }
    const known = host.versions.map((v) => v.version);
    if (at <= 0) {
      for (const v of known) wanted.add(`${id}@${v}`);
      continue;
    }
    const asked = ref.slice(at + 1);
    const version = asked === 'latest' ? known[known.length - 1] : asked;
    if (version === undefined || !known.includes(version))
      throw new ConfigError(`unknown version "${asked}" of host ${id} (versions: ${names(known)})`);
    wanted.add(`${id}@${version}`);
  }
  return hosts.flatMap((host) =>
    host.versions
      .filter((v) => refs.length === 0 || wanted.has(`${host.id}@${v.version}`))
      .map((v) => ({ host, version: v.version })),
  );
}

function selectScenarios(suites: Pick<SuiteRegistry, 'list'>, refs: readonly string[]): ScenarioInfo[] {
  const all = [...suites.list()].sort((a, b) => a.id.localeCompare(b.id));
  const picked = new Set<string>();
  for (const ref of refs) {
    const [suiteId, scenarioId] = ref.split('/', 2);
    const suite = all.find((s) => s.id === suiteId);
    if (!suite) {
      const ids = all.map((s) => s.id);
      throw new ConfigError(
        `unknown suite "${suiteId}"${didYouMean(suiteId!, ids)} (suites: ${names(ids)})`,
        'suites',
      );
    }
    if (scenarioId === undefined || scenarioId === '*') {
      for (const s of suite.scenarios) picked.add(`${suite.id}/${s.id}`);
    } else if (suite.scenarios.some((s) => s.id === scenarioId)) {
      picked.add(ref);
    } else {
      const ids = suite.scenarios.map((s) => s.id);
      throw new ConfigError(
        `unknown scenario "${scenarioId}" in suite ${suite.id}${didYouMean(scenarioId, ids)} (scenarios: ${names(ids)})`,
        'suites',
      );
    }
  }
  return all.flatMap((suite) =>
    [...suite.scenarios]
      .sort((a, b) => a.id.localeCompare(b.id))
      .filter((s) => refs.length === 0 || picked.has(`${suite.id}/${s.id}`))
      .map((s) => ({ ...s, suite: suite.id })),
  );
}

function names(ids: readonly string[]): string {
  return ids.length === 0 ? 'none' : ids.join(', ');
}

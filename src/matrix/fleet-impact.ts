import type { CellResult, CellStatus } from './cell.js';
import type { Fleet } from './fleet.js';

/** What impact needs of a cell result (a MatrixScenario with its build and host works too). */
export type ImpactCell = Pick<CellResult, 'firmware' | 'host' | 'version' | 'status'>;

/** Statuses that stop a terminal: an incompatibility, or a pair that could not be shown to work. */
export const BREAKING_STATUSES: readonly CellStatus[] = ['fail', 'error'];

export interface BuildImpact {
  build: string;
  terminals: number;
  /** Cells of this build × host version in a breaking status. */
  cells: number;
}

export interface HostImpact {
  /** `host@version` */
  hostVersion: string;
  /** Fleet builds with at least one breaking cell against this host version, most terminals first. */
  builds: BuildImpact[];
  terminals: number;
  /** Of the whole fleet, 0–100. */
  percent: number;
  /** Affected terminals per region / merchant group (lines without one count as `(none)`). */
  byRegion: Record<string, number>;
  byMerchantGroup: Record<string, number>;
  /** Fleet builds played against this host version at all. */
  played: string[];
}

export interface FleetImpact {
  totalTerminals: number;
  /** One per host version in the results, in the order first seen. */
  hosts: HostImpact[];
  /** Fleet builds with no cell in the results: their terminals are unknown, not safe. */
  notRun: string[];
}

export interface ImpactOptions {
  /** Statuses that count as broken (default fail and error). */
  statuses?: readonly CellStatus[];
}

/**
 * Weighs the results by the fleet: for each host version, which deployed builds it breaks and how
 * many terminals (and which regions, merchant groups) those builds run on.
 */
export function fleetImpact(
  results: Iterable<ImpactCell>,
  fleet: Fleet,
  options: ImpactOptions = {},
): FleetImpact {
  const breaking = new Set(options.statuses ?? BREAKING_STATUSES);
  const perHost = new Map<string, { played: Set<string>; broken: Map<string, number> }>();
  const seenBuilds = new Set<string>();
  for (const r of results) {
    seenBuilds.add(r.firmware);
    const hv = `${r.host}@${r.version}`;
    let h = perHost.get(hv);
    if (!h) {
      h = { played: new Set(), broken: new Map() };
      perHost.set(hv, h);
    }
    if (!fleet.terminalsByBuild.has(r.firmware)) continue;
    h.played.add(r.firmware);
    if (breaking.has(r.status)) h.broken.set(r.firmware, (h.broken.get(r.firmware) ?? 0) + 1);
  }
  const hosts = [...perHost].map(([hostVersion, h]): HostImpact => {
    const builds = [...h.broken]
      .map(([build, cells]) => ({ build, cells, terminals: fleet.terminalsByBuild.get(build) ?? 0 }))
      .sort((a, b) => b.terminals - a.terminals || a.build.localeCompare(b.build));
    const terminals = builds.reduce((n, b) => n + b.terminals, 0);
    const broken = new Set(builds.map((b) => b.build));
    const byRegion: Record<string, number> = {};
    const byMerchantGroup: Record<string, number> = {};
    for (const d of fleet.deployments) {
      if (!broken.has(d.build)) continue;
      const region = d.region ?? '(none)';
      const group = d.merchantGroup ?? '(none)';
      byRegion[region] = (byRegion[region] ?? 0) + d.terminals;
      byMerchantGroup[group] = (byMerchantGroup[group] ?? 0) + d.terminals;
    }
    return {
      hostVersion,
      builds,
      terminals,
      percent: fleet.totalTerminals > 0 ? (terminals * 100) / fleet.totalTerminals : 0,
      byRegion,
      byMerchantGroup,
      played: [...h.played].sort(),
    };
  });
  const notRun = [...fleet.terminalsByBuild.keys()].filter((b) => !seenBuilds.has(b)).sort();
  return { totalTerminals: fleet.totalTerminals, hosts, notRun };
}

/** `harbor-bank@2025.1 breaks 2 builds = 14,200 terminals, 31% of the fleet` */
export function describeHostImpact(h: HostImpact): string {
  if (h.builds.length === 0)
    return `${h.hostVersion} breaks no fleet build (${h.played.length} of the fleet's builds played)`;
  const builds = `${h.builds.length} build${h.builds.length === 1 ? '' : 's'}`;
  return `${h.hostVersion} breaks ${builds} = ${formatCount(h.terminals)} terminals, ${formatPercent(h.percent)} of the fleet`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Whole percent, but never 0% for a non-zero share nor 100% for less than all. */
export function formatPercent(p: number): string {
  if (p > 0 && p < 1) return '<1%';
  if (p > 99 && p < 100) return '>99%';
  return `${Math.round(p)}%`;
}

import { diffWordsWithSpace } from 'diff';
import { buildMatrix } from '../../matrix/aggregate.js';
import { CELL_STATUSES, type CellResult, type CellStatus, type Reason } from '../../matrix/cell.js';
import type { Fleet } from '../../matrix/fleet.js';
import {
  describeHostImpact,
  type FleetImpact,
  fleetImpact,
  type HostImpact,
} from '../../matrix/fleet-impact.js';
import type { RunManifest } from '../../matrix/run-manifest.js';
import type { Exchange } from '../../mocks/exchange.js';
import { type CellChange, compareRuns } from '../compare.js';
import type { CatalogueMeta, FieldName } from './catalogue-meta.js';

export const REPORT_FORMAT = 'paymatrix-report/1';

/** Numbers per cell in ReportData.cells (a flat array keeps 8,000 cells small and quick to parse). */
export const CELL_STRIDE = 7;
/** Positions inside one cell's numbers. */
export const CELL = { build: 0, host: 1, scenario: 2, status: 3, detail: 4, before: 5, change: 6 } as const;
export const CHANGES: readonly CellChange[] = ['same', 'worse', 'better', 'changed', 'new'];

/** A reason with the expected-vs-actual difference worked out: [op, text], op -1 only expected, 1 only actual. */
export type ReportReason = Reason & { diff?: [op: -1 | 0 | 1, text: string][] };

/** Evidence of one cell that is not a plain pass, lean: no message is kept twice. */
export interface ReportDetail {
  reasons: ReportReason[];
  durationMs: number;
  seed: number;
  finishedAt: string;
  steps?: {
    request: { type: string; amount?: number; currency?: string; card?: string };
    outcome: { status: string; responseCode?: string; detail: string; error?: string };
    /** What the terminal sent and got, as one-line summaries (the decoded bodies are in the journal). */
    messages: [direction: 'sent' | 'received', atMs: number, summary: string][];
  }[];
  /** The host's journal: every exchange decoded field by field, card data masked. */
  journal?: Exchange[];
  events?: [kind: string, at: string, detail: string][];
}

export interface ReportData {
  format: typeof REPORT_FORMAT;
  title: string;
  generatedAt: string;
  run: {
    id: string;
    createdAt: string;
    seed: number;
    timeScale: number;
    shard: { index: number; count: number } | null;
  } | null;
  statuses: readonly CellStatus[];
  changes: readonly CellChange[];
  builds: { id: string; vendor: string; model: string; title: string; terminals: number | null }[];
  /** `host@version`, the matrix's columns. */
  hosts: string[];
  scenarios: { id: string; suite: string; title: string; tags: string[] }[];
  /** CELL_STRIDE numbers per cell: build, host, scenario, status, detail (-1 none), before (-1 none), change. */
  cells: number[];
  details: ReportDetail[];
  /** Planned cells with no result. */
  missing: number;
  baseline: { id: string | null; worse: number; better: number; gone: number } | null;
  /** Impact per host version, each with its one-line summary (`… breaks 2 builds = 14,200 terminals, 31% …`). */
  fleet:
    | (Omit<FleetImpact, 'hosts'> & { title: string | null; hosts: (HostImpact & { summary: string })[] })
    | null;
  dialects: Record<string, Record<string, FieldName>>;
  hostDialect: Record<string, string>;
  notes: string[];
}

export interface ReportInput {
  results: readonly CellResult[];
  manifest?: RunManifest | undefined;
  missing?: readonly string[];
  baseline?: { results: readonly CellResult[]; manifest?: RunManifest | undefined } | undefined;
  fleet?: Fleet | undefined;
  meta?: CatalogueMeta | undefined;
  title?: string;
  /** Fixed in tests; default now. */
  generatedAt?: string;
}

/** Turns a run into the data the HTML report embeds: passes are four numbers, evidence only where it explains something. */
export function buildReportData(input: ReportInput): ReportData {
  const matrix = buildMatrix(input.results, input.manifest?.plan.cells);
  const buildIndex = new Map(matrix.firmware.map((b, i) => [b, i]));
  const hostIndex = new Map(matrix.hostVersions.map((h, i) => [h, i]));
  const scenarioIndex = new Map<string, number>();
  const scenarios: ReportData['scenarios'] = [];
  const statusIndex = new Map(CELL_STATUSES.map((s, i) => [s, i]));
  const comparison = input.baseline ? compareRuns(input.results, input.baseline.results) : undefined;
  const changeOf = new Map(comparison?.changed.map((c) => [c.key, c.change]));
  const cells: number[] = [];
  const details: ReportDetail[] = [];
  for (const r of input.results) {
    const sid = `${r.suite}/${r.scenario}`;
    let s = scenarioIndex.get(sid);
    if (s === undefined) {
      s = scenarios.length;
      scenarioIndex.set(sid, s);
      scenarios.push({ id: sid, suite: r.suite, title: r.title, tags: r.tags });
    }
    let detail = -1;
    if (r.status !== 'pass' || r.reasons.length > 0) {
      detail = details.length;
      details.push(toDetail(r));
    }
    const before = comparison?.before.get(r.key);
    cells.push(
      buildIndex.get(r.firmware)!,
      hostIndex.get(`${r.host}@${r.version}`)!,
      s,
      statusIndex.get(r.status)!,
      detail,
      before === undefined ? -1 : statusIndex.get(before)!,
      CHANGES.indexOf(changeOf.get(r.key) ?? 'same'),
    );
  }
  const meta = input.meta;
  const m = input.manifest;
  return {
    format: REPORT_FORMAT,
    title: input.title ?? 'paymatrix compatibility matrix',
    generatedAt: input.generatedAt ?? new Date().toISOString(),
    run: m
      ? {
          id: m.runId,
          createdAt: m.createdAt,
          seed: m.settings.seed,
          timeScale: m.settings.timeScale,
          shard: m.settings.shard,
        }
      : null,
    statuses: CELL_STATUSES,
    changes: CHANGES,
    builds: matrix.firmware.map((id) => {
      const b = meta?.builds.get(id);
      return {
        id,
        vendor: b?.vendor ?? 'unknown vendor',
        model: b?.model ?? '',
        title: b?.title ?? '',
        terminals: input.fleet ? (input.fleet.terminalsByBuild.get(id) ?? 0) : null,
      };
    }),
    hosts: matrix.hostVersions,
    scenarios,
    cells,
    details,
    missing: input.missing?.length ?? 0,
    baseline: comparison
      ? {
          id: input.baseline?.manifest?.runId ?? null,
          worse: comparison.worse.length,
          better: comparison.better.length,
          gone: comparison.gone.length,
        }
      : null,
    fleet: input.fleet ? fleetData(input.results, input.fleet) : null,
    dialects: Object.fromEntries(meta?.dialects ?? []),
    hostDialect: Object.fromEntries(meta?.hostDialect ?? []),
    notes: meta?.problems ?? [],
  };
}

function fleetData(results: readonly CellResult[], fleet: Fleet): NonNullable<ReportData['fleet']> {
  const impact = fleetImpact(results, fleet);
  return {
    ...impact,
    title: fleet.title ?? null,
    hosts: impact.hosts.map((h) => ({ ...h, summary: describeHostImpact(h) })),
  };
}

const MAX_DIFF_INPUT = 4000;
const MAX_STDERR = 2000;

function toDetail(r: CellResult): ReportDetail {
  const detail: ReportDetail = {
    reasons: r.reasons.map(withDiff),
    durationMs: r.durationMs,
    seed: r.seed,
    finishedAt: r.finishedAt,
  };
  const ev = r.evidence;
  if (!ev) return detail;
  detail.steps = ev.steps.map(({ request, outcome }) => ({
    request: {
      type: request.type,
      ...(request.amount !== undefined ? { amount: request.amount } : {}),
      ...(request.currency !== undefined ? { currency: request.currency } : {}),
      // The card's name and masked PAN say which card it was; nothing else of it is needed.
      ...(request.card ? { card: [request.card.name, request.card.pan].filter(Boolean).join(' ') } : {}),
    },
    outcome: {
      status: outcome.status,
      ...(outcome.responseCode !== undefined ? { responseCode: outcome.responseCode } : {}),
      detail: outcome.detail,
      ...(outcome.error
        ? {
            error: `${outcome.error.code}: ${outcome.error.message}${outcome.error.stderr ? `\n${outcome.error.stderr.slice(-MAX_STDERR)}` : ''}`,
          }
        : {}),
    },
    messages: (outcome.messages ?? []).map((m) => [m.direction, m.atMs, m.message.summary]),
  }));
  detail.journal = ev.journal;
  detail.events = ev.events.map((e) => [e.kind, e.at, e.detail]);
  return detail;
}

function withDiff(reason: Reason): ReportReason {
  const { expected, actual } = reason;
  if (expected === undefined || actual === undefined) return reason;
  if (expected.length + actual.length > MAX_DIFF_INPUT) return reason;
  const diff = diffWordsWithSpace(expected, actual).map((part): [-1 | 0 | 1, string] => [
    part.removed ? -1 : part.added ? 1 : 0,
    part.value,
  ]);
  return { ...reason, diff };
}

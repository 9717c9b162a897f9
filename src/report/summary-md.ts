import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildMatrix, type MatrixCell } from '../matrix/aggregate.js';
import type { CellStatus } from '../matrix/cell.js';
import type { Fleet } from '../matrix/fleet.js';
import { describeHostImpact, fleetImpact, formatCount } from '../matrix/fleet-impact.js';
import type { GateReport } from '../matrix/gate-run.js';
import { type ChangedCell, compareRuns } from './compare.js';
import type { RunFolder } from './run-folder.js';

export const SUMMARY_FILE = 'summary.md';

export interface SummaryInput {
  run: RunFolder;
  fleet?: Fleet | undefined;
  baseline?: RunFolder | undefined;
  verdict?: GateReport | undefined;
  /** Where the verdict is, as the summary names it (default gate.json, beside it). */
  verdictFile?: string;
  /** How many regressions / worst cells to list (default 10 / 5). */
  limits?: { changes?: number; worst?: number };
}

const ICON: Record<CellStatus, string> = { pass: '✅', fail: '❌', error: '⚠️', flaky: '🟡', 'n/a': '➖' };

/**
 * summary.md: a short Markdown summary for a pull-request comment — totals, the matrix, fleet impact,
 * the worst cells, regressions against the baseline and the gate verdict. Every string that comes
 * from a run (reasons carry bytes a firmware sent) is escaped: it renders as text, never as markup.
 */
export function renderSummaryMd(input: SummaryInput): string {
  const { run } = input;
  const matrix = buildMatrix(run.results, run.manifest?.plan.cells);
  const c = matrix.counts;
  const applicable = c.pass + c.fail + c.error + c.flaky;
  const out: string[] = [];
  const verdict = input.verdict
    ? ` · gate ${input.verdict.verdict === 'go' ? '**GO** ✅' : '**NO GO** ⛔'}`
    : '';
  out.push(`## paymatrix: ${c.pass + c.flaky} of ${applicable} applicable cells pass${verdict}`, '');
  const id = run.manifest ? `Run \`${code(run.manifest.runId)}\` · ` : '';
  const settings = run.manifest
    ? ` · seed ${run.manifest.settings.seed} · time scale ${run.manifest.settings.timeScale}`
    : '';
  out.push(
    `${id}${matrix.firmware.length} builds × ${matrix.hostVersions.length} host versions · ${run.results.length} cells${settings}`,
    '',
  );
  out.push('| pass | fail | error | flaky | n/a |', '|---:|---:|---:|---:|---:|');
  out.push(`| ${c.pass} | ${c.fail} | ${c.error} | ${c.flaky} | ${c['n/a']} |`, '');
  if (run.missing.length > 0)
    out.push(
      `**${run.missing.length} planned cells have no result** (a shard not merged, or a run cut short).`,
      '',
    );

  // The matrix itself: rows builds, columns host versions, passed/applicable per cell.
  const byPair = new Map(matrix.cells.map((cell) => [`${cell.firmware}|${cell.host}@${cell.version}`, cell]));
  const comparison = input.baseline ? compareRuns(run.results, input.baseline.results) : undefined;
  out.push('### Matrix', '');
  out.push(`| build | ${matrix.hostVersions.map((hv) => `\`${code(hv)}\``).join(' | ')} |`);
  out.push(`|---|${matrix.hostVersions.map(() => '---:').join('|')}|`);
  const rows = matrix.firmware.slice(0, 50);
  for (const fw of rows) {
    const cells = matrix.hostVersions.map((hv) => {
      const cell = byPair.get(`${fw}|${hv}`);
      if (!cell) return '·';
      const mark = comparison?.pairs.get(`${fw}|${hv}`);
      return `${cellMd(cell)}${mark === 'worse' ? ' 🔻' : mark === 'better' ? ' 🔺' : ''}`;
    });
    out.push(`| \`${code(fw)}\` | ${cells.join(' | ')} |`);
  }
  if (matrix.firmware.length > rows.length)
    out.push('', `… ${matrix.firmware.length - rows.length} more builds in index.html`);
  out.push(
    '',
    `<sub>passed/applicable · ✅ pass ❌ fail ⚠️ error 🟡 flaky ➖ n/a · not planned${comparison ? ' · 🔻 worse 🔺 better than the baseline' : ''}</sub>`,
    '',
  );

  if (input.fleet) {
    const impact = fleetImpact(run.results, input.fleet);
    const hit = impact.hosts.filter((h) => h.terminals > 0).sort((a, b) => b.terminals - a.terminals);
    out.push(`### Fleet impact (${formatCount(impact.totalTerminals)} terminals)`, '');
    if (hit.length === 0) out.push('No host version breaks a build of the fleet.');
    for (const h of hit)
      out.push(`- ${text(describeHostImpact(h))}: ${h.builds.map((b) => `\`${code(b.build)}\``).join(', ')}`);
    if (impact.notRun.length > 0)
      out.push(`- not in this run (unknown): ${impact.notRun.map((b) => `\`${code(b)}\``).join(', ')}`);
    out.push('');
  }

  if (comparison) {
    const limit = input.limits?.changes ?? 10;
    const base = input.baseline?.manifest ? ` \`${code(input.baseline.manifest.runId)}\`` : '';
    out.push(
      `### Against the baseline${base}: ${comparison.worse.length} worse, ${comparison.better.length} better`,
      '',
    );
    for (const ch of comparison.worse.slice(0, limit)) out.push(changeLine(ch, '🔻'));
    if (comparison.worse.length > limit) out.push(`- … ${comparison.worse.length - limit} more worse`);
    for (const ch of comparison.better.slice(0, Math.max(0, limit - comparison.worse.length)))
      out.push(changeLine(ch, '🔺'));
    out.push('');
  }

  const worst = matrix.cells
    .filter((cell) => cell.counts.fail + cell.counts.error > 0)
    .sort((a, b) => b.counts.fail - a.counts.fail || b.counts.error - a.counts.error)
    .slice(0, input.limits?.worst ?? 5);
  if (worst.length > 0) {
    out.push('### Worst cells', '');
    for (const cell of worst) {
      const first = cell.scenarios.find((s) => s.status === 'fail' || s.status === 'error');
      const n = cell.scenarios.length - cell.counts['n/a'];
      out.push(
        `- \`${code(cell.firmware)}\` × \`${code(`${cell.host}@${cell.version}`)}\`: ${cell.counts.fail} fail, ${cell.counts.error} error of ${n}` +
          (first ? ` — ${text(first.id)}: ${text(first.reasons[0]?.message ?? first.status)}` : ''),
      );
    }
    out.push('');
  }

  if (input.verdict) {
    const v = input.verdict;
    out.push(
      `### Gate: ${v.verdict === 'go' ? 'GO' : 'NO GO'}${v.policy.title ? ` (${text(v.policy.title)})` : ''}`,
      '',
    );
    for (const r of v.rules) {
      const mark = r.outcome === 'pass' ? '✅' : r.outcome === 'fail' ? '⛔' : '⏭️';
      out.push(`- ${mark} **${text(r.name)}**: ${text(r.summary)}`);
      for (const reason of r.reasons.slice(0, 3)) out.push(`  - ${text(reason.message)}`);
      if (r.reasons.length > 3)
        out.push(`  - … ${r.reasons.length - 3} more in ${text(input.verdictFile ?? 'gate.json')}`);
    }
    out.push('');
  }
  out.push('<sub>Full report with the evidence: `index.html` in the run folder.</sub>', '');
  return out.join('\n');
}

export function writeSummaryMd(run: RunFolder, input: Omit<SummaryInput, 'run'> = {}): string {
  const file = join(run.dir, SUMMARY_FILE);
  writeFileSync(file, renderSummaryMd({ run, ...input }));
  return file;
}

function cellMd(cell: MatrixCell): string {
  if (cell.status === 'n/a') return `${ICON['n/a']} n/a`;
  const applicable = cell.scenarios.length - cell.counts['n/a'];
  return `${ICON[cell.status]} ${cell.counts.pass + cell.counts.flaky}/${applicable}`;
}

function changeLine(ch: ChangedCell, mark: string): string {
  return `- ${mark} \`${code(ch.firmware)}\` × \`${code(`${ch.host}@${ch.version}`)}\` ${text(ch.scenario)}: ${ch.from} → ${ch.to}${ch.why ? ` — ${text(ch.why)}` : ''}`;
}

const MAX_TEXT = 240;

/**
 * Run text as inert Markdown: HTML and Markdown punctuation escaped, no line breaks, control bytes as
 * \xNN, no @mention, cut at MAX_TEXT characters.
 */
export function text(s: string): string {
  const cut = s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
  // Markdown punctuation first (on the run's own text), then what we add: entities and \xNN.
  return cut
    .replace(/[\\`*_[\]{}()#+!|~]/g, '\\$&')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => (ch === '\n' || ch === '\t' ? ' ' : hex(ch)))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '&#64;');
}

/** Inside a code span: it renders literally, but a backtick ends it and a pipe ends a table cell. */
export function code(s: string): string {
  return s
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, hex)
    .replace(/`/g, "'")
    .replace(/\|/g, '\\|');
}

function hex(ch: string): string {
  return `\\x${ch.codePointAt(0)!.toString(16).padStart(2, '0')}`;
}

import type { GateReport } from './gate-run.js';

/**
 * The verdict for a terminal or a CI log: GO / NO GO, then each rule with its summary and its first
 * reasons (which build, which host version, which scenario, why). Control bytes a firmware sent are
 * shown as \xNN so they cannot drive the terminal.
 */
export function renderGateText(report: GateReport, options: { reasonsPerRule?: number } = {}): string {
  const limit = options.reasonsPerRule ?? 10;
  const failed = report.rules.filter((r) => r.outcome === 'fail').length;
  const skipped = report.rules.filter((r) => r.outcome === 'skip').length;
  const held = report.rules.length - failed - skipped;
  const lines = [
    report.verdict === 'go'
      ? `gate: GO — ${held} rule${held === 1 ? '' : 's'} hold${skipped ? `, ${skipped} skipped` : ''}`
      : `gate: NO GO — ${failed} of ${report.rules.length} rules broken`,
  ];
  const context = [
    `policy ${report.policy.file ?? 'default'}`,
    report.fleet ? `fleet ${report.fleet.file}` : 'no fleet',
    report.baseline ? `baseline ${report.baseline.dir}` : 'no baseline',
  ];
  lines.push(`  ${context.join(' · ')}`);
  for (const r of report.rules) {
    const mark = r.outcome === 'pass' ? '✓' : r.outcome === 'fail' ? '✗' : '-';
    lines.push(`${mark} ${r.name}: ${r.summary}`);
    for (const reason of r.reasons.slice(0, limit)) lines.push(`    [${reason.kind}] ${reason.message}`);
    if (r.reasons.length > limit) lines.push(`    … ${r.reasons.length - limit} more in gate.json`);
  }
  return `${lines.map(safe).join('\n')}\n`;
}

function safe(line: string): string {
  return line.replace(
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.codePointAt(0)!.toString(16).padStart(2, '0')}`,
  );
}

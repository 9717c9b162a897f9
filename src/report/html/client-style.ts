/** The report's stylesheet, inlined (the file must work offline, from a CI artifact or an e-mail). */
export const CLIENT_STYLE = `
:root { --pass: hsl(130 50% 78%); --fail: hsl(0 70% 82%); --error: #cdb8ef; --na: #e6e6e6; --ink: #1d2329;
  --muted: #5f6b76; --line: #d5dbe1; --hi: #fff2b3; --bad: #b3261e; --good: #1b7f3a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: var(--ink); margin: 0; background: #f7f8fa; }
header, main > section { padding: 12px 20px; }
header { background: #fff; border-bottom: 1px solid var(--line); }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 16px 0 8px; }
h3 { font-size: 14px; margin: 14px 0 6px; }
.muted { color: var(--muted); }
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.chip { border-radius: 12px; padding: 1px 10px; background: #eef1f4; font-variant-numeric: tabular-nums; }
.st-pass { background: var(--pass); } .st-fail { background: var(--fail); } .st-error { background: var(--error); }
.st-flaky { background: #ffe7a8; } .st-na { background: var(--na); }
#filters { display: flex; flex-wrap: wrap; gap: 14px; align-items: end; background: #fff; border-bottom: 1px solid var(--line); }
#filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 2px; }
#filters select { font: inherit; padding: 2px 4px; min-width: 120px; }
.matrix-wrap { overflow: auto; max-width: 100%; }
table.matrix { border-collapse: separate; border-spacing: 3px; }
table.matrix th { font-weight: 600; font-size: 12px; text-align: left; vertical-align: bottom; padding: 2px 6px; }
table.matrix thead th { text-align: center; min-width: 92px; }
table.matrix th .sub { display: block; font-weight: 400; color: var(--muted); }
table.matrix td { padding: 0; }
button.cell { width: 100%; min-width: 92px; height: 44px; border: 1px solid transparent; border-radius: 5px; font: 600 13px/1 system-ui, sans-serif;
  font-variant-numeric: tabular-nums; cursor: pointer; position: relative; color: var(--ink); }
button.cell:hover, button.cell:focus-visible { outline: 2px solid #2d6cdf; outline-offset: 1px; }
button.cell.selected { outline: 3px solid #1d2329; }
button.cell.na { background: repeating-linear-gradient(135deg, #eee 0 6px, #e0e0e0 6px 12px); color: var(--muted); font-weight: 400; }
button.cell.error { background: var(--error); }
button.cell.has-error { box-shadow: inset 0 0 0 3px #8e6bd1; }
button.cell.flaky { border: 2px dashed #c98a00; }
button.cell.empty { background: #fafafa; color: #aaa; font-weight: 400; }
span.notplanned { display: block; text-align: center; color: #bbb; }
.mark { position: absolute; top: 2px; right: 4px; font-size: 11px; }
.mark.worse, .chg.worse { color: var(--bad); } .mark.better, .chg.better { color: var(--good); }
.legend { display: flex; flex-wrap: wrap; gap: 12px; font-size: 12px; color: var(--muted); margin-top: 8px; }
.legend i { display: inline-block; width: 14px; height: 14px; border-radius: 3px; vertical-align: -2px; margin-right: 4px; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; margin-top: 12px; }
table.list { border-collapse: collapse; width: 100%; }
table.list th, table.list td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eceff2; vertical-align: top; }
table.list th { font-size: 12px; color: var(--muted); font-weight: 600; }
table.list td.lines { white-space: pre-line; }
tr.pick { cursor: pointer; } tr.pick:hover, tr.pick:focus-visible { background: #eef4ff; outline: none; }
tr.pick.selected { background: #e2ecff; }
.badge { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.tag { display: inline-block; background: #eef1f4; border-radius: 3px; padding: 0 5px; margin-right: 3px; font-size: 11px; }
.reason { border-left: 3px solid var(--bad); padding: 4px 10px; margin: 8px 0; background: #fff8f7; }
.reason.kind-capability, .reason.kind-protocol { border-color: #999; background: #f6f6f6; }
.reason .kind { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin-right: 6px; }
table.diff { border-collapse: collapse; margin-top: 6px; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
table.diff th { text-align: right; padding: 2px 8px 2px 0; color: var(--muted); font-weight: 400; vertical-align: top; }
table.diff td { white-space: pre-wrap; word-break: break-word; }
del.d, ins.d { text-decoration: none; border-radius: 2px; padding: 0 1px; }
del.d { background: #ffd2cc; } ins.d { background: #c9f0d3; }
details.exchange { border: 1px solid var(--line); border-radius: 5px; margin: 6px 0; background: #fff; }
details.exchange > summary { cursor: pointer; padding: 6px 10px; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
details.exchange.cited { border: 2px solid var(--bad); }
details.exchange.violated > summary { background: #fff8f7; }
.msgs { display: flex; flex-wrap: wrap; gap: 12px; padding: 4px 10px 10px; }
.msgs > div { flex: 1 1 360px; min-width: 0; }
table.fields { border-collapse: collapse; width: 100%; font: 12px/1.35 ui-monospace, SFMono-Regular, Menlo, monospace; }
table.fields td { padding: 1px 6px; border-bottom: 1px solid #f0f2f4; vertical-align: top; }
table.fields td.v { white-space: pre-wrap; word-break: break-all; }
table.fields td.n { color: var(--muted); font-family: system-ui, sans-serif; }
table.fields tr.sub td.p { padding-left: 18px; }
table.fields tr.hi { background: var(--hi); }
table.fields tr.hi td.v { font-weight: 700; }
table.fields tr.absent td.v { color: var(--bad); font-style: italic; }
.violations { margin: 0; padding: 4px 10px 0 28px; color: var(--bad); font-size: 12px; }
.notes { margin: 0; padding: 4px 10px 0 28px; color: var(--muted); font-size: 12px; }
pre.body { white-space: pre-wrap; word-break: break-all; font: 12px/1.35 ui-monospace, monospace; margin: 0; background: #fafbfc; padding: 6px; }
.impact li { margin: 3px 0; }
.note { color: #8a5a00; }
`;

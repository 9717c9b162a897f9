import { createHash } from 'node:crypto';
import { CLIENT_SCRIPT } from './client-script.js';
import { CLIENT_STYLE } from './client-style.js';
import type { ReportData } from './report-data.js';

export const HTML_FILE = 'index.html';

/**
 * JSON that can sit inside a <script> element: `<`, `>` and `&` as \u escapes, so no byte of the data
 * can close the element (`</script>`) or open a comment; U+2028/2029 escaped for old parsers.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * index.html: one self-contained file (no request leaves it: the CSP forbids every fetch), the run as
 * JSON in a non-executed script element, and the script that renders it. The CSP lets only that
 * exact script and stylesheet run, so even a bug that let data into markup could not run anything.
 */
export function renderHtml(data: ReportData): string {
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(CLIENT_SCRIPT)}`,
    `style-src ${sha256(CLIENT_STYLE)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const title = data.run ? `${data.title} — ${data.run.id}` : data.title;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="paymatrix">
<title>${escapeHtml(title)}</title>
<style>${CLIENT_STYLE}</style>
</head>
<body>
<header id="head"><h1>${escapeHtml(data.title)}</h1></header>
<noscript><p>This report is drawn by JavaScript; the same data is in matrix.json and results.jsonl beside it.</p></noscript>
<main>
<section id="filters"></section>
<section id="fleet" class="fleet"></section>
<section>
<div class="matrix-wrap" id="matrix-wrap"></div>
<div class="legend">
<span><i class="st-pass"></i>all applicable pass (colour: share passed, red → green)</span>
<span><i class="st-error"></i>error: could not be played (purple frame: some cells)</span>
<span><i class="st-na"></i>n/a (no scenario applies)</span>
<span><i class="st-flaky"></i>flaky (dashed)</span>
<span>· not planned</span><span>– filtered out</span><span>▼ worse ▲ better than the baseline</span>
</div>
<div id="cell" class="panel" hidden></div>
<div id="scenario" class="panel" hidden></div>
</section>
</main>
<script type="application/json" id="paymatrix-data">${scriptSafeJson(data)}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

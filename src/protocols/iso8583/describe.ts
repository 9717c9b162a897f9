import type { Dialect, FramedMessage } from './dialect.js';
import type { ResolvedField } from './field-spec.js';
import { maskValue } from './mask.js';
import type { FieldValue, TlvItem } from './values.js';

/**
 * A human-readable, field-by-field dump with card data masked. Text is shown JSON-quoted so
 * padding is visible and control bytes a hostile firmware might send cannot reach the terminal.
 */
export function describeMessage(dialect: Dialect, framed: FramedMessage): string {
  const lines: string[] = [`${dialect.id}  ${dialect.title}`];
  if (framed.tpdu) {
    const { id, destination, source } = framed.tpdu;
    lines.push(
      `  TPDU     id ${id.toString(16).padStart(2, '0').toUpperCase()}  destination ${destination}  source ${source}`,
    );
  }
  if (framed.header !== undefined) lines.push(`  header   ${framed.header}`);
  const msg = framed.message;
  lines.push(`  MTI      ${msg.mti}`);
  const ids = Object.keys(msg.fields)
    .map(Number)
    .sort((a, b) => a - b);
  for (const id of ids) {
    const spec = dialect.field(id);
    const raw = msg.fields[id]!;
    if (!spec) {
      lines.push(row(`DE${id}`, '?', '(not in dialect)', show(raw)));
      continue;
    }
    const value = maskValue(spec, raw);
    if (typeof value === 'string') {
      lines.push(row(`DE${id}`, spec.format, spec.name, render(spec, value)));
      continue;
    }
    lines.push(row(`DE${id}`, spec.format, spec.name, ''));
    lines.push(...subLines(spec, value, '    '));
  }
  return lines.join('\n');
}

function subLines(spec: ResolvedField, value: FieldValue, indent: string): string[] {
  const sub = spec.subfields;
  if (Array.isArray(value)) return tlvLines(spec, value, indent);
  if (typeof value === 'string') return [`${indent}${value}`];
  return Object.entries(value).map(([k, v]) => {
    const def =
      sub?.kind === 'positional' ? sub.fields[k] : sub?.kind === 'bitmap' ? sub.fields[k] : undefined;
    const shown = typeof v === 'string' && /^[0-9]+$/.test(v) ? v : show(v);
    return `${indent}${pad(`${spec.path}.${k}`, 10)}${pad(def?.format ?? '', 9)}${pad(def?.name ?? '', 36)} ${shown}`;
  });
}

function tlvLines(spec: ResolvedField, items: TlvItem[], indent: string): string[] {
  const names = spec.subfields && 'names' in spec.subfields ? (spec.subfields.names ?? {}) : {};
  return items.flatMap((item) => {
    const head = `${indent}${pad(`${spec.path}.${item.tag}`, 12)}${pad(names[item.tag] ?? '', 36)}`;
    if (Array.isArray(item.value)) return [head, ...tlvLines(spec, item.value, `${indent}  `)];
    return [`${head} ${item.value}`];
  });
}

function render(spec: ResolvedField, value: string): string {
  if (value.startsWith('[hidden')) return value;
  if (spec.type === 'n' || spec.type === 'b' || spec.type === 'x+n') return value;
  return JSON.stringify(value);
}

function show(v: FieldValue): string {
  return JSON.stringify(v);
}

function row(label: string, format: string, name: string, value: string): string {
  return `  ${pad(label, 7)}${pad(format, 10)}${pad(name, 44)} ${value}`.trimEnd();
}

function pad(s: string, n: number): string {
  return s.length >= n ? `${s} ` : s.padEnd(n);
}

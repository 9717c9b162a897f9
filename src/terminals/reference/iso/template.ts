import type { FieldValue } from '../../../protocols/iso8583/index.js';

/**
 * Field templates of a profile: text with `${name}` parts, or `${name:12}` for a number zero-padded
 * to 12 digits (totals inside DE48, amounts inside a record). A template made of one variable and
 * nothing else yields the variable's value as it is, so `${icc}` can be a TLV list for DE55.
 */
export interface TemplatePart {
  text?: string;
  variable?: string;
  width?: number;
}

const PART = /\$\{([^}]*)\}/g;
const VARIABLE = /^([a-zA-Z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9]+)*)(?::([0-9]{1,3}))?$/;
const cache = new Map<string, TemplatePart[]>();

/** Parses a template; throws an Error saying what is wrong with a `${…}` part. */
export function parseTemplate(template: string): TemplatePart[] {
  const known = cache.get(template);
  if (known) return known;
  const parts: TemplatePart[] = [];
  let at = 0;
  for (const m of template.matchAll(PART)) {
    if (m.index > at) parts.push({ text: template.slice(at, m.index) });
    const v = VARIABLE.exec(m[1]!.trim());
    if (!v) throw new Error(`"\${${m[1]}}" is not a variable: use \${name} or \${name:width}`);
    parts.push({ variable: v[1]!, ...(v[2] && { width: Number(v[2]) }) });
    at = m.index + m[0].length;
  }
  if (at < template.length) parts.push({ text: template.slice(at) });
  if (parts.some((p) => p.text?.includes('${'))) throw new Error(`unclosed "\${" in "${template}"`);
  cache.set(template, parts);
  return parts;
}

export function templateVariables(template: string): string[] {
  return parseTemplate(template).flatMap((p) => (p.variable ? [p.variable] : []));
}

/** Looks a variable up; undefined = it has no value for this message (the field is left out). */
export type Lookup = (name: string) => FieldValue | undefined;

/**
 * Renders a template: a lone variable gives its value as it is (binary, numbers); otherwise text,
 * each variable turned into text by `toText`. undefined when a variable it uses has no value.
 */
export function renderParts<V>(
  template: string,
  lookup: (name: string) => V | undefined,
  toText: (variable: string, value: V, width: number | undefined) => string,
): V | string | undefined {
  const parts = parseTemplate(template);
  if (parts.length === 1 && parts[0]!.variable && parts[0]!.width === undefined)
    return lookup(parts[0]!.variable);
  let out = '';
  for (const part of parts) {
    if (part.text !== undefined) {
      out += part.text;
      continue;
    }
    const value = lookup(part.variable!);
    if (value === undefined) return undefined;
    out += toText(part.variable!, value, part.width);
  }
  return out;
}

/** The rendered field value, or undefined when a variable it uses has no value. */
export function renderTemplate(template: string, lookup: Lookup): FieldValue | undefined {
  return renderParts(template, lookup, (variable, value, width) => {
    if (typeof value !== 'string') throw new Error(`\${${variable}} is not text: use it alone`);
    return width === undefined ? value : pad(variable, value, width);
  });
}

function pad(name: string, value: string, width: number): string {
  if (value.length > width) throw new Error(`\${${name}:${width}} holds ${value.length} characters`);
  return value.padStart(width, '0');
}

import { renderParts } from '../iso/template.js';
import type { RestLookup, RestValue } from './variables.js';

/**
 * REST body templates: JSON whose strings may hold `${variable}` parts (the ISO field template
 * syntax, `${sequence:6}` zero-pads). A string that is one variable and nothing else keeps the
 * variable's type, so `amount: "${amount}"` sends a number. A key or list item whose variables have
 * no value is left out, as an ISO field is.
 */

/** The rendered JSON; undefined when the template is a string whose variables have no value. */
export function renderBody(template: unknown, lookup: RestLookup): unknown {
  if (typeof template === 'string') return renderText(template, lookup);
  if (Array.isArray(template)) {
    const out: unknown[] = [];
    for (const item of template) {
      const v = renderBody(item, lookup);
      if (v !== undefined) out.push(v);
    }
    return out;
  }
  if (typeof template === 'object' && template !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(template)) {
      const v = renderBody(item, lookup);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  return template;
}

/** One text template: the lone variable's value as it is, else text (undefined if a part has none). */
export function renderText(template: string, lookup: RestLookup): RestValue | undefined {
  return renderParts(template, lookup, (variable, value, width) => {
    const text = String(value);
    if (width !== undefined && text.length > width)
      throw new Error(`\${${variable}:${width}} holds ${text.length} characters`);
    return width === undefined ? text : text.padStart(width, '0');
  });
}

/** Every template string in a body, with its JSON pointer below `at`. */
export function templateStrings(template: unknown, at = ''): Array<[string, string]> {
  if (typeof template === 'string') return [[at, template]];
  if (Array.isArray(template)) return template.flatMap((item, i) => templateStrings(item, `${at}/${i}`));
  if (typeof template === 'object' && template !== null)
    return Object.entries(template).flatMap(([k, v]) =>
      templateStrings(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`),
    );
  return [];
}

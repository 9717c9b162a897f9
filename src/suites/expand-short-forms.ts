import { EVERY_STEP } from './scenario-schema.js';

/**
 * Turns a scenario file's short forms into their objects before validation, so the schema the
 * loader checks has no `object | string` unions and ajv's first error is the one that matters:
 *
 *   - sign-on                  → { sign-on: null }
 *   card: visa-credit-chip     → { name: visa-credit-chip }
 *   stan: "000123"             → { equals: "000123" }          (any field matcher, also under not)
 *   sale: approved             → { status: approved }           (an outcome)
 *   outcomes: approved         → { "*": approved }               (every transaction step)
 *   count: 2                   → { min: 2, max: 2 }
 *
 * Anything of another type is left alone for the schema to report. Paths do not move, except that
 * an error under `/then/outcomes/*` belongs to `/then/outcomes` (the loader maps it back).
 */
export function expandShortForms(data: unknown): unknown {
  if (!isObject(data)) return data;
  const out = { ...data };
  if (isObject(out.given)) out.given = { ...out.given, card: card(out.given.card) };
  if (Array.isArray(out.when)) out.when = out.when.map(step);
  // biome-ignore lint/suspicious/noThenProperty: given/when/then is the format; the value is never a function
  if (isObject(out.then)) out.then = then(out.then);
  return prune(out);
}

function step(s: unknown): unknown {
  if (typeof s === 'string') return { [s]: null };
  if (!isObject(s)) return s;
  return prune({ ...s, card: card(s.card) });
}

function card(c: unknown): unknown {
  return typeof c === 'string' ? { name: c } : c;
}

function then(t: Record<string, unknown>): Record<string, unknown> {
  const out = { ...t };
  let outcomes = out.outcomes;
  if (typeof outcomes === 'string') outcomes = { [EVERY_STEP]: outcomes };
  if (isObject(outcomes)) out.outcomes = mapValues(outcomes, outcome);
  if (isObject(out.host)) {
    const host = { ...out.host };
    for (const list of ['sequence', 'contains', 'absent', 'counts']) {
      if (Array.isArray(host[list])) host[list] = (host[list] as unknown[]).map(expectation);
    }
    out.host = host;
  }
  return out;
}

function outcome(o: unknown): unknown {
  if (typeof o === 'string') return { status: o };
  if (!isObject(o)) return o;
  return prune({ ...o, responseCode: matcher(o.responseCode), detail: matcher(o.detail) });
}

function expectation(e: unknown): unknown {
  if (!isObject(e)) return e;
  const out: Record<string, unknown> = { ...e };
  if (isObject(out.fields)) out.fields = mapValues(out.fields, matcher);
  if (isObject(out.response) && isObject(out.response.fields)) {
    out.response = { ...out.response, fields: mapValues(out.response.fields, matcher) };
  }
  if (typeof out.count === 'number') out.count = { min: out.count, max: out.count };
  return out;
}

function matcher(m: unknown): unknown {
  if (typeof m === 'string' || typeof m === 'number') return { equals: m };
  if (isObject(m) && m.not !== undefined) return { ...m, not: matcher(m.not) };
  return m;
}

function mapValues(o: Record<string, unknown>, f: (v: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}

/** Drops keys the expansion set to undefined (absent stays absent). */
function prune<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

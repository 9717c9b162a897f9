import { readFileSync } from 'node:fs';
import type { Static, TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { type Document, isPair, isScalar, parseDocument, visit } from 'yaml';
import { AJV_CODE } from './ajv-code.js';
import { closestWord, didYouMean } from './closest-word.js';
import { DataFileError, type DataFileProblem } from './data-file-error.js';

// allErrors: every unknown and missing property of an object is told at once, not one per try;
// verbose: errors carry their schema, whose property names suggest what a typo meant.
const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, useDefaults: false, code: AJV_CODE });
const compiled = new WeakMap<TSchema, ValidateFunction>();

/** Reads a YAML (or JSON) data file and validates it against a schema the code owns. */
export function loadDataFile<S extends TSchema>(file: string, schema: S): Static<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DataFileError(file, '', `cannot read: ${(err as Error).message}`);
  }
  return parseDataText(file, text, schema);
}

export function parseDataText<S extends TSchema>(file: string, text: string, schema: S): Static<S> {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const where = e.linePos?.[0] ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '';
    throw new DataFileError(file, '', `invalid YAML${where}: ${e.message.split('\n')[0]}`);
  }
  const lossy = lossyKey(doc, text);
  if (lossy) throw new DataFileError(file, lossy.path, lossy.problem);
  const data: unknown = doc.toJS();
  validateData(file, data, schema);
  return data as Static<S>;
}

/**
 * A mapping key YAML reads as something other than the text written: `2026.10:` is the number
 * 2026.1 (and would silently replace a version "2026.1"), `0200:` the number 200. Keys become
 * strings, so such a key would name something else than the file says.
 */
function lossyKey(doc: Document, text: string): { path: string; problem: string } | undefined {
  let found: { path: string; problem: string } | undefined;
  visit(doc, {
    Pair(_key, pair, path) {
      const k = pair.key;
      if (!isScalar(k) || typeof k.value === 'string' || !k.range) return undefined;
      const written = text.slice(k.range[0], k.range[1]).trim();
      if (written === String(k.value)) return undefined;
      const at = [...path.filter(isPair).map((p) => String((p.key as { value?: unknown })?.value)), written];
      found = {
        path: `/${at.map((x) => x.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`,
        problem: `the key ${written} reads as ${typeof k.value} ${String(k.value)}: quote it ("${written}")`,
      };
      return visit.BREAK;
    },
  });
  return found;
}

export function validateData(file: string, data: unknown, schema: TSchema): void {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (!validate(data)) throw toDataFileError(file, validate.errors ?? []);
}

function toDataFileError(file: string, errors: ErrorObject[]): DataFileError {
  const problems = groupErrors(errors).map((group) => describeGroup(group));
  // One line per place: two groups can land on the same spot (a union inside a union).
  const seen = new Set<string>();
  const unique = problems.filter(
    (p) => !seen.has(`${p.path}\u0000${p.problem}`) && seen.add(`${p.path}\u0000${p.problem}`),
  );
  const [first, ...more] = unique;
  if (!first) return new DataFileError(file, '', 'does not match its schema');
  return new DataFileError(file, first.path, first.problem, more);
}

/**
 * The errors of one validation, one group per mistake: every error inside a union (anyOf/oneOf)
 * is one group with it — ajv reports each branch's complaints, and only one branch was meant —
 * and every other error is a group of its own, in the order ajv found them (document order).
 */
function groupErrors(errors: ErrorObject[]): ErrorObject[][] {
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const outermost = (e: ErrorObject) =>
    unions
      .filter(
        (u) =>
          u !== e && e.schemaPath.startsWith(`${u.schemaPath}/`) && e.instancePath.startsWith(u.instancePath),
      )
      .sort((a, b) => a.schemaPath.length - b.schemaPath.length)[0];
  const groups = new Map<ErrorObject | string, ErrorObject[]>();
  for (const e of errors) {
    const union = outermost(e) ?? (unions.includes(e) ? e : undefined);
    // Unknown and missing properties of one object read as one problem (propertyProblems).
    const key =
      union ??
      (e.keyword === 'additionalProperties' || e.keyword === 'required'
        ? `${e.instancePath}\u0000${schemaOf(e)}`
        : `${e.instancePath}\u0000${e.schemaPath}`);
    const group = groups.get(key);
    if (group) group.push(e);
    else groups.set(key, [e]);
  }
  return [...groups.values()];
}

/** One group's problem: its deepest error, the most specific (for a union, the branch meant). */
function describeGroup(errors: ErrorObject[]): DataFileProblem {
  const best = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length)[0]!;
  const where = best.instancePath || '/';
  if (best.keyword === 'additionalProperties' || best.keyword === 'required') {
    // Every unknown and missing property of that object (of the same schema, not another union
    // branch), a misspelling paired with what it meant.
    const object = schemaOf(best);
    const same = errors.filter((e) => e.instancePath === best.instancePath && schemaOf(e) === object);
    return { path: where, problem: propertyProblems(same, best).join('; ') };
  }
  const params = best.params as Record<string, unknown>;
  let problem = best.message ?? 'is invalid';
  if (best.keyword === 'const' || best.keyword === 'enum') {
    const allowed = errors
      .filter((e) => e.instancePath === best.instancePath && (e.keyword === 'const' || e.keyword === 'enum'))
      .flatMap((e) =>
        e.keyword === 'const' ? [e.params.allowedValue] : (e.params.allowedValues as unknown[]),
      );
    problem = `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
    // A misspelt word ("referense") says which one it meant, as an unknown property does.
    if (typeof best.data === 'string')
      problem += didYouMean(
        best.data,
        allowed.filter((v) => typeof v === 'string'),
      );
  } else if (params.missingProperty !== undefined) {
    problem = `missing property ${JSON.stringify(params.missingProperty)}`;
  } else if (best.keyword === 'type' && params.type === 'string' && typeof best.data === 'number') {
    // `mti: 0200` is the number 200 to YAML: the zeros are gone before we see it.
    problem = `must be a string: put the value in quotes (YAML read it as the number ${best.data}, leading zeros dropped)`;
  }
  return { path: where, problem };
}

/** The object schema an error is about: its schema path without the keyword. */
function schemaOf(e: ErrorObject): string {
  return e.schemaPath.slice(0, e.schemaPath.lastIndexOf('/'));
}

/** "unknown property "vendr" (did you mean "vendor"?)"; a missing property a typo explains is not told twice. */
function propertyProblems(errors: ErrorObject[], best: ErrorObject): string[] {
  const known = Object.keys((best.parentSchema as { properties?: object } | undefined)?.properties ?? {});
  const missing = errors.filter((e) => e.keyword === 'required').map((e) => String(e.params.missingProperty));
  const explained = new Set<string>();
  const unknown = errors
    .filter((e) => e.keyword === 'additionalProperties')
    .map((e) => {
      const extra = String(e.params.additionalProperty);
      const meant = closestWord(extra, missing) ?? closestWord(extra, known);
      if (meant) explained.add(meant);
      return `unknown property ${JSON.stringify(extra)}${meant ? ` (did you mean ${JSON.stringify(meant)}?)` : ''}`;
    });
  const absent = missing.filter((m) => !explained.has(m)).map((m) => `missing property ${JSON.stringify(m)}`);
  return [...unknown, ...absent];
}

import { readFileSync } from 'node:fs';
import type { Static, TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseDocument } from 'yaml';
import { closestWord } from './closest-word.js';
import { DataFileError } from './data-file-error.js';

// allErrors: every unknown and missing property of an object is told at once, not one per try;
// verbose: errors carry their schema, whose property names suggest what a typo meant.
const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, useDefaults: false });
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
  const data: unknown = doc.toJS();
  validateData(file, data, schema);
  return data as Static<S>;
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
  // Prefer the deepest error: for unions ajv reports every branch, the deepest is the most specific.
  const best = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  if (!best) return new DataFileError(file, '', 'does not match its schema');
  const where = best.instancePath || '/';
  if (best.keyword === 'additionalProperties' || best.keyword === 'required') {
    // Every unknown and missing property of that object (of the same schema, not another union
    // branch), a misspelling paired with what it meant.
    const object = schemaOf(best);
    const same = errors.filter((e) => e.instancePath === best.instancePath && schemaOf(e) === object);
    return new DataFileError(file, where, propertyProblems(same, best).join('; '));
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
  } else if (params.missingProperty !== undefined) {
    problem = `missing property ${JSON.stringify(params.missingProperty)}`;
  }
  return new DataFileError(file, where, problem);
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

import { readFileSync } from 'node:fs';
import type { Static, TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseDocument } from 'yaml';
import { DataFileError } from './data-file-error.js';

const ajv = new Ajv({ allErrors: false, strict: false, useDefaults: false });
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
  const params = best.params as Record<string, unknown>;
  let problem = best.message ?? 'is invalid';
  if (best.keyword === 'additionalProperties')
    problem = `unknown property ${JSON.stringify(params.additionalProperty)}`;
  if (best.keyword === 'required') problem = `missing property ${JSON.stringify(params.missingProperty)}`;
  if (best.keyword === 'const' || best.keyword === 'enum') {
    const allowed = errors
      .filter((e) => e.instancePath === best.instancePath && (e.keyword === 'const' || e.keyword === 'enum'))
      .flatMap((e) =>
        e.keyword === 'const' ? [e.params.allowedValue] : (e.params.allowedValues as unknown[]),
      );
    problem = `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return new DataFileError(file, best.instancePath || '/', problem);
}

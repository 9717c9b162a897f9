import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { AJV_CODE } from '../../data/ajv-code.js';
import type { Violation } from '../../mocks/exchange.js';

/**
 * Request and response validation against one OpenAPI 3.1 document. OpenAPI 3.1 schemas are JSON
 * Schema 2020-12, so ajv's 2020 draft validates them as written; the whole document is added once
 * under its own id, so `#/components/schemas/…` references resolve as in the document itself and
 * shared components are compiled once. Validators are compiled on first use and kept.
 */

/** Where a parameter travels; body values are addressed by JSON pointer instead. */
export type ParameterLocation = 'path' | 'query' | 'header';

export interface ParameterSpec {
  name: string;
  in: ParameterLocation;
  required: boolean;
  /** JSON pointer of its schema inside the document, or undefined when it has none. */
  schemaPointer?: string;
}

const MAX_VIOLATIONS = 20;

function createAjv(coerceTypes: boolean): Ajv2020 {
  // strict off: OpenAPI adds annotation keywords (example, discriminator, xml) a vendor spec may use.
  const ajv = new Ajv2020({
    strict: false,
    allErrors: true,
    validateSchema: false,
    coerceTypes,
    code: AJV_CODE,
  });
  addFormats.default(ajv);
  return ajv;
}

export class DocumentValidators {
  readonly #id: string;
  readonly #document: unknown;
  #ajv: Ajv2020 | undefined;
  #coercing: Ajv2020 | undefined;
  readonly #cache = new Map<string, ValidateFunction>();

  constructor(id: string, document: unknown) {
    this.#id = id;
    this.#document = document;
  }

  /** Compiles the schema at `pointer` (e.g. `/paths/~1payments/post/requestBody/content/…/schema`). */
  schema(pointer: string): ValidateFunction {
    let v = this.#cache.get(pointer);
    if (!v) {
      v = this.#strict().compile({ $ref: `${this.#id}#${encodeURI(pointer)}` });
      this.#cache.set(pointer, v);
    }
    return v;
  }

  /**
   * One validator for a location's parameters: values arrive as strings, so types are coerced
   * (`?limit=10` is an integer) and header names are matched case-insensitively by the caller.
   */
  parameters(key: string, params: readonly ParameterSpec[]): ValidateFunction {
    let v = this.#cache.get(key);
    if (!v) {
      const properties: Record<string, unknown> = {};
      for (const p of params) {
        properties[p.name] = p.schemaPointer ? { $ref: `${this.#id}#${encodeURI(p.schemaPointer)}` } : {};
      }
      const required = params.filter((p) => p.required).map((p) => p.name);
      v = this.#coerce().compile({ type: 'object', properties, required });
      this.#cache.set(key, v);
    }
    return v;
  }

  #strict(): Ajv2020 {
    if (!this.#ajv) {
      this.#ajv = createAjv(false);
      this.#ajv.addSchema(this.#document as object, this.#id);
    }
    return this.#ajv;
  }

  #coerce(): Ajv2020 {
    if (!this.#coercing) {
      this.#coercing = createAjv(true);
      this.#coercing.addSchema(this.#document as object, this.#id);
    }
    return this.#coercing;
  }
}

/**
 * ajv errors as journal violations: `path` is a JSON pointer into the body (`/amount/value`), or
 * `header Idempotency-Key` / `query limit` / `path id` for parameters; `rule` is the JSON Schema
 * keyword that failed (required, type, enum, additionalProperties, format …).
 */
export function toViolations(
  errors: readonly ErrorObject[] | null | undefined,
  where: 'body' | ParameterLocation,
): Violation[] {
  const out: Violation[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    // Branch noise of oneOf/anyOf: the failing branches already say what is wrong.
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf' || e.keyword === 'if') continue;
    const params = e.params as Record<string, unknown>;
    let pointer = e.instancePath;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      pointer += `/${escapeToken(String(params.missingProperty))}`;
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      pointer += `/${escapeToken(String(params.additionalProperty))}`;
      message = 'is not allowed (unknown field)';
    } else if (e.keyword === 'enum') {
      message = `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'const') {
      message = `must be ${JSON.stringify(params.allowedValue)}`;
    }
    const path = where === 'body' ? pointer : `${where} ${unescapeToken(pointer.split('/')[1] ?? '')}`;
    const key = `${path}\u0000${e.keyword}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, rule: e.keyword, message: `${describePath(path)} ${message}` });
    if (out.length >= MAX_VIOLATIONS) break;
  }
  return out;
}

/** `/payment_method/card/number` → `payment_method.card.number`; parameters keep their name. */
export function paramName(path: string): string {
  if (!path.startsWith('/')) return path.replace(/^(header|query|path) /, '');
  return path
    .slice(1)
    .split('/')
    .map((s) => unescapeToken(s))
    .join('.');
}

function describePath(path: string): string {
  if (path === '') return 'the body';
  return path.startsWith('/') ? paramName(path) : path;
}

function escapeToken(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapeToken(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

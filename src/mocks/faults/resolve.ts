import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { AJV_CODE } from '../../data/ajv-code.js';
import { didYouMean } from '../../data/closest-word.js';
import { FaultSpecError, type FaultSpecErrorCode, joinPath } from './errors.js';
import { type AnyFaultDefinition, getFault, isConnectionFault, listFaults } from './registry.js';
import {
  FAULT_ID_PATTERN,
  FaultScopeSchema,
  type FaultScopeSpec,
  type FaultTransport,
  HTTP_SCOPE_KEYS,
  ISO_SCOPE_KEYS,
  type ResolvedFaultSpec,
} from './types.js';

// useDefaults fills each fault's parameter defaults in; verbose gives the schema and value at the
// failing spot, so messages can list the allowed keys and show what was found.
const ajv = new Ajv({ strict: false, useDefaults: true, verbose: true, allErrors: false, code: AJV_CODE });
const compiled = new WeakMap<TSchema, ValidateFunction>();

function validator(schema: TSchema): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

const SPEC_KEYS = ['fault', 'params', 'scope', 'id'];

export interface ResolveOptions {
  /** The implementation the caller will run; a fault without it is refused. Default 'iso'. */
  transport?: FaultTransport;
}

export interface ResolvedFault extends ResolvedFaultSpec {
  definition: AnyFaultDefinition;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates one spec (a scenario entry, a start-up entry, an admin API body) and returns it with
 * the defaults of its params applied. Throws FaultSpecError naming `path` and the spot inside it.
 * The id defaults to the fault name; resolveFaultSpecs() makes ids unique across a list.
 */
export function resolveFaultSpec(spec: unknown, path = 'fault', options: ResolveOptions = {}): ResolvedFault {
  const transport = options.transport ?? 'iso';
  if (!isObject(spec))
    throw new FaultSpecError('invalid-spec', path, `must be an object like { fault: 'latency' }`);
  for (const key of Object.keys(spec)) {
    if (!SPEC_KEYS.includes(key)) {
      throw new FaultSpecError(
        'invalid-spec',
        joinPath(path, `/${key}`),
        `unknown key${didYouMean(key, SPEC_KEYS)} (known: ${SPEC_KEYS.join(', ')})`,
      );
    }
  }
  const name = spec.fault;
  if (typeof name !== 'string' || name === '') {
    throw new FaultSpecError(
      'invalid-spec',
      `${path}.fault`,
      `must be a fault name (known: ${listed(namesOf(transport))})`,
    );
  }
  const definition = getFault(name);
  if (!definition) throw new FaultSpecError('unknown-fault', `${path}.fault`, unknownFault(name, transport));
  if (!definition[transport]) {
    throw new FaultSpecError(
      'unsupported-transport',
      `${path}.fault`,
      `"${name}" has no ${transport} implementation`,
    );
  }

  const id = spec.id ?? name;
  if (typeof id !== 'string' || !new RegExp(FAULT_ID_PATTERN).test(id)) {
    throw new FaultSpecError('invalid-spec', `${path}.id`, `must match ${FAULT_ID_PATTERN}, got ${show(id)}`);
  }

  const rawParams = spec.params ?? {};
  if (!isObject(rawParams)) throw new FaultSpecError('invalid-params', `${path}.params`, 'must be an object');
  const params = structuredClone(rawParams);
  check('invalid-params', `${path}.params`, definition.params, params, 'parameter');

  const rawScope = spec.scope ?? {};
  if (!isObject(rawScope)) throw new FaultSpecError('invalid-scope', `${path}.scope`, 'must be an object');
  const scope = structuredClone(rawScope) as FaultScopeSpec;
  check('invalid-scope', `${path}.scope`, FaultScopeSchema, scope, 'scope key');
  if (scope.nth && scope.firstN !== undefined) {
    throw new FaultSpecError('invalid-scope', `${path}.scope`, 'use nth or firstN, not both');
  }
  // A key the transport never offers would silently match nothing: say so instead.
  const foreign = transport === 'iso' ? HTTP_SCOPE_KEYS : ISO_SCOPE_KEYS;
  for (const key of foreign) {
    if (scope[key] !== undefined) {
      const owner = transport === 'iso' ? 'REST gateways (http)' : 'ISO 8583 hosts';
      throw new FaultSpecError('invalid-scope', `${path}.scope.${key}`, `applies to ${owner} only`);
    }
  }
  if (isConnectionFault(definition)) {
    for (const key of [...ISO_SCOPE_KEYS, ...HTTP_SCOPE_KEYS]) {
      if (scope[key] !== undefined) {
        throw new FaultSpecError(
          'invalid-scope',
          `${path}.scope.${key}`,
          `"${name}" acts on connections, before any message: only nth, firstN and probability apply`,
        );
      }
    }
  }

  const problem = definition.check?.(params, scope);
  if (problem) {
    const code = problem.path.startsWith('scope') ? 'invalid-scope' : 'invalid-params';
    throw new FaultSpecError(code, `${path}.${problem.path}`, problem.problem);
  }
  return { id, fault: name, params, scope, definition };
}

/** Validates a list (`faults:` in a scenario or host start-up file) and gives every fault a unique id. */
export function resolveFaultSpecs(
  specs: unknown,
  root = 'faults',
  options: ResolveOptions = {},
): ResolvedFault[] {
  if (specs === undefined) return [];
  if (!Array.isArray(specs)) throw new FaultSpecError('invalid-spec', root, 'must be a list of faults');
  const taken = new Set<string>();
  return specs.map((spec, i) => {
    const path = `${root}[${i}]`;
    const resolved = resolveFaultSpec(spec, path, options);
    const explicit = isObject(spec) && spec.id !== undefined;
    if (explicit && taken.has(resolved.id)) {
      throw new FaultSpecError(
        'duplicate-id',
        `${path}.id`,
        `"${resolved.id}" is already used by another fault`,
      );
    }
    if (!explicit) resolved.id = assignFaultId(resolved.fault, taken);
    taken.add(resolved.id);
    return resolved;
  });
}

/**
 * The default id: the fault name, then `name#2`, `name#3`… Derived from the name, not the list
 * position, so inserting a different fault never renames (and so never reseeds) this one.
 */
export function assignFaultId(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  for (let n = 2; ; n++) if (!taken.has(`${name}#${n}`)) return `${name}#${n}`;
}

function check(code: FaultSpecErrorCode, path: string, schema: TSchema, data: unknown, noun: string): void {
  const validate = validator(schema);
  if (validate(data)) return;
  const e = validate.errors?.[0];
  if (!e) throw new FaultSpecError(code, path, 'is invalid');
  const where = joinPath(path, e.instancePath);
  throw describe(code, where, e, noun);
}

function describe(code: FaultSpecErrorCode, where: string, e: ErrorObject, noun: string): FaultSpecError {
  const params = e.params as Record<string, unknown>;
  const parent = e.parentSchema as { properties?: Record<string, unknown> } | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const known = Object.keys(parent?.properties ?? {});
      const list = known.length > 0 ? `known: ${known.join(', ')}` : 'this fault takes none';
      return new FaultSpecError(
        code,
        joinPath(where, `/${extra}`),
        `unknown ${noun}${didYouMean(extra, known)}; ${list}`,
      );
    }
    case 'required':
      return new FaultSpecError(code, joinPath(where, `/${String(params.missingProperty)}`), 'is required');
    case 'enum': {
      const allowed = params.allowedValues as unknown[];
      const words = allowed.filter((v): v is string => typeof v === 'string');
      const hint = typeof e.data === 'string' ? didYouMean(e.data, words) : '';
      return new FaultSpecError(
        code,
        where,
        `must be one of ${allowed.map(show).join(', ')}, got ${show(e.data)}${hint}`,
      );
    }
    default:
      return new FaultSpecError(code, where, `${e.message ?? 'is invalid'}, got ${show(e.data)}`);
  }
}

function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}

function unknownFault(name: string, transport: FaultTransport): string {
  const names = namesOf(transport);
  return `unknown fault "${name}"${didYouMean(name, names)}; known: ${listed(names)}`;
}

/** The faults this transport has (an ISO host's list names no HTTP-only fault). */
function namesOf(transport: FaultTransport): string[] {
  return listFaults()
    .filter((f) => f[transport])
    .map((f) => f.name);
}

function listed(names: readonly string[]): string {
  return names.length > 0 ? names.join(', ') : 'none registered; import src/mocks/faults/index.js';
}

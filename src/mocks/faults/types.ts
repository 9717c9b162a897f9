import { type Static, Type as T, type TObject } from '@sinclair/typebox';
import type { HttpFault } from './http/types.js';
import type { IsoFault } from './iso-types.js';

/**
 * Faults as data: how a fault appears in a scenario, a host's start-up YAML or the admin API's
 * JSON. Written once with TypeBox so the TypeScript type and the JSON Schema cannot drift apart.
 * The params are only checked as "an object" here; each fault's own schema checks them when the
 * spec is resolved (resolveFaultSpec), so a loader can embed FaultSpecSchema without knowing every
 * fault.
 */

export const FaultScopeSchema = T.Object(
  {
    mti: T.Optional(
      T.Array(T.String({ pattern: '^[0-9xX]{4}$' }), {
        minItems: 1,
        description: "MTIs the fault applies to; 'x' matches any digit ('02xx' = every financial message)",
      }),
    ),
    processingCode: T.Optional(
      T.Array(T.String({ pattern: '^[0-9]{1,6}$' }), {
        minItems: 1,
        description: "prefixes of DE3 ('00' = purchases, '20' = refunds, '000000' = exactly that code)",
      }),
    ),
    operation: T.Optional(
      T.Array(T.String({ minLength: 1 }), {
        minItems: 1,
        description: 'REST: operationIds or lifecycle actions (authorize, capture, cancel, refund, retrieve)',
      }),
    ),
    method: T.Optional(
      T.Array(T.String({ pattern: '^[A-Za-z]+$' }), { minItems: 1, description: 'REST: HTTP methods' }),
    ),
    path: T.Optional(
      T.Array(T.String({ pattern: '^/' }), {
        minItems: 1,
        description: "REST: request paths; '*' matches any run of characters ('/v1/payment_intents/*')",
      }),
    ),
    nth: T.Optional(
      T.Array(T.Integer({ minimum: 1 }), {
        minItems: 1,
        description: 'occurrences (1-based) among the messages that match the filters',
      }),
    ),
    firstN: T.Optional(T.Integer({ minimum: 1, description: 'only the first N matching occurrences' })),
    probability: T.Optional(
      T.Number({ minimum: 0, maximum: 1, description: 'chance that a selected occurrence fires (seeded)' }),
    ),
  },
  { additionalProperties: false },
);
export type FaultScopeSpec = Static<typeof FaultScopeSchema>;

export const FAULT_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:#-]{0,63}$';

export const FaultSpecSchema = T.Object(
  {
    fault: T.String({ minLength: 1, description: 'registered fault name, e.g. latency' }),
    params: T.Optional(T.Record(T.String(), T.Unknown(), { description: "the fault's parameters" })),
    scope: T.Optional(FaultScopeSchema),
    id: T.Optional(
      T.String({
        pattern: FAULT_ID_PATTERN,
        description: 'names this fault for removal and in the journal; also seeds its random stream',
      }),
    ),
  },
  { additionalProperties: false },
);
export type FaultSpec = Static<typeof FaultSpecSchema>;

/** A spec after validation: id assigned, params complete with defaults, scope checked. */
export interface ResolvedFaultSpec {
  id: string;
  fault: string;
  params: Record<string, unknown>;
  scope: FaultScopeSpec;
}

/** The scope keys that only mean something to one transport. */
export const ISO_SCOPE_KEYS = ['mti', 'processingCode'] as const;
export const HTTP_SCOPE_KEYS = ['operation', 'method', 'path'] as const;

/** What a message offers to scope matching: ISO keys for a TCP host, REST keys for a gateway. */
export interface FaultTarget {
  mti?: string;
  processingCode?: string;
  /** REST: the operationId. */
  operation?: string;
  /** REST: the lifecycle action the operation is bound to. */
  action?: string;
  /** REST: upper case. */
  method?: string;
  /** REST: the request path without the query. */
  path?: string;
}

/** One fault that fired: the journal stores the id (Exchange.faults). */
export interface FiredFault {
  id: string;
  fault: string;
  /** Which matching occurrence it fired on (1-based; connections for connection-level faults). */
  occurrence: number;
}

/** A problem a fault's own cross-field check finds; `path` is relative to the spec (`params.mode`, `scope`). */
export interface FaultCheckProblem {
  path: string;
  problem: string;
}

/**
 * One named disturbance: a parameter schema (TypeBox, with defaults) and one implementation per
 * transport. Direction, scope and probability are not its business: the fault set decides whether
 * it fires and the transport's pipeline decides when its hooks run.
 */
export interface FaultDefinition<S extends TObject = TObject> {
  /** kebab-case, unique in the registry. */
  name: string;
  /** One or two sentences for `paymatrix faults`, the admin API and docs. */
  description: string;
  /** An object schema; every property should have a default or be optional, so `{ fault }` alone works. */
  params: S;
  /** Optional cross-field rules the schema cannot express (e.g. a mode that forbids a scope). */
  check?(params: Static<S>, scope: FaultScopeSpec): FaultCheckProblem | undefined;
  /** ISO 8583 over TCP (mock acquirer hosts). */
  iso?: IsoFault<Static<S>>;
  /** HTTP (mock REST gateways). */
  http?: HttpFault<Static<S>>;
}

/** Identity helper that infers the params type from the schema for the hooks. */
export function defineFault<S extends TObject>(def: FaultDefinition<S>): FaultDefinition<S> {
  return def;
}

/** The implementation a fault set runs: the key of that implementation in FaultDefinition. */
export type FaultTransport = 'iso' | 'http';

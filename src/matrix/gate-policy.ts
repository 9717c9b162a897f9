import { type Static, Type as T, type TSchema } from '@sinclair/typebox';
import { DataFileError } from '../data/data-file-error.js';
import { loadDataFile, validateData } from '../data/load-data-file.js';
import { Literals } from '../data/schema-helpers.js';
import { CELL_STATUSES } from './cell.js';

export const GATE_FILE = 'gate.yaml';

const Closed = { additionalProperties: false } as const;
const Names = T.Array(T.String({ minLength: 1 }), { minItems: 1 });

/** Which cells a rule looks at. Globs are picomatch globs (`meridian-*`, `harbor-bank@2025.*`). */
const Selection = {
  name: T.Optional(T.String({ minLength: 1, description: 'what people call this rule (default: its kind)' })),
  builds: T.Optional(
    T.Union([Literals(['fleet', 'all']), Names], {
      description: '`fleet` (builds in fleet.yaml), `all` (default), or build ids / globs',
    }),
  ),
  hosts: T.Optional(
    T.Union([Literals(['targets', 'all']), Names], {
      description: '`targets` (default: the policy targets), `all`, or host@version / host / globs',
    }),
  ),
  tags: T.Optional(
    T.Array(T.String({ minLength: 1 }), { minItems: 1, description: 'scenarios with any of these tags' }),
  ),
  suites: T.Optional(Names),
};

export const CompleteRuleSchema = T.Object(
  { rule: T.Literal('complete'), name: Selection.name },
  { ...Closed, description: 'every planned cell has a result (no shard missing, no run cut short)' },
);

export const MustPassRuleSchema = T.Object(
  {
    rule: T.Literal('must-pass'),
    ...Selection,
    allowFlaky: T.Optional(T.Boolean({ description: 'a flaky cell counts as passed (default true)' })),
  },
  { ...Closed, description: 'every selected build passes every selected scenario (n/a is fine)' },
);

export const NoRegressionsRuleSchema = T.Object(
  {
    rule: T.Literal('no-regressions'),
    ...Selection,
    requireBaseline: T.Optional(
      T.Boolean({ description: 'no baseline is a no-go (default: the rule is skipped)' }),
    ),
    ignoreFlaky: T.Optional(T.Boolean({ description: 'pass → flaky is not a regression (default true)' })),
  },
  { ...Closed, description: 'no selected cell is worse than in the baseline run' },
);

export const MaxTerminalsAffectedRuleSchema = T.Object(
  {
    rule: T.Literal('max-terminals-affected'),
    ...Selection,
    percent: T.Optional(
      T.Number({ minimum: 0, maximum: 100, description: 'of the fleet, per host version' }),
    ),
    terminals: T.Optional(T.Integer({ minimum: 0, description: 'terminals, per host version' })),
    statuses: T.Optional(
      T.Array(Literals(CELL_STATUSES), {
        minItems: 1,
        description: 'what breaks a build (default fail, error)',
      }),
    ),
  },
  { ...Closed, description: 'per host version, at most this share of the fleet runs a build it breaks' },
);

export const NoErrorsRuleSchema = T.Object(
  { rule: T.Literal('no-errors'), ...Selection },
  { ...Closed, description: 'no selected cell is an error (timeout, harness): every answer is known' },
);

export const GateRuleSchema = T.Union([
  CompleteRuleSchema,
  MustPassRuleSchema,
  NoRegressionsRuleSchema,
  MaxTerminalsAffectedRuleSchema,
  NoErrorsRuleSchema,
]);
export type GateRule = Static<typeof GateRuleSchema>;
export type GateRuleKind = GateRule['rule'];

const RULE_SCHEMAS: Record<GateRuleKind, TSchema> = {
  complete: CompleteRuleSchema,
  'must-pass': MustPassRuleSchema,
  'no-regressions': NoRegressionsRuleSchema,
  'max-terminals-affected': MaxTerminalsAffectedRuleSchema,
  'no-errors': NoErrorsRuleSchema,
};
export const GATE_RULE_KINDS = Object.keys(RULE_SCHEMAS) as GateRuleKind[];

export const GatePolicySchema = T.Object(
  {
    title: T.Optional(T.String({ minLength: 1 })),
    fleet: T.Optional(T.String({ minLength: 1, description: 'fleet.yaml, relative to this file' })),
    targets: T.Optional(
      T.Array(T.String({ minLength: 1 }), {
        minItems: 1,
        description:
          'the host versions the rollout is about (host@version, host, globs); default every one in the run',
      }),
    ),
    rules: T.Array(GateRuleSchema, { minItems: 1 }),
  },
  Closed,
);
export type GatePolicy = Static<typeof GatePolicySchema>;

// First pass: the envelope, with each rule only checked for a known `rule:` (so an unknown key in a
// rule is reported against that rule's own schema, not as "must be one of" from the other kinds).
const EnvelopeSchema = T.Object(
  {
    ...GatePolicySchema.properties,
    rules: T.Array(T.Object({ rule: Literals(GATE_RULE_KINDS) }), { minItems: 1 }),
  },
  Closed,
);

/** Checks policy data read from `file`; errors name the file, the JSON path and the problem. */
export function validateGatePolicy(file: string, data: unknown): GatePolicy {
  // Every problem at once, one line each: a bad policy is fixed in one round, not one per try.
  const all = gatePolicyProblems(file, data).flatMap((e) => e.problems);
  const [first, ...more] = all;
  if (first) throw new DataFileError(file, first.path, first.problem, more);
  return data as GatePolicy;
}

/** Every problem of policy data: the envelope's, and one per bad rule (`paymatrix validate` lists them all). */
export function gatePolicyProblems(file: string, data: unknown): DataFileError[] {
  const problems: DataFileError[] = [];
  try {
    validateData(file, data, EnvelopeSchema);
  } catch (err) {
    if (!(err instanceof DataFileError)) throw err;
    problems.push(err);
  }
  // Each rule of a known kind is checked even when another is not (a misspelt kind, say).
  const rules = (data as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) return problems;
  rules.forEach((rule: { rule?: unknown; percent?: unknown; terminals?: unknown }, i) => {
    const kind = rule?.rule;
    if (typeof kind !== 'string' || !(GATE_RULE_KINDS as readonly string[]).includes(kind)) return;
    try {
      validateData(file, rule, RULE_SCHEMAS[kind as GateRuleKind]);
    } catch (err) {
      if (!(err instanceof DataFileError)) throw err;
      problems.push(new DataFileError(file, `/rules/${i}${err.path === '/' ? '' : err.path}`, err.problem));
      return;
    }
    if (kind === 'max-terminals-affected' && rule.percent === undefined && rule.terminals === undefined)
      problems.push(new DataFileError(file, `/rules/${i}`, 'needs percent, terminals or both'));
  });
  return problems;
}

export function loadGatePolicy(file: string): GatePolicy {
  // Parsed with the envelope only; the rules are checked one by one for readable errors.
  return validateGatePolicy(file, loadDataFile(file, T.Unknown()));
}

/** Without a policy file: the run is complete, critical scenarios pass everywhere, nothing regressed. */
export const DEFAULT_POLICY: GatePolicy = {
  title: 'default policy',
  rules: [{ rule: 'complete' }, { rule: 'must-pass', tags: ['critical'] }, { rule: 'no-regressions' }],
};

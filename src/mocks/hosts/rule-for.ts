import { getField, type IsoMessage } from '../../protocols/iso8583/index.js';
import type {
  Condition,
  Conditional,
  HostVersionSpec,
  MessageKind,
  MessageRule,
  ResponseCodeTable,
  Variant,
} from './host-schema.js';

/**
 * Which rule of a host version applies to one request: the message's rule, its most specific
 * matching variant (by processing code and field conditions), and the conditional requirements
 * whose conditions hold. Everything that does not depend on the message is built once.
 */

/** The rule that applies to one request, message-level and variant-level entries combined. */
export interface EffectiveRule {
  mti: string;
  responseMti: string;
  /** The variant that matched, if any. */
  variant?: string;
  kind: MessageKind;
  name?: string;
  mandatory: string[];
  forbidden: string[];
  /** Conditional requirements whose `when` matched this message. */
  conditional: Conditional[];
  /** The form each field's value must have when present (the variant's over the message's). */
  formats: FieldFormat[];
  echo: string[];
  returns: string[];
  original?: 'required' | 'optional';
  /** This message's path → the original's path (or `mti`). */
  originalMatch?: Record<string, string>;
  macRequired: boolean;
  /** The version's table with this message's overrides applied. */
  responseCodes: ResponseCodeTable;
}

export interface FieldFormat {
  path: string;
  pattern: string;
  re: RegExp;
  note?: string;
}

/** Most conditions first, then the longest prefixes; ties keep file order. */
export function sortBySpecificity(entries: [string, Variant][]): [string, Variant][] {
  const weight = (v: Variant): [number, number] => {
    const when: Condition = { ...(v.processingCode && { 3: v.processingCode }), ...v.when };
    const lengths = Object.values(when).map((w) =>
      typeof w === 'object' && !Array.isArray(w) ? 1 : Math.min(...[w].flat().map((x) => x.length)),
    );
    return [lengths.length, lengths.reduce((a, b) => a + b, 0)];
  };
  return entries
    .map((e, i) => ({ e, i, w: weight(e[1]) }))
    .sort((a, b) => b.w[0] - a.w[0] || b.w[1] - a.w[1] || a.i - b.i)
    .map((x) => x.e);
}

/** Each variant's processing code and `when` as one condition, built once (ruleFor runs per message). */
const variantConditions = new WeakMap<Variant, Condition>();
export function variantCondition(v: Variant): Condition {
  let c = variantConditions.get(v);
  if (!c) {
    c = { ...(v.processingCode !== undefined && { 3: v.processingCode }), ...v.when };
    variantConditions.set(v, c);
  }
  return c;
}

/** The message-independent part of a rule, per MTI and variant: built once per version. */
type BaseRule = Omit<EffectiveRule, 'conditional'> & {
  allConditional: Conditional[];
  /** The effective rule per set of conditionals that hold (a bit mask), shared between messages. */
  bySubset: Map<number, EffectiveRule>;
};

/** A variant with its condition compiled, and its base rule once a message has matched it. */
interface VariantEntry {
  name: string;
  variant: Variant;
  tests: FieldTest[];
  /** null: the variant has no kind, and neither has its message. */
  base?: BaseRule | null;
}

/** One MTI of a version: its rule, its variants most specific first, and its base rule without one. */
interface MtiRules {
  rule: MessageRule;
  variants: VariantEntry[];
  base?: BaseRule | null;
}

/** Per MTI the version knows, built on first sight (unknown MTIs are not kept: any bytes may be one). */
type RuleTable = Map<string, MtiRules>;

// Per version, for ruleFor's callers; ruleLookup keeps its own table.
const tables = new WeakMap<HostVersionSpec, RuleTable>();

/**
 * The rule for one request. `variants` are the MTI's variants, most specific first
 * (sortBySpecificity); they are read once per version and MTI.
 */
export function ruleFor(
  spec: HostVersionSpec,
  message: IsoMessage,
  variants: [string, Variant][],
): EffectiveRule | undefined {
  let table = tables.get(spec);
  if (!table) {
    table = new Map();
    tables.set(spec, table);
  }
  return lookup(spec, table, message, () => variants);
}

/**
 * A version's rule lookup (HostVersion.ruleFor), with its own table: per request one map lookup by
 * MTI, the variants' compiled tests, and the conditionals' mask. Everything else is built once.
 */
export function ruleLookup(
  spec: HostVersionSpec,
  variantsOf: (mti: string) => [string, Variant][],
): (message: IsoMessage) => EffectiveRule | undefined {
  const table: RuleTable = new Map();
  return (message) => lookup(spec, table, message, variantsOf);
}

function lookup(
  spec: HostVersionSpec,
  table: RuleTable,
  message: IsoMessage,
  variantsOf: (mti: string) => [string, Variant][],
): EffectiveRule | undefined {
  const mti = message.mti;
  let rules = table.get(mti);
  if (rules === undefined) {
    const rule = spec.messages[mti];
    if (!rule) return undefined;
    rules = {
      rule,
      variants: variantsOf(mti).map(([name, variant]) => ({
        name,
        variant,
        tests: compile(variantCondition(variant)),
      })),
    };
    table.set(mti, rules);
  }
  let hit: VariantEntry | undefined;
  const variants = rules.variants;
  for (let i = 0; i < variants.length; i++) {
    if (testsHold(variants[i]!.tests, message)) {
      hit = variants[i];
      break;
    }
  }
  const holder: { base?: BaseRule | null } = hit ?? rules;
  let base = holder.base;
  if (base === undefined) {
    base = baseRule(spec, mti, rules.rule, hit) ?? null;
    holder.base = base;
  }
  if (!base) return undefined;
  let mask = 0;
  const all = base.allConditional;
  for (let i = 0; i < all.length; i++) if (conditionHolds(all[i]!.when, message)) mask |= 1 << i;
  let effective = base.bySubset.get(mask);
  if (!effective) {
    const { allConditional, bySubset: _, ...fixed } = base;
    effective = { ...fixed, conditional: allConditional.filter((_c, i) => mask & (1 << i)) };
    base.bySubset.set(mask, effective);
  }
  return effective;
}

/** The rule for an MTI and the variant that matched, before its conditionals; undefined without a kind. */
function baseRule(
  spec: HostVersionSpec,
  mti: string,
  rule: MessageRule,
  hit: VariantEntry | undefined,
): BaseRule | undefined {
  const variant = hit?.variant;
  const kind = variant?.kind ?? rule.kind;
  if (!kind) return undefined;
  const both = (k: 'mandatory' | 'forbidden' | 'echo' | 'returns') => [
    ...new Set([...(rule[k] ?? []), ...(variant?.[k] ?? [])]),
  ];
  const original = variant?.original ?? rule.original;
  const originalMatch = variant?.originalMatch ?? rule.originalMatch ?? spec.originalData?.match;
  const name = variant?.name ?? rule.name;
  return {
    mti,
    responseMti: rule.responseMti ?? responseMtiOf(mti),
    ...(hit && { variant: hit.name }),
    kind,
    ...(name && { name }),
    mandatory: both('mandatory'),
    forbidden: both('forbidden'),
    formats: Object.entries({ ...rule.formats, ...variant?.formats }).map(([path, f]) => ({
      path,
      pattern: f.pattern,
      re: new RegExp(f.pattern),
      ...(f.note !== undefined && { note: f.note }),
    })),
    allConditional: [...(rule.conditional ?? []), ...(variant?.conditional ?? [])].slice(0, 31),
    bySubset: new Map(),
    echo: both('echo'),
    returns: both('returns'),
    ...(original && { original }),
    ...(original && originalMatch && { originalMatch }),
    macRequired: spec.mac?.required.includes(mti) ?? false,
    responseCodes: { ...spec.responseCodes, ...rule.responseCodes, ...variant?.responseCodes },
  };
}

/** A condition as a list of tests, compiled once: conditions are checked for every message. */
type FieldTest = { path: string; prefixes?: string[]; re?: RegExp };
const compiledConditions = new WeakMap<Condition, FieldTest[]>();

function compile(condition: Condition): FieldTest[] {
  let tests = compiledConditions.get(condition);
  if (!tests) {
    tests = Object.entries(condition).map(([path, want]) =>
      typeof want === 'object' && !Array.isArray(want)
        ? { path, re: new RegExp(want.pattern) }
        : { path, prefixes: [want].flat() },
    );
    compiledConditions.set(condition, tests);
  }
  return tests;
}

/** Every entry's field is present and starts with (one of) its prefix(es), or matches its pattern. */
export function conditionHolds(condition: Condition, message: IsoMessage): boolean {
  return testsHold(compile(condition), message);
}

function testsHold(tests: FieldTest[], message: IsoMessage): boolean {
  // Plain loops: this runs for every variant of every request, and a callback per test allocates.
  for (let i = 0; i < tests.length; i++) {
    const test = tests[i]!;
    const value = getField(message, test.path);
    if (typeof value !== 'string') return false;
    if (test.re ? !test.re.test(value) : !startsWithAny(value, test.prefixes!)) return false;
  }
  return true;
}

function startsWithAny(value: string, prefixes: readonly string[]): boolean {
  for (let i = 0; i < prefixes.length; i++) if (value.startsWith(prefixes[i]!)) return true;
  return false;
}

/** Request → response: function digit + 1, the origin's "repeat" bit cleared (0401 → 0410, 1804 → 1814). */
export function responseMtiOf(mti: string): string {
  return `${mti.slice(0, 2)}${Number(mti[2]) + 1}${Number(mti[3]) & ~1}`;
}

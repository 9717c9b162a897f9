import { getField, type IsoMessage } from '../../protocols/iso8583/index.js';
import type {
  Condition,
  Conditional,
  HostVersionSpec,
  MessageKind,
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
// Per version: MTI → variant that matched (undefined: none) → base rule. Keyed by objects, not by
// a string built per message (this runs for every request).
const baseRules = new WeakMap<HostVersionSpec, Map<string, Map<Variant | undefined, BaseRule>>>();

export function ruleFor(
  spec: HostVersionSpec,
  message: IsoMessage,
  variants: [string, Variant][],
): EffectiveRule | undefined {
  const rule = spec.messages[message.mti];
  if (!rule) return undefined;
  let hit: [string, Variant] | undefined;
  for (let i = 0; i < variants.length; i++) {
    if (conditionHolds(variantCondition(variants[i]![1]), message)) {
      hit = variants[i];
      break;
    }
  }
  let byMti = baseRules.get(spec);
  if (!byMti) {
    byMti = new Map();
    baseRules.set(spec, byMti);
  }
  let cache = byMti.get(message.mti);
  if (!cache) {
    cache = new Map();
    byMti.set(message.mti, cache);
  }
  const key = hit?.[1];
  let base = cache.get(key);
  if (base === undefined) {
    const variant = hit?.[1];
    const kind = variant?.kind ?? rule.kind;
    if (!kind) return undefined;
    const both = (k: 'mandatory' | 'forbidden' | 'echo' | 'returns') => [
      ...new Set([...(rule[k] ?? []), ...(variant?.[k] ?? [])]),
    ];
    const original = variant?.original ?? rule.original;
    const originalMatch = variant?.originalMatch ?? rule.originalMatch ?? spec.originalData?.match;
    const name = variant?.name ?? rule.name;
    base = {
      mti: message.mti,
      responseMti: rule.responseMti ?? responseMtiOf(message.mti),
      ...(hit && { variant: hit[0] }),
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
      macRequired: spec.mac?.required.includes(message.mti) ?? false,
      responseCodes: { ...spec.responseCodes, ...rule.responseCodes, ...variant?.responseCodes },
    };
    cache.set(key, base);
  }
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
  // Plain loops: this runs for every variant of every request, and a callback per test allocates.
  const tests = compile(condition);
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

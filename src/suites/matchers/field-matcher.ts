import { looksLikePan, maskPan } from '../../protocols/iso8583/index.js';
import type { FieldMatcher } from '../scenario-schema.js';

/**
 * The field matchers: a plain value (equals), or an object whose every key must hold — equals,
 * present, absent, regex, oneOf, echo (the value of a field of an earlier captured message) and
 * not. Values compare as text; a number in the scenario also matches a digit string with the same
 * numeric value, so `amount: 2500` matches DE4 `000000002500`.
 */

/** What `echo: first.11` resolves to. */
export type EchoValue = { found: true; value: unknown; label: string } | { found: false; problem: string };
export type EchoResolver = (ref: string) => EchoValue;

export interface MatchResult {
  ok: boolean;
  /** `equals "00"`, `echo of first.11 ("000123")`. */
  expected: string;
  /** The value as found, for reasons: `"05"`, `absent`. */
  actual: string;
}

const regexCache = new Map<string, RegExp>();
export function compileRegex(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    re = new RegExp(source);
    regexCache.set(source, re);
  }
  return re;
}

export function showValue(value: unknown): string {
  if (value === undefined) return 'absent';
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Scenario value vs message value: numbers numerically against digit strings, else as text. */
export function valueEquals(expected: string | number, actual: unknown): boolean {
  if (actual === undefined || actual === null) return false;
  if (typeof expected === 'number' && typeof actual === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(actual)) {
    return Number(actual) === expected;
  }
  if (typeof actual === 'object') return JSON.stringify(actual) === String(expected);
  // The journal keeps a PAN masked (first 6, last 4): a card number in the scenario compares so too.
  if (typeof actual === 'string' && actual.includes('*') && looksLikePan(String(expected))) {
    return maskPan(String(expected)) === actual;
  }
  return String(actual) === String(expected);
}

/** A matcher as the schema keeps it, or its short form (a plain value: equals). */
export type AnyMatcher = FieldMatcher | string | number;

export function matchField(matcher: AnyMatcher, actual: unknown, echo: EchoResolver): MatchResult {
  const shown = showValue(actual);
  if (typeof matcher !== 'object') {
    return { ok: valueEquals(matcher, actual), expected: showValue(matcher), actual: shown };
  }
  const parts: MatchResult[] = [];
  const part = (ok: boolean, expected: string) => parts.push({ ok, expected, actual: shown });
  if (matcher.equals !== undefined) part(valueEquals(matcher.equals, actual), showValue(matcher.equals));
  if (matcher.present) part(actual !== undefined, 'present');
  if (matcher.absent) part(actual === undefined, 'absent');
  if (matcher.regex !== undefined) {
    const ok = typeof actual === 'string' && compileRegex(matcher.regex).test(actual);
    part(ok, `matches /${matcher.regex}/`);
  }
  if (matcher.oneOf) {
    part(
      matcher.oneOf.some((v) => valueEquals(v, actual)),
      `one of ${matcher.oneOf.map((v) => showValue(v)).join(', ')}`,
    );
  }
  if (matcher.echo !== undefined) {
    const source = echo(matcher.echo);
    if (!source.found) part(false, `echo of ${matcher.echo} (${source.problem})`);
    else {
      const ok =
        source.value !== undefined &&
        actual !== undefined &&
        JSON.stringify(source.value) === JSON.stringify(actual);
      part(ok, `echo of ${source.label} (${showValue(source.value)})`);
    }
  }
  if (matcher.not !== undefined) {
    const inner = matchField(matcher.not as AnyMatcher, actual, echo);
    part(!inner.ok, `not ${inner.expected}`);
  }
  const failed = parts.filter((p) => !p.ok);
  return {
    ok: failed.length === 0,
    expected: (failed.length > 0 ? failed : parts).map((p) => p.expected).join(' and '),
    actual: shown,
  };
}

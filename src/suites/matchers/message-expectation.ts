import { declineCodeOf } from '../../mocks/gateway/answers.js';
import type { HostVersion } from '../../mocks/hosts/host-loader.js';
import type { Outcome } from '../../mocks/hosts/host-schema.js';
import { getField } from '../../protocols/iso8583/index.js';
import { readAnswer } from '../../protocols/rest/answer-reader.js';
import type { FieldMatcher, MessageExpectation } from '../scenario-schema.js';
import { parseFieldKey } from './field-key.js';
import { compileRegex, type EchoResolver, type EchoValue, matchField, showValue } from './field-matcher.js';
import { type HostMessage, originalMap, readField, summaryOf } from './host-message.js';

/**
 * One expected host message: a selector (kind, MTI pattern or class, REST method/path, step, host
 * instance) that says which messages it is about, and checks (fields, original, response) that
 * such a message must pass. Sequences, sets and counts are built from these two questions, so a
 * reason can tell "none sent" from "sent, but DE90.2 was wrong".
 */

/** The selector and checks of a message expectation, whatever list it sits in. */
export type MessageSpec = Omit<MessageExpectation, 'as'> & { as?: string };

export interface MatchContext {
  version?: HostVersion;
  /** Messages captured (`as:`) by earlier expectations. */
  captures: ReadonlyMap<string, HostMessage>;
  /** A transaction step's reference → its position among the transaction steps. */
  stepIndex(ref: string): number | undefined;
}

export interface Mismatch {
  what: string;
  expected: string;
  actual: string;
}

const CLASSES: Record<string, string> = {
  '1': 'authorization',
  '2': 'financial',
  '3': 'file',
  '4': 'reversal',
  '5': 'reconciliation',
  '6': 'administrative',
  '7': 'fee',
  '8': 'network',
};

const list = <V>(v: V | V[] | undefined): V[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];

export function mtiMatches(pattern: string, mti: string): boolean {
  if (pattern.length !== mti.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!.toLowerCase();
    if (p !== 'x' && p !== mti[i]) return false;
  }
  return true;
}

/** Is this message one the expectation is about? */
export function selects(spec: MessageSpec, msg: HostMessage, ctx: MatchContext): boolean {
  const req = msg.request;
  if (!req || msg.lost) return false;
  const kinds = list(spec.kind);
  if (kinds && (!msg.kind || !kinds.includes(msg.kind))) return false;
  const mtis = list(spec.mti);
  if (mtis && (!req.iso || !mtis.some((p) => mtiMatches(p, req.iso!.mti)))) return false;
  if (spec.class && (!req.iso || CLASSES[req.iso.mti[1] ?? ''] !== spec.class)) return false;
  if (spec.operation !== undefined && req.http?.operation !== spec.operation) return false;
  if (spec.method && req.http?.method?.toUpperCase() !== spec.method.toUpperCase()) return false;
  if (spec.path && !(req.http?.path !== undefined && compileRegex(spec.path).test(req.http.path)))
    return false;
  if (spec.step !== undefined && msg.step !== ctx.stepIndex(spec.step)) return false;
  if (spec.on !== undefined && spec.on !== msg.instance) return false;
  return true;
}

/** Everything a selected message gets wrong; empty when it passes. */
export function mismatches(spec: MessageSpec, msg: HostMessage, ctx: MatchContext): Mismatch[] {
  const out: Mismatch[] = [];
  const echo = echoResolver(ctx);
  const fields = (side: 'request' | 'response', entries: Record<string, FieldMatcher>) => {
    for (const [key, matcher] of Object.entries(entries)) {
      const parsed = parseFieldKey(key);
      if (!parsed) {
        out.push({ what: key, expected: 'a known field key', actual: key });
        continue;
      }
      const read = readField(msg, side, parsed, ctx.version);
      if (read.problem) {
        out.push({ what: read.where, expected: 'a field this message can have', actual: read.problem });
        continue;
      }
      const r = matchField(matcher, read.value, echo);
      if (!r.ok) out.push({ what: read.where, expected: r.expected, actual: r.actual });
    }
  };
  if (spec.fields) fields('request', spec.fields);
  if (spec.original !== undefined) out.push(...originalMismatches(spec.original, msg, ctx));
  const response = spec.response;
  if (response) {
    if (response.sent !== undefined && response.sent !== msg.responseSent) {
      out.push({
        what: 'response',
        expected: response.sent ? 'sent' : 'not sent',
        actual: msg.responseSent ? 'sent' : msg.response ? 'not sent (a fault)' : 'none',
      });
    }
    if (response.code !== undefined && msg.api && msg.response?.http) {
      const wanted = list(response.code)!;
      const r = restCode(msg, wanted);
      if (!r.ok)
        out.push({ what: 'response code', expected: r.expected, actual: withHostNotes(r.actual, msg) });
    } else if (response.code !== undefined) {
      const wanted = list(response.code)!;
      const codes = new Set(wanted.flatMap((o) => codeOf(msg, o, ctx.version) ?? []));
      const actual = msg.response?.iso ? getField(msg.response.iso, '39') : msg.response?.http?.status;
      const ok =
        actual !== undefined && (codes.has(String(actual)) || wanted.includes(String(actual) as Outcome));
      if (!ok) {
        out.push({
          what: 'response code',
          expected: wanted
            .map((o) => `${o}${codeOf(msg, o, ctx.version) ? ` (${codeOf(msg, o, ctx.version)})` : ''}`)
            .join(' or '),
          actual: withHostNotes(showValue(actual), msg),
        });
      }
    }
    if (response.fields) fields('response', response.fields);
  }
  return out;
}

/** What was seen, with the host's reasons for it (a decline's, in the card book's words). */
function withHostNotes(actual: string, msg: HostMessage): string {
  const notes = msg.exchange.notes;
  return notes && notes.length > 0 ? `${actual} (${notes.join('; ')})` : actual;
}

/**
 * A REST answer against outcomes, read through the API version that gave it: `approved` is a 2xx
 * whose payment is not declined; another outcome is the version's decline code for it, whether the
 * version answers a decline 402 (nimbus-pay) or 200 (meridian-checkout).
 */
function restCode(msg: HostMessage, wanted: Outcome[]): { ok: boolean; expected: string; actual: string } {
  const api = msg.api!;
  const http = msg.response!.http!;
  const status = http.status ?? 0;
  const op = api.operations.find((o) => o.operationId === msg.request?.http?.operation);
  const r = readAnswer(api, op, status, http.body);
  const matches = (w: Outcome) =>
    w === 'approved'
      ? status >= 200 && status < 300 && r.state !== 'declined' && r.declineCode === undefined
      : r.declineCode !== undefined && r.declineCode === declineCodeOf(api, w);
  const show = (w: Outcome) =>
    w === 'approved' ? 'approved (a 2xx, not declined)' : `${w} (${declineCodeOf(api, w)})`;
  return {
    ok: wanted.some(matches),
    expected: wanted.map(show).join(' or '),
    actual: [String(status), r.declineCode ?? r.errorCode ?? r.status].filter(Boolean).join(' '),
  };
}

/** The code the host version answers `outcome` with for this message (its rule's overrides first). */
function codeOf(msg: HostMessage, outcome: Outcome, version: HostVersion | undefined): string | undefined {
  return msg.rule?.responseCodes[outcome] ?? version?.spec.responseCodes[outcome];
}

/** `original: first`: every element the host version matches originals by carries the original's value. */
function originalMismatches(name: string, msg: HostMessage, ctx: MatchContext): Mismatch[] {
  const original = ctx.captures.get(name);
  if (!original)
    return [{ what: 'original', expected: `a message captured as ${name}`, actual: 'none captured' }];
  const map = originalMap(msg, ctx.version);
  const iso = msg.request?.iso;
  if (!map || !iso) {
    return [
      {
        what: 'original',
        expected: `original data identifying ${summaryOf(original)}`,
        actual: `${ctx.version?.ref ?? 'the host'} has no original-data rule for ${iso?.mti ?? 'this message'}`,
      },
    ];
  }
  const out: Mismatch[] = [];
  const theirs = original.request?.iso;
  for (const [mine, of] of Object.entries(map)) {
    const want =
      of === 'mti'
        ? theirs?.mti
        : ((theirs && getField(theirs, of)) ??
          (original.response?.iso && getField(original.response.iso, of)));
    const got = getField(iso, mine);
    if (want === undefined || JSON.stringify(want) !== JSON.stringify(got)) {
      out.push({
        what: `DE${mine}`,
        expected: `${of === 'mti' ? 'the MTI' : `DE${of}`} of ${name} (${showValue(want)})`,
        actual: showValue(got),
      });
    }
  }
  return out;
}

/** `first.11`, `first.response.39`, `first.original.11`: a value of a captured message. */
export function echoResolver(ctx: MatchContext): EchoResolver {
  return (ref: string): EchoValue => {
    const dot = ref.indexOf('.');
    const name = ref.slice(0, dot);
    let rest = ref.slice(dot + 1);
    const captured = ctx.captures.get(name);
    if (!captured) return { found: false, problem: `no message captured as ${name}` };
    let side: 'request' | 'response' = 'request';
    if (rest.startsWith('response.')) {
      side = 'response';
      rest = rest.slice('response.'.length);
    }
    const key = parseFieldKey(rest);
    if (!key) return { found: false, problem: `"${rest}" is not a field key` };
    const read = readField(captured, side, key, ctx.version);
    if (read.problem) return { found: false, problem: read.problem };
    return {
      found: true,
      value: read.value,
      label: `${name}.${side === 'response' ? 'response.' : ''}${rest}`,
    };
  };
}

/** `reversal of first (0200 sale 25.00 STAN 000123) on the backup host`, for reasons. */
export function describeSpec(spec: MessageSpec, ctx: MatchContext): string {
  const parts: string[] = [];
  const kinds = list(spec.kind);
  const mtis = list(spec.mti);
  if (kinds) parts.push(kinds.join(' or '));
  else if (mtis) parts.push(`MTI ${mtis.join(' or ')}`);
  else if (spec.class) parts.push(`${spec.class} message`);
  else if (spec.operation) parts.push(`${spec.operation} request`);
  else if (spec.method || spec.path)
    parts.push(`${spec.method ?? 'request'}${spec.path ? ` ${spec.path}` : ''}`);
  else parts.push('message');
  if (kinds && mtis) parts.push(`(MTI ${mtis.join(' or ')})`);
  if (spec.original !== undefined) {
    const o = ctx.captures.get(spec.original);
    parts.push(`of ${spec.original}${o ? ` (${summaryOf(o)})` : ''}`);
  }
  if (spec.step !== undefined) parts.push(`during step ${spec.step}`);
  if (spec.on === 'backup') parts.push('on the backup host');
  const conditions = Object.entries(spec.fields ?? {}).map(([k, m]) => `${k} ${describeMatcher(m)}`);
  if (conditions.length > 3) conditions.splice(3, conditions.length - 3, '…');
  if (spec.response?.code !== undefined)
    conditions.push(`answered ${list(spec.response.code)!.join(' or ')}`);
  if (spec.response?.sent === false) conditions.push('left unanswered');
  if (spec.response?.fields) conditions.push('with the response fields given');
  return `${parts.join(' ')}${conditions.length ? ` (${conditions.join(', ')})` : ''}`;
}

function describeMatcher(m: FieldMatcher): string {
  if (typeof m !== 'object') return `= ${showValue(m)}`;
  const parts: string[] = [];
  if (m.equals !== undefined) parts.push(`= ${showValue(m.equals)}`);
  if (m.present) parts.push('present');
  if (m.absent) parts.push('absent');
  if (m.regex !== undefined) parts.push(`matches /${m.regex}/`);
  if (m.oneOf) parts.push(`one of ${m.oneOf.map((v) => showValue(v)).join(', ')}`);
  if (m.echo !== undefined) parts.push(`= ${m.echo}`);
  if (m.not !== undefined) parts.push(`not ${describeMatcher(m.not as FieldMatcher)}`);
  return parts.join(' and ');
}

export function describeMismatches(list: Mismatch[]): string {
  return list.map((m) => `${m.what} expected ${m.expected}, got ${m.actual}`).join('; ');
}

/** A failed expectation, before the executor turns it into a Reason. */
export interface Finding {
  message: string;
  expected?: string;
  actual?: string;
  /** Journal seq of the exchange it points at. */
  exchange?: number;
  step?: number;
}

/** What a host-message list matcher returns: captures made on success (`as:`), else why not. */
export interface ListResult {
  ok: boolean;
  captures: Map<string, HostMessage>;
  finding?: Finding;
}

/** `host received: 0200 sale 25.00 STAN 000001, 0400 reversal …` for Reason.actual. */
export function receivedList(messages: readonly HostMessage[]): string {
  if (messages.length === 0) return 'the host received nothing';
  const shown = messages.slice(0, 12).map((m) => `${summaryOf(m)}${m.lost ? ' (lost)' : ''}`);
  return `host received: ${shown.join(', ')}${messages.length > 12 ? `, … (${messages.length} in all)` : ''}`;
}

export const withNote = (text: string, note: string | undefined) => (note ? `${text} — ${note}` : text);

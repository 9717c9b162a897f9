import { Buffer } from 'node:buffer';
import { parseFormat } from '../../protocols/iso8583/field-spec.js';
import {
  desEncryptBlock,
  type FieldValue,
  getField,
  hasResponseMti,
  type IsoMessage,
  keyCheckValue,
  macFieldOf,
  type Subfields,
  tdesEncryptEcb,
  verifyMessageMac,
} from '../../protocols/iso8583/index.js';
import type { Violation } from '../exchange.js';
import type { CardBook, EffectiveRule, HostVersion } from '../hosts/host-loader.js';
import { conditionHolds, responseMtiOf } from '../hosts/host-loader.js';
import type { Condition, MessageKind, Outcome, Slice } from '../hosts/host-schema.js';
import { variantCondition } from '../hosts/rule-for.js';
import { amountOf, authorize } from './authorize.js';
import type { Ledger, LedgerEntry } from './ledger.js';
import { type Clock, localClock } from './local-clock.js';
import { ruleViolations } from './rules.js';

export interface HostContext {
  version: HostVersion;
  cards: CardBook;
  ledger: Ledger;
  /** Wall clock for dates in answers and expiry checks (tests pin it); read it, never change it (shared). */
  now(): Date;
  /** Multiplies the version's durations (duplicate window) like every other delay of the run. */
  timeScale: number;
  /** Monotonic milliseconds for windows: a pinned `now` must not stop them from passing. */
  elapsedMs(): number;
}

/** What the host decided for one request; the server turns it into bytes, delays and faults. */
export interface Processed {
  /** undefined: the host closes the connection instead of answering ('close'), or sends nothing ('unanswered'). */
  response?: IsoMessage;
  kind?: MessageKind;
  outcome: Outcome | 'close' | 'unanswered';
  violations: Violation[];
  /** Host time before the answer leaves (processing delay + a slow-issuer trigger), unscaled. */
  delayMs: number;
  /** Key (hex) to MAC the response with, when this version signs it. */
  macKey?: string;
  /** The ledger's entry for this transaction, to be handed its wire bytes once encoded. */
  booked?: LedgerEntry;
  /** Why the host decided so, where its code alone does not say (Exchange.notes). */
  notes?: string[];
}

/** Network management and batch messages: answered, never booked in the ledger. */
const UNBOOKED_KINDS = new Set<MessageKind>([
  'sign-on',
  'sign-off',
  'echo',
  'key-exchange',
  'settlement',
  'batch-upload',
]);
/** Messages without a card decision: the unbooked ones and reversals. */
const NO_CARD_KINDS = new Set<MessageKind>([...UNBOOKED_KINDS, 'reversal', 'reversal-repeat']);
const DEBITS = new Set<MessageKind>(['authorization', 'pre-auth', 'sale']);

/**
 * The host's logic for one decoded request, entirely driven by the host version's data: which
 * rule applies, what it requires, sign-on and MAC, duplicates, the issuer's decision, the ledger,
 * settlement, and the response that version sends.
 */
export function processRequest(ctx: HostContext, request: IsoMessage, bodyBytes: Buffer): Processed {
  const { version, ledger } = ctx;
  const spec = version.spec;
  const baseDelay = spec.timeouts.processingDelayMs;
  const rule = version.ruleFor(request);
  const terminalId = text(request, '41') ?? '';
  const terminal = ledger.peekTerminal(terminalId);
  const now = ctx.now(); // one clock reading per request: answers, expiry and the ledger agree

  if (!rule) {
    const answerable = hasResponseMti(request.mti);
    // A message the version knows by its variants only (a 1993 1200 by DE24 and DE3): say which it
    // takes, so that old firmware after an upgrade reads what it left out.
    const variants = answerable ? spec.messages[request.mti]?.variants : undefined;
    const violations = [
      variants
        ? {
            path: [...new Set(Object.values(variants).flatMap((v) => Object.keys(variantCondition(v))))].join(
              '+',
            ),
            rule: 'unknown-message',
            message: `${version.ref} accepts MTI ${request.mti} only as ${Object.entries(variants)
              .map(([name, v]) => `${name} (${describeCondition(variantCondition(v))})`)
              .join(', ')}: this one is none of them`,
          }
        : {
            path: '',
            rule: 'unknown-message',
            message:
              `${version.ref} does not accept MTI ${request.mti} here` +
              (answerable ? '' : ': it is a response or an acknowledgement, which no message answers'),
          },
    ];
    // A host answers no response (an 0210 plus 10 would be an 0220 advice): it records it, and
    // closes only when that is what this version does with a message it does not know.
    if (!answerable) {
      const closes = spec.answers.unknownMessage === 'close';
      return { outcome: closes ? 'close' : 'unanswered', violations, delayMs: 0 };
    }
    return refusal(ctx, rule, request, now, spec.answers.unknownMessage, violations);
  }
  const kind = rule.kind;
  const violations = ruleViolations(rule, request);
  if (violations.length > 0)
    return refusal(ctx, rule, request, now, spec.answers.violation, violations, kind);

  const exempt = kind === 'sign-on' || kind === 'echo' || kind === 'key-exchange';
  if (spec.signOnRequired && !terminal.signedOn && !exempt) {
    const v = { path: '41', rule: 'sign-on', message: `terminal ${terminalId} has not signed on` };
    return refusal(ctx, rule, request, now, spec.answers.notSignedOn ?? 'mac-error', [v], kind);
  }

  // MAC: required ones must be present and right; any other MAC sent is checked too.
  const mac = spec.mac;
  let macKey: string | undefined;
  if (mac) {
    macKey = terminal.workingKeys[mac.key] ?? version.keysFor(terminalId)[mac.key];
    const field = String(macFieldOf(version.dialect, request, Number(mac.field)));
    const present = getField(request, field) !== undefined || getField(request, mac.field) !== undefined;
    if (rule.macRequired && !present) {
      return refusal(
        ctx,
        rule,
        request,
        now,
        'mac-error',
        [{ path: field, rule: 'mac', message: `${request.mti} must carry a MAC in DE${field}` }],
        kind,
      );
    }
    if (present && (!macKey || !verifyMac(version, bodyBytes, macKey))) {
      return refusal(
        ctx,
        rule,
        request,
        now,
        'mac-error',
        [{ path: field, rule: 'mac', message: `DE${field} MAC does not verify (${mac.algorithm})` }],
        kind,
      );
    }
  }
  const signs = mac?.signResponses && mac.required.includes(request.mti) ? macKey : undefined;

  const dup = spec.duplicates;
  if (dup?.kinds.includes(kind)) {
    // Joined, not concatenated: the window keeps the key, and a concatenation stays a rope of
    // parts (196 bytes per remembered key against 124 flat).
    const parts = [terminalId];
    for (let i = 0; i < dup.key.length; i++) {
      const k = dup.key[i]!;
      parts.push(String((typeof k === 'string' ? getField(request, k) : readSlice(request, k)) ?? ''));
    }
    const key = parts.join('|');
    const windowMs = dup.windowSeconds * 1000 * ctx.timeScale;
    if (ledger.duplicates.seen(key, windowMs, ctx.elapsedMs())) {
      const v = {
        path: dup.key.map(keyPath).join('+'),
        rule: 'duplicate',
        message: `same ${dup.key.map((k) => `DE${keyName(k)}`).join(', ')} within ${dup.windowSeconds} s`,
      };
      return signed(refusal(ctx, rule, request, now, 'duplicate', [v], kind), signs);
    }
  }

  const extra: Record<string, FieldValue> = {};
  let outcome: Outcome = 'approved';
  let delayMs = baseDelay;
  let original: LedgerEntry | undefined;
  // Findings that are answered with a code rather than refused, kept for the journal.
  const findings: Violation[] = [];
  // The decision's reasons (a decline's, a settlement's totals): none for a plain approval.
  let notes: string[] | undefined;
  if (rule.original) {
    original = findOriginal(version, rule, request, terminalId, ledger);
    // A repeat (0401/1421) is held to the same original as the reversal it repeats.
    if (!original && rule.original === 'required') {
      outcome = 'original-not-found';
      const paths = Object.keys(rule.originalMatch ?? {});
      findings.push({
        path: paths.join('+'),
        rule: 'original',
        message: `no earlier exchange of terminal ${terminalId} matches ${paths.map((p) => `DE${p}`).join(', ')}`,
      });
    }
    const refused = original && againstOriginal(kind, request, original);
    if (refused) {
      outcome = refused.outcome;
      findings.push({ path: '4', rule: 'original', message: refused.message });
    }
  }

  if (outcome === 'approved') {
    switch (kind) {
      case 'sign-on':
        Object.assign(extra, signOn(ctx, request, terminalId));
        break;
      case 'sign-off':
        if (terminal.signedOn) ledger.terminal(terminalId).signedOn = false;
        break;
      case 'settlement':
        notes = [];
        outcome = settle(ctx, request, terminalId, extra, findings, notes);
        break;
      case 'batch-upload':
        outcome = upload(ctx, request, terminalId);
        break;
      case 'reversal':
      case 'reversal-repeat':
      case 'void':
      case 'pre-auth-void':
      case 'completion-void':
        // A partial reversal (DE30, original amounts) leaves the transaction at DE4, the amount that stands.
        if (original && isPartial(request)) original.amountMinor = amountOf(request);
        else if (original && original.cancelledBy === undefined)
          original.cancelledBy = ledger.nextReference();
        break;
      default:
        if (!NO_CARD_KINDS.has(kind) && kind !== 'advice' && kind !== 'completion') {
          const pinRule = spec.pin;
          // The key only for a request with a PIN block, the one that needs it: it takes two
          // dictionary lookups (~550 instructions per sale, counted).
          const pinKey =
            pinRule && typeof request.fields[pinRule.field] === 'string'
              ? (terminal.workingKeys[pinRule.key] ?? version.keysFor(terminalId)[pinRule.key])
              : undefined;
          const decision = authorize({
            msg: request,
            kind,
            cards: ctx.cards,
            ...(pinRule && {
              pin: { field: pinRule.field, format: pinRule.format, ...(pinKey && { keyHex: pinKey }) },
            }),
            todayYymm: yymm(localClock(now, spec.timeZone)),
            debits: DEBITS.has(kind),
          });
          outcome = decision.outcome;
          delayMs += decision.delayMs;
          if (decision.reason !== undefined) notes = [decision.reason];
          if (kind === 'balance' && decision.card && outcome === 'approved') {
            extra['54'] =
              `0002${decision.card.currency}C${String(decision.card.balanceMinor).padStart(12, '0')}`;
          }
        }
    }
  }

  // What was refunded of a sale so far: a later refund may take only the rest.
  if (kind === 'refund' && original && outcome === 'approved')
    original.refundedMinor = (original.refundedMinor ?? 0) + amountOf(request);
  const response = respond(ctx, rule, request, outcome, extra, now);
  let booked: LedgerEntry | undefined;
  if (!UNBOOKED_KINDS.has(kind)) {
    booked = ledger.add({
      terminal: terminalId,
      kind,
      request,
      response,
      amountMinor: amountOf(request),
      approved: outcome === 'approved',
      settled: false,
      batch: terminal.batch,
      at: now.getTime(),
    });
  }
  const processed: Processed = { response, kind, outcome, violations: findings, delayMs };
  if (booked) processed.booked = booked;
  if (notes && notes.length > 0) processed.notes = notes;
  return signed(processed, signs);
}

/** An answer that only says no (or closes): the version's code for the outcome, nothing booked. */
function refusal(
  ctx: HostContext,
  rule: EffectiveRule | undefined,
  request: IsoMessage,
  now: Date,
  outcome: Outcome | 'close',
  violations: Violation[],
  kind?: MessageKind,
): Processed {
  const p: Processed =
    outcome === 'close'
      ? { outcome, violations, delayMs: 0 }
      : {
          outcome,
          violations,
          delayMs: ctx.version.spec.timeouts.processingDelayMs,
          response: respond(ctx, rule, request, outcome, {}, now),
        };
  if (kind) p.kind = kind;
  return p;
}

/** The answer signed with the terminal's MAC key, when this version signs it. */
function signed(p: Processed, macKey: string | undefined): Processed {
  if (macKey && p.response) p.macKey = macKey;
  return p;
}

/** The answer a version gives: its response MTI, echoed fields, its code for the outcome, and its own fields. */
export function respond(
  ctx: HostContext,
  rule: EffectiveRule | undefined,
  request: IsoMessage,
  outcome: Outcome,
  extra: Record<string, FieldValue>,
  now = ctx.now(),
): IsoMessage {
  const { version, ledger } = ctx;
  const dialect = version.dialect;
  const fields: Record<string, FieldValue> = {};
  // Highest element first: the object's element store is then sized once, not grown per field. That
  // first store has a line of its own: it grows the empty object in the runtime, and a store site
  // that also saw it would go through the generic store stub for every element after it.
  const echo = echoIds(version, rule);
  let i = echo.length - 1;
  for (; i >= 0; i--) {
    const top = request.fields[echo[i]!];
    if (top === undefined) continue;
    fields[echo[i--]!] = top;
    break;
  }
  for (; i >= 0; i--) {
    const v = request.fields[echo[i]!];
    if (v !== undefined) fields[echo[i]!] = v;
  }
  const codes = rule?.responseCodes ?? version.spec.responseCodes;
  fields[39] = codes[outcome] ?? codes['system-error'];
  if (outcome === 'approved' && rule && rule.returns.length > 0) {
    const ref = ledger.nextReference();
    const clock = localClock(now, version.spec.timeZone);
    const returns = returnedElements(version, rule);
    for (let i = 0; i < returns.length; i++) {
      const r = returns[i]!;
      const value = generated(r.path, ref, clock, r.length);
      if (value !== undefined) fields[r.id] = value;
    }
  }
  // Extras the dialect does not define would make the answer unencodable: leave them out.
  for (const id in extra) if (dialect.field(Number(id))) fields[id] = extra[id]!;
  // Integer keys enumerate in ascending order by themselves: no sort needed.
  return { mti: rule?.responseMti ?? responseMtiOf(request.mti), fields };
}

/**
 * The elements a rule echoes, as top-level ids the dialect defines; worked out once per rule.
 * Numbers, not strings: a string key is converted to an element index on every access.
 */
const echoCache = new WeakMap<object, number[]>();
const DEFAULT_ECHO = ['3', '4', '11', '41'];
function echoIds(version: HostVersion, rule: EffectiveRule | undefined): number[] {
  const paths = rule?.echo ?? DEFAULT_ECHO;
  // A rule's list is its version's own; the default list is one array for all versions, so it is
  // kept per dialect, which is what filters it.
  const key = rule?.echo ?? version.dialect;
  let ids = echoCache.get(key);
  if (!ids) {
    ids = [...new Set(paths.map((p) => Number(p.split('.')[0]!)))]
      .filter((id) => version.dialect.field(id))
      .sort((a, b) => a - b);
    echoCache.set(key, ids);
  }
  return ids;
}

/** An element the host assigns in its answer (a rule's `returns`), with its number and length. */
type Returned = { path: string; id: number; length: number };

/** The elements a rule has the host assign that the dialect defines; worked out once per rule. */
const returnsCache = new WeakMap<object, Returned[]>();
function returnedElements(version: HostVersion, rule: EffectiveRule): Returned[] {
  let list = returnsCache.get(rule.returns);
  if (!list) {
    list = rule.returns.flatMap((path) => {
      const spec = version.dialect.field(Number(path));
      return spec ? [{ path, id: Number(path), length: spec.length }] : [];
    });
    returnsCache.set(rule.returns, list);
  }
  return list;
}

/** Values the host assigns in its answers: local time and date, RRN, authorisation code. */
function generated(path: string, ref: number, c: Clock, length: number): string | undefined {
  switch (path) {
    case '12':
      return length === 12 ? c.yy + c.mmdd + c.hhmmss : length === 14 ? c.yyyy + c.mmdd + c.hhmmss : c.hhmmss;
    case '13':
    case '15':
      return length === 6 ? c.yy + c.mmdd : c.mmdd;
    case '37':
      return String(ref).padStart(12, '0');
    case '38':
      return String((ref * 7919) % 1_000_000).padStart(6, '0');
    default:
      return undefined;
  }
}

function findOriginal(
  version: HostVersion,
  rule: EffectiveRule,
  request: IsoMessage,
  terminal: string,
  ledger: Ledger,
): LedgerEntry | undefined {
  const match = rule.originalMatch;
  if (!match) return undefined;
  return ledger.find((e) => {
    if (e.terminal !== terminal) return false;
    let assigned: readonly string[] | undefined; // once per entry, when a pair needs it
    return Object.entries(match).every(([mine, theirs]) => {
      const want = getField(request, mine);
      if (typeof want !== 'string') return false;
      if (theirs === 'mti') return e.request.mti === want;
      assigned ??= assignedOf(version, e);
      return originalValue(e, theirs, assigned) === want;
    });
  });
}

/** The elements the host assigned in a booked exchange's answer (its rule's `returns`). */
function assignedOf(version: HostVersion, e: LedgerEntry): readonly string[] {
  return version.ruleFor(e.request)?.returns ?? [];
}

/**
 * An element of a booked exchange as a later message names it. Elements the host assigned
 * (`assigned`: RRN, auth code) identify an exchange only in its response: in a refund's or
 * completion's request the same element names another exchange.
 */
function originalValue(e: LedgerEntry, path: string, assigned: readonly string[]): string | undefined {
  const got = assigned.includes(path.split('.')[0]!)
    ? getField(e.response, path)
    : (getField(e.request, path) ?? getField(e.response, path));
  return typeof got === 'string' ? got : undefined;
}

/**
 * What a message that names its original may not do to it, as an issuer refuses it: void it twice,
 * void or reverse another amount than it was for, refund a cancelled one or more than is left of it.
 * A reversal of one reversed already is approved (a repeat whose first answer was lost); a partial
 * reversal (DE30, original amounts) may carry another amount.
 */
function againstOriginal(
  kind: MessageKind,
  request: IsoMessage,
  original: LedgerEntry,
): { outcome: Outcome; message: string } | undefined {
  const v = request.fields['4'];
  const amount = typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : undefined;
  // Only a refusal says it: the common case, nothing refused, formats nothing.
  const what = () =>
    `${original.kind} STAN ${String(getField(original.request, '11') ?? '?')} (${original.amountMinor} minor units)`;
  const otherAmount = amount !== undefined && amount !== original.amountMinor;
  switch (kind) {
    case 'void':
    case 'pre-auth-void':
    case 'completion-void':
      if (original.cancelledBy !== undefined)
        return {
          outcome: 'invalid-transaction',
          message: `the ${kind} names ${what()}, voided or reversed already`,
        };
      // Refunded (in part) already: voiding it too would pay the cardholder back twice.
      if ((original.refundedMinor ?? 0) > 0)
        return {
          outcome: 'invalid-transaction',
          message: `the ${kind} names ${what()}, of which ${original.refundedMinor} was refunded already`,
        };
      if (otherAmount)
        return { outcome: 'invalid-amount', message: `the ${kind} is for ${amount}, ${what()}` };
      return undefined;
    case 'reversal':
    case 'reversal-repeat': {
      if (!isPartial(request)) {
        if (otherAmount)
          return { outcome: 'invalid-amount', message: `the ${kind} is for ${amount}, ${what()}` };
        return undefined;
      }
      // Partial: DE30 starts with the original amount, DE4 is what stands, never more.
      const said = Number(String(request.fields['30']).slice(0, 12));
      if (said !== original.amountMinor)
        return {
          outcome: 'invalid-amount',
          message: `the partial ${kind} says the original was ${said} (DE30), ${what()}`,
        };
      if (amount !== undefined && amount > original.amountMinor)
        return {
          outcome: 'invalid-amount',
          message: `the partial ${kind} leaves ${amount}, more than ${what()}`,
        };
      return undefined;
    }
    case 'refund': {
      if (original.cancelledBy !== undefined)
        return {
          outcome: 'invalid-transaction',
          message: `the refund names ${what()}, voided or reversed: nothing to refund`,
        };
      const left = original.amountMinor - (original.refundedMinor ?? 0);
      if (amount !== undefined && amount > left)
        return {
          outcome: 'invalid-amount',
          message: `the refund of ${amount} is more than the ${left} left of ${what()}`,
        };
      return undefined;
    }
    default:
      return undefined;
  }
}

/** A partial reversal: it carries the original amounts (DE30, ISO 8583:1993) and DE4 is what stands. */
function isPartial(request: IsoMessage): boolean {
  return typeof request.fields['30'] === 'string';
}

/** Sign-on: the terminal may transact; CUP-style hosts also download working keys under the TMK. */
function signOn(ctx: HostContext, request: IsoMessage, terminalId: string): Record<string, FieldValue> {
  const { version, ledger } = ctx;
  const state = ledger.terminal(terminalId);
  state.signedOn = true;
  const out: Record<string, FieldValue> = {};
  const batchField = version.spec.batch?.field;
  if (batchField) {
    // The terminal's batch is adopted; the answer tells it the batch the host books it in.
    const sent = getField(request, batchField);
    state.batch =
      typeof sent === 'string' ? sent : (state.batch ?? '1'.padStart(widthOf(version, batchField), '0'));
    setPath(out, request, batchField, state.batch);
  }
  const download = version.spec.keys?.download;
  if (!download) return out;
  const keys = version.keysFor(terminalId);
  const tmk = Buffer.from(keys.tmk ?? '', 'hex');
  // The keys the terminal asked for (CUP DE60.3): which ones, and single or double length.
  const asked = getField(request, download.modes?.field ?? '');
  const mode = typeof asked === 'string' ? download.modes?.values[asked] : undefined;
  const parts: Buffer[] = [];
  for (const role of mode?.order ?? download.order) {
    const full = keys[role];
    if (!full || tmk.length === 0) continue;
    const hex = mode?.single ? full.slice(0, 16) : full;
    const key = Buffer.from(hex, 'hex');
    state.workingKeys[role] = hex;
    const wrapped = tmk.length === 8 ? encryptBlocks(tmk, key) : tdesEncryptEcb(tmk, key);
    parts.push(wrapped, keyCheckValue(key, download.checkValueBytes));
  }
  out[download.field] = Buffer.concat(parts).toString('hex').toUpperCase();
  return out;
}

/** Digits of a numeric element or positional subfield ("60.2" → 6); 6 when the dialect does not say. */
function widthOf(version: HostVersion, path: string): number {
  const [head, sub] = path.split('.');
  const spec = version.dialect.field(Number(head));
  if (!sub) return spec?.length ?? 6;
  const subs = spec?.subfields;
  const format = subs?.kind === 'positional' ? subs.fields[sub]?.format : undefined;
  return format ? parseFormat(format).length : 6;
}

/** Sets a whole element of the answer, or one subfield of a positional element (60.2) over the request's. */
function setPath(extra: Record<string, FieldValue>, request: IsoMessage, path: string, value: string): void {
  const [head, sub] = path.split('.') as [string, string | undefined];
  if (sub === undefined) {
    extra[head] = value;
    return;
  }
  const base = extra[head] ?? request.fields[head];
  const parts: Subfields = base && typeof base === 'object' && !Array.isArray(base) ? { ...base } : {};
  parts[sub] = value;
  extra[head] = parts;
}

function encryptBlocks(key: Buffer, data: Buffer): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += 8) out.push(desEncryptBlock(key, data.subarray(i, i + 8)));
  return Buffer.concat(out);
}

/** Settlement: the terminal's claimed totals against the ledger's, for its unsettled transactions. */
function settle(
  ctx: HostContext,
  request: IsoMessage,
  terminalId: string,
  extra: Record<string, FieldValue>,
  findings: Violation[],
  notes: string[],
): Outcome {
  const s = ctx.version.spec.settlement;
  if (!s) return 'approved';
  const state = ctx.ledger.terminal(terminalId);
  const batchField = ctx.version.spec.batch?.field;
  const sentBatch = batchField ? getField(request, batchField) : undefined;
  if (batchField && state.batch !== undefined && typeof sentBatch === 'string' && sentBatch !== state.batch) {
    findings.push({
      path: batchField,
      rule: 'batch',
      message: `batch ${sentBatch} is not the terminal's current batch ${state.batch}`,
    });
    return 'batch-mismatch';
  }
  const open = ctx.ledger
    .list(terminalId)
    .filter((e) => e.approved && e.cancelledBy === undefined && !e.settled && !e.notUploaded);
  // After a batch upload the terminal's batch is what settles: the transactions its records name
  // (when the version says how records name them), not everything the host booked.
  const end = s.batchUpload?.end;
  const endsUpload =
    state.awaitingUpload &&
    end &&
    request.mti === end.mti &&
    (!end.when || conditionHolds(end.when, request));
  const afterUpload = endsUpload || state.uploadEnded;
  const record = s.batchUpload?.record;
  const upload = afterUpload && record ? uploadedOf(ctx, state.uploaded, open, findings) : undefined;
  const counted = upload ? upload.entries : open;
  // What a batch upload reports: the debits and credits. Voids, reversals and the like are no records.
  const money = new Set<MessageKind>([...s.debitKinds, ...s.creditKinds]);
  const close = () => {
    const uploaded = new Set(counted);
    for (const e of counted) e.settled = true;
    for (const e of open) {
      if (uploaded.has(e)) continue;
      if (!upload || !money.has(e.kind)) {
        e.settled = true;
        continue;
      }
      e.notUploaded = true;
      findings.push({
        path: 'batch-upload',
        rule: 'batch-upload',
        message: `the host approved STAN ${String(getField(e.request, '11'))} (${e.amountMinor} minor units), which the batch upload left out: not settled`,
      });
    }
    state.uploaded = [];
    state.awaitingUpload = false;
    state.uploadEnded = false;
    // The next batch starts, as the terminal's does after a settlement.
    if (batchField && state.batch !== undefined && /^[0-9]+$/.test(state.batch)) {
      const next = (Number(state.batch) + 1) % 10 ** state.batch.length || 1;
      state.batch = String(next).padStart(state.batch.length, '0');
    }
  };
  // Without a record layout the host cannot tell what was uploaded: the upload closes the batch.
  if (afterUpload && !record) {
    close();
    return endsUpload ? s.batchUpload!.outcome : 'approved';
  }
  const sum = (kinds: readonly MessageKind[]) => {
    const xs = counted.filter((e) => kinds.includes(e.kind));
    return { count: xs.length, amount: xs.reduce((n, e) => n + e.amountMinor, 0) };
  };
  // After an upload the records are the terminal's batch, and its totals are theirs.
  const debit = upload ? upload.debit : sum(s.debitKinds);
  const credit = upload ? upload.credit : sum(s.creditKinds);
  const claimed = (slice: Slice) => Number(readSlice(request, slice) ?? Number.NaN);
  const claimedDebit = { count: claimed(s.totals['debit-count']), amount: claimed(s.totals['debit-amount']) };
  const claimedCredit = {
    count: claimed(s.totals['credit-count']),
    amount: claimed(s.totals['credit-amount']),
  };
  const balanced =
    claimedDebit.count === debit.count &&
    claimedDebit.amount === debit.amount &&
    claimedCredit.count === credit.count &&
    claimedCredit.amount === credit.amount;
  const theirs = totalsText(claimedDebit, claimedCredit);
  const ours = totalsText(debit, credit);
  // Evidence for the journal; an unbalanced batch after its upload is a finding below instead.
  if (balanced) notes.push(`totals agree with ${upload ? 'the records uploaded' : "the host's"}: ${ours}`);
  else if (!afterUpload) {
    const next = s.unbalanced.expects === 'batch-upload' ? '; the host now waits for a batch upload' : '';
    notes.push(`the terminal claims ${theirs}, the host counts ${ours}: out of balance${next}`);
  }
  if (s.result) writeSlice(request, extra, s.result.at, balanced ? s.result.balanced : s.result.unbalanced);
  if (balanced) {
    close();
    return endsUpload ? s.batchUpload!.outcome : 'approved';
  }
  if (afterUpload) {
    findings.push({
      path: 'batch-upload',
      rule: 'batch-upload',
      message: `the totals claimed (${theirs}) are not those of the records uploaded (${ours})`,
    });
  }
  // Out of balance (again): the terminal uploads its batch afresh, when the version wants one.
  state.uploaded = [];
  state.uploadEnded = false;
  state.awaitingUpload = s.unbalanced.expects === 'batch-upload';
  return s.unbalanced.outcome;
}

/** Settlement totals as notes and findings write them; amounts in minor units. */
function totalsText(
  debit: { count: number; amount: number },
  credit: { count: number; amount: number },
): string {
  return `debits ${debit.count} for ${debit.amount}, credits ${credit.count} for ${credit.amount}`;
}

function upload(ctx: HostContext, request: IsoMessage, terminalId: string): Outcome {
  const s = ctx.version.spec.settlement;
  const state = ctx.ledger.terminal(terminalId);
  const end = s?.batchUpload?.end;
  // The message that ends the upload (a CUP 0320 with 60.3 = 202) is no record.
  if (end && request.mti === end.mti && (!end.when || conditionHolds(end.when, request))) {
    state.awaitingUpload = false;
    state.uploadEnded = true;
    return s.batchUpload!.outcome;
  }
  state.uploaded.push(request);
  return 'approved';
}

/** What a batch upload says: the open transactions its records name, and the batch's totals. */
interface Uploaded {
  entries: LedgerEntry[];
  debit: { count: number; amount: number };
  credit: { count: number; amount: number };
}

/**
 * The terminal's batch as its upload records tell it: the batch is what settles, so its totals are
 * the records' (a record's own amount; a credit when the layout says so), and the host's open
 * transactions they name are settled with it. A record that names none of them, names one twice or
 * at another amount than the host approved is a finding.
 */
function uploadedOf(
  ctx: HostContext,
  records: readonly IsoMessage[],
  open: readonly LedgerEntry[],
  findings: Violation[],
): Uploaded {
  const settlement = ctx.version.spec.settlement!;
  const layout = settlement.batchUpload!.record!;
  const found = new Set<LedgerEntry>();
  const assigned = new Map(open.map((e) => [e, assignedOf(ctx.version, e)]));
  const out: Uploaded = { entries: [], debit: { count: 0, amount: 0 }, credit: { count: 0, amount: 0 } };
  const finding = (message: string) => findings.push({ path: 'batch-upload', rule: 'batch-upload', message });
  for (const r of records) {
    const names = layout.match.map((m) => readSlice(r, m.record));
    const said = layout.match.map((m, i) => `DE${keyName(m.record)} ${names[i] ?? '(none)'}`).join(', ');
    const entry = open.find((e) =>
      layout.match.every(
        (m, i) => names[i] !== undefined && originalValue(e, m.original, assigned.get(e)!) === names[i],
      ),
    );
    if (entry && found.has(entry)) {
      finding(`upload record ${said} repeats a transaction uploaded already`);
      continue;
    }
    const amount = layout.amount
      ? Number(readSlice(r, layout.amount) ?? Number.NaN)
      : (entry?.amountMinor ?? 0);
    // A record's side: its transaction's, when the host booked it; else what the record says.
    const saysCredit = layout.credit ? conditionHolds(layout.credit, r) : undefined;
    const credit = entry ? settlement.creditKinds.includes(entry.kind) : saysCredit === true;
    const side = credit ? out.credit : out.debit;
    side.count++;
    side.amount += amount;
    if (entry && saysCredit !== undefined && saysCredit !== credit)
      finding(
        `upload record ${said} reports a ${saysCredit ? 'credit' : 'debit'}, the host booked a ${entry.kind}`,
      );
    if (!entry) {
      finding(
        `upload record ${said} names no transaction the host approved for this terminal: settled as the terminal's`,
      );
      continue;
    }
    found.add(entry);
    if (amount !== entry.amountMinor)
      finding(`upload record ${said} says ${amount} minor units, the host approved ${entry.amountMinor}`);
  }
  out.entries = open.filter((e) => found.has(e));
  return out;
}

/** A duplicate key part as a path: the field a slice is of. */
function keyPath(k: string | Slice): string {
  return typeof k === 'string' ? k : k.field;
}

/** A slice as a message says it: `12`, or `12[0..6]` for digits 0–5 of DE12. */
function keyName(k: string | Slice): string {
  if (typeof k === 'string') return k;
  const from = k.offset ?? 0;
  if (k.digits === undefined && from === 0) return k.field;
  return `${k.field}[${from}..${k.digits === undefined ? '' : from + k.digits}]`;
}

function readSlice(msg: IsoMessage, slice: Slice): string | undefined {
  const v = getField(msg, slice.field);
  if (typeof v !== 'string') return undefined;
  if (slice.offset === undefined && slice.digits === undefined) return v;
  const from = slice.offset ?? 0;
  return v.slice(from, from + (slice.digits ?? v.length));
}

/** Writes a value at a slice of a field the response carries (e.g. CUP DE48 position 30: balanced). */
function writeSlice(
  request: IsoMessage,
  extra: Record<string, FieldValue>,
  slice: Slice,
  value: string,
): void {
  const current = extra[slice.field] ?? getField(request, slice.field);
  if (typeof current !== 'string' || slice.offset === undefined) {
    extra[slice.field] = value;
    return;
  }
  const padded = current.padEnd(slice.offset + value.length, '0');
  extra[slice.field] = padded.slice(0, slice.offset) + value + padded.slice(slice.offset + value.length);
}

function verifyMac(version: HostVersion, body: Buffer, keyHex: string): boolean {
  try {
    const mac = version.spec.mac!;
    return verifyMessageMac(
      version.dialect,
      body,
      Buffer.from(keyHex, 'hex'),
      mac.algorithm,
      Number(mac.field),
    );
  } catch {
    return false;
  }
}

function text(msg: IsoMessage, path: string): string | undefined {
  const v = getField(msg, path);
  return typeof v === 'string' ? v.trimEnd() : undefined;
}

/** Today as YYMM on the host's clock, for expiry checks. */
function yymm(c: Clock): string {
  return c.yy + c.mmdd.slice(0, 2);
}

/** `DE24 801…, DE3 20…` (a value starts so), `DE22 02…|90…`, `DE22 ~ ^.{6}2` (a pattern). */
function describeCondition(c: Condition): string {
  return Object.entries(c)
    .map(([path, want]) => {
      if (typeof want === 'object' && !Array.isArray(want)) return `DE${path} ~ ${want.pattern}`;
      return `DE${path} ${[want]
        .flat()
        .map((p) => `${p}…`)
        .join('|')}`;
    })
    .join(', ');
}

import { Type as T } from '@sinclair/typebox';
import { closestWord } from '../data/closest-word.js';
import { DataFileError } from '../data/data-file-error.js';
import { loadDataFile, validateData } from '../data/load-data-file.js';
import { FaultSpecError, resolveFaultSpec } from '../mocks/faults/index.js';
import type { CardBook } from '../mocks/hosts/host-loader.js';
import { ISO_VIOLATION_RULES, REST_VIOLATION_RULES, VIOLATION_RULES } from '../mocks/violation-rules.js';
import type { Capability, TransactionType } from '../terminals/terminal.js';
import { expandShortForms } from './expand-short-forms.js';
import { FIELD_KEY_HELP, parseFieldKey } from './matchers/field-key.js';
import {
  HOST_DOWN_FAULT_ID,
  type HostInstanceName,
  type Scenario,
  type ScenarioStep,
  type TransactionStep,
} from './scenario.js';
import {
  AMOUNT_ACTIONS,
  type CardChoice,
  EVERY_STEP,
  type FieldMatcher,
  HOST_ACTIONS,
  type MessageExpectation,
  type OutcomeExpectation,
  PLAIN_ACTIONS,
  ScenarioDataSchema,
  type ScenarioFault,
  type ScenarioFile,
  type StepObject,
} from './scenario-schema.js';

/**
 * Reads one scenario file: the schema first, then what a schema cannot say — one action per step
 * and the options that go with it, references between steps (`original`, `outcomes`, `step`),
 * captures used before they are made, field keys, regular expressions, fault specs, card names —
 * each error naming the file, the JSON path and the problem. The result is ready to play.
 */

export interface ScenarioLoadOptions {
  /** When given, card names are checked against it. */
  cards?: CardBook;
}

/** Actions the cardholder presents a card for; given.card is their default. */
export const CARD_ACTIONS: ReadonlySet<string> = new Set(['sale', 'refund', 'pre-auth', 'balance']);

const ACTIONS = [...AMOUNT_ACTIONS, ...PLAIN_ACTIONS, 'void', ...HOST_ACTIONS] as const;
type Action = (typeof ACTIONS)[number];

/** The options each action takes besides its own key. */
const OPTIONS: Record<Action, readonly string[]> = {
  sale: ['ref', 'card', 'currency', 'timeoutMs'],
  'pre-auth': ['ref', 'card', 'currency', 'timeoutMs'],
  refund: ['ref', 'original', 'card', 'currency', 'timeoutMs'],
  completion: ['ref', 'original', 'card', 'currency', 'timeoutMs'],
  void: ['ref', 'timeoutMs'],
  balance: ['ref', 'card', 'currency', 'timeoutMs'],
  'sign-on': ['ref', 'timeoutMs'],
  echo: ['ref', 'timeoutMs'],
  settlement: ['ref', 'timeoutMs'],
  wait: [],
  host: ['on'],
  fault: [],
  unfault: ['on'],
};

export function loadScenarioFile(file: string, suite: string, options: ScenarioLoadOptions = {}): Scenario {
  const data = expandShortForms(loadDataFile(file, T.Unknown()));
  try {
    validateData(file, data, ScenarioDataSchema);
  } catch (err) {
    // `outcomes: approved` was expanded to { "*": { status: approved } }: report it where it was written.
    if (err instanceof DataFileError && err.path.startsWith(`/then/outcomes/${EVERY_STEP}`)) {
      throw new DataFileError(file, '/then/outcomes', err.problem);
    }
    throw err;
  }
  return parseScenario(file, suite, data as ScenarioFile, options);
}

/** Checks and completes a scenario's data (expanded and valid against ScenarioDataSchema). */
export function parseScenario(
  file: string,
  suite: string,
  data: ScenarioFile,
  options: ScenarioLoadOptions = {},
): Scenario {
  const fail = (path: string, problem: string): never => {
    throw new DataFileError(file, path, problem);
  };
  const given = data.given ?? {};
  const families = data.families ?? ['iso8583', 'rest'];
  const backup = given.backup ?? false;
  const checkOn = (on: HostInstanceName | undefined, path: string) => {
    if (on === 'backup' && !backup) fail(path, 'there is no backup host: set given.backup: true');
  };
  const checkCard = (card: CardChoice | undefined, path: string) => {
    if (card === undefined || !options.cards) return;
    const name = typeof card === 'string' ? card : card.name;
    if (!options.cards.list().some((c) => c.id === name)) {
      const known = options.cards.list().map((c) => c.id);
      fail(path, `unknown card "${name}" (known: ${known.join(', ')})`);
    }
  };
  const faultIds = new Set<string>([HOST_DOWN_FAULT_ID]);
  // The ids a scenario added itself (not the one `host: down` uses inside), for a message.
  const addedFaults = () => {
    const ids = [...faultIds].filter((id) => id !== HOST_DOWN_FAULT_ID);
    return ids.length > 0 ? `ids: ${ids.join(', ')}` : 'none was';
  };
  const checkFault = (fault: ScenarioFault, path: string) => {
    checkOn(fault.on, `${path}/on`);
    faultIds.add(fault.id ?? fault.fault);
    if (!families.includes('iso8583')) return; // REST faults are checked by the gateway (issue 4)
    const { on: _on, scope, ...spec } = fault;
    const { kind, ...rest } = scope ?? {};
    if (kind !== undefined && rest.mti !== undefined) fail(`${path}/scope/kind`, 'use kind or mti, not both');
    // A kind becomes MTIs per host version; any MTI stands in for it here.
    const probe = {
      ...spec,
      ...(scope && { scope: { ...rest, ...(kind !== undefined && { mti: ['xxxx'] }) } }),
    };
    try {
      resolveFaultSpec(probe, 'x');
    } catch (err) {
      if (!(err instanceof FaultSpecError)) throw err;
      let pointer = err.pointer.slice('/x'.length);
      if (kind !== undefined) pointer = pointer.replace('/scope/mti', '/scope/kind');
      fail(`${path}${pointer}`, err.problem);
    }
  };
  checkCard(given.card, '/given/card');
  (given.faults ?? []).forEach((f, i) => {
    checkFault(f, `/given/faults/${i}`);
  });

  // ── when ──
  const raw: StepObject[] = data.when;
  const actionOf = (step: StepObject, at: string): Action => {
    const found = Object.keys(step).filter((k): k is Action => (ACTIONS as readonly string[]).includes(k));
    if (found.length === 0) fail(at, `needs an action: one of ${ACTIONS.join(', ')}`);
    if (found.length > 1) fail(at, `has ${found.join(' and ')}: one action per step`);
    const action = found[0]!;
    for (const key of Object.keys(step)) {
      if (key === action || OPTIONS[action].includes(key)) continue;
      const takes = OPTIONS[action].length ? `it takes ${OPTIONS[action].join(', ')}` : 'it takes no options';
      fail(`${at}/${key}`, `does not apply to a ${action} step (${takes})`);
    }
    return action;
  };
  const actions = raw.map((s, i) => actionOf(s, `/when/${i}`));
  const total = new Map<string, number>();
  for (const a of actions) total.set(a, (total.get(a) ?? 0) + 1);
  const seen = new Map<string, number>();
  const names = new Map<string, number>();
  const steps: ScenarioStep[] = [];
  for (const [index, step] of raw.entries()) {
    const at = `/when/${index}`;
    const action = actions[index]!;
    if (action === 'wait') {
      steps.push({ kind: 'wait', index, ms: step.wait! });
      continue;
    }
    if (action === 'host') {
      checkOn(step.on, `${at}/on`);
      steps.push({ kind: 'host', index, action: step.host!, on: step.on ?? 'primary' });
      continue;
    }
    if (action === 'fault') {
      checkFault(step.fault!, `${at}/fault`);
      steps.push({ kind: 'fault', index, fault: step.fault! });
      continue;
    }
    if (action === 'unfault') {
      checkOn(step.on, `${at}/on`);
      if (!faultIds.has(step.unfault!) && !/#[0-9]+$/.test(step.unfault!)) {
        fail(`${at}/unfault`, `no fault with id "${step.unfault}" was added before (${addedFaults()})`);
      }
      steps.push({ kind: 'unfault', index, id: step.unfault!, on: step.on ?? 'primary' });
      continue;
    }
    const type = action as TransactionType;
    const n = (seen.get(type) ?? 0) + 1;
    seen.set(type, n);
    const unique = total.get(type) === 1;
    const refs = [`${type}-${n}`, ...(unique ? [type] : [])];
    if (step.ref !== undefined) {
      if (names.has(step.ref) || refs.includes(step.ref))
        fail(`${at}/ref`, `"${step.ref}" already names another step`);
      refs.unshift(step.ref);
    }
    const name = step.ref ?? (unique ? type : `${type}-${n}`);
    const taken = refs.find((r) => names.has(r));
    if (taken) fail(`${at}/ref`, `"${taken}" already names step ${names.get(taken)}`);
    for (const r of refs) names.set(r, index);

    let original: number | undefined;
    const originalRef = type === 'void' ? step.void : step.original;
    const originalAt = type === 'void' ? `${at}/void` : `${at}/original`;
    if (originalRef !== undefined) {
      const target = names.get(originalRef);
      const earlier = [...names].filter(([, i]) => i < index).map(([n]) => n);
      if (target === undefined || target >= index) {
        fail(
          originalAt,
          `"${originalRef}" is not an earlier step (earlier steps: ${earlier.join(', ') || 'none'})`,
        );
      }
      original = target;
    } else if (type === 'completion') {
      original = [...steps].reverse().find((s) => s.kind === 'transaction' && s.type === 'pre-auth')?.index;
      if (original === undefined) fail(at, 'a completion needs original: <an earlier pre-auth step>');
    }
    checkCard(step.card, `${at}/card`);
    if (CARD_ACTIONS.has(type) && step.card === undefined && given.card === undefined) {
      fail(at, `a ${type} needs a card: set given.card or this step's card`);
    }
    const amount = (AMOUNT_ACTIONS as readonly string[]).includes(type)
      ? (step as Record<string, unknown>)[type]
      : undefined;
    const amountMinor =
      amount === undefined || amount === null
        ? undefined
        : toMinor(amount as number | string, `${at}/${type}`, fail);
    const t: TransactionStep = {
      kind: 'transaction',
      index,
      position: steps.filter((s) => s.kind === 'transaction').length,
      name,
      refs,
      type,
      ...(amountMinor !== undefined && { amountMinor }),
      ...(step.currency && { currency: step.currency }),
      ...(step.card !== undefined && { card: step.card }),
      ...(original !== undefined && { original }),
      ...(step.timeoutMs !== undefined && { timeoutMs: step.timeoutMs }),
    };
    steps.push(t);
  }
  const transactions = steps.filter((s): s is TransactionStep => s.kind === 'transaction');
  const stepNames = () => transactions.map((s) => s.name).join(', ') || 'none';

  // ── then ──
  const then = data.then;
  const outcomes = new Map<number, OutcomeExpectation>();
  for (const [ref, exp] of Object.entries(then.outcomes ?? {})) {
    const at = ref === EVERY_STEP ? '/then/outcomes' : `/then/outcomes/${esc(ref)}`;
    checkMatcherRegexes(exp, at, fail);
    if (ref === EVERY_STEP) {
      for (const s of transactions) outcomes.set(s.index, exp);
      continue;
    }
    const index = names.get(ref);
    if (index === undefined) fail(at, `is not a step (steps: ${stepNames()})`);
    outcomes.set(index!, exp);
  }

  const captures = new Set<string>();
  const checkExpectation = (exp: MessageExpectation, at: string, canCapture: boolean) => {
    const useCapture = (name: string, path: string) => {
      if (!captures.has(name)) {
        fail(
          path,
          `no earlier expectation captures "${name}" (captured so far: ${[...captures].join(', ') || 'none'})`,
        );
      }
    };
    if (exp.step !== undefined && !names.has(exp.step))
      fail(`${at}/step`, `is not a step (steps: ${stepNames()})`);
    checkOn(exp.on, `${at}/on`);
    if (exp.original !== undefined) useCapture(exp.original, `${at}/original`);
    if (exp.path !== undefined) checkRegex(exp.path, `${at}/path`, fail);
    const checkFields = (fields: Record<string, FieldMatcher> | undefined, path: string) => {
      for (const [key, matcher] of Object.entries(fields ?? {})) {
        const p = `${path}/${esc(key)}`;
        if (!parseFieldKey(key)) fail(p, `unknown field key "${key}": ${FIELD_KEY_HELP}`);
        checkMatcher(matcher, p, fail, (ref, refPath) => {
          const name = ref.slice(0, ref.indexOf('.'));
          useCapture(name, refPath);
          const rest = ref.slice(name.length + 1).replace(/^response\./, '');
          if (!parseFieldKey(rest)) fail(refPath, `"${rest}" is not a field key: ${FIELD_KEY_HELP}`);
        });
      }
    };
    checkFields(exp.fields, `${at}/fields`);
    checkFields(exp.response?.fields, `${at}/response/fields`);
    if (exp.as !== undefined) {
      if (!canCapture) fail(`${at}/as`, 'only sequence and contains items capture messages');
      if (captures.has(exp.as)) fail(`${at}/as`, `"${exp.as}" is captured twice`);
      captures.add(exp.as);
    }
  };
  const host = then.host;
  host?.sequence?.forEach((e, i) => {
    checkExpectation(e, `/then/host/sequence/${i}`, true);
  });
  if ((host?.exact !== undefined || host?.ignore !== undefined) && !host?.sequence) {
    fail('/then/host', 'exact and ignore apply to a sequence, and there is none');
  }
  host?.contains?.forEach((e, i) => {
    checkExpectation(e, `/then/host/contains/${i}`, true);
  });
  host?.absent?.forEach((e, i) => {
    checkExpectation(e, `/then/host/absent/${i}`, false);
  });
  host?.counts?.forEach((e, i) => {
    checkExpectation(e, `/then/host/counts/${i}`, false);
  });
  then.violations?.forEach((v, i) => {
    checkOn(v.on, `/then/violations/${i}/on`);
    if (v.rule !== undefined && !VIOLATION_RULES.has(v.rule)) {
      const meant = closestWord(v.rule, [...VIOLATION_RULES]);
      fail(
        `/then/violations/${i}/rule`,
        `no host names a violation "${v.rule}"${meant ? ` (did you mean "${meant}"?)` : ''}; ISO 8583 hosts name ${ISO_VIOLATION_RULES.join(', ')}; gateways ${REST_VIOLATION_RULES.slice(0, 9).join(', ')} or the JSON Schema keyword a body broke (required, type, enum …)`,
      );
    }
    if (v.message !== undefined) checkRegex(v.message, `/then/violations/${i}/message`, fail);
  });

  const requires = [...(data.requires ?? [])] as Capability[];
  for (const s of transactions) if (!requires.includes(s.type)) requires.push(s.type);

  return {
    id: data.id,
    suite,
    title: data.title,
    why: data.why,
    description: data.description ?? '',
    tags: data.tags ?? [],
    requires,
    families,
    file,
    given: {
      ...(given.card !== undefined && { card: given.card }),
      signedOn: given.signedOn ?? false,
      backup,
      faults: given.faults ?? [],
    },
    steps,
    outcomes,
    then,
  };
}

/** "25.00", 25, -1.5 → minor units, exactly (no float rounding surprises). */
export function toMinor(
  value: number | string,
  path: string,
  fail: (path: string, problem: string) => never,
): number {
  const text = typeof value === 'number' ? value.toFixed(2) : value;
  const m = /^(-?)([0-9]{1,15})(?:\.([0-9]{1,2}))?$/.exec(text);
  if (!m) return fail(path, `"${text}" is not an amount with at most two decimals`);
  const minor = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(minor)) return fail(path, `${text} is too large`);
  return m[1] ? -minor : minor;
}

type Fail = (path: string, problem: string) => never;

function checkRegex(source: string, path: string, fail: Fail): void {
  try {
    new RegExp(source);
  } catch (err) {
    fail(path, `not a valid regular expression: ${(err as Error).message}`);
  }
}

function checkMatcher(
  m: FieldMatcher,
  path: string,
  fail: Fail,
  onEcho: (ref: string, path: string) => void,
): void {
  if (typeof m !== 'object') return;
  if (m.regex !== undefined) checkRegex(m.regex, `${path}/regex`, fail);
  if (m.echo !== undefined) onEcho(m.echo, `${path}/echo`);
  if (m.not !== undefined) checkMatcher(m.not as FieldMatcher, `${path}/not`, fail, onEcho);
}

function checkMatcherRegexes(exp: OutcomeExpectation, path: string, fail: Fail): void {
  if (typeof exp === 'string') return;
  for (const key of ['responseCode', 'detail'] as const) {
    const m = exp[key];
    if (m !== undefined)
      checkMatcher(m, `${path}/${key}`, fail, (_ref, p) => fail(p, 'echo applies to host messages only'));
  }
}

/** A key inside a JSON pointer (RFC 6901): `/amount` → `~1amount`. */
const esc = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

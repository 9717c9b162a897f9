import type { Reason } from '../matrix/cell.js';
import { BUILTIN_INVARIANTS, type CellObservation, violationMatches } from './invariants/index.js';
import { matchContains } from './matchers/contains.js';
import { checkAbsent, checkCount } from './matchers/counts.js';
import type { HostMessage } from './matchers/host-message.js';
import { type Finding, type MatchContext, withNote } from './matchers/message-expectation.js';
import { checkOutcome } from './matchers/outcome-matcher.js';
import { matchSequence } from './matchers/sequence.js';
import type { Scenario, TransactionStep } from './scenario.js';

/**
 * Judges what a cell produced against its scenario: the `then` clause (step outcomes, what the host
 * received, expected violations) and the built-in invariants. Pure: the executor gathers the
 * observation, this turns it into reasons, so every matcher can be tested without sockets.
 */
export function evaluate(scenario: Scenario, obs: CellObservation): Reason[] {
  const reasons: Reason[] = [];
  const push = (kind: Reason['kind'], f: Finding) =>
    reasons.push({
      kind,
      message: f.message,
      ...(f.step !== undefined && { step: f.step }),
      ...(f.expected !== undefined && { expected: f.expected }),
      ...(f.actual !== undefined && { actual: f.actual }),
      ...(f.exchange !== undefined && { exchange: f.exchange }),
    });

  for (const [index, expectation] of scenario.outcomes) {
    const step = scenario.steps[index] as TransactionStep;
    const played = obs.steps.find((s) => s.step.index === index);
    if (!played?.outcome) {
      push('expectation', { message: `step ${describeStep(step)} did not finish`, step: step.position });
      continue;
    }
    const wrong = checkOutcome(expectation, played.outcome, obs.version ?? obs.rest?.gateway);
    if (wrong.length === 0) continue;
    // The host's reasons during the step (why it declined), cited: the terminal's outcome alone
    // says what, not why.
    const noted = obs.messages.find((m) => m.step === step.position && m.exchange.notes?.length);
    const host = noted ? `; the host noted: ${noted.exchange.notes!.join('; ')}` : '';
    push('expectation', {
      message: `step ${describeStep(step)}: ${wrong.map((m) => `expected ${m.what} ${m.expected}, got ${m.actual}`).join('; ')}${host}`,
      expected: wrong.map((m) => `${m.what} ${m.expected}`).join('; '),
      actual: wrong.map((m) => `${m.what} ${m.actual}`).join('; ') + host,
      step: step.position,
      ...(noted && { exchange: noted.exchange.seq }),
    });
  }

  const host = scenario.then.host;
  const stepIndex = (ref: string) => {
    const step = scenario.steps.find((s) => s.kind === 'transaction' && s.refs.includes(ref));
    return step?.kind === 'transaction' ? step.position : undefined;
  };
  let captures = new Map<string, HostMessage>();
  const ctx = (): MatchContext => ({ ...(obs.version && { version: obs.version }), captures, stepIndex });
  if (host?.sequence) {
    const r = matchSequence(host.sequence, obs.messages, ctx(), {
      ...(host.exact !== undefined && { exact: host.exact }),
      ...(host.ignore && { ignore: host.ignore }),
    });
    if (r.ok) captures = r.captures;
    else push('expectation', r.finding!);
  }
  if (host?.contains) {
    const r = matchContains(host.contains, obs.messages, ctx());
    if (r.ok) captures = r.captures;
    else push('expectation', r.finding!);
  }
  for (const spec of host?.absent ?? []) {
    const f = checkAbsent(spec, obs.messages, ctx());
    if (f) push('expectation', f);
  }
  for (const spec of host?.counts ?? []) {
    const f = checkCount(spec, obs.messages, ctx());
    if (f) push('expectation', f);
  }

  const expectedViolations = scenario.then.violations ?? [];
  for (const exp of expectedViolations) {
    const hit = obs.messages.some((m) =>
      m.exchange.violations.some((v) => violationMatches(exp, v, m.instance)),
    );
    if (hit) continue;
    const what = [
      exp.rule && `rule ${exp.rule}`,
      exp.path && `at ${exp.path}`,
      exp.message && `/${exp.message}/`,
    ]
      .filter(Boolean)
      .join(' ');
    push('expectation', {
      message: `expected host ${obs.hostRef}${exp.on === 'backup' ? ' (backup)' : ''} to reject a message (${what}); it rejected none that way`,
      expected: `a violation ${what}`,
      actual: violationsSeen(obs.messages),
    });
  }

  const off = scenario.then.invariants ?? {};
  for (const invariant of BUILTIN_INVARIANTS) {
    if (off[invariant.id] === false) continue;
    for (const f of invariant.check(obs, { expectedViolations })) {
      // Named, so a reader can look it up or turn it off (then.invariants.<id>: false). Violations
      // quote the host and need no name.
      const message = invariant.reasonKind === 'invariant' ? `${invariant.id}: ${f.message}` : f.message;
      push(invariant.reasonKind, { ...f, message });
    }
  }
  // The host's rejections first: they are usually the cause of everything after them.
  const order: Reason['kind'][] = ['violation', 'expectation', 'invariant'];
  return reasons.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
}

/** `sale-2 (sale 10.00)`, `void (void of sale)`. */
export function describeStep(step: TransactionStep): string {
  const amount = step.amountMinor === undefined ? '' : ` ${formatMinor(step.amountMinor)}`;
  return `${step.name} (${step.type}${amount})`;
}

export function formatMinor(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function violationsSeen(messages: readonly HostMessage[]): string {
  const seen = messages.flatMap((m) =>
    m.exchange.violations.map((v) => `${v.rule}${v.path ? ` at ${v.path}` : ''}`),
  );
  return seen.length === 0 ? 'no violations' : withNote('violations', seen.slice(0, 6).join(', '));
}

import { formatMinor } from '../../protocols/rest/minor-units.js';
import type { TransactionOutcome, TransactionType } from '../../terminals/terminal.js';
import type { HostMessage } from '../matchers/host-message.js';
import type { Finding } from '../matchers/message-expectation.js';
import type { Invariant, ObservedPayment } from './invariant.js';

/** States in which a payment still holds the cardholder's money. */
const LIVE = new Set<ObservedPayment['state']>(['authorized', 'captured', 'partially-refunded']);
/** Steps before which a terminal delivers the reversal it owes (not an echo). */
const DELIVERS_REVERSALS = new Set<TransactionType>([
  'sale',
  'pre-auth',
  'completion',
  'void',
  'refund',
  'balance',
]);

/**
 * The cardholder is charged only for what the terminal knows it charged. Every payment the gateway
 * still holds (authorized, captured, partly refunded) must be one the terminal reported approved,
 * by its id: a payment from a step that ended declined, timed out or in error is money taken for a
 * sale the customer was asked to pay again, and one the terminal never heard of (an approval it
 * could not read, retried without its key) cannot be voided, refunded or settled by it. Only once
 * the terminal had the chance to reverse it: it delivers an owed reversal before its next money
 * transaction, so only a payment followed by one counts. REST gateways only: the gateway keeps the
 * payment; an ISO host's reversal expectations are the scenario's (`timeout-reversal` …).
 */
export const chargeReported: Invariant = {
  id: 'charge-reported',
  description:
    'REST: every payment left live at the gateway is one the terminal reported approved (by its id), once a later money transaction gave it the chance to reverse any other',
  reasonKind: 'invariant',
  check(obs) {
    if (!obs.rest) return [];
    const named = new Set<string>();
    for (const s of obs.steps) {
      const id = s.outcome?.status === 'approved' ? s.outcome.reference?.paymentId : undefined;
      if (id !== undefined) named.add(id);
    }
    // One finding per step, naming every payment it left.
    const left = new Map<
      number,
      { outcome: TransactionOutcome; name: string; next: string; held: string[] }
    >();
    for (const p of obs.rest.payments) {
      if (p.step === undefined || !LIVE.has(p.state) || named.has(p.id)) continue;
      const played = obs.steps.find((s) => s.step.position === p.step);
      const outcome = played?.outcome;
      if (!played || !outcome) continue;
      // A driver that reports no payment ids: its approved step's payment is taken as the one it
      // knows (stan-unique counts a second one).
      if (outcome.status === 'approved' && outcome.reference?.paymentId === undefined) continue;
      const next = obs.steps.find(
        (s) => s.step.position > p.step! && s.outcome !== undefined && DELIVERS_REVERSALS.has(s.request.type),
      );
      if (!next || stillReversing(obs.messages, p.id)) continue;
      const amount = p.state === 'authorized' ? p.amount : p.captured - p.refunded;
      const held = `${p.id} ${p.state} ${formatMinor(amount, p.currency)} ${p.currency}${p.instance === 'backup' ? ' on the backup' : ''}`;
      const entry = left.get(p.step) ?? { outcome, name: played.step.name, next: next.step.name, held: [] };
      entry.held.push(held);
      left.set(p.step, entry);
    }
    const out: Finding[] = [];
    for (const [step, { outcome, name, next, held }] of left) {
      const reported =
        outcome.status === 'approved'
          ? `approved ${outcome.reference!.paymentId}, never naming ${held.length > 1 ? 'these' : 'this one'}`
          : `reported ${outcome.status}`;
      const payments = held.length > 1 ? `${held.length} payments (${held.join(', ')})` : held[0]!;
      out.push({
        message: `step ${name}: the gateway still holds ${payments} made during it, after ${next}; the terminal ${reported}: the cardholder is charged for a payment the terminal does not know of`,
        expected:
          'every live payment reported approved by the terminal, or reversed before its next transaction',
        actual: held.join(', '),
        step,
      });
    }
    return out;
  },
};

/**
 * Whether the terminal is still at it: its last request about the payment (a replay of the
 * authorization's key, or a cancel or refund of it) got no final answer — none, a 409 (still
 * running), a 429 or a 5xx. It owes the reversal still, and delivers it when the gateway lets it.
 */
function stillReversing(messages: readonly HostMessage[], paymentId: string): boolean {
  const auth = messages.find((m) => m.paymentId === paymentId);
  if (!auth?.api) return false;
  const header = auth.api.binding.idempotencyHeader.toLowerCase();
  const key = auth.request?.http?.headers[header];
  const last = messages.findLast(
    (m) =>
      m.index > auth.index &&
      !m.lost &&
      ((key !== undefined && m.request?.http?.headers[header] === key) ||
        (m.request?.http?.path ?? '').includes(paymentId)),
  );
  if (!last) return false;
  const status = last.response?.http?.status;
  return !last.responseSent || status === undefined || status === 409 || status === 429 || status >= 500;
}

import { fingerprintOf } from '../../mocks/gateway/idempotency.js';
import { formatMinor } from '../../protocols/rest/minor-units.js';
import { summaryOf } from '../matchers/host-message.js';
import type { Finding } from '../matchers/message-expectation.js';
import type { CellObservation, ObservedPayment } from './invariant.js';

/** States in which a payment still holds the cardholder's money. */
const LIVE = new Set<ObservedPayment['state']>(['authorized', 'captured', 'partially-refunded']);

/**
 * What STAN uniqueness protects on an ISO host, the idempotency key protects on a REST gateway: a
 * repeated request is recognised as a repeat, and nothing else is. Two findings:
 * - a key reused for another request (method, path or body differ): the gateway refuses it, or —
 *   a gateway that replays on mismatch — answers the first request's result as this one's;
 * - a transaction step that left more than one live payment at the gateway: a retry the gateway
 *   could not recognise (no key, a key it did not keep) charged the cardholder twice.
 */
export function restIdempotency(obs: CellObservation): Finding[] {
  if (!obs.rest) return [];
  const out: Finding[] = [];
  const names = new Map(
    obs.rest.gateway.known.map((a) => [
      a.binding.idempotencyHeader.toLowerCase(),
      a.binding.idempotencyHeader,
    ]),
  );
  const firstUse = new Map<string, { target: string; signature: string; label: string; summary: string }>();
  const reported = new Set<string>();
  for (const msg of obs.messages) {
    const http = msg.request?.http;
    if (!http || msg.lost) continue;
    const header = keyHeader(http.headers, names);
    if (header === undefined) continue;
    const key = http.headers[header]!;
    // The same parameters the way the gateway compares them: the body as data (a retry serialized
    // again, members reordered, is the same request).
    const target = `${http.method} ${http.path}`;
    const signature = fingerprintOf(http.method ?? '', http.path ?? '', http.body);
    const first = firstUse.get(key);
    if (!first) {
      firstUse.set(key, { target, signature, label: msg.label, summary: summaryOf(msg) });
      continue;
    }
    if (first.signature === signature || reported.has(key)) continue;
    reported.add(key);
    const what = first.target === target ? 'another body' : 'another request';
    out.push({
      message: `the terminal reused ${names.get(header)} "${key}" of ${first.label} for ${msg.label}, ${what}: a key names one request and its retries`,
      expected: 'a new key for a new request',
      actual: `${summaryOf(msg)} with the key of ${first.summary}`,
      exchange: msg.exchange.seq,
      ...(msg.step !== undefined && { step: msg.step }),
    });
  }

  const byStep = new Map<number, ObservedPayment[]>();
  for (const p of obs.rest.payments) {
    if (p.step === undefined || !LIVE.has(p.state)) continue;
    byStep.set(p.step, [...(byStep.get(p.step) ?? []), p]);
  }
  for (const [position, payments] of byStep) {
    if (payments.length < 2) continue;
    const step = obs.steps.find((s) => s.step.position === position)?.step;
    const list = payments.map(
      (p) =>
        `${p.id} ${p.state} ${formatMinor(p.state === 'authorized' ? p.amount : p.captured - p.refunded, p.currency)} ${p.currency}${p.instance === 'backup' ? ' on the backup' : ''}`,
    );
    out.push({
      message: `step ${step?.name ?? position + 1}: the gateway holds ${payments.length} live payments made during it (${list.join(', ')}): the cardholder is charged ${payments.length} times for one transaction${whose(obs, position, names)}`,
      expected: 'at most one payment per transaction',
      actual: list.join(', '),
      step: position,
    });
  }
  return out;
}

/**
 * Whose double charge it is: a terminal that sent one key on every authorization of the step did
 * its part, and the gateway did not recognise the retry (it keeps only 2xx answers, or the key
 * expired); one that sent none, or several, did not.
 */
function whose(obs: CellObservation, position: number, names: Map<string, string>): string {
  const keys = new Set<string | undefined>();
  for (const msg of obs.messages) {
    const http = msg.request?.http;
    if (!http || msg.lost || msg.step !== position || (msg.kind !== 'sale' && msg.kind !== 'pre-auth'))
      continue;
    const header = keyHeader(http.headers, names);
    keys.add(header === undefined ? undefined : http.headers[header]);
  }
  if (keys.size !== 1 || keys.has(undefined)) return '';
  const name = [...names.values()][0] ?? 'idempotency key';
  const profile = obs.rest!.gateway.spec.idempotency;
  const why =
    profile.store === '2xx'
      ? 'it keeps only 2xx answers, so a retry after a 5xx runs again'
      : 'the key had expired';
  return ` — every attempt carried the same ${name}: the gateway did not recognise the retry (${why})`;
}

/** Which of the gateway's idempotency headers (lower-case) a request carries, if any. */
function keyHeader(headers: Record<string, string>, names: Map<string, string>): string | undefined {
  for (const h of names.keys()) if (headers[h] !== undefined) return h;
  return undefined;
}

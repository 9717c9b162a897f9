import { declineCodeOf } from '../../mocks/gateway/answers.js';
import type { GatewayVersion, HostVersion } from '../../mocks/hosts/host-loader.js';
import type { Outcome } from '../../mocks/hosts/host-schema.js';
import type { OutcomeStatus, TransactionOutcome } from '../../terminals/terminal.js';
import type { OutcomeExpectation } from '../scenario-schema.js';
import { matchField } from './field-matcher.js';
import type { Mismatch } from './message-expectation.js';

/**
 * What a step's terminal outcome must be: a status (or one of several), a semantic response code
 * (`insufficient-funds` is 51 on one host version and 116 on the next: the version's table says
 * which; on a REST gateway its API versions' decline-code tables), the literal code, the detail line.
 */
export function checkOutcome(
  expectation: OutcomeExpectation | OutcomeStatus,
  outcome: TransactionOutcome,
  version: HostVersion | GatewayVersion | undefined,
): Mismatch[] {
  const exp = typeof expectation === 'string' ? { status: expectation } : expectation;
  const out: Mismatch[] = [];
  const noEcho = () => ({ found: false as const, problem: 'echo applies to host messages only' });
  if (exp.status !== undefined) {
    const wanted = [exp.status].flat();
    if (!wanted.includes(outcome.status)) {
      out.push({
        what: 'status',
        expected: wanted.join(' or '),
        actual: `${outcome.status} (${outcome.detail})`,
      });
    }
  }
  if (exp.code !== undefined) {
    const wanted = [exp.code].flat();
    const codes = wanted.map((o) => ({ o, codes: codesFor(version, o) }));
    const got = outcome.responseCode;
    const ok =
      got !== undefined &&
      codes.some(({ o, codes }) => codes.includes(got) || (version === undefined && loose(o, got)));
    if (!ok) {
      out.push({
        what: 'response code',
        expected: codes.map(({ o, codes }) => (codes.length ? `${o} (${codes.join('/')})` : o)).join(' or '),
        actual: got === undefined ? 'none' : `"${got}"`,
      });
    }
  }
  if (exp.responseCode !== undefined) {
    const r = matchField(exp.responseCode, outcome.responseCode, noEcho);
    if (!r.ok) out.push({ what: 'response code', expected: r.expected, actual: r.actual });
  }
  if (exp.detail !== undefined) {
    const r = matchField(exp.detail, outcome.detail, noEcho);
    if (!r.ok) out.push({ what: 'detail', expected: r.expected, actual: r.actual });
  }
  return out;
}

/**
 * Every code the version answers `outcome` with. ISO: its table and every message's or variant's
 * override. REST, over every API version the gateway serves: the decline code (`insufficient_funds`
 * on nimbus-pay, `Not enough balance` on meridian-checkout; an unlisted outcome gets the table's
 * `*`), and for `approved` the status words of every state but declined (what an approval carries).
 */
export function codesFor(version: HostVersion | GatewayVersion | undefined, outcome: Outcome): string[] {
  if (!version) return [];
  if (version.kind === 'rest') {
    const codes = version.apis.flatMap((api) =>
      outcome === 'approved'
        ? Object.entries(api.binding.statuses).flatMap(([state, word]) =>
            state === 'declined' ? [] : [word],
          )
        : [declineCodeOf(api, outcome)],
    );
    return [...new Set(codes)];
  }
  const spec = version.spec;
  const codes = new Set<string>();
  const add = (c: string | undefined) => c !== undefined && codes.add(c);
  add(spec.responseCodes[outcome]);
  for (const rule of Object.values(spec.messages)) {
    add(rule.responseCodes?.[outcome]);
    for (const v of Object.values(rule.variants ?? {})) add(v.responseCodes?.[outcome]);
  }
  return [...codes];
}

// Without a host version to look in, the outcome's name is compared with the code as written:
// insufficient-funds = insufficient_funds.
const normalise = (s: string) => s.toLowerCase().replace(/[_\s]/g, '-');
const loose = (outcome: string, code: string) => normalise(outcome) === normalise(code);

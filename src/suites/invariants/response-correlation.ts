import type { RecordedMessage } from '../../mocks/exchange.js';
import { responseMtiOf } from '../../mocks/hosts/host-loader.js';
import type { Finding } from '../matchers/message-expectation.js';
import type { Invariant } from './invariant.js';
import { restCorrelation } from './rest-correlation.js';

type IsoView = NonNullable<RecordedMessage['iso']>;
const CORRELATED = ['11', '41'] as const;
const NAMES: Record<string, string> = { '11': 'STAN', '41': 'terminal id' };

/**
 * What makes `answer` not the answer to `request`: another MTI than the request's + 10, another or
 * no STAN, another terminal id. Empty: it is the answer.
 */
export function correlationGaps(
  request: IsoView,
  answer: IsoView,
  responseMti = responseMtiOf(request.mti),
): string[] {
  const gaps: string[] = [];
  if (answer.mti !== responseMti) gaps.push(`MTI ${answer.mti} (expected ${responseMti})`);
  for (const f of CORRELATED) {
    const sent = request.fields[f];
    if (sent === undefined) continue;
    const got = answer.fields[f];
    // Hosts echo the STAN always, the terminal id only where their rule says so (a 1987 0810 may not).
    if (got === undefined && f === '41') continue;
    if (JSON.stringify(got) !== JSON.stringify(sent)) {
      gaps.push(
        `${NAMES[f]} ${got === undefined ? 'missing' : JSON.stringify(got)} (expected ${JSON.stringify(sent)})`,
      );
    }
  }
  return gaps;
}

/**
 * Every answer matches its request: the host's (the MTI is the request's + 10, STAN and terminal id
 * echoed), and — the part that catches firmware — an approved or declined step was decided on an
 * answer that correlates with something the terminal sent, never on a stray answer with another
 * STAN or MTI (a wrong-stan fault, a late answer to an earlier request). On a REST gateway, where
 * HTTP pairs answers with requests, its equivalent (rest-correlation.ts).
 */
export const responseCorrelation: Invariant = {
  id: 'response-correlation',
  description:
    'every answer matches its request (MTI, STAN, terminal id); the terminal accepts no other (REST: decides on the answer to its last request)',
  reasonKind: 'invariant',
  check(obs) {
    if (obs.rest) return restCorrelation(obs);
    const out: Finding[] = [];
    for (const msg of obs.messages) {
      const req = msg.request?.iso;
      const res = msg.response?.iso;
      // Faults rewrite the answer after the journal recorded it: only untouched answers are the host's.
      if (!req || !res || !msg.responseSent || msg.exchange.faults.length > 0) continue;
      const gaps = correlationGaps(req, res, msg.rule?.responseMti);
      if (gaps.length > 0) {
        out.push({
          message: `host ${obs.hostRef} answered ${msg.label} with ${msg.exchange.response?.summary}: ${gaps.join(', ')}`,
          exchange: msg.exchange.seq,
          ...(msg.step !== undefined && { step: msg.step }),
        });
      }
    }
    for (const { step, outcome } of obs.steps) {
      if (!outcome || (outcome.status !== 'approved' && outcome.status !== 'declined')) continue;
      const sent = outcome.messages.filter((m) => m.direction === 'sent' && m.message.iso);
      const received = outcome.messages.filter((m) => m.direction === 'received' && m.message.iso);
      const accepted = received.filter(
        (m) => outcome.responseCode === undefined || m.message.iso!.fields['39'] === outcome.responseCode,
      );
      if (sent.length === 0 || accepted.length === 0) continue; // nothing to judge by (e.g. a process driver)
      const fits = accepted.some((r) =>
        sent.some((s) => correlationGaps(s.message.iso!, r.message.iso!).length === 0),
      );
      if (fits) continue;
      const answer = accepted[accepted.length - 1]!;
      const request = [...sent].reverse().find((s) => s.atMs <= answer.atMs) ?? sent[sent.length - 1]!;
      const gaps = correlationGaps(request.message.iso!, answer.message.iso!);
      out.push({
        message:
          `step ${step.name}: the terminal ${outcome.status === 'approved' ? 'approved' : 'declined'} on ` +
          `${answer.message.summary}, which does not answer its ${request.message.summary}: ${gaps.join(', ')}`,
        expected: 'an answer with the request’s STAN, terminal id and response MTI',
        actual: answer.message.summary,
        step: step.position,
      });
    }
    return out;
  },
};

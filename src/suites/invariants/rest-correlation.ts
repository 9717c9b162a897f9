import type { Finding } from '../matchers/message-expectation.js';
import type { CellObservation } from './invariant.js';

/**
 * Response correlation on a REST gateway. HTTP pairs an answer with its request on the connection,
 * so there is no STAN to compare; what a terminal can still get wrong is deciding without an answer.
 * Judged from the messages the driver reports for each approved or declined step: every answer
 * follows a request of its own (at most one answer per request), and the step was decided on the
 * answer to its last request — never approved on a request that went unanswered (a timeout read as
 * a success).
 */
export function restCorrelation(obs: CellObservation): Finding[] {
  const out: Finding[] = [];
  for (const { step, outcome } of obs.steps) {
    if (!outcome || (outcome.status !== 'approved' && outcome.status !== 'declined')) continue;
    const http = outcome.messages.filter((m) => m.message.http);
    if (http.length === 0) continue; // nothing to judge by (refused by the terminal, a process driver)
    let open: (typeof http)[number] | undefined;
    let problem: Finding | undefined;
    for (const m of http) {
      if (m.direction === 'sent') {
        open = m; // an earlier request still open timed out: the new one replaces it
      } else if (open) {
        open = undefined;
      } else {
        problem = {
          message: `step ${step.name}: the terminal took ${m.message.summary} with no request outstanding (a second answer to one request)`,
          expected: 'one answer per request',
          actual: m.message.summary,
        };
        break;
      }
    }
    if (!problem && open) {
      problem = {
        message: `step ${step.name}: the terminal ${outcome.status} although its last request, ${open.message.summary}, got no answer`,
        expected: 'the decision taken on the answer to the last request',
        actual: `${outcome.status} (${outcome.detail})`,
      };
    }
    if (problem) out.push({ ...problem, step: step.position });
  }
  return out;
}

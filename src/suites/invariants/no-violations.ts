import type { Violation } from '../../mocks/exchange.js';
import { compileRegex } from '../matchers/field-matcher.js';
import type { Finding } from '../matchers/message-expectation.js';
import type { HostInstanceName } from '../scenario.js';
import type { ExpectedViolation } from '../scenario-schema.js';
import type { Invariant } from './invariant.js';

/** Does a violation the host recorded fit one the scenario expects? */
export function violationMatches(exp: ExpectedViolation, v: Violation, instance: HostInstanceName): boolean {
  if (exp.on !== undefined && exp.on !== instance) return false;
  if (exp.rule !== undefined && exp.rule !== v.rule) return false;
  if (exp.path !== undefined && String(exp.path) !== v.path) return false;
  if (exp.message !== undefined && !compileRegex(exp.message).test(v.message)) return false;
  return true;
}

/**
 * No message the host version rejected — undecodable, a missing or forbidden field, a bad MAC, a
 * duplicate, an unknown MTI, an original it cannot find — unless the scenario expects it
 * (`then.violations`). The reason quotes the host's own words, once per distinct problem.
 */
export const noViolations: Invariant = {
  id: 'no-violations',
  description: 'the host version rejected no message, unless the scenario expects it',
  reasonKind: 'violation',
  check(obs, options) {
    const found = new Map<string, Finding & { times: number }>();
    for (const msg of obs.messages) {
      for (const v of msg.exchange.violations) {
        if (options.expectedViolations.some((e) => violationMatches(e, v, msg.instance))) continue;
        const words =
          msg.exchange.request?.summary.split(' ').slice(0, 2).join(' ') ??
          (v.rule === 'tls' ? 'a connection' : 'a frame');
        const host = `${msg.instance === 'backup' ? 'backup host' : 'host'} ${obs.hostRef}`;
        const message = `${host} rejected ${words}: ${v.message}`;
        const same = found.get(message);
        if (same) {
          same.times++;
          continue;
        }
        found.set(message, {
          message,
          expected: 'no violation',
          actual: `${v.rule}${v.path ? ` at ${v.path}` : ''}: ${v.message}`,
          exchange: msg.exchange.seq,
          ...(msg.step !== undefined && { step: msg.step }),
          times: 1,
        });
      }
    }
    return [...found.values()].map(({ times, ...f }) =>
      times > 1 ? { ...f, message: `${f.message} (${times} times)` } : f,
    );
  },
};

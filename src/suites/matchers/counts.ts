import type { CountSpec, MessageExpectation } from '../scenario-schema.js';
import type { HostMessage } from './host-message.js';
import {
  describeSpec,
  type Finding,
  type MatchContext,
  mismatches,
  selects,
  withNote,
} from './message-expectation.js';

/**
 * How many messages match (selector and checks): `count: 1`, `count: { min: 1, max: 3 }`, and
 * `absent:` items, which are count 0. Captures are read, never made.
 */
export function countMatching(
  spec: MessageExpectation,
  messages: readonly HostMessage[],
  ctx: MatchContext,
): HostMessage[] {
  return messages.filter((m) => m.request && selects(spec, m, ctx) && mismatches(spec, m, ctx).length === 0);
}

export function describeCount(count: CountSpec | number): string {
  if (typeof count === 'number') return String(count);
  if (count.min !== undefined && count.min === count.max) return String(count.min);
  if (count.min !== undefined && count.max !== undefined) return `${count.min} to ${count.max}`;
  return count.min !== undefined ? `at least ${count.min}` : `at most ${count.max}`;
}

function countOk(count: CountSpec | number, n: number): boolean {
  if (typeof count === 'number') return n === count;
  return (count.min === undefined || n >= count.min) && (count.max === undefined || n <= count.max);
}

export function checkCount(
  spec: MessageExpectation & { count: CountSpec | number },
  messages: readonly HostMessage[],
  ctx: MatchContext,
): Finding | undefined {
  const hits = countMatching(spec, messages, ctx);
  if (countOk(spec.count, hits.length)) return undefined;
  const desc = describeSpec(spec, ctx);
  const shown = hits.slice(0, 6).map((m) => m.label);
  return {
    message: withNote(
      `expected ${describeCount(spec.count)} × ${desc}, got ${hits.length}${shown.length ? `: ${shown.join(', ')}` : ''}`,
      spec.note,
    ),
    expected: `${describeCount(spec.count)} × ${desc}`,
    actual: String(hits.length),
    ...(hits[0] && { exchange: hits[0].exchange.seq }),
  };
}

export function checkAbsent(
  spec: MessageExpectation,
  messages: readonly HostMessage[],
  ctx: MatchContext,
): Finding | undefined {
  const hits = countMatching(spec, messages, ctx);
  if (hits.length === 0) return undefined;
  const desc = describeSpec(spec, ctx);
  return {
    message: withNote(
      `expected no ${desc}, got ${hits
        .map((m) => m.label)
        .slice(0, 6)
        .join(', ')}`,
      spec.note,
    ),
    expected: `no ${desc}`,
    actual: hits.map((m) => m.label).join(', '),
    exchange: hits[0]!.exchange.seq,
    ...(hits[0]!.step !== undefined && { step: hits[0]!.step }),
  };
}

import type { MessageExpectation } from '../scenario-schema.js';
import type { HostMessage } from './host-message.js';
import {
  describeMismatches,
  describeSpec,
  type Finding,
  type ListResult,
  type MatchContext,
  type Mismatch,
  mismatches,
  receivedList,
  selects,
  withNote,
} from './message-expectation.js';

const BUDGET = 20_000;

/**
 * An unordered set: every item matches a different message, in any order. Items are tried in the
 * order written (so captures flow downwards) and the search backtracks over which message each
 * takes. On failure it names the first item no assignment could satisfy, with its closest candidate.
 */
export function matchContains(
  items: readonly MessageExpectation[],
  messages: readonly HostMessage[],
  ctx: MatchContext,
): ListResult {
  const pool = messages.filter((m) => m.request);
  const used = new Set<number>();
  let budget = BUDGET;
  let best: { depth: number; finding: Finding } | undefined;

  const search = (i: number, captures: Map<string, HostMessage>): Map<string, HostMessage> | undefined => {
    if (--budget < 0) return undefined;
    if (i === items.length) return captures;
    const item = items[i]!;
    const local: MatchContext = { ...ctx, captures };
    let closest: { msg: HostMessage; wrong: Mismatch[] } | undefined;
    for (const msg of pool) {
      if (used.has(msg.index) || !selects(item, msg, local)) continue;
      const wrong = mismatches(item, msg, local);
      if (wrong.length > 0) {
        closest ??= { msg, wrong };
        continue;
      }
      used.add(msg.index);
      const found = search(i + 1, item.as ? new Map(captures).set(item.as, msg) : captures);
      used.delete(msg.index);
      if (found) return found;
    }
    if (!best || i > best.depth) {
      const desc = describeSpec(item, local);
      const text = closest
        ? `expected ${desc}; the closest, ${closest.msg.label}, has ${describeMismatches(closest.wrong)}`
        : `expected ${desc}, none sent`;
      best = {
        depth: i,
        finding: {
          message: withNote(text, item.note),
          expected: desc,
          actual: receivedList(pool),
          ...(closest && { exchange: closest.msg.exchange.seq }),
        },
      };
    }
    return undefined;
  };

  const captures = search(0, new Map(ctx.captures));
  if (captures) return { ok: true, captures };
  const finding =
    budget < 0
      ? {
          message: `the set has too many ways to match ${pool.length} messages; make its items more specific`,
        }
      : best!.finding;
  return { ok: false, captures: new Map(ctx.captures), finding };
}

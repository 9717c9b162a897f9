import type { MessageKind } from '../../mocks/hosts/host-schema.js';
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

/** Network management a build may add on its own (sign-on before a sale, echo tests). */
export const DEFAULT_IGNORED: readonly MessageKind[] = ['sign-on', 'sign-off', 'echo', 'key-exchange'];

export interface SequenceOptions {
  /** The sequence is every message the host received, apart from ignored kinds. */
  exact?: boolean;
  /** Kinds an exact sequence skips; default DEFAULT_IGNORED minus the kinds the sequence names. */
  ignore?: readonly MessageKind[];
}

/** Search steps before the matcher gives up on a pathological scenario (journals are short). */
const BUDGET = 20_000;

/**
 * An ordered sequence: the items match messages in this order. Without `exact`, other messages may
 * come between (a subsequence); with it, the items are the whole list. Captures (`as:`) made by an
 * item are seen by the items after it, and the search backtracks, so `original: first` finds the
 * sale that IS reversed, not just the first sale. On failure it reports the item that got
 * furthest, with the closest candidate and what it got wrong.
 */
export function matchSequence(
  items: readonly MessageExpectation[],
  messages: readonly HostMessage[],
  ctx: MatchContext,
  options: SequenceOptions = {},
): ListResult {
  const named = new Set(items.flatMap((i) => (i.kind === undefined ? [] : [i.kind].flat())));
  const ignored = new Set((options.ignore ?? DEFAULT_IGNORED).filter((k) => options.ignore || !named.has(k)));
  const pool = messages.filter((m) => m.request && !(options.exact && m.kind && ignored.has(m.kind)));
  let budget = BUDGET;
  let best: { depth: number; finding: Finding; closest: boolean } | undefined;
  const record = (depth: number, finding: Finding, closest = false) => {
    if (!best || depth > best.depth || (depth === best.depth && closest && !best.closest)) {
      best = { depth, finding, closest };
    }
  };
  const base = { actual: receivedList(pool) };

  const search = (
    i: number,
    from: number,
    captures: Map<string, HostMessage>,
  ): Map<string, HostMessage> | undefined => {
    if (--budget < 0) return undefined;
    const prev = from > 0 ? pool[from - 1] : undefined;
    if (i === items.length) {
      const extra = options.exact ? pool[from] : undefined;
      if (!extra) return captures;
      record(i, {
        ...base,
        message: `expected nothing more${prev ? ` after ${prev.label}` : ''}, got ${extra.label}`,
        expected: 'no further message',
        exchange: extra.exchange.seq,
        ...(extra.step !== undefined && { step: extra.step }),
      });
      return undefined;
    }
    const item = items[i]!;
    const local: MatchContext = { ...ctx, captures };
    const desc = describeSpec(item, local);
    const after = prev ? ` after ${prev.label}` : '';
    const candidates = options.exact ? pool.slice(from, from + 1) : pool.slice(from);
    let closest: { msg: HostMessage; wrong: Mismatch[] } | undefined;
    for (const [offset, msg] of candidates.entries()) {
      if (!selects(item, msg, local)) {
        if (options.exact) {
          record(i, {
            ...base,
            message: withNote(`expected message ${i + 1} to be ${desc}, got ${msg.label}`, item.note),
            expected: desc,
            exchange: msg.exchange.seq,
            ...(msg.step !== undefined && { step: msg.step }),
          });
        }
        continue;
      }
      const wrong = mismatches(item, msg, local);
      if (wrong.length > 0) {
        closest ??= { msg, wrong };
        continue;
      }
      const next = item.as ? new Map(captures).set(item.as, msg) : captures;
      const found = search(i + 1, from + offset + 1, next);
      if (found) return found;
    }
    if (closest) {
      const { msg, wrong } = closest;
      const message = options.exact
        ? `expected message ${i + 1} to be ${desc}; ${msg.label} has ${describeMismatches(wrong)}`
        : `expected ${desc}${after}; the closest, ${msg.label}, has ${describeMismatches(wrong)}`;
      record(
        i,
        {
          ...base,
          message: withNote(message, item.note),
          expected: desc,
          exchange: msg.exchange.seq,
          ...(msg.step !== undefined && { step: msg.step }),
        },
        true,
      );
    } else if (candidates.length === 0 || !options.exact) {
      record(i, {
        ...base,
        message: withNote(`expected ${desc}${after}, none sent`, item.note),
        expected: desc,
        ...(prev && { exchange: prev.exchange.seq }),
      });
    }
    return undefined;
  };

  const captures = search(0, 0, new Map(ctx.captures));
  if (captures) return { ok: true, captures };
  if (budget < 0) {
    return {
      ok: false,
      captures: new Map(ctx.captures),
      finding: {
        message: `the sequence has too many ways to match ${pool.length} messages; make its items more specific`,
      },
    };
  }
  return { ok: false, captures: new Map(ctx.captures), finding: best!.finding };
}

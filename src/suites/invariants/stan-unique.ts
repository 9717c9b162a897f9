import type { HostMessage } from '../matchers/host-message.js';
import type { Finding } from '../matchers/message-expectation.js';
import { restIdempotency } from './idempotency.js';
import type { Invariant } from './invariant.js';

/**
 * A terminal never uses a STAN twice in a day (DOMAIN §4), except where the protocol repeats it:
 * a repeat MTI (0401, 0421, 0221, 1421 …: last digit odd) repeats the STAN of the message it
 * repeats, and a message that identifies its original BY its STAN (a CUP 0400, whose rule matches
 * DE11 to the original's DE11) carries the original's. Everything else is a finding: a host keys
 * duplicates and reversals on the STAN, so a reused one is a declined or wrongly reversed sale.
 * A REST gateway recognises repeats by the idempotency key instead: idempotency.ts checks that.
 */
export const stanUnique: Invariant = {
  id: 'stan-unique',
  description:
    'a STAN is used once per terminal per day, except by repeats and STAN-matched reversals (REST: an idempotency key names one request, and no transaction is charged twice)',
  reasonKind: 'invariant',
  check(obs) {
    if (obs.rest) return restIdempotency(obs);
    const out: Finding[] = [];
    const seen = new Map<string, HostMessage[]>();
    for (const msg of obs.messages) {
      const iso = msg.request?.iso;
      const stan = iso?.fields['11'];
      if (!iso || typeof stan !== 'string' || msg.lost) continue;
      const terminal = typeof iso.fields['41'] === 'string' ? (iso.fields['41'] as string).trim() : '?';
      const day = msg.exchange.at.slice(0, 10);
      const key = `${terminal}|${day}|${stan}`;
      const earlier = seen.get(key) ?? [];
      seen.set(key, [...earlier, msg]);
      if (earlier.length === 0 || legitimateRepeat(msg, earlier)) continue;
      out.push({
        message: `terminal ${terminal} used STAN ${stan} twice on ${day}: ${earlier[0]!.label} and ${msg.label}`,
        expected: 'a new STAN',
        actual: stan,
        exchange: msg.exchange.seq,
        ...(msg.step !== undefined && { step: msg.step }),
      });
    }
    return out;
  },
};

function legitimateRepeat(msg: HostMessage, earlier: HostMessage[]): boolean {
  const mti = msg.request!.iso!.mti;
  const repeat = Number(mti[3]) % 2 === 1;
  if (repeat && earlier.some((e) => e.request?.iso?.mti.slice(0, 3) === mti.slice(0, 3))) return true;
  return msg.rule?.originalMatch?.['11'] === '11';
}

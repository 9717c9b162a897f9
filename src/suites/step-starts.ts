import type { Exchange } from '../mocks/exchange.js';
import type { HostInstanceName } from './scenario.js';

/** When a transaction step started: the clock (ms), and per host instance the last journal seq then. */
export interface StepStart {
  position: number;
  at: number;
  recorded: ReadonlyMap<HostInstanceName, number>;
}

/** The step running at `at` (ms), by the clock alone. */
export function stepAtTime(starts: readonly StepStart[], at: number): number | undefined {
  return starts.findLast((s) => s.at <= at)?.position;
}

/**
 * The step an exchange belongs to: the one running when it arrived, except that an exchange the
 * host had recorded before a step started cannot be that step's (nor a later one's). The clock has
 * millisecond steps, so a step's last exchange and the next step's start often share one.
 */
export function stepOfExchange(
  starts: readonly StepStart[],
  exchange: Pick<Exchange, 'at' | 'seq'>,
  instance: HostInstanceName,
): number | undefined {
  const byClock = starts.findLastIndex((s) => s.at <= Date.parse(exchange.at));
  const after = starts.findIndex((s) => (s.recorded.get(instance) ?? 0) >= exchange.seq);
  const index = after !== -1 && byClock >= after ? after - 1 : byClock;
  return index < 0 ? undefined : starts[index]!.position;
}

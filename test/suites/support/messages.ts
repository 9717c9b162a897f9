// Synthetic journals for the matcher and invariant tests: exchanges as a host records them, read
// through the real host versions (rules, kinds, original-data rules), without sockets.

import type { Exchange } from '../../../src/mocks/exchange.js';
import type { HostVersion } from '../../../src/mocks/hosts/host-loader.js';
import type { FieldValue } from '../../../src/protocols/iso8583/index.js';
import { type HostMessage, hostMessages } from '../../../src/suites/matchers/host-message.js';
import type { MatchContext } from '../../../src/suites/matchers/message-expectation.js';
import type { HostInstanceName } from '../../../src/suites/scenario.js';

export interface Msg {
  mti: string;
  fields: Record<string, FieldValue>;
}

export interface ExchangeOptions {
  response?: Msg;
  /** false: the response was built but never left (a fault). Default true. */
  sent?: boolean;
  faults?: string[];
  violations?: Exchange['violations'];
  at?: string;
  event?: Exchange['event'];
  summary?: string;
}

let clock = Date.parse('2026-03-14T10:20:30.000Z');

/** One exchange with a request, numbered `seq`. */
export function ex(seq: number, request: Msg, options: ExchangeOptions = {}): Exchange {
  clock += 10;
  const summary = options.summary ?? `${request.mti} STAN ${request.fields['11'] ?? '-'}`;
  return {
    seq,
    transport: 'iso8583',
    host: 'test',
    connection: 1,
    at: options.at ?? new Date(clock).toISOString(),
    request: { summary, size: 50, iso: { mti: request.mti, fields: request.fields } },
    ...(options.response && {
      response: {
        summary: `${options.response.mti} STAN ${options.response.fields['11'] ?? '-'} code ${options.response.fields['39'] ?? '-'}`,
        size: 40,
        iso: { mti: options.response.mti, fields: options.response.fields },
      },
    }),
    ...(options.response && options.sent !== false && { durationMs: 1 }),
    ...(options.event && { event: options.event }),
    violations: options.violations ?? [],
    faults: options.faults ?? [],
  };
}

/** The exchanges as host messages of one version (primary), with optional backup exchanges. */
export function observe(
  version: HostVersion,
  primary: Exchange[],
  backup: Exchange[] = [],
  stepOf?: (e: Exchange, instance: HostInstanceName) => number | undefined,
): HostMessage[] {
  const journals = [{ instance: 'primary' as const, exchanges: primary }];
  if (backup.length) journals.push({ instance: 'backup' as never, exchanges: backup });
  return hostMessages(journals, version, stepOf);
}

export function context(version: HostVersion, captures: Record<string, HostMessage> = {}): MatchContext {
  return {
    version,
    captures: new Map(Object.entries(captures)),
    stepIndex: (ref) => ({ 'sale-1': 0, 'sale-2': 2 })[ref],
  };
}

/** A 1987 sale with its approved answer (harbor-bank 2019.4 / 2022.2). */
export function sale87(stan: string, amount = '000000002500', code = '00'): { request: Msg; response: Msg } {
  const request: Msg = {
    mti: '0200',
    fields: { 3: '000000', 4: amount, 7: '0314102030', 11: stan, 22: '051', 41: 'HB000001', 42: 'M1' },
  };
  const response: Msg = {
    mti: '0210',
    fields: { 3: '000000', 4: amount, 11: stan, 37: `0000000${stan.slice(1)}`, 39: code, 41: 'HB000001' },
  };
  return { request, response };
}

/** A 1987 reversal of `original` (DE90 = MTI, STAN, DE7). */
export function reversal87(stan: string, original: Msg, mti = '0400'): Msg {
  return {
    mti,
    fields: {
      3: '000000',
      4: String(original.fields['4']),
      7: '0314102031',
      11: stan,
      41: 'HB000001',
      90: {
        1: original.mti,
        2: String(original.fields['11']),
        3: String(original.fields['7']),
        4: '0',
        5: '0',
      },
    },
  };
}

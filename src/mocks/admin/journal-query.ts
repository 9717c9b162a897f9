import { type Static, Type as T } from '@sinclair/typebox';
import { TRANSPORT_EVENTS, type TransportEvent } from '../exchange.js';
import type { JournalFilter } from '../journal-filter.js';
import { LABEL } from './host-label.js';

const MAX_JOURNAL_PAGE = 10_000;

/** A query parameter holding one or more items, comma-separated. */
function commaList(item: string, description: string) {
  return T.String({ pattern: `^${item}(?:,${item})*$`, description });
}

/** `GET /journal`'s query: which host, where to start, how many, and the filters (journal-filter.ts). */
export const JournalQuery = T.Object(
  {
    host: T.Optional(T.String({ pattern: LABEL, description: 'a host label; default: the first host' })),
    since: T.Integer({ minimum: 0, default: 0, description: 'only exchanges after this sequence number' }),
    limit: T.Integer({ minimum: 1, maximum: MAX_JOURNAL_PAGE, default: 1000, description: 'page size' }),
    // Filters (journal-filter.ts): every one given must hold; a comma list matches any item.
    mti: T.Optional(commaList('[0-9]{4}', 'ISO 8583 request MTIs, comma-separated, e.g. 0200,0400')),
    operation: T.Optional(
      commaList('[A-Za-z0-9_.-]+', 'REST operationIds, comma-separated, e.g. createPaymentIntent'),
    ),
    terminal: T.Optional(
      T.String({ pattern: '^[ -~]{1,16}$', description: 'an ISO 8583 terminal id (DE41), e.g. HB000001' }),
    ),
    stan: T.Optional(
      T.String({ pattern: '^[0-9]{1,6}$', description: 'an ISO 8583 STAN (DE11) of 1 to 6 digits' }),
    ),
    code: T.Optional(
      commaList(
        '(?:[0-9A-Za-z]{1,3}|none)',
        'response codes (DE39) or HTTP statuses, comma-separated, e.g. 00,94 or 402; none: no answer sent',
      ),
    ),
    violations: T.Optional(T.Boolean({ description: 'true: only exchanges that broke a rule; false: none' })),
    event: T.Optional(
      commaList(
        `(?:${TRANSPORT_EVENTS.join('|')})`,
        `transport events, comma-separated: ${TRANSPORT_EVENTS.join(', ')}`,
      ),
    ),
    fault: T.Optional(
      commaList(
        '[A-Za-z0-9][A-Za-z0-9_.:#-]*',
        'ids of faults that fired, comma-separated, e.g. no-response, latency#2',
      ),
    ),
    text: T.Optional(
      T.String({ minLength: 1, maxLength: 200, description: 'text in a summary line, any case' }),
    ),
  },
  { additionalProperties: false },
);
export type JournalQuery = Static<typeof JournalQuery>;

/** A journal query's filters alone (the CLI's `paymatrix journal` takes them as options). */
export const JournalFilterQuery = T.Omit(JournalQuery, ['host', 'since', 'limit']);
export type JournalFilterQuery = Static<typeof JournalFilterQuery>;

/** The filter a journal query asks for (its comma lists split). */
export function filterOf(q: JournalFilterQuery): JournalFilter {
  const list = (v: string | undefined) => v?.split(',');
  return {
    ...(q.mti !== undefined && { mti: list(q.mti) }),
    ...(q.operation !== undefined && { operation: list(q.operation) }),
    ...(q.terminal !== undefined && { terminal: q.terminal }),
    ...(q.stan !== undefined && { stan: q.stan }),
    ...(q.code !== undefined && { code: list(q.code) }),
    ...(q.violations !== undefined && { violations: q.violations }),
    ...(q.event !== undefined && { event: list(q.event) as TransportEvent[] }),
    ...(q.fault !== undefined && { fault: list(q.fault) }),
    ...(q.text !== undefined && { text: q.text }),
  };
}

import type { Exchange, Transport, TransportEvent } from './exchange.js';

/**
 * Which exchanges of a journal someone wants to see: a QA engineer with a real terminal on a
 * running mock asks for "the reversals from terminal HB000001" or "everything a fault touched",
 * not page after page of echo tests. Every criterion given must hold; a list matches any of its
 * items. Criteria read the masked, decoded exchange, so a filter never sees card data in clear
 * (and a PAN is not a criterion).
 */
export interface JournalFilter {
  /** ISO 8583: the request's MTI, e.g. `0200`, `0420`. */
  mti?: readonly string[];
  /** REST: the operationId the request was routed to, e.g. `createPaymentIntent`. */
  operation?: readonly string[];
  /** ISO 8583: the card acceptor terminal id (DE41) of the request. */
  terminal?: string;
  /** ISO 8583: the STAN (DE11) of the request or its response, 1–6 digits (zeros in front optional). */
  stan?: string;
  /** The answer's code: an ISO response code (DE39, e.g. `00`, `94`, `904`), an HTTP status, or `none` (not sent). */
  code?: readonly string[];
  /** true: only exchanges that broke a rule of the host version; false: only those that did not. */
  violations?: boolean;
  /** Transport events, e.g. `fault`, `reset`, `malformed`, `lost`. */
  event?: readonly TransportEvent[];
  /** Ids of faults that fired on the exchange, e.g. `no-response`. */
  fault?: readonly string[];
  /** Text in the request's or response's summary line, any case, e.g. `reversal` or `pi_0000`. */
  text?: string;
}

/** The test a filter describes; every exchange passes an empty filter. */
export function journalFilter(filter: JournalFilter): (exchange: Exchange) => boolean {
  const tests: Array<(e: Exchange) => boolean> = [];
  const { mti, operation, terminal, stan, code, violations, event, fault, text } = filter;
  if (mti) tests.push((e) => oneOf(mti, e.request?.iso?.mti));
  if (operation) tests.push((e) => oneOf(operation, e.request?.http?.operation));
  if (terminal !== undefined) {
    // DE41 is fixed-length text: a short id arrives padded with spaces.
    const wanted = terminal.trimEnd();
    tests.push((e) => field(e.request, '41')?.trimEnd() === wanted);
  }
  if (stan !== undefined) {
    const wanted = stan.padStart(6, '0');
    tests.push((e) => field(e.request, '11') === wanted || field(e.response, '11') === wanted);
  }
  if (code) tests.push((e) => oneOf(code, answerCode(e)));
  if (violations !== undefined) tests.push((e) => e.violations.length > 0 === violations);
  if (event) tests.push((e) => oneOf(event, e.event?.kind));
  if (fault) tests.push((e) => e.faults.some((id) => fault.includes(id)));
  if (text !== undefined) {
    const wanted = text.toLowerCase();
    tests.push(
      (e) =>
        (e.request?.summary.toLowerCase().includes(wanted) ?? false) ||
        (e.response?.summary.toLowerCase().includes(wanted) ?? false),
    );
  }
  return (e) => tests.every((test) => test(e));
}

/**
 * A filter asking a journal for what its transport never has (an MTI of a REST gateway, an
 * operationId of an ISO 8583 host) would match nothing, silently: this says why instead. The query
 * parameters at fault and what to use, or undefined when every criterion fits.
 */
export function filterMismatch(filter: JournalFilter, transport: Transport): string | undefined {
  const iso = (['mti', 'terminal', 'stan'] as const).filter((k) => filter[k] !== undefined);
  if (transport === 'http' && iso.length > 0) {
    return `${iso.join(', ')} ${iso.length > 1 ? 'filter' : 'filters'} ISO 8583 exchanges, and this host is a REST gateway: filter by operation (operationIds), code (HTTP statuses) or text`;
  }
  if (transport === 'iso8583' && filter.operation !== undefined) {
    return 'operation filters REST exchanges, and this host speaks ISO 8583: filter by mti, terminal, stan, code or text';
  }
  return undefined;
}

function oneOf(list: readonly string[], value: string | undefined): boolean {
  return value !== undefined && list.includes(value);
}

/** A top-level ISO field's value as text (structured fields such as DE60 are not criteria). */
function field(message: Exchange['request'], id: string): string | undefined {
  const value = message?.iso?.fields[id];
  return typeof value === 'string' ? value : undefined;
}

/**
 * DE39 of an ISO answer, the status of an HTTP one; `none` for a request whose answer never left
 * (no answer, or one a fault or a hang-up kept: the journal shows what the host built, unsent).
 */
function answerCode(e: Exchange): string | undefined {
  const response = e.response;
  if (e.request && (!response || e.durationMs === undefined)) return 'none';
  if (!response) return undefined;
  if (response.iso) return field(response, '39');
  const status = response.http?.status;
  return status === undefined ? undefined : String(status);
}

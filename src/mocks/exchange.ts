/**
 * One exchange model for both transports (ARCHITECTURE rule 3): what a mock host saw — a
 * request/response pair, a lone request, or a transport event — with timings, the rules it broke
 * and the faults that fired. Expectations, traces and reports read this, never raw bytes, so they
 * do not care whether the bytes were ISO 8583 or JSON. Card data is masked before it gets here.
 */
export type Transport = 'iso8583' | 'http';

/** A rule the host version applies that the request broke, e.g. DE22 format or a missing MAC. */
export interface Violation {
  /** Field path (`22`, `60.3`, `55.9F26`) or JSON path (`/amount`); '' for the whole message. */
  path: string;
  /** The rule's name, e.g. `mandatory-field`, `forbidden-field`, `field-format` (a value out of the form the version wants), `format` (undecodable), `mac`, `duplicate`. */
  rule: string;
  message: string;
}

/** One message as recorded: its identity plus a masked, decoded view. */
export interface RecordedMessage {
  /** One line for people and logs, e.g. `0200 sale 25.00 STAN 000123`. */
  summary: string;
  /** Bytes on the wire (never the bytes themselves: they may hold card data in clear). */
  size: number;
  iso?: {
    mti: string;
    /** Decoded fields with card data masked (maskMessage). */
    fields: Record<string, unknown>;
    tpdu?: { id: number; destination: string; source: string };
    header?: string;
  };
  http?: {
    method?: string;
    path?: string;
    /** The API version's operationId the request was routed to. */
    operation?: string;
    status?: number;
    /** Secrets (Authorization, API keys) masked. */
    headers: Record<string, string>;
    /** Card data masked. */
    body?: unknown;
  };
}

/** What can happen on a connection besides a request and its answer. */
export const TRANSPORT_EVENTS = [
  'connected',
  'disconnected',
  'refused',
  'malformed',
  'idle-timeout',
  'reset',
  // The host's logic never got the request: a fault lost it on its way in, or it waited behind an
  // earlier one on a connection that closed (or a host that stopped) first.
  'lost',
  'fault',
  // The host built an answer that never left: its terminal had gone (or stopped reading, then
  // left), or the host stopped first.
  'unsent',
] as const;

export type TransportEvent = (typeof TRANSPORT_EVENTS)[number];

export interface Exchange {
  /** Order within the journal, from 1. */
  seq: number;
  transport: Transport;
  /** `host@version` that recorded it. */
  host: string;
  /** Which connection (ISO) or client (HTTP) it came on, from 1. */
  connection: number;
  /** Wall-clock time the request (or event) arrived, ISO 8601. */
  at: string;
  request?: RecordedMessage;
  response?: RecordedMessage;
  event?: { kind: TransportEvent; detail: string };
  /** Milliseconds from arrival to the response leaving (absent when none was sent). */
  durationMs?: number;
  /**
   * Why the host decided as it did where its answer's code alone does not say: a decline's reason
   * in the card book, a settlement's totals against the host's own. Evidence, not a rule broken:
   * absent when there is nothing to add.
   */
  notes?: string[];
  violations: Violation[];
  /** Ids of the faults that fired on this exchange. */
  faults: string[];
}

/** The event of an answer built for a terminal that had already hung up: never sent (both transports). */
export const TERMINAL_GONE: NonNullable<Exchange['event']> = Object.freeze({
  kind: 'unsent',
  detail: 'the terminal closed the connection before the answer was sent',
});

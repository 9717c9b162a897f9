import type { Socket } from 'node:net';
import type { FiredFault } from '../types.js';

/**
 * The contract between the REST gateway and the fault registry. The gateway routes a request,
 * then (unless a fault lost it) authenticates, validates and processes it into an answer; the
 * faults' hooks run in fixed stages:
 *
 *   accept (once per connection, before any byte is read)
 *   answer → [the gateway stores the answer for its idempotency key] → body → delay → takeover | deliver
 *
 * `answer` changes what the gateway says (a 500, a 429), so a replay of the same idempotency key
 * gets it too; the later stages change only how it travels. Within a stage, faults run in the
 * order they were added; scope, occurrences, probability, time scale and writes are the fault
 * set's business.
 */

/** What the gateway answers: status, headers (lower-case names) and a JSON body. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  /** A JSON value; absent: no body. */
  body?: unknown;
  /** One line for the journal and logs, e.g. `402 card_declined insufficient_funds`. */
  summary?: string;
}

/** The request as the gateway routed it. */
export interface HttpRequestInfo {
  /** Upper case. */
  method: string;
  /** Without the query string. */
  path: string;
  /** The operationId, when the path and method name one. */
  operation?: string;
  /** The lifecycle action of that operation (authorize, capture …). */
  action?: string;
}

/** Error kinds a fault may answer with, in the gateway version's own error shape. */
export type HttpFaultErrorKind = 'server-error' | 'rate-limited';

export interface HttpFaultContext {
  readonly request: HttpRequestInfo;
  /** The answer as it stands at this stage (earlier faults may have changed it). */
  readonly answer: HttpAnswer | undefined;
  readonly socket: Socket;
  /** The gateway version's error answer for a kind; `status` overrides the version's (503 …). */
  error(kind: HttpFaultErrorKind, options?: { status?: number; message?: string }): HttpAnswer;
  /** This fault's own seeded stream. */
  random(): number;
  /** Waits ms × the run's time scale; returns early when the connection closes or the fault set stops. */
  sleep(ms: number): Promise<void>;
  /** Adds a line to the exchange report (journal detail). */
  note(text: string): void;
  /** deliver: do not finish the response after the body was written (the client waits for the rest). */
  leaveOpen(): void;
}

export interface HttpAcceptContext {
  readonly socket: Socket;
  random(): number;
  note(text: string): void;
}

/** How a takeover ended the exchange: FIN, RST, or nothing at all while the connection stays open. */
export type HttpConnectionEnd = 'closed' | 'reset' | 'held';

/** Writes body bytes; resolves once they are handed to the socket. */
export type HttpBodyWrite = (bytes: Buffer) => Promise<void>;

/** The HTTP implementation of a fault: one or more hooks, each run at its stage. */
export interface HttpFault<P> {
  /** While such a fault is active the server must not listen at all, so connects are refused. */
  closesListener?(params: P): boolean;
  /** Connection-level: drops the freshly accepted connection. Such a fault has no exchange hooks. */
  accept?(ctx: HttpAcceptContext, params: P): 'closed' | 'reset';
  /** The request never reaches the gateway's logic: no payment, no idempotency record, no answer. */
  losesRequest?(params: P): boolean;
  /** Replaces (or, for a lost request, creates) the answer; undefined = no answer. */
  answer?(answer: HttpAnswer | undefined, ctx: HttpFaultContext, params: P): HttpAnswer | undefined;
  /** Changes the serialized body; undefined = send nothing and keep the connection open. */
  body?(bytes: Buffer, ctx: HttpFaultContext, params: P): Buffer | undefined;
  /** Milliseconds (before time scaling) to wait before answering; the delays of all fired faults add up. */
  delay?(ctx: HttpFaultContext, params: P): number;
  /** Ends the exchange instead of answering. The first fired takeover wins; nothing is sent. */
  takeover?(ctx: HttpFaultContext, params: P): HttpConnectionEnd | Promise<HttpConnectionEnd>;
  /** Wraps how the body is written after the head (status, headers, full Content-Length). */
  deliver?(write: HttpBodyWrite, ctx: HttpFaultContext, params: P): HttpBodyWrite;
}

/**
 * sent: the whole answer was written; partial: the head and part of the body (truncated, or the
 * client left); not-sent: no answer and the connection stays open; closed / reset: a takeover ended
 * the connection; held: a takeover keeps the connection open without answering; aborted: the
 * connection was gone (or the fault set stopped) before the answer could be written.
 */
export type HttpOutcome = 'sent' | 'partial' | 'not-sent' | 'closed' | 'reset' | 'held' | 'aborted';

export interface HttpExchangeReport {
  fired: FiredFault[];
  outcome: HttpOutcome;
  /** Total delay the faults asked for, in ms before time scaling. */
  delayMs: number;
  /** Body bytes written. */
  bytesSent: number;
  /** The body bytes as the faults left them (what a complete write would have sent). */
  body?: Buffer;
  notes: string[];
}

/** Where and how the gateway lets the fault set write the answer. */
export interface HttpExchangeInput {
  socket: Socket;
  /** Writes the status line and headers (Content-Length included), once. */
  writeHead(status: number, headers: Record<string, string>): void;
  /** Writes body bytes; resolves once handed to the socket. */
  write: HttpBodyWrite;
  /** Finishes the response. */
  end(): void;
  /** The answer after the answer stage (undefined: none), serialized as the gateway would send it. */
  answer: HttpAnswer | undefined;
  serialize(answer: HttpAnswer): Buffer;
  error: HttpFaultContext['error'];
}

/** The faults chosen for one request (decided when select() was called), ready to apply. */
export interface HttpExchangePlan {
  readonly fired: readonly FiredFault[];
  /** A fired fault lost the request on its way in: skip processing and idempotency. */
  readonly requestLost: boolean;
  /** The answer stage; `error` renders the version's error shape. */
  answer(
    answer: HttpAnswer | undefined,
    socket: Socket,
    error: HttpFaultContext['error'],
  ): HttpAnswer | undefined;
  /** body → delay → takeover | deliver. */
  run(input: HttpExchangeInput): Promise<HttpExchangeReport>;
}

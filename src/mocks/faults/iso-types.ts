import type { Socket } from 'node:net';
import type { FramingSpec } from '../../protocols/iso8583/framing/index.js';
import type { IsoMessage } from '../../protocols/iso8583/values.js';
import type { FiredFault } from './types.js';

/**
 * The contract between the ISO 8583 TCP host and the fault registry. The host decodes a request,
 * builds its response, then hands both to the fault set; the faults' hooks run in fixed stages:
 *
 *   accept (once per connection, before any byte is read)
 *   message → (re-sign) → mac → (re-encode) → bytes → delay → takeover | deliver
 *
 * Within a stage, faults run in the order they were added. A fault implements only the hooks it
 * needs; everything else (scope, occurrences, probability, time scale, socket writes) is done once,
 * by the fault set.
 */

/** The request as the server decoded it. */
export interface IsoRequestInfo {
  mti: string;
  /** DE3 when the request carries one; scope.processingCode matches its prefix. */
  processingCode?: string;
  /** The request frame as received, length prefix included. */
  frame: Buffer;
}

/**
 * The decoded response and the server's way to re-encode it, so message-aware faults change one
 * field and still send a frame that decodes (wrong-stan, wrong-mti, bad-mac).
 */
export interface IsoResponseCodec {
  /** The response as the host built it, before any fault. */
  message: IsoMessage;
  /** Frames a message exactly as the host frames this response (length prefix, TPDU, header). Must not sign. */
  encode(message: IsoMessage): Buffer;
  /** Recomputes the MAC as the host signs this response; omit when the host does not MAC it. */
  sign?(message: IsoMessage): IsoMessage;
  /** The data element that holds the MAC in this dialect ('64' or '128'); omit when it has none. */
  macField?: string;
}

/** How bytes reach the client; resolves once they are flushed to the socket. */
export type IsoWrite = (bytes: Buffer) => Promise<void>;

/** What the server passes for one request on one connection. */
export interface IsoExchangeInput {
  socket: Socket;
  request: IsoRequestInfo;
  /** The framed response the host would send; undefined when it sends none (e.g. an ignored advice). */
  response?: Buffer;
  codec?: IsoResponseCodec;
  /** The dialect's framing, so byte faults can spare the length prefix. */
  framing?: FramingSpec;
  /** Replaces the default writer (socket.write, resolved once flushed), e.g. to count bytes. */
  write?: IsoWrite;
}

/** What a hook sees: one request on one connection, plus the fault's own tools. */
export interface IsoFaultContext {
  readonly request: IsoRequestInfo;
  /** The framed response as it stands at this stage (earlier faults may have changed it). */
  readonly response: Buffer | undefined;
  readonly codec: IsoResponseCodec | undefined;
  readonly framing: FramingSpec | undefined;
  readonly socket: Socket;
  /** This fault's own seeded stream (run seed + fault id): other faults never shift its draws. */
  random(): number;
  /** Waits ms × the run's time scale; returns early when the connection closes or the fault set stops. */
  sleep(ms: number): Promise<void>;
  /** Adds a line to the exchange report (journal detail), e.g. why a hook had nothing to change. */
  note(text: string): void;
}

/** At accept time, before any byte is read. */
export interface IsoAcceptContext {
  readonly socket: Socket;
  random(): number;
  note(text: string): void;
}

export type IsoConnectionEnd = 'closed' | 'reset';

/** The ISO 8583/TCP implementation of a fault: one or more hooks, each run at its stage. */
export interface IsoFault<P> {
  /** Connection-level: drops the freshly accepted connection. Such a fault has no exchange hooks. */
  accept?(ctx: IsoAcceptContext, params: P): IsoConnectionEnd;
  /** While such a fault is active the server must not listen at all, so connects are refused. */
  closesListener?(params: P): boolean;
  /**
   * Upstream loss: the request never reaches the host's logic, so the server must not process it
   * (no ledger entry, no response). Read from the plan (requestLost) before the server processes.
   */
  losesRequest?(params: P): boolean;
  /** Changes the decoded response; the runner re-signs it afterwards (codec.sign), so the MAC stays valid. */
  message?(message: IsoMessage, ctx: IsoFaultContext, params: P): IsoMessage;
  /** Changes the signed response (the MAC itself); the runner then re-encodes it (codec.encode). */
  mac?(message: IsoMessage, ctx: IsoFaultContext, params: P): IsoMessage;
  /** Changes the framed bytes; undefined = send nothing. */
  bytes?(bytes: Buffer, ctx: IsoFaultContext, params: P): Buffer | undefined;
  /** Milliseconds (before time scaling) to wait before answering; the delays of all fired faults add up. */
  delay?(ctx: IsoFaultContext, params: P): number;
  /** Ends the connection instead of answering. The first fired takeover wins; nothing is sent. */
  takeover?(ctx: IsoFaultContext, params: P): IsoConnectionEnd | Promise<IsoConnectionEnd>;
  /** Wraps how the response is written (slices, rate, copies); the first added is the outermost. */
  deliver?(write: IsoWrite, ctx: IsoFaultContext, params: P): IsoWrite;
}

/**
 * sent: bytes were written; not-sent: nothing to send (no response, or a fault dropped it) and the
 * connection stays open; closed / reset: a takeover ended the connection; aborted: the connection
 * was gone (or the fault set stopped) before the response could be written.
 */
export type IsoOutcome = 'sent' | 'not-sent' | 'closed' | 'reset' | 'aborted';

export interface IsoExchangeReport {
  fired: FiredFault[];
  outcome: IsoOutcome;
  /** Total delay the faults asked for, in ms before time scaling. */
  delayMs: number;
  /** Bytes written to the socket, copies and slices included. */
  bytesSent: number;
  /** `<fault id>: <what happened>` lines worth journaling (skips, errors, chosen values). */
  notes: string[];
}

/** The faults chosen for one request (decided when select() was called), ready to run. */
export interface IsoExchangePlan {
  readonly fired: readonly FiredFault[];
  /** A fired fault lost the request on its way in: skip processing and pass no response to run(). */
  readonly requestLost: boolean;
  run(input: IsoExchangeInput): Promise<IsoExchangeReport>;
}

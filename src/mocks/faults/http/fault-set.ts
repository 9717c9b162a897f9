import type { Socket } from 'node:net';
import type { Delays } from '../../delays.js';
import {
  type ActiveFault as ActiveFaultOf,
  FaultSetBase,
  type FaultSetOptions,
  sleeper,
} from '../fault-set-base.js';
import type { FaultTarget, FiredFault } from '../types.js';
import type {
  HttpAnswer,
  HttpBodyWrite,
  HttpExchangeInput,
  HttpExchangePlan,
  HttpExchangeReport,
  HttpFault,
  HttpFaultContext,
  HttpOutcome,
  HttpRequestInfo,
} from './types.js';

export type HttpFaultSetOptions = FaultSetOptions;

type ActiveFault = ActiveFaultOf<HttpFault<unknown>>;

const NO_FAULTS: readonly FiredFault[] = [];

/**
 * The faults active on one REST gateway instance: the same specs, scopes, seeds and management as
 * the ISO hosts' IsoFaultSet (FaultSetBase, so the admin API drives both alike), with the HTTP
 * pipeline. Specs are resolved for the `http` transport: a fault without an HTTP implementation, or
 * an ISO-only scope key (mti, processingCode), is refused.
 */
export class HttpFaultSet extends FaultSetBase<HttpFault<unknown>> {
  constructor(specs: unknown = [], options: HttpFaultSetOptions = {}) {
    super(specs, options, 'http');
  }

  /** Decides which faults fire for this request; call once per request, in arrival order. */
  select(target: FaultTarget): HttpExchangePlan {
    if (this.faults.length === 0) return EMPTY_PLAN;
    const chosen: Array<{ fault: ActiveFault; occurrence: number }> = [];
    for (const fault of this.faults) {
      if (fault.connection) continue;
      const decision = fault.matcher.decide(target);
      if (decision.fires) chosen.push({ fault, occurrence: decision.occurrence });
    }
    if (chosen.length === 0) return EMPTY_PLAN;
    const fired = chosen.map(({ fault, occurrence }) => ({ id: fault.id, fault: fault.fault, occurrence }));
    const faults = chosen.map((c) => c.fault);
    const request: HttpRequestInfo = {
      method: target.method ?? '',
      path: target.path ?? '',
      ...(target.operation !== undefined && { operation: target.operation }),
      ...(target.action !== undefined && { action: target.action }),
    };
    const notes: string[] = [];
    return {
      fired,
      requestLost: faults.some((f) => f.impl.losesRequest?.(f.params) === true),
      answer: (answer, socket, error) => {
        let current = answer;
        for (const f of faults) {
          if (!f.impl.answer) continue;
          const ctx = contextOf(f, request, socket, () => current, error, notes, this.timeScale, this.delays);
          try {
            current = f.impl.answer(current, ctx, f.params);
          } catch (err) {
            notes.push(`${f.id}: failed (${(err as Error).message})`);
          }
        }
        return current;
      },
      run: (input) => runExchange(faults, fired, request, input, notes, this.timeScale, this.delays),
    };
  }
}

/** No fault fired: the gateway answers on its fast path and never calls run(). */
const EMPTY_PLAN: HttpExchangePlan = {
  fired: NO_FAULTS,
  requestLost: false,
  answer: (answer) => answer,
  run: () => Promise.reject(new Error('no fault fired: answer directly')),
};

function contextOf(
  f: ActiveFault,
  request: HttpRequestInfo,
  socket: Socket,
  answer: () => HttpAnswer | undefined,
  error: HttpFaultContext['error'],
  notes: string[],
  timeScale: number,
  delays: Delays,
  leaveOpen: () => void = () => {},
): HttpFaultContext {
  return {
    request,
    get answer() {
      return answer();
    },
    socket,
    error,
    random: f.random,
    sleep: sleeper(socket, timeScale, delays),
    note: (text) => notes.push(`${f.id}: ${text}`),
    leaveOpen,
  };
}

/** body → delay → takeover | deliver, after the gateway stored the answer for its idempotency key. */
async function runExchange(
  faults: ActiveFault[],
  fired: FiredFault[],
  request: HttpRequestInfo,
  input: HttpExchangeInput,
  notes: string[],
  timeScale: number,
  delays: Delays,
): Promise<HttpExchangeReport> {
  const { socket, answer } = input;
  let open = false;
  const ctx = (f: ActiveFault) =>
    contextOf(
      f,
      request,
      socket,
      () => answer,
      input.error,
      notes,
      timeScale,
      delays,
      () => {
        open = true;
      },
    );
  const guard = <T>(f: ActiveFault, fallback: T, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      notes.push(`${f.id}: failed (${(err as Error).message})`);
      return fallback;
    }
  };
  let bytesSent = 0;
  let body: Buffer | undefined;
  try {
    body = answer && input.serialize(answer);
  } catch (err) {
    notes.push(`serialize: failed (${(err as Error).message})`);
  }
  for (const f of faults) {
    if (!f.impl.body || body === undefined) continue;
    const current: Buffer = body;
    body = guard(f, current, () => f.impl.body!(current, ctx(f), f.params));
  }
  const report = (outcome: HttpOutcome, delayMs = 0): HttpExchangeReport => ({
    fired,
    outcome,
    delayMs,
    bytesSent,
    ...(body && { body }),
    notes,
  });

  let delayMs = 0;
  for (const f of faults) {
    if (!f.impl.delay) continue;
    const ms = guard(f, 0, () => f.impl.delay!(ctx(f), f.params));
    if (Number.isFinite(ms) && ms > 0) delayMs += ms;
  }
  if (delayMs > 0) await delays.wait(delayMs * timeScale, socket);
  if (socket.destroyed || delays.stopped) return report('aborted', delayMs);

  const [takeover, ...superseded] = faults.filter((f) => f.impl.takeover);
  if (takeover) {
    for (const f of superseded) notes.push(`${f.id}: superseded by ${takeover.id}`);
    try {
      return report(await takeover.impl.takeover!(ctx(takeover), takeover.params), delayMs);
    } catch (err) {
      notes.push(`${takeover.id}: failed (${(err as Error).message}); answer sent instead`);
    }
  }

  if (answer === undefined || body === undefined) return report('not-sent', delayMs);
  input.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length) });
  let write: HttpBodyWrite = async (bytes) => {
    if (socket.destroyed) return;
    bytesSent += bytes.length;
    await input.write(bytes);
  };
  for (const f of [...faults].reverse()) {
    if (!f.impl.deliver) continue;
    const inner = write;
    write = guard(f, inner, () => f.impl.deliver!(inner, ctx(f), f.params));
  }
  try {
    await write(body);
  } catch (err) {
    notes.push(`deliver: failed (${(err as Error).message})`);
  }
  if (!open && !socket.destroyed) input.end();
  if (bytesSent === body.length && !open) return report('sent', delayMs);
  return report(bytesSent > 0 || body.length === 0 ? 'partial' : 'aborted', delayMs);
}

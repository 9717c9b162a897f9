import { Buffer } from 'node:buffer';
import type { Socket } from 'node:net';
import type { Delays } from '../delays.js';
import {
  type ActiveFault as ActiveFaultOf,
  FaultSetBase,
  type FaultSetOptions,
  sleeper,
} from './fault-set-base.js';
import type {
  IsoExchangeInput,
  IsoExchangePlan,
  IsoExchangeReport,
  IsoFault,
  IsoFaultContext,
  IsoOutcome,
  IsoWrite,
} from './iso-types.js';
import type { FaultTarget, FiredFault } from './types.js';

export type IsoFaultSetOptions = FaultSetOptions;
export type { ActiveFaultInfo } from './fault-set-base.js';

type ActiveFault = ActiveFaultOf<IsoFault<unknown>>;

/**
 * The faults active on one ISO 8583 host instance: validated specs, their occurrence counters and
 * random streams (FaultSetBase), and the pipeline that applies the fired ones to an exchange. A host
 * creates one at start-up, and a scenario or the admin API adds and removes faults at runtime.
 */
export class IsoFaultSet extends FaultSetBase<IsoFault<unknown>> {
  #quiet: IsoExchangePlan | undefined;

  constructor(specs: unknown = [], options: IsoFaultSetOptions = {}) {
    super(specs, options, 'iso');
  }

  /**
   * Decides which exchange faults fire for this request. Call it once per request in arrival order
   * (it counts occurrences and draws probabilities); run the plan when the response is ready.
   */
  select(target: FaultTarget): IsoExchangePlan {
    // The usual case under load: no fault at all, so nothing to count or draw; one shared plan.
    if (this.faults.length === 0) {
      this.#quiet ??= {
        fired: [],
        requestLost: false,
        run: (input) => runExchange([], [], input, this.timeScale, this.delays),
      };
      return this.#quiet;
    }
    const chosen: Array<{ fault: ActiveFault; occurrence: number }> = [];
    for (const fault of this.faults) {
      if (fault.connection) continue;
      const decision = fault.matcher.decide(target);
      if (decision.fires) chosen.push({ fault, occurrence: decision.occurrence });
    }
    const fired = chosen.map(({ fault, occurrence }) => ({ id: fault.id, fault: fault.fault, occurrence }));
    const faults = chosen.map((c) => c.fault);
    const requestLost = faults.some((f) => f.impl.losesRequest?.(f.params) === true);
    return {
      fired,
      requestLost,
      run: (input) =>
        runExchange(
          faults,
          fired,
          requestLost ? { ...input, response: undefined } : input,
          this.timeScale,
          this.delays,
        ),
    };
  }
}

function socketWriter(socket: Socket): IsoWrite {
  return (bytes) =>
    new Promise((resolve) => {
      if (socket.destroyed || !socket.writable) return resolve();
      socket.write(bytes, () => resolve());
    });
}

/** The stages, in order: message → (sign) → mac → (encode) → bytes → delay → takeover | deliver. */
async function runExchange(
  faults: ActiveFault[],
  fired: FiredFault[],
  input: IsoExchangeInput,
  timeScale: number,
  delays: Delays,
): Promise<IsoExchangeReport> {
  const { socket, codec } = input;
  const notes: string[] = [];
  let response = input.response;
  let bytesSent = 0;
  const sleep = sleeper(socket, timeScale, delays);
  const report = (outcome: IsoOutcome, delayMs = 0): IsoExchangeReport => ({
    fired,
    outcome,
    delayMs,
    bytesSent,
    notes,
  });
  const contextOf = (f: ActiveFault): IsoFaultContext => ({
    request: input.request,
    get response() {
      return response;
    },
    codec,
    framing: input.framing,
    socket,
    random: f.random,
    sleep,
    note: (text) => notes.push(`${f.id}: ${text}`),
  });
  // A broken hook is reported, never thrown: a fault must not take the host down (rule 8).
  const guard = <T>(f: ActiveFault, fallback: T, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      notes.push(`${f.id}: failed (${(err as Error).message})`);
      return fallback;
    }
  };

  // message, (sign), mac, (encode): faults that need the decoded response.
  const messageFaults = faults.filter((f) => f.impl.message);
  const macFaults = faults.filter((f) => f.impl.mac);
  if (messageFaults.length + macFaults.length > 0) {
    if (response === undefined || !codec) {
      for (const f of [...messageFaults, ...macFaults]) {
        notes.push(`${f.id}: skipped (${response === undefined ? 'no response' : 'no decoded response'})`);
      }
    } else {
      const original = response;
      let message = structuredClone(codec.message);
      for (const f of messageFaults)
        message = guard(f, message, () => f.impl.message!(message, contextOf(f), f.params));
      if (messageFaults.length > 0 && codec.sign) {
        const sign = codec.sign;
        try {
          message = sign(message);
        } catch (err) {
          notes.push(`sign: failed (${(err as Error).message})`);
        }
      }
      for (const f of macFaults)
        message = guard(f, message, () => f.impl.mac!(message, contextOf(f), f.params));
      try {
        response = codec.encode(message);
      } catch (err) {
        notes.push(`encode: failed (${(err as Error).message}); original response kept`);
        response = original;
      }
    }
  }

  // bytes: copied once, so a hook never alters a frame the server reuses.
  const byteFaults = faults.filter((f) => f.impl.bytes);
  if (byteFaults.length > 0 && response !== undefined) {
    response = Buffer.from(response);
    for (const f of byteFaults) {
      if (response === undefined) break;
      const current: Buffer = response;
      response = guard(f, current, () => f.impl.bytes!(current, contextOf(f), f.params));
    }
  }

  // delay: one wait for the sum, so the journal shows what was asked for.
  let delayMs = 0;
  for (const f of faults) {
    if (!f.impl.delay) continue;
    const ms = guard(f, 0, () => f.impl.delay!(contextOf(f), f.params));
    if (Number.isFinite(ms) && ms > 0) delayMs += ms;
  }
  if (delayMs > 0) await sleep(delayMs);
  if (socket.destroyed || delays.stopped) return report('aborted', delayMs);

  // takeover: the first one ends the connection and nothing is sent.
  const takeovers = faults.filter((f) => f.impl.takeover);
  const [takeover, ...superseded] = takeovers;
  if (takeover) {
    for (const f of superseded) notes.push(`${f.id}: superseded by ${takeover.id}`);
    try {
      const end = await takeover.impl.takeover!(contextOf(takeover), takeover.params);
      return report(end, delayMs);
    } catch (err) {
      notes.push(`${takeover.id}: failed (${(err as Error).message}); response sent instead`);
    }
  }

  // deliver: wrap the writer, first added outermost.
  if (response === undefined) return report('not-sent', delayMs);
  const base = input.write ?? socketWriter(socket);
  let write: IsoWrite = async (bytes) => {
    if (socket.destroyed) return;
    bytesSent += bytes.length;
    await base(bytes);
  };
  for (const f of [...faults].reverse()) {
    if (!f.impl.deliver) continue;
    const inner = write;
    write = guard(f, inner, () => f.impl.deliver!(inner, contextOf(f), f.params));
  }
  try {
    await write(response);
  } catch (err) {
    notes.push(`deliver: failed (${(err as Error).message})`);
  }
  return report(bytesSent > 0 ? 'sent' : 'aborted', delayMs);
}

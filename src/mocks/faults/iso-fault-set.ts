import type { Socket } from 'node:net';
import { FaultSpecError } from './errors.js';
import type {
  IsoAcceptReport,
  IsoConnectionEnd,
  IsoExchangeInput,
  IsoExchangePlan,
  IsoExchangeReport,
  IsoFault,
  IsoFaultContext,
  IsoOutcome,
  IsoWrite,
} from './iso-types.js';
import { createRandom, type Random } from './random.js';
import { isConnectionFault } from './registry.js';
import { assignFaultId, type ResolvedFault, resolveFaultSpec, resolveFaultSpecs } from './resolve.js';
import { FaultScope } from './scope.js';
import type { FaultScopeSpec, FaultTarget, FiredFault } from './types.js';

export interface IsoFaultSetOptions {
  /** The run seed; with the fault id it seeds every fault's streams. Default 0: reproducible. */
  seed?: number | string;
  /** Multiplies every delay (0.01 turns a 35 s late response into 350 ms). Default 1. */
  timeScale?: number;
  /** Root of error paths for the initial list. Default 'faults' (→ `faults[2].params.delayMs`). */
  root?: string;
}

/** A fault as the admin API and `list()` show it. */
export interface ActiveFaultInfo {
  id: string;
  fault: string;
  params: Record<string, unknown>;
  scope: FaultScopeSpec;
  /** Messages (or connections) that passed the scope filter. */
  matched: number;
  fired: number;
}

interface ActiveFault extends ResolvedFault {
  iso: IsoFault<unknown>;
  connection: boolean;
  matcher: FaultScope;
  /** The fault's own stream (jitter, garbled bytes), apart from the scope's probability draws. */
  random: Random;
}

/**
 * The faults active on one ISO 8583 host instance: validated specs, their occurrence counters and
 * random streams, and the pipeline that applies the fired ones to an exchange. A host creates one
 * at start-up, and a scenario or the admin API adds and removes faults at runtime.
 */
export class IsoFaultSet {
  readonly seed: number | string;
  readonly timeScale: number;
  #faults: ActiveFault[] = [];
  readonly #listeners = new Set<() => void>();
  readonly #stop = new AbortController();
  #quiet: IsoExchangePlan | undefined;

  constructor(specs: unknown = [], options: IsoFaultSetOptions = {}) {
    this.seed = options.seed ?? 0;
    this.timeScale = options.timeScale ?? 1;
    if (!(this.timeScale >= 0)) throw new RangeError(`timeScale must be >= 0, got ${this.timeScale}`);
    this.#faults = resolveFaultSpecs(specs, options.root ?? 'faults').map((r) => this.#activate(r));
  }

  /** Validates and adds one fault (runtime: admin API, scenario step). `path` prefixes error paths. */
  add(spec: unknown, path = 'fault'): ActiveFaultInfo {
    const resolved = resolveFaultSpec(spec, path);
    const taken = new Set(this.#faults.map((f) => f.id));
    const explicit = (spec as { id?: unknown }).id !== undefined; // resolveFaultSpec checked it is an object
    if (explicit && taken.has(resolved.id)) {
      throw new FaultSpecError('duplicate-id', `${path}.id`, `"${resolved.id}" is already active`);
    }
    if (!explicit) resolved.id = assignFaultId(resolved.fault, taken);
    const active = this.#activate(resolved);
    this.#faults.push(active);
    this.#changed();
    return info(active);
  }

  /** Validates the whole list first, then swaps it in: a bad list leaves the active faults untouched. */
  replace(specs: unknown, root = 'faults'): ActiveFaultInfo[] {
    const next = resolveFaultSpecs(specs, root).map((r) => this.#activate(r));
    this.#faults = next;
    this.#changed();
    return next.map(info);
  }

  remove(id: string): boolean {
    const before = this.#faults.length;
    this.#faults = this.#faults.filter((f) => f.id !== id);
    const removed = this.#faults.length !== before;
    if (removed) this.#changed();
    return removed;
  }

  clear(): void {
    if (this.#faults.length === 0) return;
    this.#faults = [];
    this.#changed();
  }

  list(): ActiveFaultInfo[] {
    return this.#faults.map(info);
  }

  /** false while a fault says the host must not listen (host-down, mode refuse). */
  get listening(): boolean {
    return !this.#faults.some((f) => f.iso.closesListener?.(f.params) === true);
  }

  /** Called after every add/remove/replace/clear, e.g. to stop or resume listening. Returns an unsubscribe. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Ends pending delays at once (host shutdown); later sleeps return immediately. */
  stop(): void {
    this.#stop.abort();
  }

  /**
   * Call on every accepted connection before reading from it. Every connection-level fault counts
   * the connection; the first that fires drops it (close or reset) and `dropped` is true.
   */
  accept(socket: Socket): IsoAcceptReport {
    const notes: string[] = [];
    let chosen: { fault: ActiveFault; occurrence: number } | undefined;
    for (const fault of this.#faults) {
      if (!fault.connection) continue;
      const decision = fault.matcher.decide({});
      if (decision.fires && !chosen) chosen = { fault, occurrence: decision.occurrence };
    }
    if (!chosen) return { fired: [], dropped: false, notes };
    const { fault, occurrence } = chosen;
    const fired = [{ id: fault.id, fault: fault.fault, occurrence }];
    let end: IsoConnectionEnd = 'reset';
    try {
      end =
        fault.iso.accept?.(
          { socket, random: fault.random, note: (t) => notes.push(`${fault.id}: ${t}`) },
          fault.params,
        ) ?? 'reset';
    } catch (err) {
      notes.push(`${fault.id}: failed (${(err as Error).message}); connection reset`);
    }
    // A hook that returned without ending the socket (or threw) must not leave it half-served.
    if (!socket.destroyed && !socket.writableEnded) resetSocket(socket);
    return { fired, dropped: true, end, notes };
  }

  /**
   * Decides which exchange faults fire for this request. Call it once per request in arrival order
   * (it counts occurrences and draws probabilities); run the plan when the response is ready.
   */
  select(target: FaultTarget): IsoExchangePlan {
    // The usual case under load: no fault at all, so nothing to count or draw; one shared plan.
    if (this.#faults.length === 0) {
      this.#quiet ??= {
        fired: [],
        requestLost: false,
        run: (input) => runExchange([], [], input, this.timeScale, this.#stop.signal),
      };
      return this.#quiet;
    }
    const chosen: Array<{ fault: ActiveFault; occurrence: number }> = [];
    for (const fault of this.#faults) {
      if (fault.connection) continue;
      const decision = fault.matcher.decide(target);
      if (decision.fires) chosen.push({ fault, occurrence: decision.occurrence });
    }
    const fired = chosen.map(({ fault, occurrence }) => ({ id: fault.id, fault: fault.fault, occurrence }));
    const faults = chosen.map((c) => c.fault);
    const requestLost = faults.some((f) => f.iso.losesRequest?.(f.params) === true);
    return {
      fired,
      requestLost,
      run: (input) =>
        runExchange(
          faults,
          fired,
          requestLost ? { ...input, response: undefined } : input,
          this.timeScale,
          this.#stop.signal,
        ),
    };
  }

  #activate(resolved: ResolvedFault): ActiveFault {
    // resolveFaultSpec already refused faults without an iso implementation.
    const iso = resolved.definition.iso as IsoFault<unknown>;
    return {
      ...resolved,
      iso,
      connection: isConnectionFault(resolved.definition),
      matcher: new FaultScope(resolved.scope, createRandom(this.seed, resolved.id, 'scope')),
      random: createRandom(this.seed, resolved.id, 'fault'),
    };
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

function info(f: ActiveFault): ActiveFaultInfo {
  return {
    id: f.id,
    fault: f.fault,
    params: { ...f.params },
    scope: { ...f.scope },
    matched: f.matcher.matched,
    fired: f.matcher.fired,
  };
}

function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

function socketWriter(socket: Socket): IsoWrite {
  return (bytes) =>
    new Promise((resolve) => {
      if (socket.destroyed || !socket.writable) return resolve();
      socket.write(bytes, () => resolve());
    });
}

function sleeper(socket: Socket, timeScale: number, signal: AbortSignal): (ms: number) => Promise<void> {
  return (ms) =>
    new Promise((resolve) => {
      const scaled = ms * timeScale;
      if (!(scaled > 0) || socket.destroyed || signal.aborted) return resolve();
      // Waiting on a closed connection is pointless, and a stopping host must not wait for timers.
      const done = () => {
        clearTimeout(timer);
        socket.off('close', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, scaled);
      socket.once('close', done);
      signal.addEventListener('abort', done, { once: true });
    });
}

/** The stages, in order: message → (sign) → mac → (encode) → bytes → delay → takeover | deliver. */
async function runExchange(
  faults: ActiveFault[],
  fired: FiredFault[],
  input: IsoExchangeInput,
  timeScale: number,
  signal: AbortSignal,
): Promise<IsoExchangeReport> {
  const { socket, codec } = input;
  const notes: string[] = [];
  let response = input.response;
  let bytesSent = 0;
  const sleep = sleeper(socket, timeScale, signal);
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
  const messageFaults = faults.filter((f) => f.iso.message);
  const macFaults = faults.filter((f) => f.iso.mac);
  if (messageFaults.length + macFaults.length > 0) {
    if (response === undefined || !codec) {
      for (const f of [...messageFaults, ...macFaults]) {
        notes.push(`${f.id}: skipped (${response === undefined ? 'no response' : 'no decoded response'})`);
      }
    } else {
      const original = response;
      let message = structuredClone(codec.message);
      for (const f of messageFaults)
        message = guard(f, message, () => f.iso.message!(message, contextOf(f), f.params));
      if (messageFaults.length > 0 && codec.sign) {
        const sign = codec.sign;
        try {
          message = sign(message);
        } catch (err) {
          notes.push(`sign: failed (${(err as Error).message})`);
        }
      }
      for (const f of macFaults)
        message = guard(f, message, () => f.iso.mac!(message, contextOf(f), f.params));
      try {
        response = codec.encode(message);
      } catch (err) {
        notes.push(`encode: failed (${(err as Error).message}); original response kept`);
        response = original;
      }
    }
  }

  // bytes: copied once, so a hook never alters a frame the server reuses.
  const byteFaults = faults.filter((f) => f.iso.bytes);
  if (byteFaults.length > 0 && response !== undefined) {
    response = Buffer.from(response);
    for (const f of byteFaults) {
      if (response === undefined) break;
      const current: Buffer = response;
      response = guard(f, current, () => f.iso.bytes!(current, contextOf(f), f.params));
    }
  }

  // delay: one wait for the sum, so the journal shows what was asked for.
  let delayMs = 0;
  for (const f of faults) {
    if (!f.iso.delay) continue;
    const ms = guard(f, 0, () => f.iso.delay!(contextOf(f), f.params));
    if (Number.isFinite(ms) && ms > 0) delayMs += ms;
  }
  if (delayMs > 0) await sleep(delayMs);
  if (socket.destroyed || signal.aborted) return report('aborted', delayMs);

  // takeover: the first one ends the connection and nothing is sent.
  const takeovers = faults.filter((f) => f.iso.takeover);
  const [takeover, ...superseded] = takeovers;
  if (takeover) {
    for (const f of superseded) notes.push(`${f.id}: superseded by ${takeover.id}`);
    try {
      const end = await takeover.iso.takeover!(contextOf(takeover), takeover.params);
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
    if (!f.iso.deliver) continue;
    const inner = write;
    write = guard(f, inner, () => f.iso.deliver!(inner, contextOf(f), f.params));
  }
  try {
    await write(response);
  } catch (err) {
    notes.push(`deliver: failed (${(err as Error).message})`);
  }
  return report(bytesSent > 0 ? 'sent' : 'aborted', delayMs);
}

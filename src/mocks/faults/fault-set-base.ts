import type { Socket } from 'node:net';
import { Delays } from '../delays.js';
import { FaultSpecError } from './errors.js';
import { createRandom, type Random } from './random.js';
import { isConnectionFault } from './registry.js';
import { resetSocket } from './reset-socket.js';
import { assignFaultId, type ResolvedFault, resolveFaultSpec, resolveFaultSpecs } from './resolve.js';
import { FaultScope } from './scope.js';
import type { FaultScopeSpec, FaultTransport, FiredFault } from './types.js';

export interface FaultSetOptions {
  /** The run seed; with the fault id it seeds every fault's streams. Default 0: reproducible. */
  seed?: number | string;
  /** Multiplies every delay (0.01 turns a 35 s late response into 350 ms). Default 1. */
  timeScale?: number;
  /** Root of error paths for the initial list. Default 'faults' (→ `faults[2].params.delayMs`). */
  root?: string;
  /**
   * What the host knows beyond the schema: a scope naming an operation or method it does not serve
   * would never fire, so it is refused (throw a FaultSpecError; `path` names the scope).
   */
  checkScope?(scope: FaultScopeSpec, path: string): void;
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

/** What a connection-level fault's hook gets: the fresh socket, its stream, a note for the journal. */
export interface AcceptContext {
  readonly socket: Socket;
  random(): number;
  note(text: string): void;
}

/** What accept() did to a freshly accepted connection. */
export interface AcceptReport {
  /** The connection-level fault that dropped the connection (empty when none fired). */
  fired: FiredFault[];
  /** true: the socket was closed or reset; do not read from it. */
  dropped: boolean;
  end?: 'closed' | 'reset';
  notes: string[];
}

/** An active fault: its spec, its transport's implementation, occurrence counter and streams. */
export interface ActiveFault<I> extends ResolvedFault {
  impl: I;
  connection: boolean;
  matcher: FaultScope;
  /** The fault's own stream (jitter, garbled bytes), apart from the scope's probability draws. */
  random: Random;
}

/**
 * What the ISO hosts' and the gateways' fault sets share: validated specs, ids, occurrence
 * counters, seeded streams, and the runtime management the admin API and scenarios drive (add,
 * replace, remove, clear, list, change listeners, stop). Each transport adds its own pipeline.
 */
export abstract class FaultSetBase<
  I extends {
    closesListener?(params: unknown): boolean;
    accept?(ctx: AcceptContext, params: unknown): 'closed' | 'reset';
  },
> {
  readonly seed: number | string;
  readonly timeScale: number;
  protected faults: ActiveFault<I>[];
  /** Ended by stop(): pending fault delays end at once. */
  protected readonly delays = new Delays();
  readonly #listeners = new Set<() => void>();
  readonly #transport: FaultTransport;
  readonly #checkScope: ((scope: FaultScopeSpec, path: string) => void) | undefined;

  constructor(specs: unknown, options: FaultSetOptions, transport: FaultTransport) {
    this.seed = options.seed ?? 0;
    this.timeScale = options.timeScale ?? 1;
    this.#transport = transport;
    this.#checkScope = options.checkScope;
    if (!(this.timeScale >= 0)) throw new RangeError(`timeScale must be >= 0, got ${this.timeScale}`);
    this.faults = this.#resolveAll(specs, options.root ?? 'faults').map((r) => this.#activate(r));
  }

  /** A list resolved and, when the host checks scopes, checked entry by entry. */
  #resolveAll(specs: unknown, root: string): ResolvedFault[] {
    const resolved = resolveFaultSpecs(specs, root, { transport: this.#transport });
    for (const [i, r] of resolved.entries()) this.#checkScope?.(r.scope, `${root}[${i}].scope`);
    return resolved;
  }

  /** Validates and adds one fault (runtime: admin API, scenario step). `path` prefixes error paths. */
  add(spec: unknown, path = 'fault'): ActiveFaultInfo {
    const resolved = resolveFaultSpec(spec, path, { transport: this.#transport });
    this.#checkScope?.(resolved.scope, `${path}.scope`);
    const taken = new Set(this.faults.map((f) => f.id));
    const explicit = (spec as { id?: unknown }).id !== undefined; // resolveFaultSpec checked it is an object
    if (explicit && taken.has(resolved.id)) {
      throw new FaultSpecError('duplicate-id', `${path}.id`, `"${resolved.id}" is already active`);
    }
    if (!explicit) resolved.id = assignFaultId(resolved.fault, taken);
    const active = this.#activate(resolved);
    this.faults.push(active);
    this.#changed();
    return info(active);
  }

  /** Validates the whole list first, then swaps it in: a bad list leaves the active faults untouched. */
  replace(specs: unknown, root = 'faults'): ActiveFaultInfo[] {
    const next = this.#resolveAll(specs, root).map((r) => this.#activate(r));
    this.faults = next;
    this.#changed();
    return next.map(info);
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    const removed = this.faults.length !== before;
    if (removed) this.#changed();
    return removed;
  }

  clear(): void {
    if (this.faults.length === 0) return;
    this.faults = [];
    this.#changed();
  }

  list(): ActiveFaultInfo[] {
    return this.faults.map(info);
  }

  /** false while a fault says the server must not listen (host-down, mode refuse). */
  get listening(): boolean {
    return !this.faults.some((f) => f.impl.closesListener?.(f.params) === true);
  }

  /** Called after every add/remove/replace/clear, e.g. to stop or resume listening. Returns an unsubscribe. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Ends pending delays at once (shutdown); later sleeps return immediately. */
  stop(): void {
    this.delays.stop();
  }

  /**
   * Call on every accepted connection before reading from it (an HTTPS server: before TLS). Every
   * connection-level fault counts the connection; the first that fires drops it (close or reset)
   * and `dropped` is true.
   */
  accept(socket: Socket): AcceptReport {
    const notes: string[] = [];
    let chosen: { fault: ActiveFault<I>; occurrence: number } | undefined;
    for (const fault of this.faults) {
      if (!fault.connection) continue;
      const decision = fault.matcher.decide({});
      if (decision.fires && !chosen) chosen = { fault, occurrence: decision.occurrence };
    }
    if (!chosen) return { fired: [], dropped: false, notes };
    const { fault, occurrence } = chosen;
    let end: 'closed' | 'reset' = 'reset';
    try {
      end =
        fault.impl.accept?.(
          { socket, random: fault.random, note: (t) => notes.push(`${fault.id}: ${t}`) },
          fault.params,
        ) ?? 'reset';
    } catch (err) {
      notes.push(`${fault.id}: failed (${(err as Error).message}); connection reset`);
    }
    // A hook that returned without ending the socket (or threw) must not leave it half-served.
    if (!socket.destroyed && !socket.writableEnded) resetSocket(socket);
    return { fired: [{ id: fault.id, fault: fault.fault, occurrence }], dropped: true, end, notes };
  }

  #activate(resolved: ResolvedFault): ActiveFault<I> {
    return {
      ...resolved,
      // resolveFaultSpec already refused faults without this transport's implementation.
      impl: resolved.definition[this.#transport] as unknown as I,
      connection: isConnectionFault(resolved.definition),
      matcher: new FaultScope(resolved.scope, createRandom(this.seed, resolved.id, 'scope')),
      random: createRandom(this.seed, resolved.id, 'fault'),
    };
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

function info(f: ActiveFault<unknown>): ActiveFaultInfo {
  return {
    id: f.id,
    fault: f.fault,
    params: { ...f.params },
    scope: { ...f.scope },
    matched: f.matcher.matched,
    fired: f.matcher.fired,
  };
}

/**
 * Closes a connection politely (TCP FIN): end() sends FIN once pending writes are flushed; destroy()
 * then frees the socket even if the peer never closes its side.
 */
export async function closeSocket(socket: Socket): Promise<void> {
  await new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.end(() => resolve());
  });
  socket.destroy();
}

/** A time-scaled sleep that ends early when the connection closes or the set stops. */
export function sleeper(socket: Socket, timeScale: number, delays: Delays): (ms: number) => Promise<void> {
  return (ms) => delays.wait(ms * timeScale, socket);
}

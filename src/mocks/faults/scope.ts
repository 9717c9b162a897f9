import type { Random } from './random.js';
import type { FaultScopeSpec, FaultTarget } from './types.js';

/** The outcome of offering one message (or connection) to a fault's scope. */
export interface ScopeDecision {
  /** It passed the mti/processingCode filters and was counted. */
  matched: boolean;
  /** Its 1-based position among the matching messages (0 when it did not match). */
  occurrence: number;
  fires: boolean;
}

/** '/v1/payment_intents/*' → a whole-path test where '*' matches any run of characters. */
function pathMatcher(pattern: string): (path: string) => boolean {
  if (!pattern.includes('*')) return (path) => path === pattern;
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return (path) => re.test(path);
}

/** '02xx' → a test on each digit; 'x' (or 'X') matches any digit. */
function mtiMatcher(pattern: string): (mti: string) => boolean {
  const p = pattern.toLowerCase();
  return (mti) => {
    if (mti.length !== p.length) return false;
    for (let i = 0; i < p.length; i++) if (p[i] !== 'x' && p[i] !== mti[i]) return false;
    return true;
  };
}

/**
 * Decides, per message, whether one fault fires — in this order:
 *   1. filter: mti (any pattern matches) and processingCode (any prefix matches) for ISO 8583;
 *      operation (operationId or action), method and path (any listed matches) for REST;
 *   2. count: every message that passes the filter is one occurrence, whether or not it fires;
 *   3. select: nth (listed occurrences) or firstN (occurrences 1..N); neither = every occurrence;
 *   4. probability: one draw from the scope's own stream per selected occurrence when set.
 * Counting is per fault and across connections, in the order decide() is called.
 */
export class FaultScope {
  readonly #spec: FaultScopeSpec;
  readonly #random: Random;
  readonly #mti: Array<(mti: string) => boolean> | undefined;
  readonly #nth: ReadonlySet<number> | undefined;
  readonly #methods: ReadonlySet<string> | undefined;
  readonly #paths: Array<(path: string) => boolean> | undefined;
  #matched = 0;
  #fired = 0;

  constructor(spec: FaultScopeSpec, random: Random) {
    this.#spec = spec;
    this.#random = random;
    this.#mti = spec.mti?.map(mtiMatcher);
    this.#nth = spec.nth && new Set(spec.nth);
    this.#methods = spec.method && new Set(spec.method.map((m) => m.toUpperCase()));
    this.#paths = spec.path?.map(pathMatcher);
  }

  /** Messages that passed the filter so far. */
  get matched(): number {
    return this.#matched;
  }

  /** Occurrences the fault fired on so far. */
  get fired(): number {
    return this.#fired;
  }

  /** The filter alone: no counting, no draw. */
  matches(target: FaultTarget): boolean {
    if (this.#mti) {
      const mti = target.mti;
      if (mti === undefined || !this.#mti.some((m) => m(mti))) return false;
    }
    const codes = this.#spec.processingCode;
    if (codes) {
      const pc = target.processingCode;
      if (pc === undefined || !codes.some((prefix) => pc.startsWith(prefix))) return false;
    }
    const ops = this.#spec.operation;
    if (ops) {
      const { operation, action } = target;
      if (!ops.some((o) => o === operation || o === action)) return false;
    }
    if (this.#methods && (target.method === undefined || !this.#methods.has(target.method))) return false;
    if (this.#paths) {
      const path = target.path;
      if (path === undefined || !this.#paths.some((m) => m(path))) return false;
    }
    return true;
  }

  /** Counts the occurrence and decides; call once per message, in arrival order. */
  decide(target: FaultTarget): ScopeDecision {
    if (!this.matches(target)) return { matched: false, occurrence: 0, fires: false };
    const occurrence = ++this.#matched;
    let fires = true;
    if (this.#nth) fires = this.#nth.has(occurrence);
    else if (this.#spec.firstN !== undefined) fires = occurrence <= this.#spec.firstN;
    // Drawn only for selected occurrences, so nth/firstN alone never consume the stream.
    if (fires && this.#spec.probability !== undefined) fires = this.#random() < this.#spec.probability;
    if (fires) this.#fired++;
    return { matched: true, occurrence, fires };
  }
}

import { Fifo } from './fifo.js';
import type { IdempotencyProfile } from './gateway-schema.js';

/** An answer as kept for a key: serialized once, so a stored key costs a few strings, not a JSON tree. */
export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  /** The body as sent. */
  text: string;
  summary?: string;
}

/**
 * What an idempotency key has seen, per the gateway version's profile (gateway-schema.ts):
 * which results are kept (all, or 2xx only), a reused key with other parameters (reject or
 * replay), a duplicate while the first is still running (409, or wait for it), and how long keys
 * are kept (time-scaled). Bounded: past `maxKeys` the oldest key is forgotten.
 */

/**
 * One key: a single object with every field declared up front (one shape, no property array added
 * later), the stored answer's parts inline rather than in an object of their own. A busy gateway
 * keeps thousands and V8 copies each twice before it settles in the old generation.
 */
interface Entry {
  key: string;
  fingerprint: string;
  /**
   * Monotonic ms when the stored key expires, rounded up to a whole ms (a small integer V8 keeps
   * inline, where a fraction would cost a boxed number per key); 0 while the first request runs
   * (only stored keys are queued for expiry).
   */
  expires: number;
  /** The stored answer: 0 until stored. */
  status: number;
  headers: Record<string, string> | undefined;
  text: string;
  summary: string | undefined;
  /** Duplicates waiting for the first request to finish (stored or dropped); made on first need. */
  waiters: Array<() => void> | undefined;
  /** Still in the map (a flag saves a lookup in a map of thousands each time an entry goes). */
  live: boolean;
}

export type IdempotencyBegin =
  /** First use (or the key expired): process it, then call complete() with what was answered. */
  | { kind: 'new'; complete(answer: StoredAnswer | undefined): void }
  /** The stored answer, to send again. */
  | { kind: 'replay'; answer: StoredAnswer }
  | { kind: 'mismatch' }
  | { kind: 'in-flight' };

export interface IdempotencyStoreOptions {
  /** Multiplies the retention (0.001: a day lasts 86.4 s). */
  timeScale?: number;
  /** Monotonic clock in ms. */
  clock?: () => number;
}

export class IdempotencyStore {
  readonly #profile: IdempotencyProfile;
  readonly #retentionMs: number;
  readonly #maxKeys: number;
  readonly #clock: () => number;
  readonly #entries = new Map<string, Entry>();
  /** Stored entries in the order they were stored, which is their expiry order. */
  readonly #stored = new Fifo<Entry>();
  /** Keys forgotten to stay within maxKeys (not counting expiry). */
  evicted = 0;

  constructor(profile: IdempotencyProfile, options: IdempotencyStoreOptions = {}) {
    this.#profile = profile;
    this.#retentionMs = profile.retentionSeconds * 1000 * (options.timeScale ?? 1);
    this.#maxKeys = profile.maxKeys ?? 10_000;
    this.#clock = options.clock ?? (() => performance.now());
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Looks the key up. `fingerprint` stands for the request's parameters (method, path, body).
   * Synchronous unless a duplicate of a running request must wait for it (`concurrent: wait`):
   * the common case costs no promise.
   */
  begin(key: string, fingerprint: string): IdempotencyBegin | Promise<IdempotencyBegin> {
    this.#prune();
    const entry = this.#entries.get(key);
    if (!entry) return this.#start(key, fingerprint);
    if (entry.fingerprint !== fingerprint && this.#profile.mismatch === 'reject') return { kind: 'mismatch' };
    if (entry.status !== 0) return { kind: 'replay', answer: this.#replayed(entry) };
    if (this.#profile.concurrent === 'reject') return { kind: 'in-flight' };
    // Then look again: the first one's answer was stored, or dropped (a retry runs afresh).
    return new Promise<void>((resolve) => {
      entry.waiters ??= [];
      entry.waiters.push(resolve);
    }).then(() => this.begin(key, fingerprint));
  }

  clear(): void {
    for (const entry of this.#entries.values()) {
      entry.live = false;
      release(entry);
    }
    this.#entries.clear();
    this.#stored.clear();
    this.evicted = 0;
  }

  #start(key: string, fingerprint: string): IdempotencyBegin {
    const entry: Entry = {
      key,
      fingerprint,
      expires: 0,
      status: 0,
      headers: undefined,
      text: '',
      summary: undefined,
      waiters: undefined,
      live: true,
    };
    this.#entries.set(key, entry);
    // Past the bound the oldest stored key goes (keys still running are few: one per request in flight).
    while (this.#entries.size > this.#maxKeys && this.#stored.length > 0) {
      const oldest = this.#stored.shift()!;
      if (oldest.live) {
        this.#drop(oldest);
        this.evicted++;
      }
    }
    return { kind: 'new', complete: (answer) => this.#complete(entry, answer) };
  }

  #complete(entry: Entry, answer: StoredAnswer | undefined): void {
    // Gone meanwhile (reset, eviction): nothing to store.
    if (entry.live) {
      if (answer && this.#keeps(answer.status)) {
        entry.status = answer.status;
        entry.headers = answer.headers;
        entry.text = answer.text;
        entry.summary = answer.summary;
        entry.expires = Math.ceil(this.#clock() + this.#retentionMs);
        this.#stored.push(entry);
      } else {
        this.#drop(entry);
      }
    }
    release(entry);
  }

  #drop(entry: Entry): void {
    this.#entries.delete(entry.key);
    entry.live = false;
  }

  #keeps(status: number): boolean {
    return this.#profile.store === 'all' || (status >= 200 && status < 300);
  }

  #replayed(entry: Entry): StoredAnswer {
    const h = this.#profile.replayedHeader;
    const headers = h ? { ...entry.headers, [h.name.toLowerCase()]: h.value } : entry.headers!;
    return { status: entry.status, headers, text: entry.text, summary: entry.summary };
  }

  /** Drops expired keys, oldest first (stored keys are queued in expiry order; running ones never expire). */
  #prune(): void {
    if (this.#stored.length === 0) return;
    const now = this.#clock();
    for (let oldest = this.#stored.peek(); oldest && oldest.expires <= now; oldest = this.#stored.peek()) {
      this.#stored.shift();
      if (oldest.live) this.#drop(oldest);
    }
  }
}

/** Wakes the duplicates waiting on an entry. */
function release(entry: Entry): void {
  const waiters = entry.waiters;
  entry.waiters = undefined;
  if (waiters) for (const wake of waiters) wake();
}

/**
 * What a key's first request is compared with: method, path and body, hashed (two 32-bit lanes,
 * FNV-1a and a multiplicative one) so a stored key holds a 4-character string (64 bits, one small
 * flat string) rather than a copy of the body. Opaque: compare it, never show it.
 */
export function fingerprintOf(method: string, path: string, body: string): string {
  // The three parts go through one loop (no closure): the lanes stay in registers as int32s, where
  // a closure kept them in its context and boxed a number per character.
  let a = 0x811c9dc5 | 0;
  let b = (0x01000193 ^ body.length) | 0;
  for (let part = 0; part < 5; part++) {
    const text = part === 0 ? method : part === 1 ? ' ' : part === 2 ? path : part === 3 ? '\n' : body;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
  }
  return String.fromCharCode(a & 0xffff, a >>> 16, b & 0xffff, b >>> 16);
}

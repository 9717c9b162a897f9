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

// Four hash lanes (128 bits: no search finds two bodies that meet by chance), kept between calls of
// the walk below in a typed array: int32s that stay unboxed, where a closure's context would box a
// number per character. Each lane is FNV-1a-like with its own odd multiplier.
const lanes = new Int32Array(4);
const M0 = 0x01000193;
const M1 = 0x5bd1e995;
const M2 = 0x85ebca6b | 0;
const M3 = 0xc2b2ae35 | 0;

function seed(): void {
  lanes[0] = 0x811c9dc5 | 0;
  lanes[1] = 0x01000193;
  lanes[2] = 0x9747b28c | 0;
  lanes[3] = 0x27d4eb2f;
}

/** One small value (a tag, a length: under 2^16, as a character is). */
function mixCode(c: number): void {
  lanes[0] = Math.imul(lanes[0]! ^ c, M0);
  lanes[1] = Math.imul(lanes[1]! ^ c, M1);
  lanes[2] = Math.imul(lanes[2]! ^ c, M2);
  lanes[3] = Math.imul(lanes[3]! ^ c, M3);
}

/** A 32-bit word, a byte at a time: fed whole, two words could be chosen to cancel each other. */
function mixWord(w: number): void {
  mixCode(w & 0xff);
  mixCode((w >>> 8) & 0xff);
  mixCode((w >>> 16) & 0xff);
  mixCode(w >>> 24);
}

function mixText(text: string): void {
  let a = lanes[0]!;
  let b = lanes[1]!;
  let c = lanes[2]!;
  let d = lanes[3]!;
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    a = Math.imul(a ^ u, M0);
    b = Math.imul(b ^ u, M1);
    c = Math.imul(c ^ u, M2);
    d = Math.imul(d ^ u, M3);
  }
  lanes[0] = a;
  lanes[1] = b;
  lanes[2] = c;
  lanes[3] = d;
}

/** A JSON value as data: a type tag, and a length before every string and list, so no two values mix alike. */
function mixValue(v: unknown): void {
  if (typeof v === 'string') {
    mixCode(0x22); // "
    mixWord(v.length);
    mixText(v);
  } else if (typeof v === 'number') {
    mixCode(0x23); // #
    // As its shortest text (what JSON.stringify writes): digits, sign, point, exponent.
    mixText(String(v));
  } else if (typeof v === 'boolean') {
    mixCode(v ? 0x74 : 0x66); // t f
  } else if (Array.isArray(v)) {
    mixCode(0x5b); // [
    mixWord(v.length);
    for (let i = 0; i < v.length; i++) mixValue(v[i]);
  } else if (v !== null && typeof v === 'object') {
    // Members in any order: JSON objects are unordered, and a retry serialized again may order them
    // anew. Each member is hashed on its own and the results added, which no order changes.
    const saved = [lanes[0]!, lanes[1]!, lanes[2]!, lanes[3]!] as const;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let count = 0;
    for (const k in v) {
      seed();
      mixWord(k.length);
      mixText(k);
      mixValue((v as Record<string, unknown>)[k]);
      // Each member's lanes avalanched before they are added: a sum of raw states lets two members
      // trade values, or bits, and keep the total ({"a":0,"b":1} against {"a":1,"b":0}).
      s0 = (s0 + fmix32(lanes[0]!)) | 0;
      s1 = (s1 + fmix32(lanes[1]! ^ M1)) | 0;
      s2 = (s2 + fmix32(lanes[2]! ^ M2)) | 0;
      s3 = (s3 + fmix32(lanes[3]! ^ M3)) | 0;
      count++;
    }
    lanes.set(saved);
    mixCode(0x7b); // {
    mixWord(count);
    mixWord(s0);
    mixWord(s1);
    mixWord(s2);
    mixWord(s3);
  } else {
    mixCode(0x6e); // null, or no body at all
  }
}

/**
 * What a key's first request is compared with: method, path and the body as data, hashed (four
 * 32-bit lanes) so a stored key holds an 8-character string (128 bits, one small flat string)
 * rather than a copy of the body. The body is compared as parsed JSON, not as text: a retry that a
 * terminal serializes again, with its members in another order or other whitespace, has the same
 * parameters (Stripe compares parameters, not bytes). Not a cryptographic hash: a terminal under
 * test does not forge bodies. Opaque: compare it, never show it.
 */
export function fingerprintOf(method: string, path: string, body: unknown): string {
  seed();
  mixWord(method.length);
  mixText(method);
  mixWord(path.length);
  mixText(path);
  // No body and an empty object are the same parameters: none.
  mixValue(isEmptyObject(body) ? undefined : body);
  const [a, b, c, d] = lanes as unknown as [number, number, number, number];
  return String.fromCharCode(
    a & 0xffff,
    a >>> 16,
    b & 0xffff,
    b >>> 16,
    c & 0xffff,
    c >>> 16,
    d & 0xffff,
    d >>> 16,
  );
}

function isEmptyObject(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  for (const _ in v) return false;
  return true;
}

/** MurmurHash3's finalizer: every input bit flips about half the output bits. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

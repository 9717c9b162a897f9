import { Buffer } from 'node:buffer';
import { decodeFrame, frameOverhead, frameSize, prefixLength, readLength } from './frame.js';
import { FrameError } from './frame-error.js';
import type { Frame, FramingSpec } from './types.js';

/**
 * Splits a TCP byte stream into frames. The length is checked as soon as its prefix is complete,
 * so a hostile or corrupt prefix never makes us buffer a body. After a FrameError the stream is
 * out of sync for good: every later push rethrows it until reset() (a server closes the socket).
 * Error offsets count bytes since construction or the last reset().
 */
export class FrameStreamDecoder {
  readonly #spec: FramingSpec;
  readonly #prefix: number;
  // Chunks are kept as pushed (no concat of the backlog); #first/#head mark the first unread byte.
  #chunks: Buffer[] = [];
  #first = 0;
  #head = 0;
  #pending = 0;
  #need: number | undefined; // size of the frame being read, once its prefix is known
  #consumed = 0; // stream offset of the current frame
  #error: FrameError | undefined;

  constructor(spec: FramingSpec) {
    if (spec.length === 'none') {
      throw new TypeError("FrameStreamDecoder: length 'none' cannot be streamed (no way to find frame ends)");
    }
    frameOverhead(spec); // validates headerLength early
    this.#spec = { ...spec };
    this.#prefix = prefixLength(spec.length);
  }

  /** Bytes received but not yet returned as a frame. */
  get pending(): number {
    return this.#pending;
  }

  reset(): void {
    this.#chunks = [];
    this.#first = 0;
    this.#head = 0;
    this.#pending = 0;
    this.#need = undefined;
    this.#consumed = 0;
    this.#error = undefined;
  }

  /** Returns every frame completed by this chunk (each in its own buffer, not sharing the chunks). */
  push(chunk: Buffer): Frame[] {
    if (this.#error) throw this.#error;
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#pending += chunk.length;
    }
    const frames: Frame[] = [];
    try {
      for (;;) {
        if (this.#need === undefined) {
          if (this.#pending < this.#prefix) break;
          const declared = this.#declared();
          this.#need = frameSize(this.#spec, declared, 0);
        }
        if (this.#pending < this.#need) break;
        frames.push(decodeFrame(this.#spec, this.#take(this.#need)));
        this.#consumed += this.#need;
        this.#need = undefined;
      }
    } catch (e) {
      if (!(e instanceof FrameError)) throw e;
      // Rebase the frame-relative offset onto the stream.
      this.#error = new FrameError(e.code, this.#consumed + e.offset, e.expected, e.found, e.hint);
      throw this.#error;
    }
    return frames;
  }

  // The next frame's declared length, read where it lies when one chunk holds the whole prefix
  // (the usual case: no copy), else from a copy of the prefix. Error offsets are frame-relative.
  #declared(): number {
    const chunk = this.#chunks[this.#first]!;
    const at = this.#head;
    if (at + this.#prefix > chunk.length) return readLength(this.#spec.length, this.#peek(this.#prefix), 0);
    try {
      return readLength(this.#spec.length, chunk, at);
    } catch (e) {
      if (!(e instanceof FrameError)) throw e;
      throw new FrameError(e.code, e.offset - at, e.expected, e.found, e.hint);
    }
  }

  // Copies the next n bytes without consuming them (only used for a prefix split between chunks).
  #peek(n: number): Buffer {
    const out = Buffer.alloc(n);
    let copied = 0;
    for (let i = this.#first, start = this.#head; copied < n; i++, start = 0) {
      copied += this.#chunks[i]!.copy(out, copied, start, start + n - copied);
    }
    return out;
  }

  // Moves the next n bytes into a fresh buffer and drops fully read chunks.
  #take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let copied = 0;
    while (copied < n) {
      const chunk = this.#chunks[this.#first]!;
      const end = Math.min(chunk.length, this.#head + n - copied);
      copied += chunk.copy(out, copied, this.#head, end);
      this.#head = end;
      if (end === chunk.length) {
        this.#first++;
        this.#head = 0;
      }
    }
    this.#pending -= n;
    this.#compact();
    return out;
  }

  // Forgets read chunks; slicing only when most of the list is dead keeps this amortised O(1).
  #compact(): void {
    if (this.#first === this.#chunks.length) {
      this.#chunks = [];
      this.#first = 0;
    } else if (this.#first >= 64 && this.#first * 2 >= this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#first);
      this.#first = 0;
    }
  }
}

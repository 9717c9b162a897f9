import { Buffer } from 'node:buffer';
/** A message's bytes as a journal or ledger keeps them: a span of one of a WireArena's chunks. */
export class Wire {
  constructor(
    readonly chunk: Buffer,
    readonly start: number,
    readonly end: number,
  ) {}

  get length(): number {
    return this.end - this.start;
  }

  /** A view of the bytes (no copy): valid for as long as this Wire is. */
  bytes(): Buffer {
    return this.chunk.subarray(this.start, this.end);
  }
}

/**
 * Where a host keeps the bytes of the messages its journal and ledger hold, outside the JS heap.
 * They hold each message for a fraction of a second under load (10,000 of them): long enough to
 * outlive two young-generation collections, so kept as strings every message was copied twice by
 * the collector and then promoted, and the pauses set the host's p99. Here the collector copies a
 * small Wire object; the bytes sit in chunks that go when no Wire points into them. Messages are
 * kept in arrival order and dropped roughly in that order, so a chunk outlives its last message by
 * little.
 */
export class WireArena {
  // The first chunk comes with the first message: a matrix starts a host per cell, most see a few.
  #chunk: Buffer | undefined;
  #pos = 0;

  constructor(private readonly chunkBytes = 256 * 1024) {}

  /** A copy of `src[start, end)`, kept until the Wire is no longer referenced. */
  keep(src: Buffer, start = 0, end = src.length): Wire {
    const n = end - start;
    // A message larger than a quarter chunk gets a buffer of its own rather than wasting the rest.
    if (n > this.chunkBytes >> 2) {
      const own = Buffer.allocUnsafeSlow(n);
      src.copy(own, 0, start, end);
      return new Wire(own, 0, n);
    }
    if (!this.#chunk || this.#pos + n > this.chunkBytes) {
      this.#chunk = Buffer.allocUnsafeSlow(this.chunkBytes);
      this.#pos = 0;
    }
    const chunk = this.#chunk;
    const at = this.#pos;
    src.copy(chunk, at, start, end);
    this.#pos = at + n;
    return new Wire(chunk, at, at + n);
  }
}

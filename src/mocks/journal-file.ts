import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Exchange } from './exchange.js';
import type { Journal } from './journal.js';

/** Lines waiting for the disk beyond which exchanges are skipped (and counted) rather than held. */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;

export interface JournalFileOptions {
  /** A write failed (a full disk): said once; nothing more is written. */
  onError?: (err: Error) => void;
  /** The first exchange skipped because the disk fell behind: said once (`skipped` counts them all). */
  onBehind?: () => void;
  /** Bytes of lines waiting for the disk before exchanges are skipped; default 64 MiB. */
  maxPendingBytes?: number;
}

/**
 * Every exchange of one or more journals appended to a file, one JSON line each, as the admin API
 * serves them (card data masked). The in-memory journal keeps the newest exchanges only; a
 * certification run or a day at the bench with a real terminal needs all of them, and needs them
 * on disk as they happen, so that a crash of the mock loses nothing already answered.
 */
export class JournalFile {
  private readonly unsubscribe: Array<() => void> = [];
  private failure: Error | undefined;
  /** Exchanges not written because the disk fell behind (see JournalFileOptions.maxPendingBytes). */
  skipped = 0;

  private constructor(
    readonly path: string,
    private readonly stream: Writable,
    private readonly options: JournalFileOptions,
  ) {
    stream.on('error', (err: Error) => this.fail(err));
  }

  /**
   * Opens `path` for appending (created if missing), so that a bad path fails now rather than at
   * the first exchange.
   */
  static async open(path: string, options: JournalFileOptions = {}): Promise<JournalFile> {
    const handle = await open(path, 'a');
    return new JournalFile(path, handle.createWriteStream(), options);
  }

  /** Appends each exchange `journal` records from now on. */
  follow(journal: Journal): void {
    this.unsubscribe.push(journal.onExchange((e) => this.write(e)));
  }

  private write(exchange: Exchange): void {
    if (this.failure) return;
    // A disk slower than the traffic would otherwise hold every line in memory until it is written.
    if (this.stream.writableLength > (this.options.maxPendingBytes ?? MAX_PENDING_BYTES)) {
      if (this.skipped++ === 0) this.options.onBehind?.();
      return;
    }
    // This runs inside the host's journal.record(): a failure here must never reach the host.
    try {
      this.stream.write(`${JSON.stringify(exchange)}\n`);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.options.onError?.(err);
  }

  /** Stops following and waits until every line is written. */
  async close(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    if (this.stream.destroyed) return;
    await new Promise<void>((resolve) => this.stream.end(resolve));
  }
}

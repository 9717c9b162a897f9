import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Exchange } from './exchange.js';
import type { Journal } from './journal.js';

/**
 * Every exchange of one or more journals appended to a file, one JSON line each, as the admin API
 * serves them (card data masked). The in-memory journal keeps the newest exchanges only; a
 * certification run or a day at the bench with a real terminal needs all of them, and needs them
 * on disk as they happen, so that a crash of the mock loses nothing already answered.
 */
export class JournalFile {
  private readonly unsubscribe: Array<() => void> = [];
  private failure: Error | undefined;

  private constructor(
    readonly path: string,
    private readonly stream: Writable,
    private readonly onError: (err: Error) => void,
  ) {
    stream.on('error', (err: Error) => this.fail(err));
  }

  /**
   * Opens `path` for appending (created if missing), so that a bad path fails now rather than at
   * the first exchange. `onError` hears a later write failure (a full disk) once; writing stops.
   */
  static async open(path: string, onError: (err: Error) => void = () => {}): Promise<JournalFile> {
    const handle = await open(path, 'a');
    return new JournalFile(path, handle.createWriteStream(), onError);
  }

  /** Appends each exchange `journal` records from now on. */
  follow(journal: Journal): void {
    this.unsubscribe.push(journal.onExchange((e) => this.write(e)));
  }

  private write(exchange: Exchange): void {
    if (this.failure) return;
    this.stream.write(`${JSON.stringify(exchange)}\n`);
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.onError(err);
  }

  /** Stops following and waits until every line is written. */
  async close(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    if (this.stream.destroyed) return;
    await new Promise<void>((resolve) => this.stream.end(resolve));
  }
}

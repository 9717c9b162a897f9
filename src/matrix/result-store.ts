import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { CELL_STATUSES, type CellResult } from './cell.js';
import { ConfigError } from './config-error.js';

export const RESULTS_FILE = 'results.jsonl';

/**
 * The result store: `results.jsonl` in the run's folder, one CellResult per line, appended as each
 * cell finishes. Each line is one write(2) of a whole line, so a killed process loses at most the
 * line being written; a torn last line is cut off when the run is resumed (that cell runs again).
 */
export class ResultStore {
  readonly file: string;
  /** Results already in the file when it was opened for resuming. */
  readonly previous: CellResult[];
  private fd: number | undefined;

  private constructor(
    file: string,
    fd: number,
    previous: CellResult[],
    private readonly durable: boolean,
  ) {
    this.file = file;
    this.fd = fd;
    this.previous = previous;
  }

  /**
   * Opens `<dir>/results.jsonl`: emptied for a new run, or — `resume` — read, its torn tail cut off,
   * and kept. `durable` adds an fsync per line (survives a power cut, not only a killed process).
   */
  static open(dir: string, options: { resume?: boolean; durable?: boolean } = {}): ResultStore {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, RESULTS_FILE);
    if (options.resume && existsSync(file)) {
      const { results, validBytes } = readResults(file);
      const fd = openSync(file, 'r+');
      ftruncateSync(fd, validBytes);
      closeSync(fd);
      return new ResultStore(file, openSync(file, 'a'), results, options.durable ?? false);
    }
    return new ResultStore(file, openSync(file, 'w'), [], options.durable ?? false);
  }

  append(result: CellResult): void {
    if (this.fd === undefined) throw new Error(`${this.file} is closed`);
    writeSync(this.fd, `${JSON.stringify(result)}\n`);
    if (this.durable) fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Reads a results file. A last line without its newline is a write cut short by a crash: it is
 * left out (validBytes ends before it). A bad line anywhere else means the file is damaged.
 */
export function readResults(file: string): { results: CellResult[]; validBytes: number } {
  const text = readFileSync(file);
  const end = text.lastIndexOf(0x0a) + 1;
  const results: CellResult[] = [];
  const lines = text.subarray(0, end).toString('utf8').split('\n');
  lines.pop(); // after the last newline
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new ConfigError(`${file} line ${i + 1}: not a JSON line (the results file is damaged)`);
    }
    if (!isCellResult(value))
      throw new ConfigError(`${file} line ${i + 1}: not a cell result (needs key, firmware, host, status …)`);
    results.push(value);
  });
  return { results, validBytes: end };
}

function isCellResult(v: unknown): v is CellResult {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    ['key', 'firmware', 'host', 'version', 'suite', 'scenario'].every((k) => typeof r[k] === 'string') &&
    CELL_STATUSES.includes(r.status as CellResult['status']) &&
    Array.isArray(r.reasons)
  );
}

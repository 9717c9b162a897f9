import { SingleBar } from 'cli-progress';
import type { CellResult } from '../matrix/cell.js';

/** What the runner tells whoever watches a run. */
export interface ProgressSink {
  begin(total: number, alreadyDone: number): void;
  result(result: CellResult, done: number, total: number): void;
  end(): void;
}

/**
 * Progress on stderr: a bar with live counts on a terminal; in CI (or piped) plain lines — one per
 * cell that did not pass, and a count every 10 % — so logs stay readable.
 */
export function consoleProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  const counts = { pass: 0, fail: 0, error: 0, flaky: 0, na: 0 };
  let bar: SingleBar | undefined;
  let offset = 0;
  let lastTenth = 0;
  return {
    begin(total, alreadyDone) {
      offset = alreadyDone;
      if (alreadyDone > 0) stream.write(`resuming: ${alreadyDone} cells already done, ${total} to play\n`);
      if (tty) {
        bar = new SingleBar({
          stream,
          format:
            ' {bar} {value}/{total} cells | {pass} pass {fail} fail {error} error {flaky} flaky {na} n/a | {eta_formatted}',
          hideCursor: true,
          clearOnComplete: false,
        });
        bar.start(total, 0, counts);
      } else {
        stream.write(`playing ${total} ${total === 1 ? 'cell' : 'cells'}\n`);
      }
    },
    result(r, done, total) {
      counts[r.status === 'n/a' ? 'na' : r.status]++;
      if (bar) {
        bar.update(done, counts);
        return;
      }
      if (r.status === 'fail' || r.status === 'error' || r.status === 'flaky') {
        stream.write(`[${offset + done}] ${r.status} ${r.key}: ${r.reasons[0]?.message ?? ''}\n`);
      }
      const tenth = Math.floor((done * 10) / Math.max(1, total));
      if (tenth > lastTenth) {
        lastTenth = tenth;
        stream.write(
          // n/a too: a stretch of cells that run nothing must not look like a stalled run.
          `${done}/${total} cells (${counts.pass} pass, ${counts.fail} fail, ${counts.error} error, ${counts.na} n/a)\n`,
        );
      }
    },
    end() {
      bar?.stop();
    },
  };
}

/** Says nothing (library use, tests). */
export const silentProgress: ProgressSink = { begin() {}, result() {}, end() {} };

// Load generator for bench/host.ts, run as a child process of it (never on its own): closed-loop
// clients over real TCP. For each run the parent names a port and a concurrency; every connection
// sends a framed request, waits for the whole response frame (FrameStreamDecoder), checks it and
// sends the next, until the run's deadline. Latency is process.hrtime from the write to the last
// byte of the response frame, kept in a 1 µs histogram. The request bytes are the parent's template
// with only DE11 (STAN) and DE41 (terminal id) rewritten in place, so every server under test gets
// the very same bytes, and no two requests of the whole bench share a terminal + STAN.
import { connect, type Socket } from 'node:net';
import { type Frame, FrameStreamDecoder, type FramingSpec } from '../src/protocols/iso8583/index.js';

export interface RunRequest {
  type: 'run';
  id: number;
  host: string;
  port: number;
  concurrency: number;
  durationMs: number;
  framing: FramingSpec;
  /** The whole framed request; STAN and terminal id are rewritten at these offsets. */
  template: Uint8Array;
  stanOffset: number;
  terminalOffset: number;
  /** What each response frame must be: its body length and the response code at an offset. */
  expect: { bodyLength: number; codeOffset: number; code: string };
}

export interface RunFailed {
  type: 'failed';
  id: number;
  error: string;
}

export interface RunResult {
  type: 'result';
  id: number;
  /** Responses completed before the deadline. */
  completed: number;
  elapsedNs: number;
  /** Responses of the wrong length or code, socket errors, and requests never answered. */
  errors: number;
  firstError?: string;
  /** Share of one core this process used during the run (1 = it was the bottleneck). */
  clientBusy: number;
  /** Latency histogram, sparse: [µs, count, µs, count, …]. */
  histogram: Uint32Array;
}

const MAX_US = 1_000_000; // latencies above 1 s land in the last bucket
const GRACE_MS = 2000; // how long in-flight requests may take after the deadline
const histogram = new Uint32Array(MAX_US + 1);
let nextTerminal = 1;

function writeDigits(buf: Buffer, offset: number, width: number, n: number): void {
  for (let i = offset + width - 1; i >= offset; i--) {
    buf[i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
}

async function run(req: RunRequest): Promise<RunResult> {
  histogram.fill(0);
  const template = Buffer.from(req.template);
  const code0 = req.expect.code.charCodeAt(0);
  const code1 = req.expect.code.charCodeAt(1);
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  const fail = (what: string) => {
    errors++;
    firstError ??= what;
  };

  interface Conn {
    socket: Socket;
    decoder: FrameStreamDecoder;
    frame: Buffer;
    stan: number;
    sentAt: bigint;
    waiting: boolean;
    finished: boolean;
  }
  const newTerminal = (c: Pick<Conn, 'frame'>) => {
    // DE41 ans8: 'B' + 7 digits, a terminal no earlier request used.
    c.frame[req.terminalOffset] = 0x42;
    writeDigits(c.frame, req.terminalOffset + 1, 7, nextTerminal++);
  };

  const opened = await Promise.allSettled(
    Array.from(
      { length: req.concurrency },
      () =>
        new Promise<Conn>((resolve, reject) => {
          const socket = connect({ host: req.host, port: req.port, noDelay: true });
          socket.once('error', reject);
          socket.once('connect', () => {
            socket.off('error', reject);
            const c: Conn = {
              socket,
              decoder: new FrameStreamDecoder(req.framing),
              frame: Buffer.from(template),
              stan: 0,
              sentAt: 0n,
              waiting: false,
              finished: false,
            };
            newTerminal(c);
            resolve(c);
          });
        }),
    ),
  );
  const conns = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const refused = opened.find((o) => o.status === 'rejected');
  if (refused) {
    for (const c of conns) c.socket.destroy();
    throw new Error(`connect: ${(refused.reason as Error).message}`);
  }

  let start = 0n;
  let deadline = 0n;
  let open = conns.length;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const done = (c: Conn) => {
    if (c.finished) return;
    c.finished = true;
    c.socket.destroy();
    if (--open === 0) finish();
  };
  const send = (c: Conn) => {
    if (++c.stan > 999_999) {
      c.stan = 1;
      newTerminal(c);
    }
    writeDigits(c.frame, req.stanOffset, 6, c.stan);
    c.waiting = true;
    c.sentAt = process.hrtime.bigint();
    c.socket.write(c.frame);
  };
  const check = (frame: Frame): boolean => {
    const body = frame.body;
    const at = req.expect.codeOffset;
    if (body.length !== req.expect.bodyLength) {
      fail(`response body of ${body.length} bytes, expected ${req.expect.bodyLength}`);
      return false;
    }
    if (body[at] !== code0 || body[at + 1] !== code1) {
      fail(`response code ${body.toString('latin1', at, at + 2)}, expected ${req.expect.code}`);
      return false;
    }
    return true;
  };

  for (const c of conns) {
    c.socket.on('data', (chunk: Buffer) => {
      const now = process.hrtime.bigint();
      let frames: Frame[];
      try {
        frames = c.decoder.push(chunk);
      } catch (err) {
        fail(`unframeable response: ${(err as Error).message}`);
        done(c);
        return;
      }
      for (const frame of frames) {
        if (!c.waiting) {
          fail('response without a request');
          continue;
        }
        c.waiting = false;
        if (!check(frame)) continue;
        if (now <= deadline) {
          completed++;
          const us = Number(now - c.sentAt) / 1000;
          histogram[us < MAX_US ? Math.floor(us) : MAX_US]!++;
        }
      }
      if (c.waiting) return;
      if (now < deadline) send(c);
      else done(c);
    });
    c.socket.on('error', (err) => fail(`socket: ${err.message}`));
    c.socket.on('close', () => {
      if (c.waiting) {
        c.waiting = false;
        fail('connection closed before the response');
      }
      done(c);
    });
  }

  const cpu0 = process.cpuUsage();
  start = process.hrtime.bigint();
  deadline = start + BigInt(Math.round(req.durationMs * 1e6));
  for (const c of conns) send(c);
  const grace = setTimeout(() => {
    for (const c of conns) {
      if (c.finished) continue;
      if (c.waiting) fail(`no response within ${GRACE_MS} ms after the round`);
      c.waiting = false;
      done(c);
    }
  }, req.durationMs + GRACE_MS);
  await finished;
  clearTimeout(grace);
  const cpu = process.cpuUsage(cpu0);
  const clientBusy = (cpu.user + cpu.system) / (Number(process.hrtime.bigint() - start) / 1000);

  const sparse: number[] = [];
  for (let us = 0; us <= MAX_US; us++) if (histogram[us]! > 0) sparse.push(us, histogram[us]!);
  return {
    type: 'result',
    id: req.id,
    completed,
    elapsedNs: Number(deadline - start),
    errors,
    clientBusy,
    ...(firstError !== undefined && { firstError }),
    histogram: Uint32Array.from(sparse),
  };
}

if (!process.send) throw new Error('bench/host-load runs as a child of bench/host (npm run bench:host)');
process.on('message', (msg: RunRequest | { type: 'exit' }) => {
  if (msg.type === 'exit') process.exit(0);
  run(msg).then(
    (result) => process.send!(result),
    (err: Error) => process.send!({ type: 'failed', id: msg.id, error: err.message } satisfies RunFailed),
  );
});

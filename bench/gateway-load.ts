// The load generator of bench/gateway.ts: autocannon, closed loop (each connection sends its next
// request when the previous answer is complete, no pipelining), the same request for every server
// under test but a fresh idempotency key each time. Latency is autocannon's per-response time
// (process.hrtime from the write to the end of the response), kept here in 1 µs buckets: autocannon's
// own histogram has 1 ms resolution, too coarse for a sub-millisecond p50.
import autocannon from 'autocannon';
import { type Latencies, LOOPBACK } from './support.js';

/** One authorize POST as every contender receives it. */
export interface LoadRequest {
  method: 'POST';
  path: string;
  /** Everything but the idempotency key (content-type, API key, version, …). */
  headers: Record<string, string>;
  /** The header carrying a unique key per request, if the API version takes one. */
  idempotencyHeader?: string;
  body: string;
}

/** What every answer must be for the request to count as completed. */
export interface Expect {
  status: number;
  /** A substring of every good answer's body (e.g. the approved status), or undefined: any body. */
  bodyHas?: string;
}

export interface LoadRun {
  /** Answers that met `expect` within the duration. */
  completed: number;
  elapsedMs: number;
  /** Wrong status or body, socket errors and timeouts. */
  errors: number;
  firstError?: string;
  /** Share of one core this process used during the run (1 = the client was the bottleneck). */
  clientBusy: number;
}

let nextKey = 1;
const keyPrefix = `bench-${process.pid}-${Date.now().toString(36)}-`;

/**
 * Runs `connections` connections for `durationMs`, or until `amount` requests have been answered.
 * Latencies of good answers within the duration go into `latencies`; `onAnswer` hears every answer.
 */
export function runLoad(opts: {
  port: number;
  request: LoadRequest;
  expect: Expect;
  connections: number;
  durationMs?: number;
  amount?: number;
  latencies?: Latencies;
  onAnswer?: () => void;
}): Promise<LoadRun> {
  const { request, expect } = opts;
  const keyHeader = request.idempotencyHeader;
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  const fail = (what: string) => {
    errors++;
    firstError ??= what;
  };
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const deadline = opts.durationMs === undefined ? Number.POSITIVE_INFINITY : start + opts.durationMs;
  let last = start;
  let good = false;
  let why = '';

  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://${LOOPBACK}:${opts.port}`,
        connections: opts.connections,
        pipelining: 1,
        sampleInt: 250, // how soon a stop() ends the run
        timeout: 10,
        // The run is ended by our deadline (stop()) or by `amount`; autocannon's own timer is a backstop.
        duration: opts.durationMs === undefined ? 3600 : opts.durationMs / 1000 + 5,
        ...(opts.amount !== undefined && { amount: opts.amount }),
        requests: [
          {
            method: request.method,
            path: request.path,
            headers: request.headers,
            body: request.body,
            // Called for each answer just before autocannon's 'response' event for that answer.
            onResponse: (status: number, body: string) => {
              if (status !== expect.status) {
                good = false;
                why = `status ${status}, expected ${expect.status}: ${body.slice(0, 200)}`;
              } else if (expect.bodyHas !== undefined && !body.includes(expect.bodyHas)) {
                good = false;
                why = `an answer without "${expect.bodyHas}": ${body.slice(0, 200)}`;
              } else good = true;
            },
            ...(keyHeader !== undefined && {
              setupRequest: (req) => {
                req.headers = { ...req.headers, [keyHeader]: keyPrefix + nextKey++ };
                return req;
              },
            }),
          },
        ],
      },
      (err, result) => {
        if (err) {
          reject(err);
          return;
        }
        if (result.errors > 0) {
          errors += result.errors;
          firstError ??= `request errors: ${result.errors} (${result.timeouts} timeouts)`;
        }
        const cpu = process.cpuUsage(cpu0);
        const end = Math.min(deadline, last);
        resolve({
          completed,
          elapsedMs: end - start,
          errors,
          ...(firstError !== undefined && { firstError }),
          clientBusy: (cpu.user + cpu.system) / 1000 / (performance.now() - start),
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, ms) => {
      const now = performance.now();
      opts.onAnswer?.();
      if (now > deadline) {
        instance.stop();
        return;
      }
      last = now;
      if (!good) {
        fail(why);
        return;
      }
      completed++;
      opts.latencies?.record(ms * 1000);
    });
  });
}

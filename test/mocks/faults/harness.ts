// A minimal ISO 8583 TCP host wired to the fault set exactly as the real host should be: accept()
// on every connection, select() per request in arrival order, run() once the response is built,
// and listening follows faults.listening. Plus a probe client that records what a terminal sees.

import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import {
  type AcceptReport,
  type IsoExchangeReport,
  IsoFaultSet,
  type IsoFaultSetOptions,
  type IsoResponseCodec,
} from '../../../src/mocks/faults/index.js';
import {
  type Dialect,
  encodeFrame,
  FrameStreamDecoder,
  type IsoMessage,
  replyTpdu,
  signMessage,
} from '../../../src/protocols/iso8583/index.js';

export interface TestHostOptions extends IsoFaultSetOptions {
  dialect: Dialect;
  faults?: unknown[];
  /** Builds the response message for a request. */
  respond(request: IsoMessage): IsoMessage;
  /** MAC key: when set, responses are signed with the dialect's algorithm (and re-signed after message faults). */
  macKey?: Buffer;
}

export interface TestHost {
  port: number;
  faults: IsoFaultSet;
  reports: IsoExchangeReport[];
  accepts: AcceptReport[];
  /** Requests the host's logic processed (those a fault lost on the way in are not). */
  processed: IsoMessage[];
  /** Resolves when every exchange started so far has finished. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestHost(options: TestHostOptions): Promise<TestHost> {
  const { dialect, macKey } = options;
  const framing = dialect.framing;
  if (!framing) throw new Error(`${dialect.id} has no framing`);
  const faults = new IsoFaultSet(options.faults ?? [], options);
  const reports: IsoExchangeReport[] = [];
  const accepts: AcceptReport[] = [];
  const processed: IsoMessage[] = [];
  const sockets = new Set<Socket>();
  const pending = new Set<Promise<void>>();
  const sign = macKey ? (m: IsoMessage) => signMessage(dialect, m, macKey) : undefined;

  function onConnection(socket: Socket): void {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {}); // resets are expected here
    const accepted = faults.accept(socket);
    accepts.push(accepted);
    if (accepted.dropped) return;
    const decoder = new FrameStreamDecoder(framing!);
    let chain = Promise.resolve(); // one exchange at a time per connection
    socket.on('data', (chunk) => {
      let frames: ReturnType<FrameStreamDecoder['push']>;
      try {
        frames = decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        const message = dialect.unpack(frame.body);
        const pc = message.fields['3'];
        const target = { mti: message.mti, ...(typeof pc === 'string' && { processingCode: pc }) };
        const plan = faults.select(target); // decided now, in arrival order
        const job = chain.then(async () => {
          if (socket.destroyed) return;
          const request = { ...target, frame: encodeFrame(framing!, frame) };
          if (plan.requestLost) {
            reports.push(await plan.run({ socket, request }));
            return;
          }
          processed.push(message);
          const built = options.respond(message);
          const response = sign ? sign(built) : built;
          const encode = (m: IsoMessage) =>
            dialect.packFrame({
              ...(frame.tpdu && { tpdu: replyTpdu(frame.tpdu) }),
              ...(frame.header && { header: frame.header.toString('hex') }),
              message: m,
            });
          const codec: IsoResponseCodec = {
            message: response,
            encode,
            ...(sign && { sign }),
            ...(dialect.mac && { macField: String(dialect.mac.field) }),
          };
          const report = await plan.run({ socket, request, response: encode(response), codec, framing });
          reports.push(report);
          if (report.outcome === 'closed' || report.outcome === 'reset') decoder.reset();
        });
        chain = job;
        pending.add(job);
        void job.finally(() => pending.delete(job));
      }
    });
  }

  let server: Server = createServer(onConnection);
  await listen(server, 0);
  const port = (server.address() as { port: number }).port;

  // host-down (refuse): stop listening while such a fault is active, listen on the same port after.
  let sync = Promise.resolve();
  faults.onChange(() => {
    sync = sync.then(async () => {
      if (!faults.listening && server.listening) server.close();
      else if (faults.listening && !server.listening) {
        server = createServer(onConnection);
        await listen(server, port);
      }
    });
  });

  return {
    port,
    faults,
    reports,
    accepts,
    processed,
    async settled() {
      await sync;
      await Promise.all([...pending]);
    },
    async close() {
      faults.stop();
      for (const s of sockets) s.destroy();
      await sync;
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** What a terminal observed on one connection. */
export interface Observation {
  connected: boolean;
  chunks: Buffer[];
  /** ms since the request was written, per chunk. */
  times: number[];
  ended: boolean;
  closed: boolean;
  error?: NodeJS.ErrnoException;
  elapsedMs: number;
  /** The last thing that happened: a chunk, the end or the close. */
  lastEventMs: number;
  data: Buffer;
}

export interface ProbeOptions {
  /** Stop waiting when this holds (checked after every event). */
  until?: (o: Observation) => boolean;
  /** Give up after this long (ms). */
  timeoutMs?: number;
  /** Keep the socket open and hand it back instead of destroying it. */
  keepOpen?: boolean;
}

/** Connects, sends the frames, and records everything until `until`, close, error or the timeout. */
export function probe(
  port: number,
  frames: Buffer[],
  options: ProbeOptions = {},
): Promise<Observation & { socket: Socket }> {
  const { until = () => false, timeoutMs = 2000 } = options;
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    let start = performance.now();
    const o: Observation = {
      connected: false,
      chunks: [],
      times: [],
      ended: false,
      closed: false,
      elapsedMs: 0,
      lastEventMs: 0,
      get data() {
        return Buffer.concat(this.chunks);
      },
    };
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      o.elapsedMs = performance.now() - start;
      if (!options.keepOpen) socket.destroy();
      resolve(Object.assign(o, { socket }));
    };
    const mark = () => {
      o.lastEventMs = performance.now() - start;
      if (until(o)) finish();
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('connect', () => {
      o.connected = true;
      start = performance.now();
      for (const f of frames) socket.write(f);
    });
    socket.on('data', (chunk) => {
      o.chunks.push(chunk);
      o.times.push(performance.now() - start);
      mark();
    });
    socket.on('end', () => {
      o.ended = true;
      mark();
    });
    socket.on('error', (err) => {
      o.error = err;
    });
    socket.on('close', () => {
      o.closed = true;
      o.lastEventMs = performance.now() - start;
      finish();
    });
  });
}

// The node:net peers of the host benchmarks: bare (canned answer) and codec (decode and encode).
import { createServer, type Server, type Socket } from 'node:net';
import {
  type Dialect,
  type Frame,
  FrameStreamDecoder,
  type FramingSpec,
  type IsoMessage,
} from '../src/protocols/iso8583/index.js';
import type { Peer } from './peer-process.js';
import { LOOPBACK, ownCpu } from './support.js';

/** How the benchmarks name these peers in their tables. */
export const PEER_LABELS = { bare: 'bare node:net', codec: 'node:net + paymatrix codec' } as const;

/**
 * A node:net server that splits frames (our FrameStreamDecoder) and writes `answerFor(frame)` for
 * each, at once. With canned bytes it is the floor of a framed TCP answer in Node ("bare"); with an
 * answer decoded and encoded by our codec it is the floor of any host that reads its messages.
 */
export async function startNetPeer(framing: FramingSpec, answerFor: (frame: Frame) => Buffer): Promise<Peer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setNoDelay(true);
    const decoder = new FrameStreamDecoder(framing);
    socket.on('data', (chunk) => {
      try {
        for (const frame of decoder.push(chunk)) socket.write(answerFor(frame));
      } catch {
        socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
    cpu: ownCpu,
    rss: () => process.memoryUsage().rss,
  };
}

/**
 * The codec's share of a host's work: decode the request (dialect.unpack), answer with the host's
 * own answer to the probe sale, its STAN and terminal id taken from this request, encoded again
 * (dialect.packFrame). No rules, ledger, journal or card book: what is left of the host.
 */
export function codecAnswer(dialect: Dialect, answer: IsoMessage): (frame: Frame) => Buffer {
  return (frame) => {
    const request = dialect.unpack(frame.body).fields;
    const fields = { ...answer.fields, '11': request['11']!, '41': request['41']! };
    return dialect.packFrame({ message: { mti: answer.mti, fields } });
  };
}

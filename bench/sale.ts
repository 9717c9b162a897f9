// The sale the host benchmarks send (bench/host.ts, bench/host-instructions.ts), and how to find
// the bytes a load generator rewrites in it.
import { connect } from 'node:net';
import {
  type Dialect,
  type Frame,
  FrameStreamDecoder,
  type FramingSpec,
  type IsoMessage,
} from '../src/protocols/iso8583/index.js';
import { check, LOOPBACK } from './support.js';

/** The host version both benchmarks run: 1987 ASCII, no MAC, no PIN. */
export const HOST_REF = 'harbor-bank@2019.4';

// A swiped sale of 10.00 on the everyday approved card of mocks/cards.yaml (visa-credit-chip:
// active, expiry 3012, balance 5000.00; an amount ending in 00 fires no trigger). DE22 021 makes
// track 2 the card data harbor-bank@2019.4 requires; no PIN block, no MAC (this version has none).
// DE11 and DE41 are placeholders the load generator rewrites for every request.
export const SALE: IsoMessage = {
  mti: '0200',
  fields: {
    '3': '000000',
    '4': '000000001000',
    '7': '0612142530',
    '11': '000000',
    '12': '142530',
    '13': '0612',
    '22': '021',
    '25': '00',
    '35': '4111111111111111=30122011234567890',
    '41': 'B0000000',
    '42': 'PAYMATRIXBENCH1',
    '49': '840',
  },
};

/** Where `field` sits in `pack(msg)`: pack it with two values differing in every character. */
export function offsetOf(
  pack: (m: IsoMessage) => Buffer,
  msg: IsoMessage,
  field: string,
  a: string,
  b: string,
) {
  const x = pack({ mti: msg.mti, fields: { ...msg.fields, [field]: a } });
  const y = pack({ mti: msg.mti, fields: { ...msg.fields, [field]: b } });
  check(x.length === y.length, `DE${field} changes the message length`);
  let first = -1;
  let last = -1;
  for (let i = 0; i < x.length; i++) {
    if (x[i] === y[i]) continue;
    if (first < 0) first = i;
    last = i;
  }
  check(first >= 0 && last - first === a.length - 1, `DE${field} is not ${a.length} plain bytes`);
  check(x.toString('latin1', first, last + 1) === a, `DE${field} is not written as text`);
  return first;
}

/** Sends one frame on a fresh connection and returns the first frame that comes back. */
export function probe(port: number, framing: FramingSpec, bytes: Buffer): Promise<Frame> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: LOOPBACK, port, noDelay: true });
    const decoder = new FrameStreamDecoder(framing);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer within 5 s'));
    }, 5000);
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk) => {
      const [frame] = decoder.push(chunk);
      if (!frame) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(frame);
    });
  });
}

/** The sale's frame in `dialect`, and where its STAN (DE11) and terminal id (DE41) sit in it. */
export function saleFrame(dialect: Dialect): { request: Buffer; stanOffset: number; terminalOffset: number } {
  const pack = (m: IsoMessage) => dialect.packFrame({ message: m });
  return {
    request: pack(SALE),
    stanOffset: offsetOf(pack, SALE, '11', '000000', '111111'),
    terminalOffset: offsetOf(pack, SALE, '41', 'AAAAAAAA', 'BBBBBBBB'),
  };
}

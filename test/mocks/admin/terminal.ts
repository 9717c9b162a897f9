// A minimal terminal for admin and CLI tests: builds a 1987 ASCII sale with our codec, sends it over
// TCP and reads one framed answer.

import { connect } from 'node:net';
import {
  type Dialect,
  FrameStreamDecoder,
  type IsoMessage,
  loadDialects,
} from '../../../src/protocols/iso8583/index.js';

export const VISA_TEST_PAN = '4111111111111111';

export function asciiDialect(): Dialect {
  return loadDialects().get('iso8583-1987-ascii');
}

export interface SaleOptions {
  stan: number;
  /** Minor units; an amount ending 00 is approved for the test card. */
  amountMinor?: number;
  pan?: string;
  terminal?: string;
  /** Fields to leave out (to break a rule). */
  omit?: string[];
}

/** A key-entered sale (DE22 012) as harbor-bank@2019.4 wants it. */
export function sale(options: SaleOptions): IsoMessage {
  const now = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const mmdd = p(now.getMonth() + 1) + p(now.getDate());
  const hhmmss = p(now.getHours()) + p(now.getMinutes()) + p(now.getSeconds());
  const fields: Record<string, string> = {
    '2': options.pan ?? VISA_TEST_PAN,
    '3': '000000',
    '4': String(options.amountMinor ?? 2500).padStart(12, '0'),
    '7': mmdd + hhmmss,
    '11': p(options.stan, 6),
    '12': hhmmss,
    '13': mmdd,
    '14': '3012',
    '22': '012',
    '25': '00',
    '41': options.terminal ?? 'TERM0001',
    '42': 'MERCHANT0000001',
    '49': '840',
  };
  for (const id of options.omit ?? []) delete fields[id];
  return { mti: '0200', fields };
}

/** Sends one message on a new connection and resolves with the decoded answer. */
export function send(
  dialect: Dialect,
  port: number,
  message: IsoMessage,
  { host = '127.0.0.1', timeoutMs = 3000 } = {},
): Promise<IsoMessage> {
  return new Promise((resolve, reject) => {
    const decoder = new FrameStreamDecoder(dialect.framing!);
    const socket = connect(port, host);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (err: Error | undefined, answer?: IsoMessage) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(answer!);
    };
    socket.on('error', (err) => done(err));
    socket.on('close', () => done(new Error('connection closed before an answer')));
    socket.on('connect', () => socket.write(dialect.packFrame({ message })));
    socket.on('data', (chunk) => {
      try {
        const [frame] = decoder.push(chunk);
        if (frame) done(undefined, dialect.unpack(frame.body));
      } catch (err) {
        done(err as Error);
      }
    });
  });
}

// A terminal built on the npm package iso_8583 (zemuldo, not our codec) completes a sale against
// the 1987 ASCII host harbor-bank@2019.4 over a plain TCP socket. The request is packed and the
// response unpacked by iso_8583; our codec is used nowhere on the client side.
//
// Two adaptations, both on bytes iso_8583 itself produces or reads (see the codec interop test,
// test/protocols/iso8583/interop-iso_8583.test.ts, which pins these differences):
// - Framing: iso_8583 getBufferMessage() puts a 2-byte binary length in front; this host version
//   frames with 4 ASCII digits (iso8583-1987-ascii). The client strips the 2 bytes and writes the
//   same length as 4 ASCII digits. Sent unchanged, the host refuses the frame (last test).
// - Bitmap: with bitmapEncoding 'utf8', iso_8583 always reads 32 bitmap characters, so it would
//   misread an answer with a primary bitmap only. Before handing the answer to iso_8583 the
//   client adds an empty secondary bitmap (and sets bit 1), which ISO 8583 allows and which
//   changes no field.

import { type Socket, connect as tcpConnect } from 'node:net';
import Iso8583 from 'iso_8583';
import { describe, expect, it } from 'vitest';
import { exchanges, host, VISA } from './world.js';

// iso_8583 writes the bitmap as raw bytes unless field 1 is declared as 32 characters of text.
const ASCII_BITMAP: Iso8583.Formats = {
  '1': { ContentType: 'an', Label: 'Bitmap', LenType: 'fixed', MaxLen: 32 },
};

const SALE: Iso8583.IsoJson = {
  '0': '0200',
  '3': '000000',
  '4': '000000002500',
  '7': '0314102030',
  '11': '000321',
  '12': '102030',
  '13': '0314',
  '22': '021', // swiped
  '25': '00',
  '35': `${VISA.pan}=${VISA.expiry}${VISA.serviceCode}0000000000`,
  '41': 'HB000001',
  '42': '123456789012345',
  '49': '840',
};

/** iso_8583's framed message with its 2-byte binary length replaced by 4 ASCII digits. */
function asciiFramed(json: Iso8583.IsoJson): Buffer {
  const framed = new Iso8583(json, ASCII_BITMAP).getBufferMessage();
  if (!Buffer.isBuffer(framed)) throw new Error(`iso_8583 pack: ${framed.error}`);
  const body = framed.subarray(2);
  expect(framed.readUInt16BE(0)).toBe(body.length);
  return Buffer.concat([Buffer.from(String(body.length).padStart(4, '0'), 'latin1'), body]);
}

/** Sends bytes, reads one answer framed with 4 ASCII length digits; undefined when the host closes. */
function roundTrip(port: number, bytes: Buffer): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const socket: Socket = tcpConnect(port, '127.0.0.1', () => socket.write(bytes));
    let got = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer'));
    }, 3000);
    const done = (answer: Buffer | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    socket.on('data', (chunk) => {
      got = Buffer.concat([got, chunk]);
      const length = Number(got.subarray(0, 4).toString('latin1'));
      if (got.length >= 4 + length) done(got.subarray(4, 4 + length));
    });
    socket.on('error', () => {});
    socket.on('close', () => done(undefined));
  });
}

/** iso_8583 reads 32 bitmap characters: give it an empty secondary bitmap when there is none. */
function withSecondaryBitmap(body: Buffer): Buffer {
  const first = Number.parseInt(body.toString('latin1', 4, 5), 16);
  if (first & 8) return body;
  return Buffer.concat([
    body.subarray(0, 4),
    Buffer.from((first | 8).toString(16).toUpperCase(), 'latin1'),
    body.subarray(5, 20),
    Buffer.from('0'.repeat(16), 'latin1'),
    body.subarray(20),
  ]);
}

describe('interop: an iso_8583 terminal against harbor-bank@2019.4', () => {
  it('completes a sale: approved answer decoded by iso_8583', async () => {
    const h = await host('harbor-bank@2019.4');
    const answer = await roundTrip(h.address.port, asciiFramed(SALE));
    expect(answer).toBeDefined();
    const json = new Iso8583(undefined, ASCII_BITMAP).getIsoJSON(withSecondaryBitmap(answer!), {
      lenHeader: false,
      bitmapEncoding: 'utf8',
    }) as Iso8583.IsoJson;
    expect(json).not.toHaveProperty('error');
    expect(json).toMatchObject({
      '0': '0210',
      '3': '000000',
      '4': '000000002500',
      '11': '000321',
      '39': '00',
      '41': 'HB000001',
      '49': '840',
    });
    expect(json['37']).toMatch(/^[0-9]{12}$/);
    expect(json['38']).toMatch(/^[0-9A-Z]{6}$/);
    // The host decoded iso_8583's bytes as they are (secondary bitmap included) and booked the sale.
    expect(h.ledger.list()).toEqual([
      expect.objectContaining({ kind: 'sale', amountMinor: 2500, approved: true }),
    ]);
    expect(exchanges(h)[0]!.violations).toEqual([]);
  });

  it("iso_8583's own 2-byte binary length is not this host's framing: the connection is closed", async () => {
    const h = await host('harbor-bank@2019.4');
    const framed = new Iso8583(SALE, ASCII_BITMAP).getBufferMessage() as Buffer;
    expect(await roundTrip(h.address.port, framed)).toBeUndefined();
    expect(h.journal.entries().find((e) => e.event?.kind === 'malformed')!.violations[0]!.rule).toBe(
      'framing',
    );
  });
});

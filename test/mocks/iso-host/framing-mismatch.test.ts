// A terminal framing its messages the other way (ASCII digits vs a binary length) gets its
// connection closed, and the host's journal says what the bytes look like, not only that they are bad.

import { connect as tcpConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { IsoHost } from '../../../src/mocks/iso-host/start-iso-host.js';
import { eventually, host } from './world.js';

/** Writes raw bytes to the host and waits until it closes the connection. */
async function sendRaw(h: IsoHost, bytes: Buffer): Promise<void> {
  const socket = tcpConnect(h.address.port, h.address.host);
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(bytes);
  await closed;
}

const framingViolations = (h: IsoHost) =>
  h.journal.entries().flatMap((e) => (e.violations ?? []).filter((v) => v.rule === 'framing'));

describe('framing mismatch hints in the journal', () => {
  it('a binary-framed host (harbor-bank@2025.1) told ASCII digits', async () => {
    const h = await host('harbor-bank@2025.1');
    await sendRaw(h, Buffer.from('0123' + '1200F23C'));
    await eventually(() => framingViolations(h).length > 0);
    const [v] = framingViolations(h);
    expect(v!.message).toMatch(/expected length <= \d+ at byte 0, found 12337/);
    expect(v!.message).toContain(
      "(the bytes look like a 4-digit ASCII length '01…': is the sender using ASCII framing against a binary-framed receiver?)",
    );
  });

  it('an ASCII-framed host (harbor-bank@2019.4) told a binary length', async () => {
    const h = await host('harbor-bank@2019.4');
    await sendRaw(h, Buffer.concat([Buffer.from([0x00, 0x40]), Buffer.from('0200')]));
    await eventually(() => framingViolations(h).length > 0);
    expect(framingViolations(h)[0]!.message).toBe(
      'frame: expected 4 ASCII digits at byte 0, found 0x00 (looks like a binary length header: ' +
        'is the sender using binary framing against an ASCII-framed receiver?)',
    );
  });
});

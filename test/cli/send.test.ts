import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IsoHost, startIsoHost } from '../../src/mocks/iso-host/start-iso-host.js';
import { VISA_TEST_PAN as PAN, sale as testSale } from '../mocks/admin/terminal.js';

const root = resolve(import.meta.dirname, '../..');
// By URL, so the loader is found whatever the working directory of the run.
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

/** Runs the real CLI entry point (TypeScript through tsx) without blocking the host in this process. */
function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', tsx, join(root, 'src/cli/main.ts'), ...args], {
      cwd: root,
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('close', (code) => done({ code, out, err }));
  });
}

/** A sale on the everyday approved test card, as JSON the way a user writes it. */
const sale = (stan: string, terminal = 'HB000001') =>
  JSON.stringify(testSale({ stan: Number(stan), terminal, amountMinor: 1000 }));

describe('paymatrix send', { timeout: 60_000 }, () => {
  let host: IsoHost;
  let at: string;

  beforeAll(async () => {
    host = await startIsoHost({ host: 'harbor-bank@2019.4', port: 0, timeScale: 0.01 });
    at = `127.0.0.1:${host.address.port}`;
  });
  afterAll(() => host.close());

  it('sends a sale and prints the answer field by field, card data masked; --json and --set', async () => {
    const [text, json] = await Promise.all([
      cli(['send', at, sale('000101', 'HB000101'), '-d', 'iso8583-1987-ascii']),
      cli(['send', at, sale('000001', 'HB000102'), '-d', 'iso8583-1987-ascii', '--json', '--set', '11=7']),
    ]);
    expect(text.err).toBe('');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(new RegExp(`^→ ${at} {2}\\d+ bytes\\n`));
    expect(text.out).toMatch(/← \d+ bytes in [\d.]+ ms\n/);
    expect(text.out).toMatch(/MTI {6}0210/);
    expect(text.out).toMatch(/DE39 +an2 +Response code +"00"/);
    expect(text.out).toContain('411111******1111');
    expect(text.out + text.err).not.toContain(PAN);

    expect(json.code).toBe(0);
    const out = JSON.parse(json.out);
    // As it went on the wire: --set 11=7 is STAN 000007, answered with the same STAN.
    expect(out.request.message.fields).toMatchObject({ 2: '411111******1111', 11: '000007' });
    expect(out.response.message).toMatchObject({ mti: '0210', fields: { 11: '000007', 39: '00' } });
    expect(out.mismatch).toBeUndefined();
    expect(json.out).not.toContain(PAN);
    // The host saw both.
    const stans = host.journal.entries().flatMap((e) => (e.request?.iso ? [e.request.iso.fields['11']] : []));
    expect(stans).toEqual(expect.arrayContaining(['000101', '000007']));
  });

  it('the sample sale the docs send (protocols/iso8583/samples) is approved by harbor-bank@2019.4', async () => {
    const sample = `@${join(root, 'protocols/iso8583/samples/iso8583-1987-ascii-sale-0200.json')}`;
    const r = await cli(['send', at, sample, '-d', 'iso8583-1987-ascii', '--set', '11=000124', '--json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).response.message.fields['39']).toBe('00');
  });

  it('warns when the answer does not correlate, and exits 1 when no answer (or an unreadable one) comes', async () => {
    // One at a time: the faults' scope is the message type, not the terminal.
    host.faults.add({ fault: 'wrong-stan', scope: { mti: ['0200'] } });
    const wrong = await cli(['send', at, sale('000201'), '-d', 'iso8583-1987-ascii']);
    host.faults.clear();
    expect(wrong.code).toBe(0);
    expect(wrong.err).toMatch(/^warning: the answer's STAN \d{6} is not 000201\n$/);
    host.faults.add({ fault: 'no-response', scope: { mti: ['0200'] } });
    const silent = await cli(['send', at, sale('000202'), '-d', 'iso8583-1987-ascii', '--timeout', '500']);
    host.faults.clear();
    expect(silent.code).toBe(1);
    expect(silent.err).toBe(`error: no answer from ${at}: none within 500 ms\n`);
    // A response sent by hand: the host journals it and answers nothing, and send says why.
    const response = JSON.stringify({ mti: '0210', fields: { 3: '000000', 11: '000204', 39: '00' } });
    const unanswered = await cli(['send', at, response, '-d', 'iso8583-1987-ascii', '--timeout', '500']);
    expect(unanswered.code).toBe(1);
    expect(unanswered.err).toBe(
      `error: no answer from ${at}: none within 500 ms (MTI 0210 is a response or an acknowledgement, which no host answers)\n`,
    );
    host.faults.add({ fault: 'garbled-response', scope: { mti: ['0200'] } });
    const garbled = await cli(['send', at, sale('000203'), '-d', 'iso8583-1987-ascii']);
    host.faults.clear();
    expect(garbled.code).toBe(1);
    // Said in words, never as the bytes (an answer may echo card data).
    expect(garbled.err).toMatch(
      new RegExp(`^error: no answer from ${at}: \\d+ bytes that do not decode: \\S`),
    );
    expect(garbled.err).not.toMatch(/[0-9A-F]{40}/);
  });

  it('exits 1 on a refused connection or a closed one, 2 on bad usage', async () => {
    // A port nobody listens on: bind one, note it, close it.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const free = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const [refused, closed, address, element, noFields] = await Promise.all([
      cli(['send', `127.0.0.1:${free}`, sale('000301'), '-d', 'iso8583-1987-ascii']),
      // 1993 binary bytes to a 1987 ASCII host: it cannot read the length and hangs up.
      cli(['send', at, sale('000302'), '-d', 'iso8583-1993-binary']),
      cli(['send', 'localhost', sale('000303'), '-d', 'iso8583-1987-ascii']),
      cli(['send', at, sale('000304'), '-d', 'iso8583-1987-ascii', '--set', '129=1']),
      cli(['send', at, '{"mti": "0200"}', '-d', 'iso8583-1987-ascii']),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(`error: no answer from 127.0.0.1:${free}: could not connect (ECONNREFUSED)\n`);
    expect(closed.code).toBe(1);
    expect(closed.err).toMatch(new RegExp(`^error: no answer from ${at}: the connection closed`));
    expect(address.code).toBe(2);
    expect(address.err).toContain('must be host:port, e.g. 127.0.0.1:8583');
    expect(element.code).toBe(2);
    expect(element.err).toBe('error: --set 129=1: iso8583-1987-ascii has no DE129\n');
    expect(noFields.code).toBe(2);
    expect(noFields.err).toContain('the JSON must have "mti" (string) and "fields"');
  });
});

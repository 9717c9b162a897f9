// The Python emulator (firmware/examples/pyterm, its own ISO 8583 codec and DES) played through the
// process driver against harbor-bank@2019.4 over real sockets: sale, declines, timeout → reversal
// delivered before the next sale with the repeat MTI on retry, settlement balanced and out of
// balance with batch upload, every transaction type, failover, cancel. The host's journal is the
// independent witness of what went over the wire.

import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { card, harbor, pelican, pyterm, requests, SCALE } from './setup.js';

const VISA = card('visa-credit-chip');
const PAN = VISA.pan;

describe('pyterm (Pelican PX-7) against harbor-bank@2019.4', () => {
  it('identifies itself as the build file says', async () => {
    const bank = await harbor();
    const { terminal } = await pyterm(bank);
    expect(await terminal.identify()).toEqual({
      build: 'pelican-px7-3.2.0',
      vendor: 'Pelican Devices',
      model: 'PX-7',
      version: '3.2.0',
    });
    expect(await terminal.capabilities()).toEqual(pelican().capabilities);
  });

  it('completes a sale: approved, with what it sent and received, the PIN block accepted by the host', async () => {
    const bank = await harbor();
    const { terminal, events } = await pyterm(bank);
    const outcome = await terminal.run({ type: 'sale', amount: 2500, card: VISA });

    expect(outcome).toMatchObject({ status: 'approved', responseCode: '00' });
    expect(outcome.messages.map((m) => [m.direction, m.message.iso?.mti])).toEqual([
      ['sent', '0200'],
      ['received', '0210'],
    ]);
    const [sent] = outcome.messages;
    expect(sent!.message.iso!.fields).toMatchObject({
      3: '000000',
      4: '000000002500',
      11: '000001',
      // The pinned clock of the run reaches the wire.
      7: '0314102030',
      22: '051',
      41: 'PX700001',
      49: '840',
    });
    // What the host saw: one sale, approved, with a PIN block it decrypted and checked.
    const [exchange] = bank.journal.entries().filter((e) => e.request);
    expect(exchange!.request!.summary).toBe('0200 sale 25.00 STAN 000001');
    expect(exchange!.request!.iso!.fields['52']).toMatch(/hidden/);
    expect(exchange!.response!.iso!.fields['39']).toBe('00');
    expect(outcome.reference).toMatchObject({
      stan: '000001',
      rrn: exchange!.response!.iso!.fields['37'],
      authCode: exchange!.response!.iso!.fields['38'],
      amount: 2500,
      transmittedAt: '0314102030',
    });
    expect(events.map((e) => e.kind)).toEqual(['connected', 'sent', 'received']);
    // Card data never in clear: not in the outcome, not in the events.
    expect(JSON.stringify([outcome, events])).not.toContain(PAN);
  });

  it('reports a decline with the host code: insufficient funds by amount, wrong PIN by PIN block', async () => {
    const bank = await harbor();
    const { terminal } = await pyterm(bank);
    const nsf = await terminal.run({ type: 'sale', amount: 2551, card: VISA });
    expect(nsf).toMatchObject({
      status: 'declined',
      responseCode: '51',
      detail: 'declined 51 insufficient funds',
    });
    // The host decrypts the PIN block with the TPK: a wrong PIN is only seen if pyterm's DES is right.
    const wrongPin = await terminal.run({ type: 'sale', amount: 2500, card: { ...VISA, pin: '9999' } });
    expect(wrongPin).toMatchObject({ status: 'declined', responseCode: '55' });
    const rightPin = await terminal.run({ type: 'sale', amount: 2500, card: VISA });
    expect(rightPin).toMatchObject({ status: 'approved', responseCode: '00' });
  });

  it('times out, queues a reversal and delivers it before the next sale; the batch stays balanced', async () => {
    const bank = await harbor({ faults: [{ fault: 'no-response', scope: { mti: ['0200'], nth: [1] } }] });
    const { terminal, events } = await pyterm(bank);

    const first = await terminal.run({ type: 'sale', amount: 2500, card: VISA });
    expect(first).toMatchObject({ status: 'timed-out', detail: 'no answer in 30 s: reversal queued' });
    // 30 s of host timeout at time scale 0.01, plus process overhead.
    expect(first.durationMs).toBeGreaterThanOrEqual(30_000 * SCALE - 5);
    expect(first.durationMs).toBeLessThan(2_000);
    expect(events.map((e) => e.kind)).toContain('reversal-queued');
    expect(requests(bank)).toEqual(['0200']);

    const second = await terminal.run({ type: 'sale', amount: 2600, card: VISA });
    expect(second.status).toBe('approved');
    // The reversal went first, inside the second transaction.
    expect(second.messages.map((m) => m.message.iso?.mti)).toEqual(['0400', '0410', '0200', '0210']);
    expect(requests(bank)).toEqual(['0200', '0400', '0200']);
    const reversal = bank.journal.entries().find((e) => e.request?.iso?.mti === '0400')!;
    expect(reversal.request!.iso!.fields['11']).toBe('000001');
    expect(reversal.request!.iso!.fields['90']).toMatchObject({ 1: '0200', 2: '000001', 3: '0314102030' });
    expect(reversal.response!.iso!.fields['39']).toBe('00');
    // The host processed the lost sale, then cancelled it: only the second one counts.
    expect(bank.ledger.list().map((e) => [e.kind, e.cancelledBy !== undefined])).toEqual([
      ['sale', true],
      ['reversal', false],
      ['sale', false],
    ]);
    const settlement = await terminal.run({ type: 'settlement' });
    expect(settlement).toMatchObject({ status: 'approved', responseCode: '00' });
    expect(settlement.detail).toBe('batch closed in balance: 1 debits 26.00, 0 credits 0.00');
  });

  it('repeats an unanswered reversal as 0401 with the same STAN, and sends no sale until it is delivered', async () => {
    const bank = await harbor({
      faults: [
        { fault: 'no-response', scope: { mti: ['0200'], nth: [1] } },
        { fault: 'no-response', scope: { mti: ['040x'], firstN: 3 } },
      ],
    });
    const { terminal, events } = await pyterm(bank);
    expect((await terminal.run({ type: 'sale', amount: 2500, card: VISA })).status).toBe('timed-out');

    // Three attempts (the build's --reversal-attempts), none answered: the sale is not sent.
    const blocked = await terminal.run({ type: 'sale', amount: 2600, card: VISA, timeoutMs: 300_000 });
    expect(blocked).toMatchObject({ status: 'timed-out' });
    expect(blocked.detail).toBe('reversal of 0200 STAN 000001 not acknowledged: sale not sent');
    expect(requests(bank)).toEqual(['0200', '0400', '0401', '0401']);

    const next = await terminal.run({ type: 'sale', amount: 2700, card: VISA });
    expect(next.status).toBe('approved');
    expect(requests(bank)).toEqual(['0200', '0400', '0401', '0401', '0401', '0200']);
    const stans = bank.journal
      .entries()
      .filter((e) => e.request?.iso?.mti.startsWith('040'))
      .map((e) => e.request!.iso!.fields['11']);
    expect(stans).toEqual(['000001', '000001', '000001', '000001']);
    expect(events.filter((e) => e.kind === 'reversal-sent').map((e) => e.detail.slice(0, 4))).toEqual([
      '0400',
      '0401',
      '0401',
      '0401',
    ]);
  });

  it('discards an answer whose STAN does not match, then times out and queues a reversal', async () => {
    const bank = await harbor({ faults: [{ fault: 'wrong-stan', scope: { mti: ['0200'], nth: [1] } }] });
    const { terminal, events } = await pyterm(bank);
    const outcome = await terminal.run({ type: 'sale', amount: 2500, card: VISA });
    expect(outcome.status).toBe('timed-out');
    expect(events.find((e) => e.kind === 'discarded')?.detail).toBe(
      '0210 STAN 000002 does not answer 0200 STAN 000001',
    );
    expect(events.map((e) => e.kind)).toContain('reversal-queued');
  });

  it('settles out of balance with a batch upload (0320 per record, then 0500 with processing code 96)', async () => {
    const bank = await harbor();
    const { terminal } = await pyterm(bank);
    const sales = [];
    for (const amount of [1000, 2000]) sales.push(await terminal.run({ type: 'sale', amount, card: VISA }));
    expect(sales.map((s) => s.status)).toEqual(['approved', 'approved']);
    bank.reset(); // the host restarted and lost its open batch: the terminal's totals no longer match

    const outcome = await terminal.run({ type: 'settlement' });
    expect(outcome, JSON.stringify(outcome.error)).toMatchObject({ status: 'approved', responseCode: '00' });
    expect(outcome.detail).toBe(
      'out of balance (95): 2 records uploaded, batch closed: 2 debits 30.00, 0 credits 0.00',
    );
    const seen = bank.journal.entries().filter((e) => e.request);
    expect(
      seen.map((e) => [e.request!.iso!.mti, e.request!.iso!.fields['3'], e.response!.iso!.fields['39']]),
    ).toEqual([
      ['0500', '920000', '95'],
      ['0320', '000000', '00'],
      ['0320', '000000', '00'],
      ['0500', '960000', '00'],
    ]);
    // Each upload record carries the original's RRN, and its PAN only masked in the journal.
    expect(seen.slice(1, 3).map((e) => e.request!.iso!.fields['37'])).toEqual(
      sales.map((s) => s.reference?.rrn),
    );
    expect(seen[1]!.request!.iso!.fields['2']).toBe('411111******1111');
    // A new batch starts: the next settlement is empty and balanced.
    expect((await terminal.run({ type: 'settlement' })).detail).toBe(
      'batch closed in balance: 0 debits 0.00, 0 credits 0.00',
    );
  });

  it('runs every transaction type it declares; void and completion find their originals', async () => {
    const bank = await harbor();
    const { terminal } = await pyterm(bank);
    const run = (request: Parameters<typeof terminal.run>[0]) => terminal.run(request);

    expect((await run({ type: 'sign-on' })).status).toBe('approved');
    expect((await run({ type: 'echo' })).status).toBe('approved');
    const sale = await run({ type: 'sale', amount: 1000, card: VISA });
    // A void without the card: the terminal takes it from its batch (keyed entry, DE2 + DE14).
    const voided = await run({ type: 'void', original: sale.reference! });
    expect(voided).toMatchObject({ status: 'approved', responseCode: '00' });
    expect(voided.messages[0]!.message.iso!.fields).toMatchObject({
      3: '020000',
      22: '012',
      37: sale.reference!.rrn,
    });
    const pre = await run({ type: 'pre-auth', amount: 5000, card: VISA });
    expect(pre.status).toBe('approved');
    const completion = await run({ type: 'completion', amount: 4800, card: VISA, original: pre.reference! });
    expect(completion).toMatchObject({ status: 'approved', responseCode: '00' });
    const refund = await run({ type: 'refund', amount: 300, card: card('visa-debit-magstripe') });
    expect(refund.status).toBe('approved');
    const balance = await run({ type: 'balance', card: VISA });
    expect(balance.status).toBe('approved');
    expect(balance.detail).toMatch(/^approved 00, auth [0-9]{6}, balance 0002840C000000500000$/);

    expect(bank.ledger.list().map((e) => [e.kind, e.approved, e.cancelledBy !== undefined])).toEqual([
      ['sale', true, true],
      ['void', true, false],
      ['pre-auth', true, false],
      ['completion', true, false],
      ['refund', true, false],
      ['balance', true, false],
    ]);
    // Terminal and host agree: the completion is the only debit, the refund the only credit.
    const settlement = await run({ type: 'settlement' });
    expect(settlement).toMatchObject({ status: 'approved', responseCode: '00' });
    expect(settlement.detail).toBe('batch closed in balance: 1 debits 48.00, 1 credits 3.00');
  });

  it('fails over to the backup host after two failed connects to the primary', async () => {
    const closed = await freePort();
    const backup = await harbor();
    const { terminal, events } = await pyterm(backup, {
      primary: { host: '127.0.0.1', port: closed },
      backup: backup.address,
    });
    const outcome = await terminal.run({ type: 'sale', amount: 2500, card: VISA });
    expect(outcome.status).toBe('approved');
    expect(events.map((e) => e.kind).slice(0, 4)).toEqual([
      'connect-failed',
      'connect-failed',
      'failover',
      'connected',
    ]);
    expect(events[3]!.detail).toBe(`backup 127.0.0.1:${backup.address.port}`);
    expect(requests(backup)).toEqual(['0200']);
  });

  it('cancel while waiting for the host: the sale is reversed at once', async () => {
    const bank = await harbor({ faults: [{ fault: 'no-response', scope: { mti: ['0200'], nth: [1] } }] });
    // A long host timeout (300 s, 3 s scaled), so the cancel surely comes first.
    const build = pelican();
    build.process!.command = ['python3', 'pyterm.py', '--response-timeout-s', '300'];
    const { terminal, events } = await pyterm(bank, {}, build);
    const running = terminal.run({ type: 'sale', amount: 2500, card: VISA, timeoutMs: 600_000 });
    while (!events.some((e) => e.kind === 'sent')) await new Promise((r) => setTimeout(r, 5));
    await terminal.cancel();
    const outcome = await running;
    expect(outcome).toMatchObject({
      status: 'reversed',
      detail: 'cancelled by the operator; reversal delivered',
    });
    expect(requests(bank)).toEqual(['0200', '0400']);
  });

  it('refuses a sale without a positive amount locally and sends nothing', async () => {
    const bank = await harbor();
    const { terminal } = await pyterm(bank);
    for (const amount of [0, -100]) {
      const outcome = await terminal.run({ type: 'sale', amount, card: VISA });
      expect(outcome).toMatchObject({ status: 'declined', messages: [] });
      expect(outcome.detail).toBe('refused by the terminal: the amount must be positive (nothing sent)');
    }
    expect(requests(bank)).toEqual([]);
  });
});

describe('pyterm against harbor-bank@2022.2 (EMV mandate)', () => {
  it('its known defect shows: chip sales without ICC data are refused, magstripe still works', async () => {
    const bank = await harbor({ host: 'harbor-bank@2022.2' });
    const { terminal } = await pyterm(bank);
    const chip = await terminal.run({ type: 'sale', amount: 2500, card: VISA });
    expect(chip).toMatchObject({
      status: 'declined',
      responseCode: '30',
      detail: 'declined 30 format error',
    });
    expect(
      bank.journal
        .entries()
        .find((e) => e.request)
        ?.violations.map((v) => v.path),
    ).toEqual(['23', '55']);
    const stripe = await terminal.run({ type: 'sale', amount: 2500, card: card('visa-debit-magstripe') });
    expect(stripe).toMatchObject({ status: 'approved', responseCode: '00' });
  });
});

/** A port nothing listens on: bound once, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

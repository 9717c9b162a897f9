// Every message type of the mock hosts against the sample world, over real sockets: network
// management, authorizations, financial messages, advices, reversals matched to their original,
// settlement (balanced and not) with batch upload, on 1987 ASCII, 1993 binary and CUP-style hosts.

import { describe, expect, it } from 'vitest';
import { keyCheckValue, tdesDecryptEcb } from '../../../src/protocols/iso8583/index.js';
import type { IsoConnection } from '../../support/iso-terminal.js';
import {
  code,
  connect,
  de56,
  de60,
  de90,
  exchanges,
  host,
  session,
  signOn,
  type terminal,
  UNIONPAY,
  VISA,
} from './world.js';

const visa = { card: VISA };
const unionpay = { card: UNIONPAY };
const n = (value: number, width: number) => String(value).padStart(width, '0');

describe('harbor-bank@2019.4 (ISO 8583:1987 ASCII)', () => {
  it('0800 sign-on, echo and sign-off are answered 0810 00 with DE70 echoed', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    for (const nmc of ['001', '301', '002']) {
      const r = await t.exchange(c, t.build('0800', { 70: nmc }));
      expect(r.mti).toBe('0810');
      expect(r.fields).toMatchObject({ 39: '00', 70: nmc });
    }
    expect(exchanges(h).map((e) => e.request?.summary.split(' ')[1])).toEqual([
      'sign-on',
      'echo',
      'sign-off',
    ]);
  });

  it('0100 authorization and pre-auth (DE25 06) are approved with an RRN and an auth code', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    const auth = await t.exchange(c, t.build('0100', { 3: '000000', 4: '000000001000' }, { read: visa }));
    expect(auth.mti).toBe('0110');
    expect(auth.fields).toMatchObject({ 3: '000000', 4: '000000001000', 39: '00', 41: 'HB000001' });
    expect(auth.fields['37']).toMatch(/^[0-9]{12}$/);
    expect(auth.fields['38']).toMatch(/^[0-9A-Z]{6}$/);
    const pre = await t.exchange(
      c,
      t.build('0100', { 3: '000000', 4: '000000005000', 25: '06' }, { read: visa }),
    );
    expect(code(pre)).toBe('00');
    expect(h.ledger.list().map((e) => e.kind)).toEqual(['authorization', 'pre-auth']);
  });

  it('the ledger and the journal keep what was on the wire, decoded again when read', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    const sent = t.build('0200', { 3: '000000', 4: '000000001000' }, { read: visa });
    const answered = await t.exchange(c, sent);
    const [booked] = h.ledger.list();
    expect(booked!.request).toEqual(sent);
    expect(booked!.response).toEqual(answered);
    const [exchange] = exchanges(h).slice(-1);
    expect(exchange!.request?.iso?.fields['11']).toBe(sent.fields['11']);
    expect(exchange!.response?.iso?.fields).toMatchObject({ 37: answered.fields['37'], 39: '00' });
    expect(exchange!.response?.summary).toBe(`0210 10.00 STAN ${sent.fields['11']} code 00`);
  });

  it('the journal keeps at most its bytes of frames, the newest exchanges first', async () => {
    const h = await host('harbor-bank@2019.4', { journalBytes: 1000 });
    const { t, c } = await session(h);
    let last = '';
    for (let i = 0; i < 20; i++) {
      const sent = t.build('0200', { 3: '000000', 4: '000000001000' }, { read: visa });
      last = sent.fields['11'] as string;
      expect(code(await t.exchange(c, sent))).toBe('00');
    }
    const kept = exchanges(h);
    // Each exchange weighs its request and response frames, and nothing else.
    const weight = kept.reduce((sum, e) => sum + e.request!.size + (e.response?.size ?? 0), 0);
    expect(h.journal.bytes).toBe(weight);
    expect(weight).toBeLessThanOrEqual(1000);
    expect(kept.length).toBeGreaterThanOrEqual(3);
    expect(kept.length).toBeLessThan(20);
    expect(h.journal.dropped).toBeGreaterThan(0);
    expect(kept.at(-1)!.request!.iso!.fields['11']).toBe(last);
  });

  it('0220 completion finds its pre-auth through DE90; an unknown one gets 25', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    const pre = t.build('0100', { 3: '000000', 4: '000000005000', 25: '06' }, { read: visa });
    const preAnswer = await t.exchange(c, pre);
    const completion = (original: typeof pre) =>
      t.build(
        '0220',
        { 3: '000000', 4: '000000004800', 25: '06', 38: preAnswer.fields['38']!, 90: de90(original) },
        { read: visa },
      );
    const done = await t.exchange(c, completion(pre));
    expect(done.mti).toBe('0230');
    expect(code(done)).toBe('00');
    const stranger = { ...pre, fields: { ...pre.fields, 11: '999999' } };
    expect(code(await t.exchange(c, completion(stranger)))).toBe('25');
    expect(h.ledger.list().map((e) => [e.kind, e.approved])).toEqual([
      ['pre-auth', true],
      ['completion', true],
      ['completion', false],
    ]);
  });

  it('0100 balance inquiry returns the card balance in DE54', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    const r = await t.exchange(c, t.build('0100', { 3: '310000' }, { read: visa }));
    expect(code(r)).toBe('00');
    expect(r.fields['54']).toBe(`0002${VISA.currency}C${n(VISA.balanceMinor, 12)}`);
  });

  it('0200 sale, refund by RRN and void by RRN; a void of an unknown RRN gets 25', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    const sale = await t.exchange(c, t.build('0200', { 3: '000000', 4: '000000002500' }, { read: visa }));
    expect(sale.mti).toBe('0210');
    expect(code(sale)).toBe('00');
    const rrn = sale.fields['37'] as string;
    const refund = t.build('0200', { 3: '200000', 4: '000000000500', 37: rrn }, { read: visa });
    expect(code(await t.exchange(c, refund))).toBe('00');
    const voidIt = (r: string) => t.build('0200', { 3: '020000', 4: '000000002500', 37: r }, { read: visa });
    // The void names the sale whose answer carried that RRN, not the refund that quoted it: refused,
    // as that sale was refunded in part.
    expect(code(await t.exchange(c, voidIt(rrn)))).toBe('12');
    expect(exchanges(h).at(-1)!.violations[0]!.message).toMatch(
      /^the void names sale STAN \d{6} \(2500 minor units\), of which 500 was refunded already$/,
    );
    expect(code(await t.exchange(c, voidIt('000000999999')))).toBe('25');
    const other = await t.exchange(c, t.build('0200', { 3: '000000', 4: '000000002500' }, { read: visa }));
    expect(code(await t.exchange(c, voidIt(other.fields['37'] as string)))).toBe('00');
    expect(h.ledger.list().map((e) => [e.kind, e.cancelledBy !== undefined])).toEqual([
      ['sale', false],
      ['refund', false],
      ['void', false],
      ['void', false],
      ['sale', true],
      ['void', false],
    ]);
  });

  it('a void, reversal or refund is held to its original: voided twice 12, another amount 13, more refunded than left 13', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    const sale = async (amount: string) =>
      t.exchange(c, t.build('0200', { 3: '000000', 4: amount }, { read: visa }));
    const first = await sale('000000002500');
    const rrn = first.fields['37'] as string;
    const op = (pc: string, amount: string, r = rrn) =>
      t.build('0200', { 3: pc, 4: amount, 37: r }, { read: visa });
    const answers = [];
    const rrn2 = (await sale('000000003000')).fields['37'] as string;
    for (const m of [
      op('200000', '000000002000'), // refund 20.00 of 25.00: 00
      op('200000', '000000000600'), // 6.00 more: only 5.00 left, 13
      op('020000', '000000002500'), // void of a sale refunded in part: 12
      op('020000', '000000009900', rrn2), // void at another amount: 13
      op('020000', '000000003000', rrn2), // void: 00
      op('020000', '000000003000', rrn2), // voided already: 12
      op('200000', '000000000100', rrn2), // refund of a voided sale: 12
    ])
      answers.push(code(await t.exchange(c, m)));
    expect(answers).toEqual(['00', '13', '12', '13', '00', '12', '12']);
    expect(exchanges(h).at(-1)!.violations).toEqual([
      expect.objectContaining({
        rule: 'original',
        message: expect.stringMatching(
          /^the refund names sale STAN \d{6} \(3000 minor units\), voided or reversed: nothing to refund$/,
        ),
      }),
    ]);
    // A reversal for another amount than its sale's: 13; for the right one: 00, and again 00 (a repeat).
    const second = t.build('0200', { 3: '000000', 4: '000000000300' }, { read: visa });
    await t.exchange(c, second);
    const reversal = (amount: string) =>
      t.build('0400', { 3: '000000', 4: amount, 90: de90(second) }, { read: visa });
    expect(code(await t.exchange(c, reversal('000000000900')))).toBe('13');
    expect(code(await t.exchange(c, reversal('000000000300')))).toBe('00');
    expect(code(await t.exchange(c, reversal('000000000300')))).toBe('00');
  });

  it('0220 offline-sale advice is answered 0230 00 and booked', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    const r = await t.exchange(c, t.build('0220', { 3: '000000', 4: '000000000700' }, { read: visa }));
    expect(r.mti).toBe('0230');
    expect(code(r)).toBe('00');
    expect(h.ledger.list()[0]).toMatchObject({ kind: 'advice', amountMinor: 700, approved: true });
  });

  it('0400, 0401, 0420 and 0421 reversals find the sale through DE90; an unknown original gets 25', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    const sale = t.build('0200', { 3: '000000', 4: '000000000300' }, { read: visa });
    expect(code(await t.exchange(c, sale))).toBe('00');
    const reversal = (mti: string, original = sale) =>
      t.build(mti, { 3: '000000', 4: '000000000300', 90: de90(original) }, { read: visa });
    const answers = [];
    for (const mti of ['0400', '0401', '0420', '0421']) {
      const r = await t.exchange(c, reversal(mti));
      answers.push([r.mti, code(r)]);
    }
    expect(answers).toEqual([
      ['0410', '00'],
      ['0410', '00'],
      ['0430', '00'],
      ['0430', '00'],
    ]);
    const original = h.ledger.list()[0]!;
    expect(original.cancelledBy).toBeDefined();
    const unknown = { ...sale, fields: { ...sale.fields, 11: '424242' } };
    expect(code(await t.exchange(c, reversal('0400', unknown)))).toBe('25');
    expect(exchanges(h).at(-1)!.violations).toEqual([
      expect.objectContaining({ path: '90.1+90.2+90.3', rule: 'original' }),
    ]);
  });

  it('0500 settlement: balanced totals are approved and settle the batch', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    for (const amount of ['000000002500', '000000001000'])
      await t.exchange(c, t.build('0200', { 3: '000000', 4: amount }, { read: visa }));
    const sale = await t.exchange(c, t.build('0200', { 3: '000000', 4: '000000000400' }, { read: visa }));
    await t.exchange(
      c,
      t.build('0200', { 3: '020000', 4: '000000000400', 37: sale.fields['37']! }, { read: visa }),
    );
    const r = await t.exchange(c, settlement(t, '920000', { debits: [2, 3500], credits: [0, 0] }));
    expect(r.mti).toBe('0510');
    expect(code(r)).toBe('00');
    expect(exchanges(h).at(-1)!.notes).toEqual([
      "totals agree with the host's: debits 2 for 3500, credits 0 for 0",
    ]);
    expect(
      h.ledger
        .list()
        .filter((e) => e.kind === 'sale' && !e.cancelledBy)
        .every((e) => e.settled),
    ).toBe(true);
  });

  it('0500 unbalanced gets 95; a 0320 batch upload and a 0500 with DE3 96 close the batch', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    const sale = await t.exchange(c, t.build('0200', { 3: '000000', 4: '000000002500' }, { read: visa }));
    const unbalanced = await t.exchange(c, settlement(t, '920000', { debits: [2, 5000], credits: [0, 0] }));
    expect(code(unbalanced)).toBe('95');
    // Not a rule broken (the terminal's next move is the upload), but the evidence of what differs.
    expect(exchanges(h).at(-1)!).toMatchObject({
      violations: [],
      notes: [
        'the terminal claims debits 2 for 5000, credits 0 for 0, the host counts debits 1 for 2500, credits 0 for 0: out of balance; the host now waits for a batch upload',
      ],
    });
    const upload = t.build('0320', { 2: VISA.pan, 3: '000000', 4: '000000002500', 37: sale.fields['37']! });
    const uploaded = await t.exchange(c, upload);
    expect([uploaded.mti, code(uploaded)]).toEqual(['0330', '00']);
    // The closing 0500 must total what was uploaded (one sale of 25.00), not what was claimed before.
    const claimedAgain = await t.exchange(c, settlement(t, '960000', { debits: [2, 5000], credits: [0, 0] }));
    expect(code(claimedAgain)).toBe('95');
    expect(exchanges(h).at(-1)!.violations).toEqual([
      expect.objectContaining({
        rule: 'batch-upload',
        message: expect.stringMatching(/not those of the records uploaded \(debits 1 for 2500/),
      }),
    ]);
    expect(h.ledger.list()[0]!.settled).toBe(false);
    await t.exchange(c, upload);
    const closed = await t.exchange(c, settlement(t, '960000', { debits: [1, 2500], credits: [0, 0] }));
    expect(code(closed)).toBe('00');
    expect(exchanges(h).at(-1)!.notes).toEqual([
      'totals agree with the records uploaded: debits 1 for 2500, credits 0 for 0',
    ]);
    expect(h.ledger.list()[0]!.settled).toBe(true);
    // The next batch is empty: zero totals balance.
    expect(code(await t.exchange(c, settlement(t, '920000', { debits: [0, 0], credits: [0, 0] })))).toBe(
      '00',
    );
  });

  it("after a batch upload the terminal's records settle: a sale it left out is journaled, never settled", async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    const sale = (amount: string) =>
      t.exchange(c, t.build('0200', { 3: '000000', 4: amount }, { read: visa }));
    const kept = await sale('000000002500');
    const misread = await sale('000000001500');
    await sale('000000000700');
    expect(code(await t.exchange(c, settlement(t, '920000', { debits: [1, 2500], credits: [0, 0] })))).toBe(
      '95',
    );
    const record = (rrn: unknown, amount: string) =>
      t.exchange(c, t.build('0320', { 2: VISA.pan, 3: '000000', 4: amount, 37: rrn as string }));
    await record(kept.fields['37'], '000000002500');
    // A record naming no transaction of this terminal, one uploaded twice, one at another amount.
    await record('999999999999', '000000000100');
    await record(kept.fields['37'], '000000002500');
    await record(misread.fields['37'], '000000009900');
    // The closing totals are the upload's: 3 records, 25.00 + 1.00 + 99.00.
    expect(code(await t.exchange(c, settlement(t, '960000', { debits: [2, 2600], credits: [0, 0] })))).toBe(
      '95',
    );
    await record(kept.fields['37'], '000000002500');
    await record('999999999999', '000000000100');
    await record(misread.fields['37'], '000000009900');
    const closed = await t.exchange(c, settlement(t, '960000', { debits: [3, 12500], credits: [0, 0] }));
    expect(code(closed)).toBe('00');
    expect(
      exchanges(h)
        .at(-1)!
        .violations.map((v) => v.message),
    ).toEqual([
      "upload record DE37 999999999999 names no transaction the host approved for this terminal: settled as the terminal's",
      `upload record DE37 ${misread.fields['37']} says 9900 minor units, the host approved 1500`,
      expect.stringMatching(
        /^the host approved STAN \d{6} \(700 minor units\), which the batch upload left out: not settled$/,
      ),
    ]);
    expect(h.ledger.list().map((e) => [e.settled, e.notUploaded ?? false])).toEqual([
      [true, false],
      [true, false],
      [false, true],
    ]);
    // The next batch does not count the left-out sale either.
    expect(code(await t.exchange(c, settlement(t, '920000', { debits: [0, 0], credits: [0, 0] })))).toBe(
      '00',
    );
  });

  it('a batch upload leaves voids and reversals alone: only sales and refunds are records', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    const kept = await t.exchange(c, t.build('0200', { 3: '000000', 4: '000000001000' }, { read: visa }));
    const voided = await t.exchange(c, t.build('0200', { 3: '000000', 4: '000000000700' }, { read: visa }));
    const v = t.build('0200', { 3: '020000', 4: '000000000700', 37: voided.fields['37']! }, { read: visa });
    expect(code(await t.exchange(c, v))).toBe('00');
    expect(code(await t.exchange(c, settlement(t, '920000', { debits: [0, 0], credits: [0, 0] })))).toBe(
      '95',
    );
    await t.exchange(
      c,
      t.build('0320', { 2: VISA.pan, 3: '000000', 4: '000000001000', 37: kept.fields['37']! }),
    );
    expect(code(await t.exchange(c, settlement(t, '960000', { debits: [1, 1000], credits: [0, 0] })))).toBe(
      '00',
    );
    expect(exchanges(h).at(-1)!.violations).toEqual([]);
  });

  it('a batch upload that repeats a record is told so', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    const kept = await t.exchange(c, t.build('0200', { 3: '000000', 4: '000000002500' }, { read: visa }));
    expect(code(await t.exchange(c, settlement(t, '920000', { debits: [0, 0], credits: [0, 0] })))).toBe(
      '95',
    );
    for (let i = 0; i < 2; i++)
      await t.exchange(
        c,
        t.build('0320', { 2: VISA.pan, 3: '000000', 4: '000000002500', 37: kept.fields['37']! }),
      );
    expect(code(await t.exchange(c, settlement(t, '960000', { debits: [1, 2500], credits: [0, 0] })))).toBe(
      '00',
    );
    expect(
      exchanges(h)
        .at(-1)!
        .violations.map((v) => v.message),
    ).toEqual([`upload record DE37 ${kept.fields['37']} repeats a transaction uploaded already`]);
  });

  it('settlement totals are per terminal: each terminal balances with its own sales', async () => {
    const h = await host('harbor-bank@2019.4');
    const a = await session(h, 'HB000001');
    const b = await session(h, 'HB000002');
    await a.t.exchange(a.c, a.t.build('0200', { 3: '000000', 4: '000000002500' }, { read: visa }));
    await b.t.exchange(b.c, b.t.build('0200', { 3: '000000', 4: '000000000100' }, { read: visa }));
    await b.t.exchange(b.c, b.t.build('0200', { 3: '000000', 4: '000000000200' }, { read: visa }));
    const mine = await a.t.exchange(a.c, settlement(a.t, '920000', { debits: [1, 2500], credits: [0, 0] }));
    const theirs = await b.t.exchange(b.c, settlement(b.t, '920000', { debits: [2, 300], credits: [0, 0] }));
    expect([code(mine), code(theirs)]).toEqual(['00', '00']);
  });
});

function settlement(
  t: ReturnType<typeof terminal>,
  processingCode: string,
  totals: { debits: [number, number]; credits: [number, number] },
) {
  return t.build('0500', {
    3: processingCode,
    74: n(totals.credits[0], 10),
    76: n(totals.debits[0], 10),
    86: n(totals.credits[1], 16),
    88: n(totals.debits[1], 16),
  });
}

describe('harbor-bank@2025.1 (ISO 8583:1993 binary, X9.19 MAC required, responses signed)', () => {
  it('1804 sign-on, echo and sign-off are answered 1814 with action code 800', async () => {
    const h = await host('harbor-bank@2025.1');
    const { t, c } = await session(h);
    for (const fn of ['801', '831', '802']) {
      const r = await t.exchange(c, t.build('1804', { 24: fn }));
      expect(r.mti).toBe('1814');
      expect(r.fields).toMatchObject({ 24: fn, 39: '800' });
    }
  });

  it('1100 authorization, pre-auth and 1220 completion through DE56, each answer MAC-verified', async () => {
    const h = await host('harbor-bank@2025.1');
    const { t, c } = await session(h);
    const auth = t.build('1100', { 3: '000000', 4: '000000001000', 24: '100' }, { read: visa });
    expect(auth.fields['64']).toBeDefined();
    c.write(t.frame(auth));
    const answer = await c.next();
    expect(answer.message!.mti).toBe('1110');
    expect(code(answer.message!)).toBe('000');
    expect(t.verifyMac(answer)).toBe(true);
    const pre = t.build('1100', { 3: '000000', 4: '000000005000', 24: '101' }, { read: visa });
    const preAnswer = await t.exchange(c, pre);
    expect(code(preAnswer)).toBe('000');
    const completion = t.build(
      '1220',
      { 3: '000000', 4: '000000004800', 24: '202', 38: preAnswer.fields['38']!, 56: de56(pre) },
      { read: visa },
    );
    c.write(t.frame(completion));
    const done = await c.next();
    expect([done.message!.mti, code(done.message!)]).toEqual(['1230', '000']);
    expect(t.verifyMac(done)).toBe(true);
  });

  it('1200 sale, refund and void through DE56, 1220 advice; every answer signed', async () => {
    const h = await host('harbor-bank@2025.1');
    const { t, c } = await session(h);
    const sale = t.build('1200', { 3: '000000', 4: '000000002500', 24: '200' }, { read: visa });
    const requests = [
      sale,
      t.build('1200', { 3: '200000', 4: '000000000500', 24: '200' }, { read: visa }),
      t.build('1200', { 3: '020000', 4: '000000002500', 24: '200', 56: de56(sale) }, { read: visa }),
      t.build('1220', { 3: '000000', 4: '000000000700', 24: '200' }, { read: visa }),
    ];
    const seen = [];
    for (const request of requests) {
      c.write(t.frame(request));
      const r = await c.next();
      expect(t.verifyMac(r)).toBe(true);
      seen.push([r.message!.mti, code(r.message!)]);
    }
    expect(seen).toEqual([
      ['1210', '000'],
      ['1210', '000'],
      ['1210', '000'],
      ['1230', '000'],
    ]);
    expect(h.ledger.list().map((e) => e.kind)).toEqual(['sale', 'refund', 'void', 'advice']);
    expect(h.ledger.list()[0]!.cancelledBy).toBeDefined();
  });

  it('1420 with DE24 400 and DE25 4021 reverses the sale found by DE56 (400); 1421 repeats; unknown gets 914, repeated or not', async () => {
    const h = await host('harbor-bank@2025.1');
    const { t, c } = await session(h);
    const sale = t.build('1200', { 3: '000000', 4: '000000002500', 24: '200' }, { read: visa });
    await t.exchange(c, sale);
    const reversal = (mti: string, original = sale) =>
      t.build(
        mti,
        { 3: '000000', 4: '000000002500', 24: '400', 25: '4021', 56: de56(original) },
        { read: visa },
      );
    const rev = reversal('1420');
    expect(rev.fields).toMatchObject({ 24: '400', 25: '4021' });
    c.write(t.frame(rev));
    const answer = await c.next();
    expect([answer.message!.mti, code(answer.message!)]).toEqual(['1430', '400']);
    expect(t.verifyMac(answer)).toBe(true);
    expect(h.ledger.list()[0]!.cancelledBy).toBeDefined();
    expect(code(await t.exchange(c, reversal('1421')))).toBe('400');
    const unknown = { ...sale, fields: { ...sale.fields, 11: '424242' } };
    expect(code(await t.exchange(c, reversal('1420', unknown)))).toBe('914');
    expect(code(await t.exchange(c, reversal('1421', unknown)))).toBe('914');
  });

  it('a partial reversal (DE24 401, DE30 original amounts) leaves the sale at DE4, bounded by the original', async () => {
    const h = await host('harbor-bank@2025.1');
    const { t, c } = await session(h);
    const sale = t.build('1200', { 3: '000000', 4: '000000005000', 24: '200' }, { read: visa });
    expect(code(await t.exchange(c, sale))).toBe('000');
    const partial = (stands: number, original: number) =>
      t.build(
        '1420',
        {
          3: '000000',
          4: n(stands, 12),
          24: '401',
          25: '4021',
          30: `${n(original, 12)}${n(original, 12)}`,
          56: de56(sale),
        },
        { read: visa },
      );
    expect(code(await t.exchange(c, partial(9000, 5000)))).toBe('110'); // more than the sale
    expect(code(await t.exchange(c, partial(3000, 4000)))).toBe('110'); // DE30 is not the sale's amount
    expect(code(await t.exchange(c, partial(3000, 5000)))).toBe('400');
    const booked = h.ledger.list()[0]!;
    expect([booked.amountMinor, booked.cancelledBy]).toEqual([3000, undefined]);
    // The reconciliation counts what stands: one debit of 30.00.
    const reconcile = t.build('1500', {
      24: '500',
      74: n(0, 10),
      76: n(1, 10),
      86: n(0, 16),
      88: n(3000, 16),
    });
    expect(code(await t.exchange(c, reconcile))).toBe('500');
  });

  it('1500 reconciliation, MAC in DE128 after the totals: 500 in balance, 501 out of balance', async () => {
    const h = await host('harbor-bank@2025.1');
    const { t, c } = await session(h);
    await t.exchange(c, t.build('1200', { 3: '000000', 4: '000000002500', 24: '200' }, { read: visa }));
    const reconcile = (debitAmount: number) =>
      t.build('1500', {
        24: '500',
        74: n(0, 10),
        76: n(1, 10),
        86: n(0, 16),
        88: n(debitAmount, 16),
      });
    const wrong = reconcile(2600);
    expect(wrong.fields['128']).toBeDefined();
    c.write(t.frame(wrong));
    const out = await c.next();
    expect([out.message!.mti, code(out.message!)]).toEqual(['1510', '501']);
    c.write(t.frame(reconcile(2500)));
    const balanced = await c.next();
    expect(code(balanced.message!)).toBe('500');
    expect(t.verifyMac(balanced)).toBe(true);
  });
});

/** A MAC'd CUP sale with the terminal's current keys: approved, and the answer's MAC verifies. */
async function expectSignedSale(t: ReturnType<typeof terminal>, c: IsoConnection): Promise<void> {
  const sale = t.build(
    '0200',
    { 3: '000000', 4: '000000002500', 25: '00', 60: de60(t, '22') },
    { read: unionpay },
  );
  c.write(t.frame(sale));
  const answer = await c.next();
  expect(code(answer.message!)).toBe('00');
  expect(t.verifyMac(answer)).toBe(true);
}

describe('lotus-acquirer@2021.2 (CUP-style)', () => {
  it('answers on Beijing time: the sign-on sets the terminal clock to local time (DE12/DE13), not UTC', async () => {
    // NOW is 2026-03-14 10:20:30 UTC: 18:20:30 in Beijing; harbor-bank keeps UTC.
    const h = await host('lotus-acquirer@2021.2');
    const { t, c } = await session(h);
    const answer = await signOn(t, c);
    expect([answer.fields['12'], answer.fields['13']]).toEqual(['182030', '0314']);
    const late = await host('lotus-acquirer@2021.2', { now: () => new Date('2026-03-14T20:00:00Z') });
    const s2 = await session(late);
    const next = await signOn(s2.t, s2.c);
    expect([next.fields['12'], next.fields['13']]).toEqual(['040000', '0315']);
  });

  it('0800 sign-on downloads PIK and MAK under the TMK with check values, and answers the batch', async () => {
    const h = await host('lotus-acquirer@2021.2');
    const { t, c } = await session(h);
    const r = await t.exchange(c, t.build('0800', { 60: { 1: '00', 2: '000007', 3: '003' } }));
    expect([r.mti, code(r)]).toEqual(['0810', '00']);
    expect(r.fields['60']).toMatchObject({ 2: '000007' });
    expect(r.fields).toHaveProperty('12');
    // Decrypt the key block ourselves: [PIK under TMK (16) | KCV (4) | MAK under TMK (16) | KCV (4)].
    const block = Buffer.from(r.fields['62'] as string, 'hex');
    expect(block.length).toBe(40);
    const tmk = Buffer.from(t.keys.tmk!, 'hex');
    const pik = tdesDecryptEcb(tmk, block.subarray(0, 16));
    const mak = tdesDecryptEcb(tmk, block.subarray(20, 36));
    expect(keyCheckValue(pik, 4)).toEqual(block.subarray(16, 20));
    expect(keyCheckValue(mak, 4)).toEqual(block.subarray(36, 40));
    expect(t.adoptKeys(r)).toEqual({
      pik: { key: pik.toString('hex').toUpperCase(), kcv: 'A4783896' },
      mak: { key: mak.toString('hex').toUpperCase(), kcv: '9EB32690' },
    });
    // The downloaded MAK works: a MAC'd sale verifies, and so does the signed answer.
    await expectSignedSale(t, c);
  });

  it('DE60.3 says which keys: 001 single-length PIK and MAK (which then work), 004 a data key (TDK) too', async () => {
    const h = await host('lotus-acquirer@2021.2');
    const { t, c } = await session(h);
    const tmk = Buffer.from(t.keys.tmk!, 'hex');
    const single = await t.exchange(c, t.build('0800', { 60: { 1: '00', 2: '000001', 3: '001' } }));
    // [PIK under TMK (8) | KCV (4) | MAK under TMK (8) | KCV (4)]
    const block = Buffer.from(single.fields['62'] as string, 'hex');
    expect(block.length).toBe(24);
    const pik = tdesDecryptEcb(tmk, block.subarray(0, 8));
    const mak = tdesDecryptEcb(tmk, block.subarray(12, 20));
    expect(pik.toString('hex').toUpperCase()).toBe('6A7B8C9D0E1F2031');
    expect(keyCheckValue(mak, 4)).toEqual(block.subarray(20, 24));
    t.keys.pik = pik.toString('hex').toUpperCase();
    t.keys.mak = mak.toString('hex').toUpperCase();
    await expectSignedSale(t, c);
    const withTdk = await t.exchange(c, t.build('0800', { 60: { 1: '00', 2: '000001', 3: '004' } }));
    const three = Buffer.from(withTdk.fields['62'] as string, 'hex');
    expect(three.length).toBe(60);
    expect(three.subarray(56, 60).toString('hex').toUpperCase()).toBe('819DB114');
  });

  it('a terminal with its own TMK gets its own working keys', async () => {
    const h = await host('lotus-acquirer@2021.2');
    const { t, c } = await session(h, 'LT000002');
    await signOn(t, c);
    expect(t.keys.mak).toBe('C1D2E3F405162738495A6B7C8D9EAFB0');
    expect(t.keys.pik).toBe('8E9DACBBCAD9E8F70615243342516079');
  });

  it('0820 echo works, and after 0820 sign-off the terminal must sign on again (A0)', async () => {
    const h = await host('lotus-acquirer@2021.2');
    const { t, c } = await session(h);
    await signOn(t, c);
    const echo = await t.exchange(c, t.build('0820', { 60: de60(t, '00', '301') }));
    expect([echo.mti, code(echo)]).toEqual(['0830', '00']);
    const off = await t.exchange(c, t.build('0820', { 60: de60(t, '00', '002') }));
    expect(code(off)).toBe('00');
    const sale = t.build(
      '0200',
      { 3: '000000', 4: '000000001000', 25: '00', 60: de60(t, '22') },
      { read: unionpay },
    );
    expect(code(await t.exchange(c, sale))).toBe('A0');
  });

  it('0200 sale with a PIN block under the downloaded PIK; balance inquiry returns DE54', async () => {
    const h = await host('lotus-acquirer@2021.2');
    const { t, c } = await session(h);
    await signOn(t, c);
    const withPin = { card: UNIONPAY, pin: UNIONPAY.pin };
    const sale = t.build(
      '0200',
      { 3: '000000', 4: '000000002500', 25: '00', 60: de60(t, '22') },
      { read: withPin },
    );
    expect(sale.fields).toMatchObject({ 22: '051', 53: '2600000000000000' });
    expect(sale.fields['52']).toMatch(/^[0-9A-F]{16}$/);
    expect(code(await t.exchange(c, sale))).toBe('00');
    const balance = await t.exchange(
      c,
      t.build('0200', { 3: '310000', 25: '00', 60: de60(t, '01') }, { read: unionpay }),
    );
    expect(code(balance)).toBe('00');
    expect(balance.fields['54']).toBe(`0002${UNIONPAY.currency}C${n(UNIONPAY.balanceMinor, 12)}`);
  });

  it('0100 pre-auth, pre-auth void, 0200 completion and void found through DE61 / DE38', async () => {
    const h = await host('lotus-acquirer@2021.2');
    const { t, c } = await session(h);
    await signOn(t, c);
    const preauth = (amount: string) =>
      t.build('0100', { 3: '030000', 4: amount, 25: '06', 60: de60(t, '10') }, { read: unionpay });
    const pre1 = preauth('000000005000');
    const a1 = await t.exchange(c, pre1);
    expect([a1.mti, code(a1)]).toEqual(['0110', '00']);
    const de61 = (original: typeof pre1, answer: typeof a1) => ({
      1: t.batch,
      2: String(original.fields['11']),
      3: String(answer.fields['13']),
    });
    const preVoid = t.build(
      '0100',
      {
        3: '200000',
        4: '000000005000',
        25: '06',
        38: a1.fields['38']!,
        60: de60(t, '11'),
        61: de61(pre1, a1),
      },
      { read: unionpay },
    );
    expect(code(await t.exchange(c, preVoid))).toBe('00');
    const pre2 = preauth('000000006000');
    const a2 = await t.exchange(c, pre2);
    const completion = t.build(
      '0200',
      {
        3: '000000',
        4: '000000006000',
        25: '06',
        38: a2.fields['38']!,
        60: de60(t, '20'),
        61: de61(pre2, a2),
      },
      { read: unionpay },
    );
    const done = await t.exchange(c, completion);
    expect(code(done)).toBe('00');
    const voidIt = t.build(
      '0200',
      {
        3: '200000',
        4: '000000006000',
        25: '00',
        37: done.fields['37']!,
        60: de60(t, '23'),
        61: de61(pre2, a2),
      },
      { read: unionpay },
    );
    expect(code(await t.exchange(c, voidIt))).toBe('00');
    const kinds = h.ledger.list().map((e) => [e.kind, e.cancelledBy !== undefined]);
    expect(kinds).toEqual([
      ['pre-auth', true],
      ['pre-auth-void', false],
      ['pre-auth', true],
      ['completion', false],
      ['void', false],
    ]);
  });

  it('0220 refund and offline-sale advices are answered 0230 00', async () => {
    const h = await host('lotus-acquirer@2021.2');
    const { t, c } = await session(h);
    await signOn(t, c);
    const sale = t.build(
      '0200',
      { 3: '000000', 4: '000000002500', 25: '00', 60: de60(t, '22') },
      { read: unionpay },
    );
    const saleAnswer = await t.exchange(c, sale);
    const refund = t.build(
      '0220',
      {
        3: '200000',
        4: '000000001000',
        25: '00',
        37: saleAnswer.fields['37']!,
        60: de60(t, '25'),
        61: { 1: t.batch, 2: String(sale.fields['11']), 3: String(saleAnswer.fields['13']) },
      },
      { read: unionpay },
    );
    const r = await t.exchange(c, refund);
    expect([r.mti, code(r)]).toEqual(['0230', '00']);
    const offline = t.build(
      '0220',
      { 3: '000000', 4: '000000000800', 25: '00', 60: de60(t, '30') },
      { read: unionpay },
    );
    expect(code(await t.exchange(c, offline))).toBe('00');
    expect(h.ledger.list().map((e) => e.kind)).toEqual(['sale', 'refund', 'advice']);
    // Batch upload: each record on the side of the transaction it names (the refund a credit).
    const totals = (debits: [number, number], credits: [number, number]) =>
      `${n(debits[1], 12)}${n(debits[0], 3)}${n(credits[1], 12)}${n(credits[0], 3)}0`;
    const settle = (d: [number, number], cr: [number, number]) =>
      t.exchange(c, t.build('0500', { 48: totals(d, cr), 49: '156', 60: de60(t, '00', '201') }));
    expect(((await settle([0, 0], [0, 0])).fields['48'] as string)[30]).toBe('2');
    for (const [stan, amount] of [
      [sale.fields['11'], 2500],
      [refund.fields['11'], 1000],
      [offline.fields['11'], 800],
    ] as const)
      await t.exchange(c, t.build('0320', { 48: `01${stan}${n(amount, 12)}`, 60: de60(t, '00', '201') }));
    await t.exchange(c, t.build('0320', { 48: '0003', 60: de60(t, '00', '202') }));
    const closed = await settle([2, 3300], [1, 1000]);
    expect((closed.fields['48'] as string)[30]).toBe('1');
    expect(exchanges(h).at(-1)!.violations).toEqual([]);
  });

  it('0400 reversal repeats the sale STAN and batch (DE11 + DE60.2) with DE39 98', async () => {
    const h = await host('lotus-acquirer@2021.2');
    const { t, c } = await session(h);
    await signOn(t, c);
    const sale = t.build(
      '0200',
      { 3: '000000', 4: '000000002500', 25: '00', 60: de60(t, '22') },
      { read: unionpay },
    );
    await t.exchange(c, sale);
    const reversal = (stan: string) =>
      t.build(
        '0400',
        { 3: '000000', 4: '000000002500', 11: stan, 25: '00', 39: '98', 60: de60(t, '22') },
        { read: unionpay },
      );
    const r = await t.exchange(c, reversal(sale.fields['11'] as string));
    expect([r.mti, code(r)]).toEqual(['0410', '00']);
    expect(h.ledger.list()[0]!.cancelledBy).toBeDefined();
    expect(code(await t.exchange(c, reversal('777777')))).toBe('25');
  });

  it('0500 balanced: DE48 result 1; unbalanced: 00 with result 2, 0320 upload ended by 60.3 202, then settled', async () => {
    const h = await host('lotus-acquirer@2021.2');
    const { t, c } = await session(h);
    await signOn(t, c);
    const sale = t.build(
      '0200',
      { 3: '000000', 4: '000000002500', 25: '00', 60: de60(t, '22') },
      { read: unionpay },
    );
    await t.exchange(c, sale);
    // DE48: debit amount n12, count n3, credit amount n12, count n3, result n1.
    const totals = (amount: number, count: number) => `${n(amount, 12)}${n(count, 3)}${n(0, 12)}${n(0, 3)}0`;
    const settle = (amount: number, count: number) =>
      t.build('0500', { 48: totals(amount, count), 49: '156', 60: de60(t, '00', '201') });
    const unbalanced = await t.exchange(c, settle(9900, 2));
    expect([unbalanced.mti, code(unbalanced)]).toEqual(['0510', '00']);
    expect((unbalanced.fields['48'] as string)[30]).toBe('2');
    // A record's DE48: "01", the sale's STAN, its amount.
    const record = t.build('0320', { 48: `01${sale.fields['11']}${n(2500, 12)}`, 60: de60(t, '00', '201') });
    expect([(await t.exchange(c, record)).mti]).toEqual(['0330']);
    const end = await t.exchange(c, t.build('0320', { 48: '0001', 60: de60(t, '00', '202') }));
    expect(code(end)).toBe('00');
    // What settles now is what was uploaded: the old claim is still out of balance.
    const stillWrong = await t.exchange(c, settle(9900, 2));
    expect((stillWrong.fields['48'] as string)[30]).toBe('2');
    expect(h.ledger.list()[0]!.settled).toBe(false);
    await t.exchange(c, record);
    await t.exchange(c, t.build('0320', { 48: '0001', 60: de60(t, '00', '202') }));
    const settled = await t.exchange(c, settle(2500, 1));
    expect((settled.fields['48'] as string)[30]).toBe('1');
    expect(h.ledger.list()[0]!.settled).toBe(true);
    // The host moved to the next batch: settling the old batch again is a batch mismatch (77).
    const again = await t.exchange(c, settle(0, 0));
    expect(code(again)).toBe('77');
    expect(exchanges(h).at(-1)!.violations).toEqual([
      expect.objectContaining({ path: '60.2', rule: 'batch' }),
    ]);
    t.batch = '000002';
    const next = await t.exchange(c, settle(0, 0));
    expect([code(next), (next.fields['48'] as string)[30]]).toEqual(['00', '1']);
  });

  it('0500 with balanced totals settles at once', async () => {
    const h = await host('lotus-acquirer@2024.1');
    const { t, c } = await session(h);
    await signOn(t, c);
    for (const amount of ['000000002500', '000000001500']) {
      const sale = t.build(
        '0200',
        { 3: '000000', 4: amount, 25: '00', 60: de60(t, '22') },
        { read: unionpay },
      );
      expect(code(await t.exchange(c, sale))).toBe('00');
    }
    const totals = `${n(4000, 12)}${n(2, 3)}${n(0, 12)}${n(0, 3)}0`;
    const settle = t.build('0500', { 48: totals, 49: '156', 60: de60(t, '00', '201') });
    expect(settle.fields['64']).toBeDefined(); // 2024.1 requires the MAC on 0500
    const r = await t.exchange(c, settle);
    expect([code(r), (r.fields['48'] as string)[30]]).toEqual(['00', '1']);
  });
});

describe('sample world', () => {
  it('a second connection of the same terminal shares its sign-on and ledger', async () => {
    const h = await host('lotus-acquirer@2021.2');
    const { t, c } = await session(h);
    await signOn(t, c);
    const other = await connect(t, h);
    const sale = t.build(
      '0200',
      { 3: '000000', 4: '000000001000', 25: '00', 60: de60(t, '22') },
      { read: unionpay },
    );
    expect(code(await t.exchange(other, sale))).toBe('00');
    expect(new Set(exchanges(h).map((e) => e.connection)).size).toBe(2);
  });

  it('journal entries are decoded with card data masked', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    await t.exchange(c, t.build('0200', { 2: VISA.pan, 3: '000000', 4: '000000002500' }, { read: visa }));
    const [sale] = exchanges(h);
    expect(sale!.request!.iso!.fields['2']).toBe('411111******1111');
    expect(JSON.stringify(h.journal.entries())).not.toContain(VISA.pan);
    expect(sale!.response!.summary).toBe('0210 25.00 STAN 000001 code 00');
    expect(sale!.durationMs).toBeGreaterThanOrEqual(0);
  });
});

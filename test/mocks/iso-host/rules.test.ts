// Each rule a host version applies, over real sockets: mandatory, forbidden and conditional fields,
// sign-on, MAC, duplicates, response-code tables and card checks. Every refusal is journaled with
// the field path and the rule. The same bytes pass on one version and fail on the next: that is
// what breaks terminal firmware after a bank upgrade.

import { describe, expect, it } from 'vitest';
import type { CardBook } from '../../../src/mocks/hosts/host-loader.js';
import type { IsoMessage } from '../../../src/protocols/iso8583/index.js';
import { TestTerminal } from '../../support/iso-terminal.js';
import {
  cards,
  code,
  connect,
  de60,
  exchanges,
  host,
  hosts,
  session,
  signOn,
  terminal,
  UNIONPAY,
  VISA,
  VISA_MAGSTRIPE,
} from './world.js';

const unionpay = { card: UNIONPAY };
const sale87 = (t: ReturnType<typeof terminal>, amount = '000000002500', card = VISA) =>
  t.build('0200', { 3: '000000', 4: amount }, { read: { card } });
const sale93 = (t: ReturnType<typeof terminal>, amount = '000000002500', card = VISA) =>
  t.build('1200', { 3: '000000', 4: amount, 24: '200' }, { read: { card } });
const without = (m: IsoMessage, ...ids: string[]): IsoMessage => ({
  mti: m.mti,
  fields: Object.fromEntries(Object.entries(m.fields).filter(([id]) => !ids.includes(id))),
});

describe('field rules', () => {
  it('a missing mandatory field is answered with the format-error code and journaled with its path', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    const r = await t.exchange(c, without(sale87(t), '42'));
    expect([r.mti, code(r)]).toEqual(['0210', '30']);
    expect(exchanges(h)[0]!.violations).toEqual([
      { path: '42', rule: 'mandatory-field', message: '0200 sale must carry DE42' },
    ]);
    expect(h.ledger.list()).toEqual([]);
  });

  it('a field out of form: a currency the acquirer does not settle is refused, quoting the form', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    const yen = t.build('0200', { 3: '000000', 4: '000000002500', 49: '392' }, { read: { card: VISA } });
    expect(code(await t.exchange(c, yen))).toBe('30');
    expect(exchanges(h)[0]!.violations).toEqual([
      {
        path: '49',
        rule: 'field-format',
        message:
          '0200 sale must carry DE49 matching ^(840|978|156)$ (a currency this acquirer settles: 840 USD, 978 EUR or 156 CNY)',
      },
    ]);
    expect(h.ledger.list()).toEqual([]);
  });

  it('a forbidden field: track 1 (DE45) passes on 2019.4 and is refused on 2022.2', async () => {
    const answers = [];
    for (const ref of ['harbor-bank@2019.4', 'harbor-bank@2022.2']) {
      const h = await host(ref);
      const { t, c } = await session(h);
      const withTrack1 = t.build(
        '0200',
        { 3: '000000', 4: '000000002500', 22: '021', 45: `B${VISA.pan}^TEST/CARD^${VISA.expiry}101` },
        { read: { card: VISA, entry: 'swipe' } },
      );
      answers.push(code(await t.exchange(c, withTrack1)));
      if (ref.endsWith('2022.2')) {
        expect(exchanges(h)[0]!.violations).toEqual([
          expect.objectContaining({ path: '45', rule: 'forbidden-field' }),
        ]);
      }
    }
    expect(answers).toEqual(['00', '30']);
  });

  it('conditional: the same chip sale without DE55/DE23 passes lotus 2021.2 and fails 2024.1', async () => {
    const old = await host('lotus-acquirer@2021.2');
    const upgraded = await host('lotus-acquirer@2024.1');
    const frames: Buffer[] = [];
    const answers: string[] = [];
    for (const h of [old, upgraded]) {
      const { t, c } = await session(h);
      await signOn(t, c);
      // Built from the old version's rules, as the old firmware sends it: no ICC data.
      const firmware = new TestTerminal(old.version, { terminalId: 'LT000001', now: t.now });
      firmware.keys = t.keys;
      const msg = firmware.build(
        '0200',
        { 3: '000000', 4: '000000002500', 25: '00', 60: de60(t, '22') },
        { read: unionpay },
      );
      expect(msg.fields).not.toHaveProperty('55');
      const bytes = firmware.frame(msg);
      frames.push(bytes);
      c.write(bytes);
      answers.push(String(code((await c.next()).message!)));
    }
    expect(frames[0]).toEqual(frames[1]);
    expect(answers).toEqual(['00', '30']);
    expect(
      exchanges(upgraded)
        .at(-1)!
        .violations.map((v) => [v.path, v.rule]),
    ).toEqual([
      ['23', 'mandatory-field'],
      ['55', 'mandatory-field'],
    ]);
    expect(exchanges(upgraded).at(-1)!.violations[0]!.message).toContain('chip card needs ICC data (2024)');
  });

  it('harbor 2025.1 wants the EMV data of a contactless chip card (DE22 position 7 M) as of a contact one', async () => {
    const h = await host('harbor-bank@2025.1');
    const { t, c } = await session(h);
    const chip = sale93(t);
    const pos = String(chip.fields['22']);
    // The test terminal fills what a rule wants (DE23, DE55): take them out again, then sign.
    const tapped = t.build('1200', {
      ...without(chip, '64').fields,
      11: '000777',
      22: `${pos.slice(0, 6)}M${pos.slice(7)}`,
    });
    expect(tapped.fields['55']).toBeDefined();
    expect(code(await t.exchange(c, t.sign(without(tapped, '23', '55', '64'))))).toBe('904');
    expect(
      exchanges(h)
        .at(-1)!
        .violations.map((v) => v.path),
    ).toEqual(['23', '55']);
    expect(code(await t.exchange(c, tapped))).toBe('000');
  });

  it('a 1987 message sent to the 1993 host is an unknown message (902)', async () => {
    const h = await host('harbor-bank@2025.1');
    const { t, c } = await session(h);
    const r = await t.exchange(c, {
      mti: '0200',
      fields: { 3: '000000', 4: '000000002500', 11: '000001', 41: 'HB000001' },
    });
    expect([r.mti, code(r)]).toEqual(['0210', '902']);
    expect(exchanges(h)[0]!.violations).toEqual([expect.objectContaining({ rule: 'unknown-message' })]);
  });

  it('a 1200 with no function code (DE24) matches no variant: the violation lists what the version takes', async () => {
    const h = await host('harbor-bank@2025.1');
    const { t, c } = await session(h);
    const r = await t.exchange(c, {
      mti: '1200',
      fields: { 3: '000000', 4: '000000002500', 11: '000001', 41: 'HB000001' },
    });
    expect([r.mti, code(r)]).toEqual(['1210', '902']);
    const [v] = exchanges(h)[0]!.violations;
    expect(v).toMatchObject({ rule: 'unknown-message', path: expect.stringContaining('24') });
    expect(v!.message).toMatch(
      /^harbor-bank@2025\.1 accepts MTI 1200 only as \w[\w-]* \(.*DE24 200….*\).*: this one is none of them$/,
    );
    expect(v!.message).not.toContain('does not accept');
  });

  // A response is answered by nothing in ISO 8583: "MTI + 10" would make an 0210 an 0220 advice.
  const stray0210 = (t: ReturnType<typeof terminal>) =>
    t.frame({
      mti: '0210',
      fields: { 3: '000000', 4: '000000002500', 11: '000009', 39: '00', 41: 'HB000001' },
    });

  it('a response MTI from a terminal is journaled and left unanswered; the connection stays open', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    c.write(stray0210(t));
    // The next frame on the connection is the answer to the sale sent after the 0210.
    const r = await t.exchange(c, sale87(t));
    expect([r.mti, code(r), r.fields['11']]).toEqual(['0210', '00', '000001']);
    const [stray, sale] = exchanges(h);
    expect(stray!.request?.iso?.mti).toBe('0210');
    expect(stray!.response).toBeUndefined();
    expect(stray!.event).toBeUndefined();
    expect(stray!.violations).toEqual([
      expect.objectContaining({
        rule: 'unknown-message',
        message: expect.stringContaining('a response or an acknowledgement'),
      }),
    ]);
    expect(sale!.response?.iso?.mti).toBe('0210');
  });

  it('a version that closes on unknown messages closes on a response MTI too', async () => {
    const v = hosts.get('harbor-bank@2019.4');
    const h = await host({
      ...v,
      spec: { ...v.spec, answers: { ...v.spec.answers, unknownMessage: 'close' } },
    });
    const { t, c } = await session(h);
    c.write(stray0210(t));
    expect(await c.waitClosed(2000)).toBe(true);
    expect(exchanges(h)[0]!.event).toEqual({ kind: 'fault', detail: 'host closed the connection' });
  });
});

describe('sign-on', () => {
  it('lotus refuses money messages before sign-on with A0 and journals the rule', async () => {
    const h = await host('lotus-acquirer@2021.2');
    const { t, c } = await session(h);
    const sale = t.build(
      '0200',
      { 3: '000000', 4: '000000002500', 25: '00', 60: de60(t, '22') },
      { read: unionpay },
    );
    const r = await t.exchange(c, sale);
    expect([r.mti, code(r)]).toEqual(['0210', 'A0']);
    expect(exchanges(h)[0]!.violations).toEqual([expect.objectContaining({ path: '41', rule: 'sign-on' })]);
    await signOn(t, c);
    const signed = t.build(
      '0200',
      { 3: '000000', 4: '000000002500', 25: '00', 60: de60(t, '22') },
      { read: unionpay },
    );
    expect(code(await t.exchange(c, signed))).toBe('00');
  });
});

describe('MAC', () => {
  it('harbor 2025.1: a missing MAC or a wrong one gets 916, journaled on DE64', async () => {
    const h = await host('harbor-bank@2025.1');
    const { t, c } = await session(h);
    const missing = await t.exchange(c, without(sale93(t), '64'));
    expect(code(missing)).toBe('916');
    const signed = sale93(t);
    const wrong = { ...signed, fields: { ...signed.fields, 64: '0011223344556677' } };
    expect(code(await t.exchange(c, wrong))).toBe('916');
    expect(exchanges(h).map((e) => e.violations[0]?.rule)).toEqual(['mac', 'mac']);
    expect(exchanges(h).map((e) => e.violations[0]?.path)).toEqual(['64', '64']);
    expect(code(await t.exchange(c, sale93(t)))).toBe('000');
  });

  it('harbor 2025.1: terminal HB000002 has its own TAK; a MAC with the default one is refused', async () => {
    const h = await host('harbor-bank@2025.1');
    const own = terminal(h, 'HB000002');
    const c = await connect(own, h);
    expect(code(await own.exchange(c, sale93(own)))).toBe('000');
    own.keys = { ...own.keys, tak: h.version.keysFor('HB000001').tak! };
    expect(code(await own.exchange(c, sale93(own)))).toBe('916');
  });

  it('harbor 2022.2: the MAC is optional, but a MAC that is sent must verify (63)', async () => {
    const h = await host('harbor-bank@2022.2');
    const { t, c } = await session(h);
    expect(code(await t.exchange(c, sale87(t)))).toBe('00');
    expect(code(await t.exchange(c, t.sign(sale87(t))))).toBe('00');
    const bad = t.sign(sale87(t));
    bad.fields['64'] = 'FFFFFFFFFFFFFFFF';
    expect(code(await t.exchange(c, bad))).toBe('63');
  });

  it('lotus: a MAC made with the wrong MAK gets A0; 2024.1 requires the MAC on 0100 too', async () => {
    const h = await host('lotus-acquirer@2021.2');
    const { t, c } = await session(h);
    await signOn(t, c);
    const mak = t.keys.mak!;
    t.keys = { ...t.keys, mak: 'C1D2E3F405162738495A6B7C8D9EAFB0' };
    const sale = t.build(
      '0200',
      { 3: '000000', 4: '000000002500', 25: '00', 60: de60(t, '22') },
      { read: unionpay },
    );
    expect(code(await t.exchange(c, sale))).toBe('A0');
    t.keys = { ...t.keys, mak };
    const preauth = (tt: typeof t) =>
      tt.build(
        '0100',
        { 3: '030000', 4: '000000005000', 25: '06', 60: de60(tt, '10') },
        { read: unionpay, sign: false },
      );
    expect(code(await t.exchange(c, preauth(t)))).toBe('00');
    const newer = await host('lotus-acquirer@2024.1');
    const s = await session(newer);
    await signOn(s.t, s.c);
    const unsigned = preauth(s.t);
    expect(unsigned.fields).toHaveProperty('55'); // the 2024.1 chip rule is met, only the MAC is missing
    expect(code(await s.t.exchange(s.c, unsigned))).toBe('A0');
    expect(exchanges(newer).at(-1)!.violations).toEqual([
      expect.objectContaining({ path: '64', rule: 'mac' }),
    ]);
  });
});

describe('duplicates', () => {
  it('the same terminal + STAN + date within the window gets 94; another terminal or after the window passes', async () => {
    // 60 s window × 0.02 = 1.2 s of real time.
    const h = await host('harbor-bank@2019.4', { timeScale: 0.02 });
    const { t, c } = await session(h);
    const sale = sale87(t);
    expect(code(await t.exchange(c, sale))).toBe('00');
    const again = await t.exchange(c, sale);
    expect([again.mti, code(again)]).toEqual(['0210', '94']);
    expect(exchanges(h)[1]!.violations).toEqual([
      expect.objectContaining({ path: '41+11+13', rule: 'duplicate' }),
    ]);
    const other = terminal(h, 'HB000002');
    expect(
      code(
        await other.exchange(await connect(other, h), {
          ...sale,
          fields: { ...sale.fields, 41: 'HB000002' },
        }),
      ),
    ).toBe('00');
    await new Promise((r) => setTimeout(r, 1500));
    expect(code(await t.exchange(c, sale))).toBe('00');
    expect(h.ledger.list().filter((e) => e.kind === 'sale').length).toBe(3);
  });

  it('lotus keys duplicates on terminal + STAN + batch: the same STAN in a new batch is no duplicate', async () => {
    const h = await host('lotus-acquirer@2021.2');
    const { t, c } = await session(h);
    await signOn(t, c);
    const sale = t.build(
      '0200',
      { 3: '000000', 4: '000000001000', 25: '00', 60: de60(t, '22') },
      { read: unionpay },
    );
    expect(code(await t.exchange(c, sale))).toBe('00');
    expect(code(await t.exchange(c, sale))).toBe('94');
    t.batch = '000002';
    const nextBatch = t.build(
      '0200',
      { ...without(sale, '64').fields, 60: de60(t, '22') },
      { read: unionpay },
    );
    expect(nextBatch.fields['11']).toBe(sale.fields['11']);
    expect(code(await t.exchange(c, nextBatch))).toBe('00');
  });

  it('harbor 2025.1 keys on the date of DE12 (YYMMDD), not its time: the same STAN a minute later is a duplicate', async () => {
    const h = await host('harbor-bank@2025.1');
    const { t, c } = await session(h);
    const sale = sale93(t);
    expect(code(await t.exchange(c, sale))).toBe('000');
    const date = String(sale.fields['12']).slice(0, 6);
    const later = t.build(
      '1200',
      { ...without(sale, '64').fields, 12: `${date}235959` },
      { read: { card: VISA } },
    );
    expect(later.fields['11']).toBe(sale.fields['11']);
    const again = await t.exchange(c, later);
    expect(code(again)).toBe('913');
    expect(exchanges(h)[1]!.violations).toEqual([
      expect.objectContaining({
        path: '41+11+12',
        rule: 'duplicate',
        message: 'same DE41, DE11, DE12[0..6] within 300 s',
      }),
    ]);
    // Another day, same STAN: a new transaction.
    const tomorrow = t.build(
      '1200',
      { ...without(sale, '64').fields, 12: '991231120000' },
      { read: { card: VISA } },
    );
    expect(code(await t.exchange(c, tomorrow))).toBe('000');
  });
});

describe('response-code tables', () => {
  it('an amount ending in 51 is insufficient funds: 51 on 1987 hosts and CUP, 116 on harbor 2025.1', async () => {
    const got: Record<string, unknown> = {};
    for (const ref of ['harbor-bank@2019.4', 'harbor-bank@2025.1', 'lotus-acquirer@2024.1']) {
      const h = await host(ref);
      const { t, c } = await session(h);
      let msg: IsoMessage;
      if (ref.startsWith('lotus')) {
        await signOn(t, c);
        msg = t.build(
          '0200',
          { 3: '000000', 4: '000000001051', 25: '00', 60: de60(t, '22') },
          { read: unionpay },
        );
      } else msg = ref.endsWith('2025.1') ? sale93(t, '000000001051') : sale87(t, '000000001051');
      got[ref] = code(await t.exchange(c, msg));
    }
    expect(got).toEqual({
      'harbor-bank@2019.4': '51',
      'harbor-bank@2025.1': '116',
      'lotus-acquirer@2024.1': '51',
    });
  });

  it('amount triggers: 05 declined, 13 invalid amount, 61 exceeds limit, 91 issuer unavailable', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    const got = [];
    for (const amount of ['000000001005', '000000001013', '000000001061', '000000001091'])
      got.push(code(await t.exchange(c, sale87(t, amount))));
    expect(got).toEqual(['05', '13', '61', '91']);
    // The journal says which trigger, in the card book's words; an approval has nothing to add.
    expect(
      exchanges(h)
        .filter((e) => e.request)
        .map((e) => e.notes),
    ).toEqual([
      ['card visa-credit-chip: amount 1005 ends with 05: a trigger for declined (do not honour)'],
      [
        expect.stringMatching(
          /^card visa-credit-chip: amount 1013 ends with 13: a trigger for invalid-amount/,
        ),
      ],
      [expect.stringMatching(/^card visa-credit-chip: amount 1061 ends with 61: a trigger for /)],
      [expect.stringMatching(/^card visa-credit-chip: amount 1091 ends with 91: a trigger for /)],
    ]);
    await t.exchange(c, sale87(t, '000000001000'));
    expect(exchanges(h).at(-1)!.notes).toBeUndefined();
  });
});

describe('card checks', () => {
  it('unknown, blocked, lost, stolen, expired and over-balance cards get their codes', async () => {
    // This host's card book does not know the Mastercard test card: it is an unknown card here.
    const unknown = cards.get('mastercard-credit-chip');
    const book: CardBook = { ...cards, byPan: (pan) => (pan === unknown.pan ? undefined : cards.byPan(pan)) };
    const h = await host('harbor-bank@2019.4', { cards: book });
    const { t, c } = await session(h);
    const cases: [string, string][] = [
      ['mastercard-credit-chip', '14'],
      ['visa-blocked', '62'],
      ['mastercard-lost', '41'],
      ['mastercard-2-series-stolen', '43'],
      ['visa-expired', '54'],
      ['visa-nsf', '51'],
    ];
    const got = [];
    for (const [id] of cases)
      got.push([id, code(await t.exchange(c, sale87(t, '000000001000', cards.get(id))))]);
    expect(got).toEqual(cases);
    // A magstripe card with 250.00: 300.00 is over its balance.
    expect(code(await t.exchange(c, sale87(t, '000000030000', VISA_MAGSTRIPE)))).toBe('51');
    // Each decline's reason is journaled, naming the card by its id: never its number.
    const notes = exchanges(h)
      .filter((e) => e.request)
      .map((e) => e.notes?.join('; '));
    expect(notes).toEqual([
      `the card ending ${unknown.pan.slice(-4)} is not in the card book`,
      'card visa-blocked is blocked',
      'card mastercard-lost is lost',
      'card mastercard-2-series-stolen is stolen',
      expect.stringMatching(/^card visa-expired has expired \(the issuer's month is [0-9]{4}\)$/),
      expect.stringMatching(/^card visa-nsf: amount 1000 is over its balance [0-9]+ \(minor units\)$/),
      'card visa-debit-magstripe: amount 30000 is over its balance 25000 (minor units)',
    ]);
    expect(JSON.stringify(exchanges(h).map((e) => e.notes))).not.toContain(unknown.pan);
  });

  it('PIN: the right PIN under the TPK is approved, a wrong one gets 55 (117 on 2025.1)', async () => {
    const got = [];
    const notes: (string[] | undefined)[] = [];
    for (const ref of ['harbor-bank@2019.4', 'harbor-bank@2025.1']) {
      const h = await host(ref);
      const { t, c } = await session(h);
      const is93 = ref.endsWith('2025.1');
      for (const pin of [VISA.pin, '9999']) {
        const read = { card: VISA, pin };
        const msg = is93
          ? t.build('1200', { 3: '000000', 4: '000000002500', 24: '200' }, { read })
          : t.build('0200', { 3: '000000', 4: '000000002500' }, { read });
        got.push(code(await t.exchange(c, msg)));
      }
      notes.push(
        ...exchanges(h)
          .slice(-2)
          .map((e) => e.notes),
      );
    }
    expect(got).toEqual(['00', '55', '000', '117']);
    const wrong = ["card visa-credit-chip: the PIN block in DE52 does not hold the card's PIN"];
    expect(notes).toEqual([undefined, wrong, undefined, wrong]);
  });

  it('a slow-issuer trigger delays the answer (scaled), other terminals are served meanwhile', async () => {
    const h = await host('harbor-bank@2019.4');
    const { t, c } = await session(h);
    // Amount ending 97: approved after 20 s of host time = 200 ms here.
    c.write(t.frame(sale87(t, '000000001097')));
    const other = await session(h, 'HB000002');
    const quick = await other.t.exchange(other.c, sale87(other.t));
    expect(code(quick)).toBe('00');
    expect(c.received).toBe(0);
    const slow = await c.next();
    expect(code(slow.message!)).toBe('00');
    expect(slow.afterMs).toBeGreaterThanOrEqual(150);
    // Why it was late, though approved: the trigger, in host time.
    expect(exchanges(h).find((e) => e.request?.summary.includes('10.97'))?.notes).toEqual([
      expect.stringMatching(
        /^card visa-credit-chip: amount 1097 ends with 97: a trigger for approved after 20000 ms \(host time\)/,
      ),
    ]);
  });

  it('lotus: the slow-issuer card answers pre-authorizations late (its own trigger)', async () => {
    const h = await host('lotus-acquirer@2021.2');
    const { t, c } = await session(h);
    await signOn(t, c);
    const card = cards.get('unionpay-debit-chip');
    const pre = t.build(
      '0100',
      { 3: '030000', 4: '000000001000', 25: '06', 60: de60(t, '10') },
      { read: { card } },
    );
    c.write(t.frame(pre));
    const r = await c.next();
    expect(code(r.message!)).toBe('00');
    expect(r.afterMs).toBeGreaterThanOrEqual(60);
  });
});

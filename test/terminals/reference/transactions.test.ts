// Every transaction type of the reference terminal against a host version it was written for, over
// real sockets: what the terminal reports, and what the host received (its journal, without one
// violated rule).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinHostsDir, loadHosts } from '../../../src/mocks/hosts/host-loader.js';
import { loadDialects } from '../../../src/protocols/iso8583/index.js';
import type { Terminal, TransactionOutcome } from '../../../src/terminals/terminal.js';
import { tempDir } from '../../support/temp-dir.js';
import { build, card, field, host, play, requests, seen, UNIONPAY, VISA, violations } from './world.js';

/** Runs and expects approval, with the message it says why not. */
async function approved(t: Terminal, request: Parameters<Terminal['run']>[0]): Promise<TransactionOutcome> {
  const o = await t.run(request);
  expect(o.status, `${request.type}: ${o.detail}`).toBe('approved');
  return o;
}

describe('harbor-bank@2019.4 (ISO 8583:1987 ASCII)', () => {
  it('sign-on, echo, sale, refund, void, pre-auth, completion, balance and settlement, with no violation', async () => {
    const h = await host('harbor-bank@2019.4');
    const { terminal: t } = await play(build('test-harbor-87'), h);
    await approved(t, { type: 'sign-on' });
    await approved(t, { type: 'echo' });
    const sale = await approved(t, { type: 'sale', amount: 2500, card: VISA() });
    expect(sale.reference).toMatchObject({ stan: '000003', amount: 2500, mti: '0200' });
    expect(sale.reference!.rrn).toMatch(/^[0-9]{12}$/);
    await approved(t, { type: 'refund', amount: 500, card: VISA(), original: sale.reference! });
    const second = await approved(t, {
      type: 'sale',
      amount: 1200,
      card: card('visa-debit-magstripe', 'magstripe'),
    });
    await approved(t, { type: 'void', original: second.reference! });
    const pre = await approved(t, { type: 'pre-auth', amount: 5000, card: VISA() });
    const completion = await approved(t, { type: 'completion', amount: 4800, original: pre.reference! });
    expect(completion.detail).toContain('advice forwarded');
    const balance = await approved(t, { type: 'balance', card: card('visa-credit-chip', 'manual', false) });
    expect(balance.responseCode).toBe('00');
    const settled = await approved(t, { type: 'settlement' });
    // Debits: the sale (25.00) and the completion (48.00); the voided sale is out; credit: the refund.
    expect(settled.detail).toContain('in balance: debits 2 (7300), credits 1 (500)');

    expect(seen(h)).toEqual([
      '0800 sign-on',
      '0800 echo',
      '0200 sale',
      '0200 refund',
      '0200 sale',
      '0200 void',
      '0100 pre-auth',
      '0220 completion',
      '0100 balance',
      '0500 settlement',
    ]);
    expect(violations(h)).toEqual([]);
    expect(
      h.ledger
        .list()
        .filter((e) => e.approved && !e.cancelledBy)
        .every((e) => e.settled || e.kind === 'pre-auth' || e.kind === 'void' || e.kind === 'balance'),
    ).toBe(true);
    // Chip with PIN: DE22 05 + 1, track 2 equivalent and a PIN block; keyed: DE2 and DE14 instead.
    expect(field(h, '0200', '22')).toBe('051');
    expect(field(h, '0200', '35')).toMatch(/^\[hidden/);
    expect(field(h, '0200', '52')).toMatch(/^\[hidden/);
    expect(field(h, '0200', '22', 2)).toBe('901');
    expect(field(h, '0100', '2', 1)).toBe('411111******1111');
    expect(field(h, '0100', '22', 1)).toBe('012');
  });

  it("the outcome's messages are masked and summarised like the host journal", async () => {
    const h = await host('harbor-bank@2019.4');
    const { terminal: t, events } = await play(build('test-harbor-87'), h);
    const sale = await approved(t, { type: 'sale', amount: 2500, card: card('visa-credit-chip', 'manual') });
    expect(sale.messages.map((m) => [m.direction, m.message.summary])).toEqual([
      ['sent', '0200 sale 25.00 STAN 000001'],
      ['received', '0210 25.00 STAN 000001 code 00'],
    ]);
    expect(sale.messages[0]!.message.iso!.fields['2']).toBe('411111******1111');
    const everything = JSON.stringify({ sale, events });
    expect(everything).not.toContain('4111111111111111');
    expect(events.map((e) => e.kind)).toEqual(['connected', 'sent', 'received']);
  });
});

describe('harbor-bank@2022.2 (EMV mandate)', () => {
  it('chip sale, pre-auth and completion carry DE23 and DE55: accepted without violations', async () => {
    const h = await host('harbor-bank@2022.2');
    const { terminal: t } = await play(build('test-harbor-87'), h);
    await approved(t, { type: 'sale', amount: 2500, card: VISA() });
    const pre = await approved(t, {
      type: 'pre-auth',
      amount: 4000,
      card: card('visa-credit-chip', 'contactless', false),
    });
    await approved(t, { type: 'completion', amount: 4000, original: pre.reference! });
    expect(violations(h)).toEqual([]);
    const icc = field(h, '0200', '55') as { tag: string; value: string }[];
    expect(icc.map((i) => i.tag)).toContain('9F26');
    expect(icc.find((i) => i.tag === '9F02')!.value).toBe('000000002500');
    expect(field(h, '0200', '23')).toBe('001');
  });
});

describe('harbor-bank@2025.1 (ISO 8583:1993 binary, X9.19 MAC)', () => {
  it('every transaction type, MACed, answers MAC-verified, no violations', async () => {
    const h = await host('harbor-bank@2025.1');
    const { terminal: t, events } = await play(build('test-harbor-93'), h);
    expect((await approved(t, { type: 'sign-on' })).responseCode).toBe('800');
    await approved(t, { type: 'echo' });
    const sale = await approved(t, { type: 'sale', amount: 2500, card: VISA() });
    await approved(t, { type: 'refund', amount: 300, card: VISA(), original: sale.reference! });
    const other = await approved(t, {
      type: 'sale',
      amount: 700,
      card: card('visa-debit-magstripe', 'magstripe'),
    });
    await approved(t, { type: 'void', original: other.reference! });
    const pre = await approved(t, { type: 'pre-auth', amount: 5000, card: VISA() });
    await approved(t, { type: 'completion', amount: 5000, original: pre.reference! });
    await approved(t, { type: 'balance', card: VISA() });
    const settled = await approved(t, { type: 'settlement' });
    expect(settled.responseCode).toBe('500');

    expect(seen(h)).toEqual([
      '1804 sign-on',
      '1804 echo',
      '1200 sale',
      '1200 refund',
      '1200 sale',
      '1200 void',
      '1100 pre-auth',
      '1220 completion',
      '1100 balance',
      '1500 settlement',
    ]);
    expect(violations(h)).toEqual([]);
    // The MAC is in DE64, or DE128 behind the 1500's totals; the host signs its answers to them.
    expect(field(h, '1200', '64')).toMatch(/^[0-9A-F]{16}$/);
    expect(field(h, '1500', '128')).toMatch(/^[0-9A-F]{16}$/);
    expect(requests(h).filter((e) => e.response?.iso?.fields['64'] !== undefined).length).toBeGreaterThan(5);
    expect(events.filter((e) => e.kind === 'log' && e.detail.includes('MAC'))).toEqual([]);
    expect(field(h, '1200', '22')).toBe('510101510134');
    expect(field(h, '1200', '56', 3)).toMatchObject({ 1: '1200', 2: other.reference!.stan });
  });
});

describe('lotus-acquirer (CUP-style)', () => {
  it('2021.2: signs on by itself, takes PIK and MAK from the key download, runs every type, settles', async () => {
    const h = await host('lotus-acquirer@2021.2');
    // Only the master key: the PIN and MAC keys must come from the sign-on.
    const { terminal: t, events } = await play(build('test-lotus'), h, {
      keys: { tmk: h.version.keysFor('LT000001').tmk! },
    });
    const sale = await approved(t, { type: 'sale', amount: 2500, card: UNIONPAY() });
    expect(sale.messages.map((m) => m.message.summary.split(' ').slice(0, 2).join(' '))).toEqual([
      '0800 sign-on',
      '0810 STAN',
      '0200 sale',
      '0210 25.00',
    ]);
    expect(events.find((e) => e.kind === 'log')?.detail).toBe(
      'working keys pik, mak loaded, check values match',
    );
    await approved(t, { type: 'echo' });
    const other = await approved(t, {
      type: 'sale',
      amount: 1000,
      card: card('unionpay-magstripe', 'magstripe'),
    });
    await approved(t, { type: 'void', original: other.reference! });
    await approved(t, { type: 'refund', amount: 500, card: UNIONPAY(), original: sale.reference! });
    const pre = await approved(t, { type: 'pre-auth', amount: 6000, card: UNIONPAY() });
    await approved(t, { type: 'completion', amount: 6000, original: pre.reference! });
    const balance = await approved(t, { type: 'balance', card: UNIONPAY() });
    expect(balance.responseCode).toBe('00');
    const settled = await approved(t, { type: 'settlement' });
    expect(settled.detail).toContain('in balance: debits 2 (8500), credits 1 (500)');
    expect(seen(h)).toEqual([
      '0800 sign-on',
      '0200 sale',
      '0820 echo',
      '0200 sale',
      '0200 void',
      '0220 refund',
      '0100 pre-auth',
      '0200 completion',
      '0200 balance',
      '0500 settlement',
    ]);
    expect(violations(h)).toEqual([]);
    expect(field(h, '0200', '53')).toBe('2600000000000000');
    expect(field(h, '0200', '64')).toMatch(/^[0-9A-F]{16}$/);
  });

  it('2024.1: chip data and MACs on 0100 and 0500 as the newer centre requires', async () => {
    const h = await host('lotus-acquirer@2024.1');
    const { terminal: t } = await play(build('test-lotus'), h);
    await approved(t, { type: 'pre-auth', amount: 3000, card: UNIONPAY() });
    await approved(t, { type: 'sale', amount: 1500, card: UNIONPAY() });
    await approved(t, { type: 'settlement' });
    expect(violations(h)).toEqual([]);
    expect(field(h, '0500', '64')).toMatch(/^[0-9A-F]{16}$/);
  });
});

describe('PIN blocks', () => {
  it.each([
    ['harbor-bank@2019.4', 'test-harbor-87', 'visa-credit-chip', '55'],
    ['lotus-acquirer@2021.2', 'test-lotus', 'unionpay-credit-chip', '55'],
  ])(
    '%s decrypts them (static TPK / downloaded PIK): the right PIN approves, a wrong one gets %s',
    async (ref, id, name, wrong) => {
      const h = await host(ref);
      const { terminal: t } = await play(build(id), h);
      expect((await t.run({ type: 'sale', amount: 1000, card: card(name) })).status).toBe('approved');
      const o = await t.run({ type: 'sale', amount: 1000, card: { ...card(name), pin: '9999' } });
      expect([o.status, o.responseCode]).toEqual(['declined', wrong]);
    },
  );
});

describe('any shipped dialect', () => {
  it('iso8583-1987-binary: the 1987 profile against harbor-bank 2019.4 moved onto the binary dialect', async () => {
    // The same host version, only its dialect swapped: proof that the profile holds no encodings.
    const dir = tempDir('paymatrix-binary-host-');
    const text = readFileSync(join(builtinHostsDir(), 'harbor-bank.yaml'), 'utf8');
    writeFileSync(
      join(dir, 'harbor-bank.yaml'),
      text.replace('dialect: iso8583-1987-ascii', 'dialect: iso8583-1987-binary'),
    );
    const registry = loadHosts([dir], { dialects: loadDialects() });
    const h = await host('harbor-bank@2019.4', { registry });
    expect(h.version.dialect.id).toBe('iso8583-1987-binary');
    const { terminal: t } = await play(build('test-harbor-87-binary'), h);
    const sale = await approved(t, { type: 'sale', amount: 2500, card: VISA() });
    await approved(t, { type: 'void', original: sale.reference! });
    await approved(t, { type: 'settlement' });
    expect(violations(h)).toEqual([]);
    expect(seen(h)).toEqual(['0200 sale', '0200 void', '0500 settlement']);
  });
});

// The host's ledger against a model: random sequences of sales, refunds, voids, reversals and
// settlements from one terminal (harbor-bank@2019.4), over real sockets. A settlement quoting the
// totals the model kept (sales not voided or reversed as debits, refunds as credits, since the last
// balanced settlement) must balance (00); the same totals off by one unit must not (95), and leave
// the batch open. fast-check shrinks a failure to the shortest sequence that shows it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IsoHost } from '../../../src/mocks/iso-host/start-iso-host.js';
import type { IsoMessage } from '../../../src/protocols/iso8583/index.js';
import type { IsoConnection, TestTerminal } from '../../support/iso-terminal.js';
import { code, de90, host, session, VISA } from './world.js';

interface Sale {
  request: IsoMessage;
  rrn: string;
  amount: number;
  cancelled: boolean;
  refunded: number;
}
interface Model {
  sales: Sale[];
  refunds: number[];
}
interface Real {
  t: TestTerminal;
  c: IsoConnection;
}

const visa = { card: VISA };
const n = (value: number, width: number) => String(value).padStart(width, '0');
// Whole units (…00 minor): the card book fires no amount trigger on them.
const amount = fc.integer({ min: 1, max: 8 }).map((x) => x * 100);
const open = (m: Readonly<Model>) => m.sales.filter((s) => !s.cancelled);

class SaleCmd implements fc.AsyncCommand<Model, Real> {
  constructor(readonly amount: number) {}
  check = () => true;
  async run(m: Model, { t, c }: Real) {
    const request = t.build('0200', { 3: '000000', 4: n(this.amount, 12) }, { read: visa });
    const r = await t.exchange(c, request);
    expect([r.mti, code(r)]).toEqual(['0210', '00']);
    m.sales.push({
      request,
      rrn: String(r.fields['37']),
      amount: this.amount,
      cancelled: false,
      refunded: 0,
    });
  }
  toString = () => `sale ${this.amount}`;
}

class RefundCmd implements fc.AsyncCommand<Model, Real> {
  constructor(readonly amount: number) {}
  check = (m: Readonly<Model>) => m.sales.length > 0;
  async run(m: Model, { t, c }: Real) {
    const sale = m.sales.at(-1)!;
    const r = await t.exchange(
      c,
      t.build('0200', { 3: '200000', 4: n(this.amount, 12), 37: sale.rrn }, { read: visa }),
    );
    // The issuer refuses a refund of a cancelled sale (12) and one above what is left of it (13).
    const expected = sale.cancelled ? '12' : this.amount > sale.amount - sale.refunded ? '13' : '00';
    expect([r.mti, code(r)]).toEqual(['0210', expected]);
    if (expected !== '00') return;
    sale.refunded += this.amount;
    m.refunds.push(this.amount);
  }
  toString = () => `refund ${this.amount}`;
}

/** Voids (by RRN) or reverses (0400 through DE90) one of the sales still open. */
class CancelCmd implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly how: 'void' | 'reversal',
    readonly at: number,
  ) {}
  check = (m: Readonly<Model>) => open(m).length > 0;
  async run(m: Model, { t, c }: Real) {
    const sale = open(m)[this.at % open(m).length]!;
    const amount4 = n(sale.amount, 12);
    const r =
      this.how === 'void'
        ? await t.exchange(c, t.build('0200', { 3: '020000', 4: amount4, 37: sale.rrn }, { read: visa }))
        : await t.exchange(
            c,
            t.build('0400', { 3: '000000', 4: amount4, 90: de90(sale.request) }, { read: visa }),
          );
    // A sale refunded in part cannot be voided too (12); a reversal still takes it back.
    const refused = this.how === 'void' && sale.refunded > 0;
    expect([r.mti, code(r)]).toEqual([this.how === 'void' ? '0210' : '0410', refused ? '12' : '00']);
    if (!refused) sale.cancelled = true;
  }
  toString = () => `${this.how} #${this.at}`;
}

/** Settles with the model's totals (00: the batch closes) or with one unit too many (95: it stays). */
class SettleCmd implements fc.AsyncCommand<Model, Real> {
  constructor(readonly off: boolean) {}
  check = () => true;
  async run(m: Model, { t, c }: Real) {
    const debits = open(m).map((s) => s.amount);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const debitAmount = sum(debits) + (this.off ? 1 : 0);
    const r = await t.exchange(
      c,
      t.build('0500', {
        3: '920000',
        74: n(m.refunds.length, 10),
        76: n(debits.length, 10),
        86: n(sum(m.refunds), 16),
        88: n(debitAmount, 16),
      }),
    );
    expect(
      [r.mti, code(r)],
      `${debits.length} sales ${sum(debits)}, ${m.refunds.length} refunds ${sum(m.refunds)}`,
    ).toEqual(['0510', this.off ? '95' : '00']);
    if (!this.off) {
      m.sales = [];
      m.refunds = [];
    }
  }
  toString = () => (this.off ? 'settle one unit off' : 'settle');
}

describe('the ledger and settlement against their model (harbor-bank@2019.4)', () => {
  it('a settlement with the totals the model kept balances; one unit off does not', async () => {
    const commands = fc.commands(
      [
        amount.map((a) => new SaleCmd(a)),
        amount.map((a) => new RefundCmd(a)),
        fc
          .tuple(fc.constantFrom('void' as const, 'reversal' as const), fc.nat({ max: 5 }))
          .map(([how, i]) => new CancelCmd(how, i)),
        fc.boolean().map((off) => new SettleCmd(off)),
      ],
      { maxCommands: 30, size: 'max' },
    );
    await fc.assert(
      fc.asyncProperty(commands, async (cmds) => {
        // A host per sequence: a fresh ledger and card balance.
        const h: IsoHost = await host('harbor-bank@2019.4');
        const { t, c } = await session(h);
        try {
          await fc.asyncModelRun(() => ({ model: { sales: [], refunds: [] }, real: { t, c } }), cmds);
        } finally {
          c.close();
          await h.close();
        }
      }),
      { numRuns: Number(process.env.PROP_RUNS ?? 40), seed: Number(process.env.PROP_SEED ?? 1987) },
    );
  }, 120_000);
});

import { describe, expect, it } from 'vitest';
import {
  describeSpec,
  mismatches,
  mtiMatches,
  selects,
} from '../../../src/suites/matchers/message-expectation.js';
import { context, ex, observe, reversal87, sale87 } from '../support/messages.js';
import { hosts } from '../support/world.js';

const v87 = hosts.get('harbor-bank@2019.4');
const v93 = hosts.get('harbor-bank@2025.1');

describe('message selectors', () => {
  it('kind comes from the host version: a 0200 sale on 1987 and a 1200 sale on 1993 are both `sale`', () => {
    const [s87] = observe(v87, [ex(1, sale87('000001').request)]);
    const [s93] = observe(v93, [ex(1, { mti: '1200', fields: { 3: '000000', 11: '000001', 24: '200' } })]);
    expect(s87!.kind).toBe('sale');
    expect(s93!.kind).toBe('sale');
    expect(selects({ kind: 'sale' }, s87!, context(v87))).toBe(true);
    expect(selects({ kind: 'sale' }, s93!, context(v93))).toBe(true);
    expect(selects({ kind: ['refund', 'void'] }, s87!, context(v87))).toBe(false);
    // A 0200 on a 1993 host is unknown to it: no kind, so a kind never selects it.
    const [stray] = observe(v93, [ex(1, sale87('000001').request)]);
    expect(stray!.kind).toBeUndefined();
    expect(selects({ kind: 'sale' }, stray!, context(v93))).toBe(false);
  });

  it('MTI patterns, MTI class, step and host instance', () => {
    expect(mtiMatches('x200', '1200')).toBe(true);
    expect(mtiMatches('x4x0', '0420')).toBe(true);
    expect(mtiMatches('x4x0', '0421')).toBe(false);
    const msgs = observe(
      v87,
      [ex(1, sale87('000001').request), ex(2, reversal87('000002', sale87('000001').request))],
      [ex(1, sale87('000003').request)],
      (e, instance) => (instance === 'primary' && e.seq === 1 ? 0 : undefined),
    );
    const ctx = context(v87);
    const [sale, rev, backupSale] = msgs;
    expect(selects({ mti: 'x200' }, sale!, ctx)).toBe(true);
    expect(selects({ class: 'reversal' }, rev!, ctx)).toBe(true);
    expect(selects({ class: 'financial' }, rev!, ctx)).toBe(false);
    expect(selects({ step: 'sale-1' }, sale!, ctx)).toBe(true);
    expect(selects({ step: 'sale-1' }, rev!, ctx)).toBe(false);
    expect(backupSale!.instance).toBe('backup');
    expect(selects({ kind: 'sale', on: 'backup' }, backupSale!, ctx)).toBe(true);
    expect(selects({ kind: 'sale', on: 'backup' }, sale!, ctx)).toBe(false);
  });

  it('a request lost to a fault was never received: no selector picks it', () => {
    const [lost] = observe(v87, [
      ex(1, sale87('000001').request, {
        event: { kind: 'lost', detail: 'request lost before the host saw it' },
      }),
    ]);
    expect(lost!.lost).toBe(true);
    expect(selects({}, lost!, context(v87))).toBe(false);
  });
});

describe('message checks', () => {
  it('fields: every key must hold, each wrong one named with expected and actual', () => {
    const [m] = observe(v87, [ex(1, sale87('000001').request)]);
    expect(
      mismatches({ fields: { amount: { equals: 2500 }, stan: { regex: '^[0-9]{6}$' } } }, m!, context(v87)),
    ).toEqual([]);
    // (Element numbers come first: JavaScript orders integer keys before the others.)
    expect(
      mismatches({ fields: { amount: { equals: 2600 }, 52: { present: true } } }, m!, context(v87)),
    ).toEqual([
      { what: 'DE52', expected: 'present', actual: 'absent' },
      { what: 'amount (DE4)', expected: '2600', actual: '"000000002500"' },
    ]);
  });

  it('original: the element the version matches originals by carries the captured message’s value', () => {
    const { request, response } = sale87('000123');
    const msgs = observe(v87, [ex(1, request, { response }), ex(2, reversal87('000124', request))]);
    const ctx = context(v87, { first: msgs[0]! });
    expect(mismatches({ original: 'first' }, msgs[1]!, ctx)).toEqual([]);
    const other = sale87('000999').request;
    const wrong = observe(v87, [ex(3, reversal87('000125', other))])[0]!;
    expect(mismatches({ original: 'first' }, wrong, ctx)).toEqual([
      { what: 'DE90.2', expected: 'DE11 of first ("000123")', actual: '"000999"' },
    ]);
    expect(mismatches({ original: 'nobody' }, wrong, ctx)[0]).toMatchObject({ actual: 'none captured' });
  });

  it('original on a 1987 void is matched by the RRN the host gave the sale (read from its response)', () => {
    const { request, response } = sale87('000123');
    const voidMsg = {
      mti: '0200',
      fields: { 3: '020000', 4: '000000002500', 11: '000124', 37: response.fields['37']! },
    };
    const msgs = observe(v87, [ex(1, request, { response }), ex(2, voidMsg)]);
    expect(msgs[1]!.kind).toBe('void');
    expect(mismatches({ original: 'first' }, msgs[1]!, context(v87, { first: msgs[0]! }))).toEqual([]);
  });

  it('response: sent or not, semantic code by the version’s table (with message overrides), fields', () => {
    const { request, response } = sale87('000001', '000000001051', '51');
    const [m] = observe(v87, [ex(1, request, { response })]);
    expect(mismatches({ response: { code: 'insufficient-funds', sent: true } }, m!, context(v87))).toEqual(
      [],
    );
    expect(mismatches({ response: { code: 'approved' } }, m!, context(v87))).toEqual([
      { what: 'response code', expected: 'approved (00)', actual: '"51"' },
    ]);
    // The host's reason for the code, when it journaled one, is part of what was seen.
    const noted = { ...ex(2, request, { response }), notes: ['card visa-nsf: amount 1051 ends with 51'] };
    const [n] = observe(v87, [noted]);
    expect(mismatches({ response: { code: 'approved' } }, n!, context(v87))).toEqual([
      {
        what: 'response code',
        expected: 'approved (00)',
        actual: '"51" (card visa-nsf: amount 1051 ends with 51)',
      },
    ]);
    // 1993 network management is approved with 800, not the table's 000.
    const [signOn] = observe(v93, [
      ex(
        1,
        { mti: '1804', fields: { 11: '000001', 24: '801' } },
        { response: { mti: '1814', fields: { 11: '000001', 39: '800' } } },
      ),
    ]);
    expect(mismatches({ response: { code: 'approved' } }, signOn!, context(v93))).toEqual([]);
    const [unsent] = observe(v87, [ex(1, request, { response, sent: false })]);
    expect(mismatches({ response: { sent: false } }, unsent!, context(v87))).toEqual([]);
    expect(mismatches({ response: { sent: true } }, unsent!, context(v87))[0]).toMatchObject({
      actual: 'not sent (a fault)',
    });
    expect(mismatches({ response: { fields: { rrn: { present: true } } } }, m!, context(v87))).toEqual([]);
  });

  it('describes an expectation in words for reasons', () => {
    const { request } = sale87('000123');
    const [first] = observe(v87, [ex(1, request, { summary: '0200 sale 25.00 STAN 000123' })]);
    const ctx = context(v87, { first: first! });
    expect(describeSpec({ kind: 'reversal', original: 'first', on: 'backup' }, ctx)).toBe(
      'reversal of first (0200 sale 25.00 STAN 000123) on the backup host',
    );
    expect(
      describeSpec(
        {
          mti: 'x200',
          fields: { amount: { equals: 1000 }, stan: { present: true } },
          response: { code: 'approved' },
        },
        ctx,
      ),
    ).toBe('MTI x200 (amount = 1000, stan present, answered approved)');
  });
});

describe('REST exchanges', () => {
  it('are selected by operation, method and path, and checked by JSON pointer', () => {
    const exchange = {
      seq: 1,
      transport: 'http' as const,
      host: 'nimbus-pay@2024-06-15',
      connection: 1,
      at: '2026-03-14T10:20:30.000Z',
      request: {
        summary: 'POST /v1/payments',
        size: 10,
        http: {
          method: 'POST',
          path: '/v1/payments',
          operation: 'createPayment',
          headers: {},
          body: { amount: { value: 2500 } },
        },
      },
      violations: [],
      faults: [],
    };
    const [m] = observe(v87, [exchange]);
    const ctx = { captures: new Map(), stepIndex: () => undefined };
    expect(m!.kind).toBeUndefined();
    expect(selects({ operation: 'createPayment', method: 'post', path: '^/v1/pay' }, m!, ctx)).toBe(true);
    expect(selects({ operation: 'capturePayment' }, m!, ctx)).toBe(false);
    expect(selects({ mti: 'xxxx' }, m!, ctx)).toBe(false);
    expect(mismatches({ fields: { '/amount/value': { equals: 2500 } } }, m!, ctx)).toEqual([]);
    expect(mismatches({ fields: { '/amount/currency': { present: true } } }, m!, ctx)).toEqual([
      { what: '/amount/currency', expected: 'present', actual: 'absent' },
    ]);
    expect(describeSpec({ operation: 'createPayment' }, ctx)).toBe('createPayment request');
  });
});

import { describe, expect, it } from 'vitest';
import { type EchoResolver, matchField, valueEquals } from '../../../src/suites/matchers/field-matcher.js';

const noEcho: EchoResolver = () => ({ found: false, problem: 'no captures' });
const echoes: EchoResolver = (ref) =>
  ref === 'first.11'
    ? { found: true, value: '000123', label: 'first.11' }
    : { found: false, problem: `no ${ref}` };

describe('field matchers', () => {
  it('a plain value equals: text exactly, a number numerically against digits', () => {
    expect(matchField('00', '00', noEcho).ok).toBe(true);
    expect(matchField('00', '000', noEcho)).toMatchObject({ ok: false, expected: '"00"', actual: '"000"' });
    expect(matchField(2500, '000000002500', noEcho).ok).toBe(true);
    expect(matchField(2500, '000000002501', noEcho).ok).toBe(false);
    expect(matchField('2500', '000000002500', noEcho).ok).toBe(false);
    expect(matchField('x', undefined, noEcho)).toMatchObject({ ok: false, actual: 'absent' });
    expect(valueEquals(5, 'abc')).toBe(false);
  });

  it('a card number matches the masked PAN the journal keeps, by its first 6 and last 4', () => {
    expect(matchField('4111111111111111', '411111******1111', noEcho).ok).toBe(true);
    expect(
      matchField({ oneOf: ['5500005555555559', '4111111111111111'] }, '411111******1111', noEcho).ok,
    ).toBe(true);
    expect(matchField('4000000000000002', '411111******1111', noEcho).ok).toBe(false);
    expect(matchField('4111111111111112', '411111******1112', noEcho).ok).toBe(false); // no card number
  });

  it('equals, present and absent', () => {
    expect(matchField({ equals: 'HB000001' }, 'HB000001', noEcho).ok).toBe(true);
    expect(matchField({ present: true }, '', noEcho).ok).toBe(true);
    expect(matchField({ present: true }, undefined, noEcho)).toMatchObject({
      ok: false,
      expected: 'present',
    });
    expect(matchField({ absent: true }, undefined, noEcho).ok).toBe(true);
    expect(matchField({ absent: true }, '4111', noEcho)).toMatchObject({
      ok: false,
      expected: 'absent',
      actual: '"4111"',
    });
  });

  it('regex tests text only', () => {
    expect(matchField({ regex: '^[0-9]{6}$' }, '000123', noEcho).ok).toBe(true);
    expect(matchField({ regex: '^[0-9]{6}$' }, '00012A', noEcho)).toMatchObject({
      ok: false,
      expected: 'matches /^[0-9]{6}$/',
    });
    expect(matchField({ regex: '.*' }, { 1: '22' }, noEcho).ok).toBe(false);
    expect(matchField({ regex: '.*' }, undefined, noEcho).ok).toBe(false);
  });

  it('oneOf accepts any listed value', () => {
    expect(matchField({ oneOf: ['00', '000'] }, '000', noEcho).ok).toBe(true);
    expect(matchField({ oneOf: ['00', 10] }, '10', noEcho).ok).toBe(true);
    expect(matchField({ oneOf: ['00', '000'] }, '05', noEcho)).toMatchObject({
      ok: false,
      expected: 'one of "00", "000"',
    });
  });

  it('echo compares with a captured message’s value and says where it came from', () => {
    expect(matchField({ echo: 'first.11' }, '000123', echoes).ok).toBe(true);
    expect(matchField({ echo: 'first.11' }, '000124', echoes)).toMatchObject({
      ok: false,
      expected: 'echo of first.11 ("000123")',
      actual: '"000124"',
    });
    expect(matchField({ echo: 'second.11' }, '000123', echoes)).toMatchObject({
      ok: false,
      expected: 'echo of second.11 (no second.11)',
    });
  });

  it('not inverts, and every key of an object must hold', () => {
    expect(matchField({ not: { equals: '00' } }, '05', noEcho).ok).toBe(true);
    expect(matchField({ not: { regex: '^0' } }, '05', noEcho)).toMatchObject({
      ok: false,
      expected: 'not matches /^0/',
    });
    expect(matchField({ present: true, regex: '^9' }, '98', noEcho).ok).toBe(true);
    const both = matchField({ present: true, regex: '^9' }, '05', noEcho);
    expect(both).toMatchObject({ ok: false, expected: 'matches /^9/' });
  });
});

import { describe, expect, it } from 'vitest';
import { parseFieldKey, readPointer } from '../../../src/suites/matchers/field-key.js';
import { readField } from '../../../src/suites/matchers/host-message.js';
import { ex, observe, reversal87, sale87 } from '../support/messages.js';
import { hosts } from '../support/world.js';

const key = (k: string) => parseFieldKey(k)!;

describe('field keys', () => {
  it('reads paths, aliases, mti, mac and JSON pointers; anything else is not a key', () => {
    expect(parseFieldKey('60.1')).toMatchObject({ kind: 'iso', path: '60.1', label: 'DE60.1' });
    expect(parseFieldKey('stan')).toMatchObject({ kind: 'iso', path: '11', label: 'stan (DE11)' });
    expect(parseFieldKey('original.stan')).toMatchObject({ kind: 'original', of: '11' });
    expect(parseFieldKey('original.mti')).toMatchObject({ kind: 'original', of: 'mti' });
    expect(parseFieldKey('/amount/value')).toMatchObject({ kind: 'pointer' });
    expect(parseFieldKey('mti')?.kind).toBe('mti');
    expect(parseFieldKey('mac')?.kind).toBe('mac');
    for (const bad of ['1', '200', 'stann', 'original.foo', '']) expect(parseFieldKey(bad)).toBeUndefined();
    expect(readPointer({ a: [{ b: 1 }], 'x/y': 2 }, '/a/0/b')).toBe(1);
    expect(readPointer({ 'x/y': 2 }, '/x~1y')).toBe(2);
    expect(readPointer({ a: 1 }, '/a/b')).toBeUndefined();
  });

  it('original.<element> finds the element carrying it on each dialect: DE90 (1987), DE56 (1993), DE11 (CUP 0400)', () => {
    const v87 = hosts.get('harbor-bank@2019.4');
    const { request } = sale87('000123');
    const [rev] = observe(v87, [ex(1, reversal87('000124', request))]);
    expect(readField(rev!, 'request', key('original.stan'), v87)).toMatchObject({
      value: '000123',
      where: 'original.stan (DE90.2)',
    });
    expect(readField(rev!, 'request', key('original.mti'), v87).value).toBe('0200');

    const v93 = hosts.get('harbor-bank@2025.1');
    const [r93] = observe(v93, [
      ex(1, {
        mti: '1420',
        fields: { 11: '000009', 24: '400', 56: { 1: '1200', 2: '000008', 3: '260314102030' } },
      }),
    ]);
    expect(readField(r93!, 'request', key('original.11'), v93)).toMatchObject({
      value: '000008',
      where: 'original.11 (DE56.2)',
    });

    const cup = hosts.get('lotus-acquirer@2024.1');
    const [rcup] = observe(cup, [
      ex(1, { mti: '0400', fields: { 3: '000000', 11: '000007', 60: { 1: '22', 2: '000001' } } }),
    ]);
    expect(readField(rcup!, 'request', key('original.11'), cup)).toMatchObject({
      value: '000007',
      where: 'original.11 (DE11)',
    });
  });

  it('says why a key cannot apply: a JSON pointer on ISO, an element with no original-data rule', () => {
    const v = hosts.get('harbor-bank@2019.4');
    const [sale] = observe(v, [ex(1, sale87('000001').request)]);
    expect(readField(sale!, 'request', key('/amount'), v).problem).toBe('not a REST message');
    const [signOn] = observe(hosts.get('harbor-bank@2025.1'), [
      ex(1, { mti: '1804', fields: { 11: '1', 24: '801' } }),
    ]);
    expect(readField(signOn!, 'request', key('original.11'), undefined).problem).toMatch(
      /no original-data rule for 1804/,
    );
  });

  it('reads the response side and the MAC wherever it sits', () => {
    const v = hosts.get('harbor-bank@2025.1');
    const { request, response } = sale87('000001');
    const [m] = observe(v, [ex(1, { ...request, fields: { ...request.fields, 64: 'AB' } }, { response })]);
    expect(readField(m!, 'response', key('responseCode'), v)).toMatchObject({
      value: '00',
      where: 'response responseCode (DE39)',
    });
    expect(readField(m!, 'request', key('mac'), v)).toMatchObject({ value: 'AB', where: 'MAC (DE64)' });
  });
});

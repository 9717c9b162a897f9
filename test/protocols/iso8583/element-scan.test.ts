import { describe, expect, it } from 'vitest';
import { elementScan } from '../../../src/protocols/iso8583/element-scan.js';

describe('element scan: the elements a message holds, by number', () => {
  const defined = new Set([2, 3, 4, 11, 41, 64, 65, 100, 128]);
  const scan = elementScan(128, (id) => defined.has(id));

  it('lists the held elements in ascending order, whatever order the object got them in', () => {
    const ids = new Int32Array(128);
    const n = scan({ 128: 'M', 41: 'T', 3: '0', 100: 'x', 11: '1' }, ids);
    expect([...ids.subarray(0, n)]).toEqual([3, 11, 41, 100, 128]);
  });

  it('skips elements set to undefined, and lists none of an empty message', () => {
    const ids = new Int32Array(128);
    expect(scan({ 3: undefined, 4: '1' }, ids)).toBe(1);
    expect(ids[0]).toBe(4);
    expect(scan({}, ids)).toBe(0);
  });

  it('returns minus the first held element the dialect does not define', () => {
    const ids = new Int32Array(128);
    expect(scan({ 3: '0', 7: 'x', 9: 'y' }, ids)).toBe(-7);
    // The bitmap elements themselves are never data.
    expect(scan({ 1: 'x' }, ids)).toBe(-1);
  });

  it('covers a tertiary bitmap up to 192', () => {
    const wide = elementScan(192, (id) => id === 150 || id === 192);
    const ids = new Int32Array(192);
    expect(wide({ 192: 'a', 150: 'b' }, ids)).toBe(2);
    expect([...ids.subarray(0, 2)]).toEqual([150, 192]);
    expect(wide({ 129: 'a' }, ids)).toBe(-129);
  });
});

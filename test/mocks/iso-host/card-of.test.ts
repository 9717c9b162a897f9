import { describe, expect, it } from 'vitest';
import { cardOf } from '../../../src/mocks/iso-host/authorize.js';

const msg = (fields: Record<string, string>) => ({ mti: '0200', fields });

describe('cardOf', () => {
  it('reads PAN and expiry from track 2 with an ASCII or a BCD separator', () => {
    expect(cardOf(msg({ 35: '4761739001010010=30122011143878089' }))).toEqual({
      pan: '4761739001010010',
      expiry: '3012',
    });
    expect(cardOf(msg({ 35: '6212345678901234D3012201' }))).toEqual({
      pan: '6212345678901234',
      expiry: '3012',
    });
  });

  it('ignores a track whose PAN is too short or too long, or whose expiry is not four digits', () => {
    expect(cardOf(msg({ 35: '47617390010=3012' }))).toEqual({});
    expect(cardOf(msg({ 35: `${'4'.repeat(20)}=3012` }))).toEqual({});
    expect(cardOf(msg({ 35: '4761739001010010=30A2' }))).toEqual({});
    expect(cardOf(msg({ 35: '4761739001010010X3012' }))).toEqual({});
  });

  it('prefers DE2 and DE14 over the track', () => {
    expect(cardOf(msg({ 2: '4000000000000002', 14: '2811', 35: '4761739001010010=3012' }))).toEqual({
      pan: '4000000000000002',
      expiry: '2811',
    });
  });
});

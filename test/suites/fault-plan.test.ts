import { describe, expect, it } from 'vitest';
import { IsoFaultSet } from '../../src/mocks/faults/index.js';
import { faultForVersion, faultsFor } from '../../src/suites/fault-plan.js';
import { hosts } from './support/world.js';

describe('scenario faults per host version', () => {
  it('scope.kind becomes the MTIs (and processing codes) of that kind on each version', () => {
    const noAnswer = { fault: 'no-response', scope: { kind: 'sale' as const, nth: [1] } };
    expect(faultForVersion(noAnswer, hosts.get('harbor-bank@2019.4')).scope).toEqual({
      mti: ['0200'],
      processingCode: ['00'],
      nth: [1],
    });
    expect(faultForVersion(noAnswer, hosts.get('harbor-bank@2025.1')).scope).toEqual({
      mti: ['1200'],
      processingCode: ['00'],
      nth: [1],
    });
    expect(
      faultForVersion(
        { fault: 'latency', scope: { kind: ['reversal', 'reversal-repeat'] } },
        hosts.get('harbor-bank@2025.1'),
      ).scope,
    ).toEqual({
      mti: ['1420', '1421'],
    });
    // A message whose own kind is the one asked for cannot be narrowed by processing code.
    expect(
      faultForVersion({ fault: 'latency', scope: { kind: 'reversal' } }, hosts.get('harbor-bank@2019.4'))
        .scope,
    ).toEqual({
      mti: ['0400', '0420'],
    });
  });

  it('keeps the scenario’s own scope keys, drops `on`, and refuses a kind the version lacks', () => {
    const v = hosts.get('lotus-acquirer@2024.1');
    expect(
      faultForVersion(
        { fault: 'latency', on: 'backup', scope: { kind: 'refund', processingCode: ['2000'] } },
        v,
      ),
    ).toEqual({
      fault: 'latency',
      scope: { mti: ['0220'], processingCode: ['2000'] },
    });
    expect(() =>
      faultForVersion({ fault: 'latency', scope: { kind: 'batch-upload' } }, hosts.get('harbor-bank@2025.1')),
    ).toThrow('host harbor-bank@2025.1 has no message of kind batch-upload for fault latency');
  });

  it('splits the list by host instance, and the result is a valid fault set', () => {
    const v = hosts.get('harbor-bank@2022.2');
    const faults = [
      { fault: 'latency', params: { delayMs: 10 } },
      { fault: 'host-down', on: 'backup' as const },
      { fault: 'wrong-stan', scope: { kind: 'sale' as const } },
    ];
    expect(faultsFor(faults, 'primary', v).map((f) => f.fault)).toEqual(['latency', 'wrong-stan']);
    expect(faultsFor(faults, 'backup', v)).toEqual([{ fault: 'host-down' }]);
    expect(new IsoFaultSet(faultsFor(faults, 'primary', v)).list().map((f) => f.id)).toEqual([
      'latency',
      'wrong-stan',
    ]);
  });
});

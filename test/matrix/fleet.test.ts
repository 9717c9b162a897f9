import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFileError } from '../../src/data/data-file-error.js';
import { loadFleet, toFleet } from '../../src/matrix/fleet.js';
import { describeHostImpact, fleetImpact, formatPercent } from '../../src/matrix/fleet-impact.js';
import { workspaceFirmware } from '../../src/terminals/firmware-loader.js';
import { result } from '../report/html/run-fixtures.js';
import { tempDir } from '../support/temp-dir.js';

const root = resolve(import.meta.dirname, '../..');

const fleet = toFleet('fleet.yaml', {
  title: 'test fleet',
  deployments: [
    { build: 'old-1', region: 'north', merchantGroup: 'grocery', terminals: 5200 },
    { build: 'old-1', region: 'south', merchantGroup: 'fuel', terminals: 3400 },
    { build: 'old-2', region: 'north', terminals: 5600 },
    { build: 'new-1', terminals: 6400 },
    { build: 'cup-1', region: 'east', merchantGroup: 'retail', terminals: 25200 },
    { build: 'shelf-1', terminals: 0 },
  ],
});

function writeFleet(text: string): string {
  const file = join(tempDir('pm-fleet-'), 'fleet.yaml');
  writeFileSync(file, text);
  return file;
}

describe('fleet.yaml', () => {
  it('adds up terminals per build and over the fleet', () => {
    expect(fleet.terminalsByBuild.get('old-1')).toBe(8600);
    expect(fleet.totalTerminals).toBe(45_800);
  });

  it('names the file, the JSON path and the problem of a bad line', () => {
    const file = writeFleet(
      'deployments:\n  - { build: a, terminals: 10 }\n  - { build: b, terminals: -3 }\n',
    );
    expect(() => loadFleet(file)).toThrow(DataFileError);
    expect(() => loadFleet(file)).toThrow(`${file} at /deployments/1/terminals: must be >= 0`);
    const extra = writeFleet('deployments:\n  - { build: a, terminals: 10, shop: x }\n');
    expect(() => loadFleet(extra)).toThrow(`${extra} at /deployments/0: unknown property "shop"`);
    const empty = writeFleet('deployments: []\n');
    expect(() => loadFleet(empty)).toThrow(/at \/deployments: must NOT have fewer than 1 items/);
  });

  it('rejects a build the catalogue does not have, listing the known ones', () => {
    const file = writeFleet(
      'deployments:\n  - { build: a, terminals: 1 }\n  - { build: typo, terminals: 2 }\n',
    );
    expect(() => loadFleet(file, { knownBuilds: ['a', 'b'] })).toThrow(
      `${file} at /deployments/1/build: unknown firmware build "typo"; known: a, b`,
    );
  });

  it('the sample fleet at the repository root names only builds of the built-in catalogue', () => {
    const known = workspaceFirmware(root)
      .list()
      .map((b) => b.id);
    const sample = loadFleet(join(root, 'fleet.yaml'), { knownBuilds: known });
    expect(sample.totalTerminals).toBeGreaterThan(0);
    expect(sample.terminalsByBuild.size).toBeGreaterThanOrEqual(4);
  });
});

describe('fleet impact', () => {
  const results = [
    result({ firmware: 'old-1', hv: 'harbor-bank@2025.1', scenario: 'sale', status: 'fail' }),
    result({ firmware: 'old-1', hv: 'harbor-bank@2025.1', scenario: 'void', status: 'fail' }),
    result({ firmware: 'old-2', hv: 'harbor-bank@2025.1', scenario: 'sale', status: 'error' }),
    result({ firmware: 'new-1', hv: 'harbor-bank@2025.1', scenario: 'sale', status: 'pass' }),
    result({ firmware: 'new-1', hv: 'harbor-bank@2025.1', scenario: 'void', status: 'flaky' }),
    result({ firmware: 'old-1', hv: 'harbor-bank@2019.4', scenario: 'sale', status: 'pass' }),
    result({ firmware: 'new-1', hv: 'harbor-bank@2019.4', scenario: 'sale', status: 'n/a' }),
    result({ firmware: 'lab-only', hv: 'harbor-bank@2019.4', scenario: 'sale', status: 'fail' }),
  ];

  it('weighs each host version by the terminals of the fleet builds it breaks', () => {
    const impact = fleetImpact(results, fleet);
    const h2025 = impact.hosts.find((h) => h.hostVersion === 'harbor-bank@2025.1')!;
    expect(h2025.builds).toEqual([
      { build: 'old-1', terminals: 8600, cells: 2 },
      { build: 'old-2', terminals: 5600, cells: 1 },
    ]);
    expect(h2025.terminals).toBe(14_200);
    expect(h2025.percent).toBeCloseTo((14_200 * 100) / 45_800, 6);
    expect(h2025.byRegion).toEqual({ north: 10_800, south: 3400 });
    expect(h2025.byMerchantGroup).toEqual({ grocery: 5200, fuel: 3400, '(none)': 5600 });
    expect(h2025.played).toEqual(['new-1', 'old-1', 'old-2']);
    expect(describeHostImpact(h2025)).toBe(
      'harbor-bank@2025.1 breaks 2 builds = 14,200 terminals, 31% of the fleet',
    );
    // A build outside the fleet breaking counts for nothing; fleet builds not played are unknown.
    const h2019 = impact.hosts.find((h) => h.hostVersion === 'harbor-bank@2019.4')!;
    expect(h2019.terminals).toBe(0);
    expect(describeHostImpact(h2019)).toBe(
      "harbor-bank@2019.4 breaks no fleet build (2 of the fleet's builds played)",
    );
    expect(impact.notRun).toEqual(['cup-1', 'shelf-1']);
  });

  it('counts only the statuses it is told break a build', () => {
    const onlyFail = fleetImpact(results, fleet, { statuses: ['fail'] });
    expect(onlyFail.hosts[0]!.builds.map((b) => b.build)).toEqual(['old-1']);
    const flakyToo = fleetImpact(results, fleet, { statuses: ['fail', 'error', 'flaky'] });
    expect(flakyToo.hosts[0]!.terminals).toBe(8600 + 5600 + 6400);
  });

  it('formats shares without rounding a few terminals to 0% or most to 100%', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.4)).toBe('<1%');
    expect(formatPercent(31.004)).toBe('31%');
    expect(formatPercent(99.6)).toBe('>99%');
    expect(formatPercent(100)).toBe('100%');
  });
});

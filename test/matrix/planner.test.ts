import { describe, expect, it } from 'vitest';
import { planCells } from '../../src/matrix/planner.js';
import { fakeCatalogue } from './support/fake-catalogue.js';

const pairs = (cells: ReturnType<typeof planCells>) => [
  ...new Set(cells.map((p) => `${p.cell.firmware} × ${p.cell.host}@${p.cell.version}`)),
];

describe('planCells', () => {
  const plan = planCells(fakeCatalogue());

  it('plans builds × host versions × scenarios in a fixed order, only where protocol families meet', () => {
    expect(pairs(plan)).toEqual([
      'iso-b-only × bank-b@1.0',
      'iso-basic × bank-a@1.0',
      'iso-basic × bank-a@2.0',
      'iso-basic × bank-b@1.0',
      'iso-full × bank-a@1.0',
      'iso-full × bank-a@2.0',
      'iso-full × bank-b@1.0',
      'rest-pos × nimbus-pay@2023-10-16',
      'rest-pos × nimbus-pay@2024-06-15',
    ]);
    expect(plan).toHaveLength(9 * 5);
    expect(plan.slice(0, 5).map((p) => p.cell.key)).toEqual([
      'iso-b-only|bank-b@1.0|core/idempotent-retry',
      'iso-b-only|bank-b@1.0|core/refund',
      'iso-b-only|bank-b@1.0|core/sale',
      'iso-b-only|bank-b@1.0|network/saf-drain',
      'iso-b-only|bank-b@1.0|network/timeout-reversal',
    ]);
    expect(new Set(plan.map((p) => p.cell.key)).size).toBe(plan.length);
    expect(planCells(fakeCatalogue())).toEqual(plan);
  });

  it('marks capability gaps and family restrictions n/a with the reason, and plans the rest to run', () => {
    const na = (key: string) => plan.find((p) => p.cell.key === key)?.notApplicable;
    expect(na('iso-full|bank-a@1.0|core/sale')).toBeUndefined();
    expect(na('iso-full|bank-a@1.0|network/saf-drain')).toBeUndefined();
    expect(na('iso-basic|bank-a@1.0|core/refund')).toEqual([
      { kind: 'capability', message: 'iso-basic lacks refund (required by core/refund)', expected: 'refund' },
    ]);
    expect(na('iso-full|bank-a@1.0|core/idempotent-retry')?.map((r) => r.kind)).toEqual([
      'protocol',
      'capability',
    ]);
    expect(na('iso-full|bank-a@1.0|core/idempotent-retry')?.[0]?.message).toBe(
      'core/idempotent-retry is for rest builds; iso-full speaks iso8583',
    );
    expect(na('rest-pos|nimbus-pay@2024-06-15|network/saf-drain')?.map((r) => r.kind)).toEqual([
      'protocol',
      'capability',
    ]);
    expect(na('rest-pos|nimbus-pay@2024-06-15|core/idempotent-retry')).toBeUndefined();
    const runnable = plan.filter((p) => !p.notApplicable).length;
    expect(runnable).toBe(4 + 1 * 3 + 4 * 3 + 3 * 2);
  });

  it('filters by build id or glob, host or host@version, suite or suite/scenario', () => {
    const p = planCells(fakeCatalogue(), {
      firmware: ['iso-b*', 'rest-pos'],
      hosts: ['bank-a@2.0', 'nimbus-pay'],
      suites: ['core/sale', 'network'],
    });
    expect(pairs(p)).toEqual([
      'iso-basic × bank-a@2.0',
      'rest-pos × nimbus-pay@2023-10-16',
      'rest-pos × nimbus-pay@2024-06-15',
    ]);
    expect([...new Set(p.map((c) => `${c.cell.suite}/${c.cell.scenario}`))]).toEqual([
      'core/sale',
      'network/saf-drain',
      'network/timeout-reversal',
    ]);
    expect(pairs(planCells(fakeCatalogue(), { hosts: ['bank-a@latest'] }))).toEqual([
      'iso-basic × bank-a@2.0',
      'iso-full × bank-a@2.0',
    ]);
  });

  it('refuses filters that name nothing, listing what exists', () => {
    expect(() => planCells(fakeCatalogue(), { firmware: ['nope*'] })).toThrow(
      'no firmware build matches "nope*" (builds: iso-b-only, iso-basic, iso-full, rest-pos)',
    );
    expect(() => planCells(fakeCatalogue(), { hosts: ['bank-c'] })).toThrow(
      /unknown host "bank-c" \(did you mean "bank-a"\?\) \(hosts: bank-a/,
    );
    expect(() => planCells(fakeCatalogue(), { hosts: ['treasury'] })).toThrow(
      /unknown host "treasury" \(hosts: /,
    );
    expect(() => planCells(fakeCatalogue(), { hosts: ['bank-a@9'] })).toThrow(
      'unknown version "9" of host bank-a (versions: 1.0, 2.0)',
    );
    expect(() => planCells(fakeCatalogue(), { suites: ['upgrade'] })).toThrow(/unknown suite "upgrade"/);
    // A plain id a typo away says which one it meant; a glob that matches nothing does not guess.
    expect(() => planCells(fakeCatalogue(), { firmware: ['iso-basik'] })).toThrow(
      'no firmware build matches "iso-basik" (did you mean "iso-basic"?) (builds: ',
    );
    expect(() => planCells(fakeCatalogue(), { firmware: ['iso-basik*'] })).toThrow(
      'no firmware build matches "iso-basik*" (builds: ',
    );
    expect(() => planCells(fakeCatalogue(), { suites: ['cor'] })).toThrow(
      /^unknown suite "cor" \(did you mean "core"\?\) \(suites: /,
    );
    expect(() => planCells(fakeCatalogue(), { suites: ['core/refnd'] })).toThrow(
      'unknown scenario "refnd" in suite core (did you mean "refund"?) (scenarios: ',
    );
    expect(() => planCells(fakeCatalogue(), { suites: ['core/void'] })).toThrow(
      'unknown scenario "void" in suite core (scenarios: sale, refund, idempotent-retry)',
    );
  });
});

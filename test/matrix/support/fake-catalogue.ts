import type { CellResult } from '../../../src/matrix/cell.js';
import type { PlanCatalogue } from '../../../src/matrix/planner.js';
import type { CellRunner } from '../../../src/matrix/scheduler.js';
import type { ScenarioInfo, SuiteInfo } from '../../../src/suites/suite-registry.js';

/** A small catalogue for planner and runner tests: two ISO banks, one REST gateway, four builds, two suites. */
export function fakeCatalogue(): PlanCatalogue {
  const scenario = (suite: string, id: string, extra: Partial<ScenarioInfo> = {}): ScenarioInfo => ({
    id,
    suite,
    title: `${id} title`,
    why: 'because',
    tags: [],
    requires: [],
    families: ['iso8583', 'rest'],
    file: `suites/${suite}/${id}.yaml`,
    ...extra,
  });
  const suites: SuiteInfo[] = [
    {
      id: 'network',
      title: 'Network',
      description: '',
      scenarios: [
        scenario('network', 'timeout-reversal', { requires: ['reversal'], tags: ['network'] }),
        scenario('network', 'saf-drain', { requires: ['saf'], families: ['iso8583'] }),
      ],
    },
    {
      id: 'core',
      title: 'Core',
      description: '',
      scenarios: [
        scenario('core', 'sale', { requires: ['sale'], tags: ['critical'] }),
        scenario('core', 'refund', { requires: ['refund'] }),
        scenario('core', 'idempotent-retry', { requires: ['sale', 'idempotency'], families: ['rest'] }),
      ],
    },
  ];
  return {
    hosts: {
      list: () => [
        { id: 'nimbus-pay', kind: 'rest', versions: [{ version: '2023-10-16' }, { version: '2024-06-15' }] },
        { id: 'bank-b', kind: 'iso8583', versions: [{ version: '1.0' }] },
        { id: 'bank-a', kind: 'iso8583', versions: [{ version: '1.0' }, { version: '2.0' }] },
      ],
    },
    firmware: {
      list: () => [
        {
          id: 'iso-full',
          protocol: { family: 'iso8583' },
          capabilities: ['sale', 'refund', 'reversal', 'saf'],
        },
        { id: 'iso-basic', protocol: { family: 'iso8583' }, capabilities: ['sale'] },
        {
          id: 'iso-b-only',
          protocol: { family: 'iso8583' },
          capabilities: ['sale', 'refund'],
          acquirers: ['bank-b'],
        },
        {
          id: 'rest-pos',
          protocol: { family: 'rest' },
          capabilities: ['sale', 'refund', 'reversal', 'idempotency'],
        },
      ],
    },
    suites: { list: () => suites },
  };
}

/**
 * A cell runner that needs no hosts: the outcome is a function of the cell only — `bank-a@2.0`
 * breaks refunds of every build — after `delayMs` (or per cell).
 */
export function fakeRunner(delayMs: number | ((key: string) => number) = 0): CellRunner {
  return async (cell, options) => {
    const ms = typeof delayMs === 'function' ? delayMs(cell.key) : delayMs;
    const started = Date.now();
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    const broken = cell.host === 'bank-a' && cell.version === '2.0' && cell.scenario === 'refund';
    const result: CellResult = {
      ...cell,
      status: broken ? 'fail' : 'pass',
      reasons: broken
        ? [
            {
              kind: 'violation',
              message: `host ${cell.host}@${cell.version} rejected 0200: DE22 expected an12 <"&'>`,
              step: 0,
            },
          ]
        : [],
      title: `${cell.scenario} title`,
      tags: [],
      durationMs: Date.now() - started,
      finishedAt: new Date().toISOString(),
      seed: options.seed,
    };
    return result;
  };
}

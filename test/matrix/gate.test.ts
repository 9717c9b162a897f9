import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFileError } from '../../src/data/data-file-error.js';
import type { CellResult } from '../../src/matrix/cell.js';
import { toFleet } from '../../src/matrix/fleet.js';
import { evaluateGate, type GateReason, type GateVerdict, parseKey } from '../../src/matrix/gate.js';
import {
  DEFAULT_POLICY,
  type GatePolicy,
  type GateRule,
  loadGatePolicy,
} from '../../src/matrix/gate-policy.js';
import { result } from '../report/html/run-fixtures.js';
import { tempDir } from '../support/temp-dir.js';

const root = resolve(import.meta.dirname, '../..');

const fleet = toFleet('fleet.yaml', {
  deployments: [
    { build: 'old-1', region: 'north', terminals: 6000 },
    { build: 'old-2', region: 'south', terminals: 3000 },
    { build: 'new-1', terminals: 1000 },
  ],
});

// old-1 breaks on bank@2 in a critical scenario; old-2 only in a minor one; new-1 passes; lab-1 is not in the fleet.
const results: CellResult[] = [
  result({ firmware: 'old-1', hv: 'bank@1', scenario: 'sale', status: 'pass', tags: ['critical'] }),
  result({ firmware: 'old-1', hv: 'bank@1', scenario: 'tip', status: 'pass' }),
  result({ firmware: 'old-1', hv: 'bank@2', scenario: 'sale', status: 'fail', tags: ['critical'] }),
  result({ firmware: 'old-1', hv: 'bank@2', scenario: 'tip', status: 'pass' }),
  result({ firmware: 'old-2', hv: 'bank@1', scenario: 'sale', status: 'pass', tags: ['critical'] }),
  result({ firmware: 'old-2', hv: 'bank@2', scenario: 'sale', status: 'flaky', tags: ['critical'] }),
  result({ firmware: 'old-2', hv: 'bank@2', scenario: 'tip', status: 'fail' }),
  result({ firmware: 'new-1', hv: 'bank@2', scenario: 'sale', status: 'pass', tags: ['critical'] }),
  result({ firmware: 'new-1', hv: 'bank@2', scenario: 'tip', status: 'n/a' }),
  result({ firmware: 'lab-1', hv: 'bank@2', scenario: 'sale', status: 'error', tags: ['critical'] }),
];

function gate(
  rules: GateRule[],
  extra: Partial<Omit<GatePolicy, 'rules'>> & { baseline?: CellResult[] } = {},
) {
  const { baseline, ...policy } = extra;
  return evaluateGate({
    policy: { ...policy, rules },
    policyFile: 'gate.yaml',
    results,
    fleet,
    ...(baseline ? { baseline } : {}),
  });
}
const kinds = (v: GateVerdict) => v.reasons.map((r) => r.kind);
const cellsOf = (v: GateVerdict) =>
  v.reasons.map((r) => ('scenario' in r ? `${r.build}|${r.host}@${r.version}|${r.scenario}` : r.kind));

describe('must-pass', () => {
  it('fails on each selected cell that failed or errored, naming build, host version, scenario and why', () => {
    const v = gate([{ rule: 'must-pass', tags: ['critical'] }]);
    expect(v.verdict).toBe('no-go');
    expect(cellsOf(v)).toEqual(['old-1|bank@2|core/sale', 'lab-1|bank@2|core/sale']);
    expect(v.reasons[0]).toMatchObject({
      kind: 'not-passing',
      rule: 0,
      build: 'old-1',
      host: 'bank',
      version: '2',
      scenario: 'core/sale',
      status: 'fail',
      why: 'sale on bank@2: fail',
    });
    expect(v.rules[0]!.summary).toBe('2 of 6 applicable cells did not pass');
  });

  it('selects fleet builds, target host versions and tags; n/a and (by default) flaky pass', () => {
    // Only the fleet's builds: lab-1's error does not count.
    expect(cellsOf(gate([{ rule: 'must-pass', tags: ['critical'], builds: 'fleet' }]))).toEqual([
      'old-1|bank@2|core/sale',
    ]);
    // bank@1 is the target: everything passes there.
    const go = gate([{ rule: 'must-pass', builds: 'fleet' }], { targets: ['bank@1'] });
    expect(go.verdict).toBe('go');
    expect(go.rules[0]).toMatchObject({ outcome: 'pass', summary: '3 applicable cells passed', reasons: [] });
    // Every scenario, not only critical: old-2's minor failure counts now.
    expect(cellsOf(gate([{ rule: 'must-pass', builds: 'fleet' }]))).toEqual([
      'old-1|bank@2|core/sale',
      'old-2|bank@2|core/tip',
    ]);
    // Flaky is a failure when the policy says so.
    expect(
      cellsOf(gate([{ rule: 'must-pass', builds: ['old-2'], tags: ['critical'], allowFlaky: false }])),
    ).toEqual(['old-2|bank@2|core/sale']);
  });

  it('selects builds and host versions by glob, and suites by id or suite/scenario', () => {
    expect(cellsOf(gate([{ rule: 'must-pass', builds: ['old-*'], hosts: ['bank@2'] }]))).toEqual([
      'old-1|bank@2|core/sale',
      'old-2|bank@2|core/tip',
    ]);
    expect(gate([{ rule: 'must-pass', hosts: ['bank@1*'] }]).verdict).toBe('go');
    expect(gate([{ rule: 'must-pass', hosts: ['ban?'], suites: ['core/tip'] }]).reasons).toHaveLength(1);
    expect(gate([{ rule: 'must-pass', suites: ['core/sale'] }]).reasons).toHaveLength(2);
  });

  it('a fleet build or target host version that was not played is a no-go: nothing shows it works', () => {
    const wider = toFleet('fleet.yaml', {
      deployments: [...fleet.deployments, { build: 'forgotten-1', terminals: 500 }],
    });
    const v = evaluateGate({
      policy: {
        targets: ['bank@2', 'bank@3'],
        rules: [{ rule: 'must-pass', builds: 'fleet', tags: ['critical'] }],
      },
      results,
      fleet: wider,
    });
    expect(v.reasons.filter((r) => r.kind !== 'not-passing')).toEqual([
      expect.objectContaining({ kind: 'build-not-run', build: 'forgotten-1' }),
      expect.objectContaining({ kind: 'target-not-run', target: 'bank@3' }),
    ]);
  });

  it('counts planned cells without a result when their scenario is selected', () => {
    const v = evaluateGate({
      policy: { rules: [{ rule: 'must-pass', builds: ['new-1'], tags: ['critical'] }] },
      results,
      missing: ['new-1|bank@1|core/sale', 'new-1|bank@1|core/tip', 'old-1|bank@1|core/sale'],
    });
    expect(v.reasons).toEqual([
      expect.objectContaining({ kind: 'missing-result', key: 'new-1|bank@1|core/sale', build: 'new-1' }),
    ]);
  });

  it('builds: fleet without a fleet is a policy error naming the rule', () => {
    expect(() =>
      evaluateGate({
        policy: { rules: [{ rule: 'must-pass', builds: 'fleet' }] },
        policyFile: 'g.yaml',
        results,
      }),
    ).toThrow(
      new DataFileError(
        'g.yaml',
        '/rules/0',
        'builds: fleet, but no fleet was given (fleet: in the policy, --fleet, or fleet.yaml in the workspace)',
      ),
    );
  });
});

describe('complete', () => {
  it('passes when every planned cell has a result, else lists the missing ones', () => {
    expect(gate([{ rule: 'complete' }]).verdict).toBe('go');
    const v = evaluateGate({
      policy: { rules: [{ rule: 'complete' }] },
      results,
      missing: ['old-1|bank@3|core/sale'],
    });
    expect(v.verdict).toBe('no-go');
    expect(v.reasons).toEqual([
      {
        kind: 'missing-result',
        key: 'old-1|bank@3|core/sale',
        build: 'old-1',
        host: 'bank',
        version: '3',
        scenario: 'core/sale',
        rule: 0,
        ruleName: 'complete',
        message: 'old-1|bank@3|core/sale: planned but has no result',
      },
    ]);
    expect(v.rules[0]!.summary).toMatch(/^1 of 11 planned cells have no result/);
  });
});

describe('max-terminals-affected', () => {
  it('fails a host version whose broken fleet builds exceed the share of terminals', () => {
    // bank@2 breaks old-1 (fail) and old-2 (fail in tip) = 9,000 of 10,000 terminals.
    const v = gate([{ rule: 'max-terminals-affected', percent: 50 }]);
    expect(v.verdict).toBe('no-go');
    const r = v.reasons[0] as Extract<GateReason, { kind: 'terminals-affected' }>;
    expect(r).toMatchObject({
      kind: 'terminals-affected',
      hostVersion: 'bank@2',
      terminals: 9000,
      percent: 90,
    });
    expect(r.builds.map((b) => b.build)).toEqual(['old-1', 'old-2']);
    expect(r.message).toBe(
      'bank@2 breaks 2 builds = 9,000 terminals, 90% of the fleet (old-1: 6,000, old-2: 3,000); limit 50% of the fleet',
    );
  });

  it('holds at the limit and fails just above it, by percent and by terminals', () => {
    expect(gate([{ rule: 'max-terminals-affected', percent: 90 }]).verdict).toBe('go');
    expect(gate([{ rule: 'max-terminals-affected', percent: 89.9 }]).verdict).toBe('no-go');
    expect(gate([{ rule: 'max-terminals-affected', terminals: 9000 }]).verdict).toBe('go');
    expect(gate([{ rule: 'max-terminals-affected', terminals: 8999 }]).verdict).toBe('no-go');
  });

  it('narrows what breaks a build by tags and statuses', () => {
    // Critical scenarios only: old-2's failure is in a minor one, so 6,000 terminals.
    const critical = gate([{ rule: 'max-terminals-affected', tags: ['critical'], percent: 60 }]);
    expect(critical.verdict).toBe('go');
    expect(critical.rules[0]!.summary).toBe(
      'worst: bank@2 breaks 1 build = 6,000 terminals, 60% of the fleet (limit 60% of the fleet)',
    );
    expect(
      gate([{ rule: 'max-terminals-affected', tags: ['critical'], statuses: ['fail', 'flaky'], percent: 60 }])
        .verdict,
    ).toBe('no-go');
    // Only the target host version counts.
    expect(gate([{ rule: 'max-terminals-affected', terminals: 0 }], { targets: ['bank@1'] }).verdict).toBe(
      'go',
    );
  });

  it('needs a fleet', () => {
    expect(() =>
      evaluateGate({
        policy: { rules: [{ rule: 'max-terminals-affected', percent: 5 }] },
        policyFile: 'g.yaml',
        results,
      }),
    ).toThrow(/g\.yaml at \/rules\/0: the rule weighs failures by the fleet, but no fleet was given/);
  });
});

describe('no-errors', () => {
  it('fails on cells that could not be played', () => {
    const v = gate([{ rule: 'no-errors' }]);
    expect(kinds(v)).toEqual(['cell-error']);
    expect(v.reasons[0]).toMatchObject({
      build: 'lab-1',
      scenario: 'core/sale',
      why: 'sale on bank@2: error',
    });
    expect(gate([{ rule: 'no-errors', builds: 'fleet' }]).verdict).toBe('go');
  });
});

describe('selectors that select nothing', () => {
  it('a typo in a selector is a no-go naming the entry and what it likely meant, never a GO on 0 cells', () => {
    const v = gate(
      [
        { rule: 'no-regressions', hosts: ['bank@3'] },
        { rule: 'no-errors', builds: ['lab-l'], suites: ['netwrok'] },
        { rule: 'must-pass', builds: ['neww-*'], tags: ['critcal'] },
      ],
      { baseline: results },
    );
    expect(v.verdict).toBe('no-go');
    expect(v.reasons.filter((r) => r.kind === 'selects-nothing').map((r) => r.message)).toEqual([
      'hosts entry "bank@3" matches no host version (did you mean "bank@1"?) in this run',
      'builds entry "lab-l" matches no build (did you mean "lab-1"?) in this run',
      'suites entry "netwrok" matches no suite or scenario in this run',
      'builds entry "neww-*" matches no build (did you mean "new-1"?) in this run',
      'tags entry "critcal" matches no scenario tag (did you mean "critical"?) in this run',
    ]);
    expect(v.rules.map((r) => r.outcome)).toEqual(['fail', 'fail', 'fail']);
    expect(v.rules[1]!.summary).toMatch(/; 2 selector entries select nothing$/);
  });

  it('entries that each match something but have no cell in common fail the rule too', () => {
    const v = gate([{ rule: 'no-errors', builds: ['lab-1'], hosts: ['bank@1'] }]);
    expect(v.verdict).toBe('no-go');
    expect(v.reasons).toEqual([
      expect.objectContaining({
        kind: 'selects-nothing',
        field: 'selection',
        message:
          'the rule selects no cell of this run: its builds, hosts, suites and tags have none in common',
      }),
    ]);
  });

  it("a typo in the policy's targets fails every rule that gates the targets", () => {
    const v = gate(
      [
        { rule: 'no-errors', builds: 'fleet' },
        { rule: 'no-regressions', hosts: 'all' },
      ],
      {
        targets: ['bnak@2'],
        baseline: results,
      },
    );
    expect(v.rules.map((r) => r.outcome)).toEqual(['fail', 'pass']);
    expect(v.reasons[0]).toMatchObject({ kind: 'selects-nothing', field: 'targets', entry: 'bnak@2' });
  });
});

describe('the verdict', () => {
  it('is go only when no rule fails; a skipped rule does not count', () => {
    const v = gate([
      { rule: 'complete' },
      { rule: 'no-regressions' },
      { rule: 'no-errors', builds: 'fleet' },
    ]);
    expect(v.verdict).toBe('go');
    expect(v.rules.map((r) => r.outcome)).toEqual(['pass', 'skip', 'pass']);
    const bad = gate([{ rule: 'complete' }, { rule: 'no-errors', name: 'every cell playable' }]);
    expect(bad.verdict).toBe('no-go');
    expect(bad.rules[1]).toMatchObject({ outcome: 'fail', name: 'every cell playable' });
    expect(bad.reasons[0]!.ruleName).toBe('every cell playable');
  });

  it('the default policy wants a complete run and critical scenarios passing', () => {
    const v = evaluateGate({ policy: DEFAULT_POLICY, results });
    expect(v.rules.map((r) => [r.rule, r.outcome])).toEqual([
      ['complete', 'pass'],
      ['must-pass', 'fail'],
      ['no-regressions', 'skip'],
    ]);
  });

  it('parses a cell key into build, host, version and scenario', () => {
    expect(parseKey('fw-1.2|lotus-acquirer@2024.1|core/sale')).toEqual({
      build: 'fw-1.2',
      host: 'lotus-acquirer',
      version: '2024.1',
      scenario: 'core/sale',
    });
  });
});

describe('gate.yaml', () => {
  const write = (text: string) => {
    const file = join(tempDir('pm-gate-'), 'gate.yaml');
    writeFileSync(file, text);
    return file;
  };

  it('the example policy at the repository root is valid', () => {
    const p = loadGatePolicy(join(root, 'gate.yaml'));
    expect(p.rules.map((r) => r.rule)).toContain('must-pass');
    expect(p.fleet).toBe('fleet.yaml');
  });

  it('names the file, the JSON path and the problem', () => {
    const unknownRule = write('rules:\n  - rule: complete\n  - rule: must-pas\n');
    expect(() => loadGatePolicy(unknownRule)).toThrow(
      `${unknownRule} at /rules/1/rule: must be one of "complete", "must-pass", "no-regressions", "max-terminals-affected", "no-errors"`,
    );
    const unknownKey = write('rules:\n  - rule: must-pass\n    tagz: [critical]\n');
    expect(() => loadGatePolicy(unknownKey)).toThrow(`${unknownKey} at /rules/0: unknown property "tagz"`);
    const badValue = write('rules:\n  - rule: max-terminals-affected\n    percent: 120\n');
    expect(() => loadGatePolicy(badValue)).toThrow(`${badValue} at /rules/0/percent: must be <= 100`);
    const noLimit = write('rules:\n  - rule: max-terminals-affected\n');
    expect(() => loadGatePolicy(noLimit)).toThrow(`${noLimit} at /rules/0: needs percent, terminals or both`);
    const noRules = write('title: x\n');
    expect(() => loadGatePolicy(noRules)).toThrow(`${noRules} at /: missing property "rules"`);
    const badYaml = write('rules: [\n');
    expect(() => loadGatePolicy(badYaml)).toThrow(/invalid YAML/);
  });

  it('tells every problem of a policy at once, one line each', () => {
    const several = write('rules:\n  - rule: must-pas\n  - rule: max-terminals-affected\n    percent: 120\n');
    expect(() => loadGatePolicy(several)).toThrow(
      [
        `${several} at /rules/0/rule: must be one of "complete", "must-pass", "no-regressions", "max-terminals-affected", "no-errors" (did you mean "must-pass"?)`,
        `${several} at /rules/1/percent: must be <= 100`,
      ].join('\n'),
    );
  });
});

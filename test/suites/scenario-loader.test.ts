import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFileError } from '../../src/data/data-file-error.js';
import type { TransactionStep } from '../../src/suites/scenario.js';
import { loadScenarioFile, toMinor } from '../../src/suites/scenario-loader.js';
import { builtinSuitesDir, loadSuites } from '../../src/suites/suite-loader.js';
import { tempDir } from '../support/temp-dir.js';
import { cards } from './support/world.js';

const root = tempDir('paymatrix-scenarios-');

let n = 0;
/** Writes a scenario (id = file name) and loads it. */
function load(body: string) {
  const id = `s${++n}`;
  const file = join(root, `${id}.yaml`);
  writeFileSync(file, `id: ${id}\ntitle: T\nwhy: W\n${body}`);
  return loadScenarioFile(file, 'test', { cards });
}
function error(body: string): { path: string; problem: string; file: string } {
  try {
    load(body);
  } catch (err) {
    if (err instanceof DataFileError) return { path: err.path, problem: err.problem, file: err.file };
    throw err;
  }
  throw new Error('loaded without an error');
}

const card = 'given: { card: visa-credit-chip }\n';

describe('scenario files', () => {
  it('a violation rule no host names is refused, with the one it likely meant', () => {
    expect(
      error(`${card}when: [{ sale: 25.00 }]\nthen: { violations: [{ rule: mandatory-feild }] }\n`),
    ).toMatchObject({
      path: '/then/violations/0/rule',
      problem: expect.stringMatching(
        /^no host names a violation "mandatory-feild" \(did you mean "mandatory-field"\?\); ISO 8583 hosts name mandatory-field, /,
      ),
    });
    expect(() =>
      load(`${card}when: [{ sale: 25.00 }]\nthen: { violations: [{ rule: minLength }] }\n`),
    ).not.toThrow();
  });

  it('an unfault of an id never added lists the ids the scenario added, not internal ones', () => {
    expect(
      error(
        `${card}when: [{ unfault: nothere }, { host: down }, { sale: 25.00 }]\nthen: { outcomes: approved }\n`,
      ),
    ).toMatchObject({
      path: '/when/0/unfault',
      problem: 'no fault with id "nothere" was added before (none was)',
    });
  });

  it('expands short forms: names, amounts in minor units, originals by index, requires from the steps', () => {
    const s = load(`${card}requires: [reversal]
when:
  - sign-on
  - sale: 25.00
  - { sale: "10.5", ref: second }
  - void: second
  - wait: 200
  - host: down
  - { refund: -1, original: sale-1 }
then:
  outcomes: { sale-1: approved, second: declined, void: { status: approved, code: approved } }
`);
    const tx = s.steps.filter((x): x is TransactionStep => x.kind === 'transaction');
    expect(tx.map((t) => [t.name, t.type, t.amountMinor, t.original, t.index, t.position])).toEqual([
      ['sign-on', 'sign-on', undefined, undefined, 0, 0],
      ['sale-1', 'sale', 2500, undefined, 1, 1],
      ['second', 'sale', 1050, undefined, 2, 2],
      ['void', 'void', undefined, 2, 3, 3],
      ['refund', 'refund', -100, 1, 6, 4],
    ]);
    expect(s.steps[4]).toEqual({ kind: 'wait', index: 4, ms: 200 });
    expect(s.steps[5]).toEqual({ kind: 'host', index: 5, action: 'down', on: 'primary' });
    expect(s.requires).toEqual(['reversal', 'sign-on', 'sale', 'void', 'refund']);
    expect(s.families).toEqual(['iso8583', 'rest']);
    expect([...s.outcomes.keys()]).toEqual([1, 2, 3]);
    expect(s.given).toEqual({
      card: { name: 'visa-credit-chip' },
      signedOn: false,
      backup: false,
      faults: [],
    });
  });

  it('a completion takes the latest pre-auth when it names none; one status applies to every step', () => {
    const s = load(`${card}when: [{ pre-auth: 80 }, { completion: 75 }]\nthen: { outcomes: approved }`);
    expect((s.steps[1] as TransactionStep).original).toBe(0);
    expect([...s.outcomes.values()]).toEqual([{ status: 'approved' }, { status: 'approved' }]);
  });

  it('amounts are exact', () => {
    const fail = (p: string, m: string): never => {
      throw new Error(`${p}: ${m}`);
    };
    expect(toMinor(0.29, '/x', fail)).toBe(29);
    expect(toMinor('999999999999.99', '/x', fail)).toBe(99999999999999);
    expect(() => toMinor('1.234', '/x', fail)).toThrow(
      '/x: "1.234" is not an amount with at most two decimals',
    );
  });

  it.each([
    [
      'a typo in a step',
      `${card}when: [{ sael: 1 }]\nthen: { outcomes: approved }`,
      '/when/0',
      'unknown property "sael"',
    ],
    [
      'two actions in a step',
      `${card}when: [{ sale: 1, refund: 1 }]\nthen: { outcomes: approved }`,
      '/when/0',
      'has sale and refund: one action per step',
    ],
    [
      'an option that does not fit',
      `${card}when: [{ sale: 1, on: backup }]\nthen: { outcomes: approved }`,
      '/when/0/on',
      'does not apply to a sale step (it takes ref, card, currency, timeoutMs)',
    ],
    [
      'a bad amount',
      `${card}when: [{ sale: "1.234" }]\nthen: { outcomes: approved }`,
      '/when/0/sale',
      'must match pattern "^-?[0-9]{1,15}(\\.[0-9]{1,2})?$"',
    ],
    [
      'a void of a later step',
      `${card}when: [{ void: sale }, { sale: 1 }]\nthen: { outcomes: approved }`,
      '/when/0/void',
      '"sale" is not an earlier step (earlier steps: none)',
    ],
    [
      'an ambiguous step name',
      `${card}when: [{ sale: 1 }, { sale: 2 }, { void: sale }]\nthen: { outcomes: approved }`,
      '/when/2/void',
      '"sale" is not an earlier step (earlier steps: sale-1, sale-2)',
    ],
    [
      'a completion with no pre-auth',
      `when: [{ completion: 1 }]\nthen: { outcomes: approved }`,
      '/when/0',
      'a completion needs original: <an earlier pre-auth step>',
    ],
    [
      'a sale with no card',
      `when: [{ sale: 1 }]\nthen: { outcomes: approved }`,
      '/when/0',
      "a sale needs a card: set given.card or this step's card",
    ],
    [
      'an unknown card',
      `given: { card: visa-platinum }\nwhen: [{ sale: 1 }]\nthen: { outcomes: approved }`,
      '/given/card',
      'unknown card "visa-platinum" (known: visa-credit-chip, ',
    ],
    [
      'a backup that is not there',
      `${card}when: [{ host: down, on: backup }]\nthen: { outcomes: approved }`,
      '/when/0/on',
      'there is no backup host: set given.backup: true',
    ],
    [
      'an outcome for no step',
      `${card}when: [{ sale: 1 }]\nthen: { outcomes: { sael: approved } }`,
      '/then/outcomes/sael',
      'is not a step (steps: sale)',
    ],
    [
      'a wrong status',
      `${card}when: [{ sale: 1 }]\nthen: { outcomes: { sale: aproved } }`,
      '/then/outcomes/sale/status',
      'must be one of "approved", "declined", "timed-out", "reversed", "error"',
    ],
    [
      'a wrong status for every step',
      `${card}when: [{ sale: 1 }]\nthen: { outcomes: aproved }`,
      '/then/outcomes',
      'must be one of "approved", "declined"',
    ],
    [
      'an unknown fault name',
      `given: { faults: [{ fault: latncy }] }\nwhen: [sign-on]\nthen: { outcomes: approved }`,
      '/given/faults/0/fault',
      'unknown fault "latncy"',
    ],
    [
      'a bad fault parameter',
      `given: { faults: [{ fault: latency, params: { delayMs: -1 } }] }\nwhen: [sign-on]\nthen: { outcomes: approved }`,
      '/given/faults/0/params/delayMs',
      'must be >= 0',
    ],
    [
      'kind and mti together',
      `given: { faults: [{ fault: latency, scope: { kind: sale, mti: ["0200"] } }] }\nwhen: [sign-on]\nthen: { outcomes: approved }`,
      '/given/faults/0/scope/kind',
      'use kind or mti, not both',
    ],
    [
      'a kind on a connection fault',
      `given: { faults: [{ fault: host-down, params: { mode: reset }, scope: { kind: sale } }] }\nwhen: [sign-on]\nthen: { outcomes: approved }`,
      '/given/faults/0/scope/kind',
      'acts on connections',
    ],
    [
      'an unknown message kind',
      `when: [sign-on]\nthen: { host: { sequence: [{ kind: sael }] } }`,
      '/then/host/sequence/0/kind',
      'must be one of "sign-on"',
    ],
    [
      'an unknown field key',
      `when: [sign-on]\nthen: { host: { sequence: [{ kind: sale, fields: { stann: 1 } }] } }`,
      '/then/host/sequence/0/fields/stann',
      'unknown field key "stann": use a data element',
    ],
    [
      'a typo in a matcher',
      `when: [sign-on]\nthen: { host: { sequence: [{ kind: sale, fields: { stan: { regexp: x } } }] } }`,
      '/then/host/sequence/0/fields/stan',
      'unknown property "regexp"',
    ],
    [
      'a bad regex',
      `when: [sign-on]\nthen: { host: { sequence: [{ kind: sale, fields: { stan: { regex: "(" } } }] } }`,
      '/then/host/sequence/0/fields/stan/regex',
      'not a valid regular expression',
    ],
    [
      'a capture used before it is made',
      `when: [sign-on]\nthen: { host: { sequence: [{ kind: reversal, original: first }, { kind: sale, as: first }] } }`,
      '/then/host/sequence/0/original',
      'no earlier expectation captures "first" (captured so far: none)',
    ],
    [
      'an echo of an unknown capture',
      `when: [sign-on]\nthen: { host: { contains: [{ kind: sale, fields: { 11: { echo: x.11 } } }] } }`,
      '/then/host/contains/0/fields/11/echo',
      'no earlier expectation captures "x"',
    ],
    [
      'a capture in absent',
      `when: [sign-on]\nthen: { host: { absent: [{ kind: sale, as: x }] } }`,
      '/then/host/absent/0/as',
      'only sequence and contains items capture messages',
    ],
    [
      'exact without a sequence',
      `when: [sign-on]\nthen: { host: { exact: true, absent: [{ kind: sale }] } }`,
      '/then/host',
      'exact and ignore apply to a sequence, and there is none',
    ],
    [
      'a step selector for no step',
      `when: [sign-on]\nthen: { host: { counts: [{ step: sale, count: 1 }] } }`,
      '/then/host/counts/0/step',
      'is not a step (steps: sign-on)',
    ],
    [
      'an unknown invariant',
      `when: [sign-on]\nthen: { invariants: { stan-unique: false, mac: false } }`,
      '/then/invariants',
      'unknown property "mac"',
    ],
    ['a missing why', 'when: [sign-on]\nthen: { outcomes: approved }', '', ''],
  ])('%s: file, JSON path and problem', (_what, body, path, problem) => {
    if (problem === '') {
      const file = join(root, 'nowhy.yaml');
      writeFileSync(file, `id: nowhy\ntitle: T\n${body}`);
      expect(() => loadScenarioFile(file, 'test')).toThrow(`${file} at /: missing property "why"`);
      return;
    }
    const e = error(body);
    expect(e.file).toMatch(/\.yaml$/);
    expect(e.path).toBe(path);
    expect(e.problem).toContain(problem);
  });
});

describe('suites', () => {
  const suitesRoot = (name: string, files: Record<string, string>) => {
    const dir = join(root, name);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  };
  const scenario = (id: string, title = 'T') =>
    `id: ${id}\ntitle: ${title}\nwhy: W\nwhen: [sign-on]\nthen: { outcomes: approved }\n`;

  it('the built-in core suite loads, with its title and its scenarios sorted', () => {
    const registry = loadSuites([builtinSuitesDir()], { cards });
    const core = registry.list().find((s) => s.id === 'core')!;
    expect(core.title).toBe('Core transactions');
    const ids = core.scenarios.map((s) => s.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toEqual(expect.arrayContaining(['sale-approved', 'sale-declined', 'sale-void', 'sign-on']));
    expect(registry.get('core/sale-void')).toMatchObject({
      suite: 'core',
      requires: ['sale', 'void'],
      tags: ['critical', 'void'],
    });
  });

  it('a workspace folder overlays scenario by scenario and adds suites', () => {
    const a = suitesRoot('overlay-a', {
      'core/suite.yaml': 'title: Core\n',
      'core/one.yaml': scenario('one'),
      'core/two.yaml': scenario('two'),
    });
    const b = suitesRoot('overlay-b', {
      'core/two.yaml': scenario('two', 'Mine'),
      'core/three.yaml': scenario('three'),
      'extra/x.yaml': scenario('x'),
    });
    const registry = loadSuites([a, b]);
    expect(registry.list().map((s) => [s.id, s.title, s.scenarios.map((x) => `${x.id}:${x.title}`)])).toEqual(
      [
        ['core', 'Core', ['one:T', 'three:T', 'two:Mine']],
        ['extra', 'extra', ['x:T']],
      ],
    );
    expect(() => registry.scenario('core/four')).toThrow(
      'unknown scenario "core/four" (suite core has: one, three, two)',
    );
    expect(() => registry.get('nope/x')).toThrow('unknown suite "nope" (suites: core, extra)');
  });

  it('an id must be its file name; with onError every bad file is reported and left out', () => {
    const dir = suitesRoot('bad', {
      'core/good.yaml': scenario('good'),
      'core/misnamed.yaml': scenario('other'),
      'core/broken.yaml': 'id: broken\ntitle: [',
    });
    expect(() => loadSuites([dir])).toThrow(DataFileError);
    const errors: DataFileError[] = [];
    const registry = loadSuites([dir], { onError: (e) => errors.push(e) });
    expect(errors.map((e) => [e.file.split('/').pop(), e.path, e.problem.split(' (')[0]])).toEqual([
      ['broken.yaml', '', 'invalid YAML'],
      ['misnamed.yaml', '/id', 'is "other" but the file is named misnamed.yaml'],
    ]);
    expect(registry.list()[0]!.scenarios.map((s) => s.id)).toEqual(['good']);
  });
});

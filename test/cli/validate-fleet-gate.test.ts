// `paymatrix validate` also checks the workspace's fleet.yaml (schema, builds that exist) and
// gate.yaml (envelope, each rule, the fleet it names), listing every problem of every file at once.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateWorkspace } from '../../src/cli/validate.js';
import { tempDir } from '../support/temp-dir.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function workspace(files: Record<string, string>): string {
  const ws = tempDir('pm-validate-fleet-');
  dirs.push(ws);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(ws, name), text);
  return ws;
}

const problems = (ws: string) => validateWorkspace(ws).problems.map((p) => p.message);

describe('validate: fleet.yaml and gate.yaml', () => {
  it('reports every unknown build of the fleet and every bad rule of the policy', () => {
    const ws = workspace({
      'fleet.yaml': [
        'deployments:',
        '  - { build: corvid-c400-4.2, terminals: 10 }',
        '  - { build: corvid-c999-9.9, terminals: 5 }',
        '  - { build: nope-1.0, terminals: 1 }',
        '',
      ].join('\n'),
      'gate.yaml': [
        'rules:',
        '  - rule: complete',
        '  - { rule: must-pass, colour: red }',
        '  - rule: max-terminals-affected',
        '  - rule: must-pas',
        '',
      ].join('\n'),
    });
    const found = problems(ws);
    const fleet = join(ws, 'fleet.yaml');
    const gate = join(ws, 'gate.yaml');
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `^${fleet} at /deployments/1/build: unknown firmware build "corvid-c999-9.9"; known: .*corvid-c400-4.2`,
          ),
        ),
        expect.stringContaining(`${fleet} at /deployments/2/build: unknown firmware build "nope-1.0"`),
        `${gate} at /rules/1: unknown property "colour"`,
        `${gate} at /rules/2: needs percent, terminals or both`,
        // A misspelt kind is told too, and does not hide the problems of the other rules.
        expect.stringMatching(
          new RegExp(`^${gate} at /rules/3/rule: must be one of "complete", "must-pass"`),
        ),
      ]),
    );
    expect(found).toHaveLength(5);
  });

  it('a schema error in the fleet, and a policy naming a fleet that is not there', () => {
    const ws = workspace({
      'fleet.yaml': 'deployments:\n  - { build: corvid-c400-4.2, terminals: many }\n',
      'gate.yaml': 'fleet: other-fleet.yaml\nrules: [{ rule: complete }]\n',
    });
    expect(problems(ws)).toEqual([
      `${join(ws, 'gate.yaml')} at /fleet: fleet file not found: ${join(ws, 'other-fleet.yaml')}`,
      `${join(ws, 'fleet.yaml')} at /deployments/0/terminals: must be integer`,
    ]);
  });

  it("checks the fleet a policy names besides the workspace's, and a bad policy envelope", () => {
    const named = workspace({
      'gate.yaml': 'fleet: regions.yaml\nrules: [{ rule: complete }]\n',
      'regions.yaml': 'deployments: [{ build: ghost-0.1, terminals: 3 }]\n',
    });
    expect(problems(named)).toEqual([
      expect.stringContaining(
        `${join(named, 'regions.yaml')} at /deployments/0/build: unknown firmware build "ghost-0.1"`,
      ),
    ]);
    const envelope = workspace({ 'gate.yaml': 'rules: [{ rule: be-nice }]\n' });
    expect(problems(envelope)).toEqual([
      expect.stringMatching(/gate\.yaml at \/rules\/0\/rule: must be one of "complete"/),
    ]);
  });

  it('a good fleet and policy (the built-in ones) pass', () => {
    const root = join(import.meta.dirname, '../..');
    const ws = workspace({
      'fleet.yaml': readFileSync(join(root, 'fleet.yaml'), 'utf8'),
      'gate.yaml': readFileSync(join(root, 'gate.yaml'), 'utf8'),
    });
    expect(problems(ws)).toEqual([]);
  });
});

// The list of violation rules a scenario may expect is kept in step with the code that makes them:
// every rule the mocks write as a literal must be in it.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VIOLATION_RULES } from '../../src/mocks/violation-rules.js';

const root = resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

describe('violation rules', () => {
  it('lists every rule the ISO hosts and gateways name in a violation', () => {
    const named = new Set<string>();
    for (const file of [...sources(join(root, 'src/mocks')), ...sources(join(root, 'src/protocols/rest'))]) {
      const text = readFileSync(file, 'utf8');
      // `rule: 'mac'`, `rule: mandatory ? 'mandatory-field' : 'forbidden-field'`, `const rule = … 'version' : 'route'`
      for (const m of text.matchAll(/\brule(?::| =) ([^,;}\n]+)/g)) {
        // A conditional's values, not what its condition compares with.
        const expr = m[1]!.includes('?') ? m[1]!.slice(m[1]!.indexOf('?')) : m[1]!;
        for (const q of expr.matchAll(/'([a-z][a-z-]*)'/g)) named.add(q[1]!);
      }
    }
    // The scan sees the rules: it would pass vacuously otherwise.
    expect(named).toContain('mandatory-field');
    expect(named).toContain('route');
    expect([...named].filter((r) => !VIOLATION_RULES.has(r))).toEqual([]);
  });
});

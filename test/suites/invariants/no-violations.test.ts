import { describe, expect, it } from 'vitest';
import { noViolations, violationMatches } from '../../../src/suites/invariants/no-violations.js';
import { ex, observe, sale87 } from '../support/messages.js';
import { hosts } from '../support/world.js';

const v = hosts.get('harbor-bank@2022.2');
const missing55 = {
  path: '55',
  rule: 'mandatory-field',
  message: '0200 sale must carry DE55 (EMV mandate 2022)',
};
const sale = (seq: number, violations = [missing55]) =>
  ex(seq, sale87(`00000${seq}`).request, { violations, summary: `0200 sale 25.00 STAN 00000${seq}` });

describe('no violations', () => {
  it('quotes the host’s own words, once per distinct problem, with a count', () => {
    const messages = observe(v, [sale(1), sale(2), sale(3, [])], [sale(4)]);
    const found = noViolations.check(
      { hostRef: v.ref, version: v, messages, steps: [] },
      { expectedViolations: [] },
    );
    expect(found.map((f) => f.message)).toEqual([
      'host harbor-bank@2022.2 rejected 0200 sale: 0200 sale must carry DE55 (EMV mandate 2022) (2 times)',
      'backup host harbor-bank@2022.2 rejected 0200 sale: 0200 sale must carry DE55 (EMV mandate 2022)',
    ]);
    expect(found[0]).toMatchObject({
      exchange: 1,
      actual: 'mandatory-field at 55: 0200 sale must carry DE55 (EMV mandate 2022)',
    });
  });

  it('a frame the host could not read is reported too', () => {
    const frame = {
      ...ex(1, { mti: '0000', fields: {} }),
      request: undefined,
      event: { kind: 'malformed' as const, detail: 'bad length' },
      violations: [
        { path: 'frame', rule: 'framing', message: 'frame: expected 4 ASCII digits at byte 0, found 0x00' },
      ],
    };
    const found = noViolations.check(
      { hostRef: v.ref, version: v, messages: observe(v, [frame]), steps: [] },
      { expectedViolations: [] },
    );
    expect(found[0]?.message).toBe(
      'host harbor-bank@2022.2 rejected a frame: frame: expected 4 ASCII digits at byte 0, found 0x00',
    );
  });

  it('lets violations the scenario expects pass, matched by rule, path, message and host instance', () => {
    expect(violationMatches({ rule: 'mandatory-field', path: '55' }, missing55, 'primary')).toBe(true);
    expect(violationMatches({ message: 'EMV mandate' }, missing55, 'primary')).toBe(true);
    expect(violationMatches({ rule: 'mac' }, missing55, 'primary')).toBe(false);
    expect(violationMatches({ rule: 'mandatory-field', on: 'backup' }, missing55, 'primary')).toBe(false);
    const messages = observe(v, [sale(1)]);
    const found = noViolations.check(
      { hostRef: v.ref, version: v, messages, steps: [] },
      { expectedViolations: [{ rule: 'mandatory-field', path: '55' }] },
    );
    expect(found).toEqual([]);
  });
});

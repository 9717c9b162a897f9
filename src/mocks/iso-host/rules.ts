import { getField, type IsoMessage } from '../../protocols/iso8583/index.js';
import type { Violation } from '../exchange.js';
import type { EffectiveRule } from '../hosts/host-loader.js';

/** The version's field rules for this message: mandatory, forbidden, and the conditional ones that apply. */
export function ruleViolations(rule: EffectiveRule, msg: IsoMessage): Violation[] {
  // Runs on every request: plain loops, and messages only built for a violation.
  const out: Violation[] = [];
  check(rule, msg, rule.mandatory, true, undefined, out);
  check(rule, msg, rule.forbidden, false, undefined, out);
  const conditional = rule.conditional;
  for (let i = 0; i < conditional.length; i++) {
    const c = conditional[i]!;
    if (c.mandatory) check(rule, msg, c.mandatory, true, c.note, out);
    if (c.forbidden) check(rule, msg, c.forbidden, false, c.note, out);
  }
  return out;
}

function check(
  rule: EffectiveRule,
  msg: IsoMessage,
  paths: readonly string[],
  mandatory: boolean,
  note: string | undefined,
  out: Violation[],
): void {
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i]!;
    if ((getField(msg, path) === undefined) !== mandatory) continue;
    const what = `${msg.mti}${rule.variant ? ` ${rule.variant}` : ''}`;
    const how = mandatory ? 'must carry' : 'must not carry';
    out.push({
      path,
      rule: mandatory ? 'mandatory-field' : 'forbidden-field',
      message: `${what} ${how} DE${path}${note ? ` (${note})` : ''}`,
    });
  }
}

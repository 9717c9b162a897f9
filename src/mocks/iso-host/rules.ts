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
  const formats = rule.formats;
  for (let i = 0; i < formats.length; i++) {
    const f = formats[i]!;
    const value = getField(msg, f.path);
    // The value is not quoted: a format rule may be about a field that holds card data.
    if (typeof value === 'string' && !f.re.test(value)) {
      out.push({
        path: f.path,
        rule: 'field-format',
        message: `${whatOf(rule, msg)} must carry DE${f.path} matching ${f.pattern}${f.note ? ` (${f.note})` : ''}`,
      });
    }
  }
  return out;
}

function whatOf(rule: EffectiveRule, msg: IsoMessage): string {
  return `${msg.mti}${rule.variant ? ` ${rule.variant}` : ''}`;
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
    const how = mandatory ? 'must carry' : 'must not carry';
    out.push({
      path,
      rule: mandatory ? 'mandatory-field' : 'forbidden-field',
      message: `${whatOf(rule, msg)} ${how} DE${path}${note ? ` (${note})` : ''}`,
    });
  }
}

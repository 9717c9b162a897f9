import { getField, type IsoMessage } from '../../protocols/iso8583/index.js';
import type { Violation } from '../exchange.js';
import type { EffectiveRule } from '../hosts/host-loader.js';

/** The version's field rules for this message: mandatory, forbidden, and the conditional ones that apply. */
export function ruleViolations(rule: EffectiveRule, msg: IsoMessage): Violation[] {
  const out: Violation[] = [];
  const what = `${msg.mti}${rule.variant ? ` ${rule.variant}` : ''}`;
  const require = (paths: readonly string[], note?: string) => {
    for (const path of paths) {
      if (getField(msg, path) === undefined) {
        out.push({
          path,
          rule: 'mandatory-field',
          message: `${what} must carry DE${path}${note ? ` (${note})` : ''}`,
        });
      }
    }
  };
  const forbid = (paths: readonly string[], note?: string) => {
    for (const path of paths) {
      if (getField(msg, path) !== undefined) {
        out.push({
          path,
          rule: 'forbidden-field',
          message: `${what} must not carry DE${path}${note ? ` (${note})` : ''}`,
        });
      }
    }
  };
  require(rule.mandatory);
  forbid(rule.forbidden);
  for (const c of rule.conditional) {
    require(c.mandatory ?? [], c.note);
    forbid(c.forbidden ?? [], c.note);
  }
  return out;
}

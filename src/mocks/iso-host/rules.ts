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

/**
 * A rule's paths with the element number of each top-level one (-1 for a subfield path), worked
 * out once per list: a string key is converted to an element index on every access. Only canonical
 * numbers (`41`, not `041`) are elements, as they are as keys.
 */
const elementIds = new WeakMap<readonly string[], Int32Array>();
function idsOf(paths: readonly string[]): Int32Array {
  let ids = elementIds.get(paths);
  if (!ids) {
    ids = Int32Array.from(paths, (p) => (/^[1-9][0-9]*$/.test(p) ? Number(p) : -1));
    elementIds.set(paths, ids);
  }
  return ids;
}

function check(
  rule: EffectiveRule,
  msg: IsoMessage,
  paths: readonly string[],
  mandatory: boolean,
  note: string | undefined,
  out: Violation[],
): void {
  const ids = idsOf(paths);
  const fields = msg.fields;
  for (let i = 0; i < ids.length; i++) {
    // The path is read only where needed: rule lists are frozen, and V8 reads a frozen array's
    // elements through the generic load stub (~100 instructions a time, counted).
    const id = ids[i]!;
    const value = id >= 0 ? fields[id] : getField(msg, paths[i]!);
    if ((value === undefined) !== mandatory) continue;
    const path = paths[i]!;
    const how = mandatory ? 'must carry' : 'must not carry';
    out.push({
      path,
      rule: mandatory ? 'mandatory-field' : 'forbidden-field',
      message: `${whatOf(rule, msg)} ${how} DE${path}${note ? ` (${note})` : ''}`,
    });
  }
}

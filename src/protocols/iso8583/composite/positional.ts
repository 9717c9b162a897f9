import { describeContentType, matchesContentType } from '../content-types.js';
import { Iso8583Error, show } from '../errors.js';
import { parseFormat } from '../field-spec.js';
import type { FieldValue, Subfields } from '../values.js';
import type { StringComposite } from './types.js';

/**
 * Positional subfields over the parent's decoded string (CUP DE60: 60.1 n2, 60.2 n6, 60.3 n3 …).
 * Trailing subfields may be absent: terminals send only as many as the transaction needs.
 * A variable subfield (ans..20) carries its own ASCII length digits inside the string.
 */
export function positional(
  fields: Record<string, { format: string }>,
  parentPath: string,
  /** A fixed-length parent (DE90 n42) needs every subfield: padding the whole would shift them. */
  fixed: boolean,
): StringComposite {
  const subs = Object.entries(fields)
    .map(([id, f]) => ({ id, path: `${parentPath}.${id}`, ...parseFormat(f.format) }))
    .sort((a, b) => Number(a.id) - Number(b.id));

  return {
    domain: 'string',
    encode(value: FieldValue, path: string): string {
      if (typeof value === 'string') return value;
      if (Array.isArray(value)) throw new Iso8583Error('invalid-value', path, -1, 'subfields', 'a TLV list');
      const v = value as Subfields;
      let out = '';
      let ended: string | undefined;
      for (const sub of subs) {
        const part = v[sub.id];
        if (part === undefined) {
          if (fixed)
            throw new Iso8583Error('invalid-value', sub.path, -1, 'every subfield of a fixed field', 'none');
          ended ??= sub.id;
          continue;
        }
        if (typeof part !== 'string')
          throw new Iso8583Error('invalid-value', sub.path, -1, 'a string', 'an object');
        if (ended) {
          throw new Iso8583Error('invalid-value', sub.path, -1, `subfield ${ended} before it`, 'a gap');
        }
        if (sub.prefixDigits) {
          if (part.length > sub.length) throw tooLong(sub.path, sub.length, part);
          out += String(part.length).padStart(sub.prefixDigits, '0') + part;
        } else if (part.length > sub.length) {
          throw tooLong(sub.path, sub.length, part);
        } else {
          out += sub.type === 'n' ? part.padStart(sub.length, '0') : part.padEnd(sub.length, ' ');
        }
      }
      const unknown = Object.keys(v).find((k) => !subs.some((s) => s.id === k));
      if (unknown)
        throw new Iso8583Error('invalid-value', `${path}.${unknown}`, -1, 'a defined subfield', unknown);
      return out;
    },
    decode(text, path, offset, strict) {
      const out: Subfields = {};
      let pos = 0;
      for (const sub of subs) {
        if (pos >= text.length) break;
        let len = sub.length;
        if (sub.prefixDigits) {
          const digits = text.slice(pos, pos + sub.prefixDigits);
          len = Number(digits);
          if (!/^[0-9]+$/.test(digits) || digits.length < sub.prefixDigits || len > sub.length) {
            throw new Iso8583Error(
              'invalid-length',
              sub.path,
              offset,
              `a length up to ${sub.length}`,
              show(digits),
            );
          }
          pos += sub.prefixDigits;
        }
        const part = text.slice(pos, pos + len);
        if (part.length < len) {
          throw new Iso8583Error('truncated', sub.path, offset, `${len} chars`, `${part.length} left`);
        }
        if (strict && !matchesContentType(sub.type, part)) {
          throw new Iso8583Error(
            'invalid-content',
            sub.path,
            offset,
            describeContentType(sub.type),
            show(part),
          );
        }
        out[sub.id] = part;
        pos += len;
      }
      if (pos < text.length) {
        throw new Iso8583Error('trailing-bytes', path, offset, 'no more subfields', show(text.slice(pos)));
      }
      return out;
    },
  };
}

function tooLong(path: string, max: number, part: string): Iso8583Error {
  return new Iso8583Error('invalid-value', path, -1, `at most ${max} chars`, show(part));
}

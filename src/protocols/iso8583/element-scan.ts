import type { FieldValue } from './values.js';

/**
 * Writes the numbers of the elements `fields` holds into `ids`, ascending, and returns how many; a
 * negative result is minus the first element held that the dialect does not define.
 */
export type ElementScan = (fields: Record<string, FieldValue | undefined>, ids: Int32Array) => number;

/**
 * The scan for one dialect: one test per element number, in straight-line code generated from
 * numbers only. A loop over the 128 (or 192) numbers cost ~25 instructions per number, counted under
 * callgrind, as V8 checks the object's map and reloads its elements on every pass; straight-line
 * code checks once. Listing the object's keys instead allocates a string per element.
 */
export function elementScan(maxBit: number, defined: (id: number) => boolean): ElementScan {
  const lines: string[] = ['let n = 0;'];
  for (let id = 1; id <= maxBit; id++) {
    const held = `f[${id}] !== undefined`;
    lines.push(defined(id) ? `if (${held}) ids[n++] = ${id};` : `if (${held}) return -${id};`);
  }
  lines.push('return n;');
  return new Function('f', 'ids', lines.join('\n')) as ElementScan;
}

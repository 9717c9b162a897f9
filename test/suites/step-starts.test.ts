// Which step an exchange belongs to: by the clock, except that one the host recorded before a step
// started is never that step's - the millisecond clock ties a step's last answer with the next start.

import { describe, expect, it } from 'vitest';
import { type StepStart, stepAtTime, stepOfExchange } from '../../src/suites/step-starts.js';

const T = Date.parse('2026-03-01T12:00:00.000Z');
const iso = (ms: number) => new Date(T + ms).toISOString();
const starts: StepStart[] = [
  { position: 0, at: T, recorded: new Map([['primary', 0]]) },
  // Step 1 started at +10 ms, when the primary had recorded exchanges 1-3.
  { position: 1, at: T + 10, recorded: new Map([['primary', 3]]) },
  { position: 2, at: T + 20, recorded: new Map([['primary', 6]]) },
];

describe('stepOfExchange', () => {
  it('by the clock when nothing ties', () => {
    expect(stepOfExchange(starts, { at: iso(5), seq: 2 }, 'primary')).toBe(0);
    expect(stepOfExchange(starts, { at: iso(15), seq: 5 }, 'primary')).toBe(1);
    expect(stepOfExchange(starts, { at: iso(-1), seq: 1 }, 'primary')).toBeUndefined();
  });

  it("an exchange recorded before a step started, in the same millisecond, is the earlier step's", () => {
    expect(stepOfExchange(starts, { at: iso(10), seq: 3 }, 'primary')).toBe(0);
    expect(stepOfExchange(starts, { at: iso(20), seq: 6 }, 'primary')).toBe(1);
    // Recorded after the start: the new step's, as the clock says.
    expect(stepOfExchange(starts, { at: iso(10), seq: 4 }, 'primary')).toBe(1);
  });

  it('an exchange that arrived early and was recorded late keeps the step it arrived in', () => {
    // A slow issuer: arrived during step 0, answered (recorded) during step 2.
    expect(stepOfExchange(starts, { at: iso(5), seq: 9 }, 'primary')).toBe(0);
  });

  it('each host instance by its own journal', () => {
    expect(stepOfExchange(starts, { at: iso(10), seq: 3 }, 'backup')).toBe(1);
    expect(stepAtTime(starts, T + 20)).toBe(2);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { wallClock } from '../../../src/mocks/iso-host/wall-clock.js';

describe('wall clock: one Date per millisecond', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives the requests of one millisecond the same Date, and the next millisecond a new one', () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 27, 9, 30, 0, 5) });
    const now = wallClock();
    const a = now();
    expect(a.toISOString()).toBe('2026-11-27T09:30:00.005Z');
    expect(now()).toBe(a);
    vi.setSystemTime(Date.UTC(2026, 10, 27, 9, 30, 0, 6));
    const b = now();
    expect(b).not.toBe(a);
    expect(b.toISOString()).toBe('2026-11-27T09:30:00.006Z');
    // The earlier reading is left as it was.
    expect(a.toISOString()).toBe('2026-11-27T09:30:00.005Z');
  });

  it('follows the clock when it goes back (an NTP step)', () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 27, 9, 30, 1) });
    const now = wallClock();
    now();
    vi.setSystemTime(Date.UTC(2026, 10, 27, 9, 29, 59));
    expect(now().toISOString()).toBe('2026-11-27T09:29:59.000Z');
  });
});

// The duplicate window on its own: keys within the window are duplicates, keys past it are new,
// and past its key limit the oldest go early, counted, so a long load test stays bounded.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DuplicateWindow } from '../../../src/mocks/iso-host/duplicate-window.js';

describe('DuplicateWindow', () => {
  it('a key is a duplicate within the window, new again after it', () => {
    const w = new DuplicateWindow();
    expect(w.seen('T1|000001|1126', 60_000, 1000)).toBe(false);
    expect(w.seen('T1|000001|1126', 60_000, 1000 + 60_000)).toBe(true); // the window's last ms
    expect(w.seen('T1|000002|1126', 60_000, 1000 + 60_000)).toBe(false);
    expect(w.seen('T1|000001|1126', 60_000, 1000 + 60_001)).toBe(false); // past it: remembered afresh
    expect(w.seen('T1|000001|1126', 60_000, 1000 + 60_002)).toBe(true);
    expect(w.stats()).toEqual({ keys: 2, limit: 250_000, forgottenEarly: 0 });
  });

  it('forgets expired keys as time passes, without a scan: the map holds only the window', () => {
    const w = new DuplicateWindow();
    for (let i = 0; i < 5000; i++) w.seen(`T1|${i}`, 100, i);
    // At t=4999 the window covers t >= 4899: 101 keys.
    expect(w.stats().keys).toBe(101);
    expect(w.seen('T1|4899', 100, 4999)).toBe(true);
    expect(w.seen('T1|4898', 100, 4999)).toBe(false);
  });

  it('a window of 0 (time scale 0) never calls a later request a duplicate', () => {
    const w = new DuplicateWindow();
    expect(w.seen('k', 0, 10.25)).toBe(false);
    expect(w.seen('k', 0, 10.5)).toBe(false);
    expect(w.seen('k', 0, 11)).toBe(false);
    expect(w.stats().keys).toBe(1);
  });

  it('past the limit the oldest keys go early, counted, with how long they had been kept, and one call', () => {
    const w = new DuplicateWindow(3);
    const calls: unknown[] = [];
    w.onFirstEarlyForget((s) => calls.push(s));
    for (const [k, t] of [
      ['a', 0],
      ['b', 10],
      ['c', 20],
    ] as const)
      w.seen(k, 60_000, t);
    expect(calls).toEqual([]);
    w.seen('d', 60_000, 30); // 'a' goes after 30 ms of its 60 s
    w.seen('e', 60_000, 50); // 'b' after 40 ms
    expect(calls).toEqual([{ keys: 3, limit: 3, forgottenEarly: 1, shortestWindowMs: 30 }]);
    expect(w.stats()).toEqual({ keys: 3, limit: 3, forgottenEarly: 2, shortestWindowMs: 30 });
    expect(w.seen('a', 60_000, 60)).toBe(false); // forgotten: no longer recognised
    expect(w.seen('e', 60_000, 60)).toBe(true);
    w.clear();
    expect(w.stats()).toEqual({ keys: 0, limit: 3, forgottenEarly: 0 });
  });

  it('refuses a limit below 1', () => {
    expect(() => new DuplicateWindow(0)).toThrow(/>= 1/);
  });

  it('answers like a plain map of last-seen times, whatever the order of keys and times', () => {
    // Model: every key's last remembered time, no expiry bookkeeping, no limit.
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.double({ min: 0, max: 40, noNaN: true })), {
          maxLength: 200,
        }),
        (windowMs, steps) => {
          const w = new DuplicateWindow();
          const model = new Map<string, number>();
          let now = 0;
          for (const [k, dt] of steps) {
            now += dt;
            const key = `k${k}`;
            const last = model.get(key);
            const expected = last !== undefined && now - last <= windowMs;
            if (!expected) model.set(key, Math.floor(now));
            if (w.seen(key, windowMs, now) !== expected) return false;
          }
          return true;
        },
      ),
    );
  });

  it('stays within its limit under a long run of unique keys', () => {
    const w = new DuplicateWindow(1000);
    for (let i = 0; i < 100_000; i++) w.seen(`T${i % 32}|${i}`, 600_000, i / 40);
    const s = w.stats();
    expect(s.keys).toBe(1000);
    expect(s.forgottenEarly).toBe(99_000);
    expect(s.shortestWindowMs).toBe(25); // 1000 keys at 40 per ms: the window covered 25 ms
  });
});

// The waits a gateway's 429s impose, on a clock the test moves: time-scaled, per client, over once
// the Retry-After has passed (within a real millisecond).

import { describe, expect, it } from 'vitest';
import { RateLimits } from '../../../src/mocks/gateway/rate-limits.js';

describe('RateLimits', () => {
  it('holds a client to its Retry-After, time-scaled, and only that client', () => {
    let now = 1000;
    const limits = new RateLimits(0.01, () => now);
    expect(limits.active).toBe(false);
    limits.answered('a', '2'); // 2 s: 20 ms at the time scale
    expect(limits.active).toBe(true);
    now += 5;
    expect(limits.check('a')).toEqual({ waitedMs: 500, seconds: 2, leftSeconds: 2 });
    expect(limits.check('b')).toBeUndefined();
    now += 14.5; // 19.5 ms: within a real millisecond of the end
    expect(limits.check('a')).toBeUndefined();
    expect(limits.active).toBe(false);
  });

  it('ignores a Retry-After that gives no seconds (absent, 0, an HTTP date)', () => {
    const limits = new RateLimits(1, () => 0);
    limits.answered('a', undefined);
    limits.answered('b', '0');
    limits.answered('c', 'Wed, 21 Oct 2026 07:28:00 GMT');
    expect(limits.active).toBe(false);
  });
});

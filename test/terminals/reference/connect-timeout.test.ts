// The connect timeout of a build under a time scale: scaled, but never below what real work on
// loopback needs (a TLS handshake on a loaded machine), and never above the build's own.
import { describe, expect, it } from 'vitest';
import { CONNECT_FLOOR_MS, scaledConnectTimeout } from '../../../src/terminals/reference/connect-timeout.js';

describe('scaledConnectTimeout', () => {
  it('scales like any duration at time scale 1 and down to the floor', () => {
    expect(scaledConnectTimeout(5000, 1)).toBe(5000);
    expect(scaledConnectTimeout(5000, 0.5)).toBe(2500);
    expect(scaledConnectTimeout(5000, 0.01)).toBe(CONNECT_FLOOR_MS);
    expect(scaledConnectTimeout(5000, 0)).toBe(CONNECT_FLOOR_MS);
  });

  it("keeps a build's own short timeout: the floor never lengthens it", () => {
    expect(scaledConnectTimeout(300, 1)).toBe(300);
    expect(scaledConnectTimeout(300, 0.01)).toBe(300);
  });
});

// The built-in catalogue (suites/, firmware/) tells the sample fleet's story. Its shape is checked
// here, and a few of its cells are played for real - reference builds against their own mock host on
// an ephemeral port, time scale 0.01 - so a change to a suite, a build or a host version that breaks
// the story (a failure for the wrong reason, a pass where a known defect should show) fails a test.

import { describe, expect, it } from 'vitest';
import { openWorkspace } from '../../src/matrix/workspace-runner.js';

const root = new URL('../..', import.meta.url).pathname;
const { catalogue, runner } = openWorkspace(root);
const iso = catalogue.firmware.list().filter((b) => b.protocol.family === 'iso8583');
const suites = catalogue.suites.list();
const scenarios = suites.flatMap((s) => s.scenarios);

function play(firmware: string, hostRef: string, ref: string) {
  const [host, version] = hostRef.split('@') as [string, string];
  const [suite, scenario] = ref.split('/') as [string, string];
  const key = `${firmware}|${hostRef}|${ref}`;
  return runner(
    { key, firmware, host, version, suite, scenario },
    { timeScale: 0.01, seed: 1, timeoutMs: 20_000 },
  );
}

describe('the built-in suites', () => {
  it('cover core, network, input and upgrade with at least 30 scenarios, each saying why', () => {
    expect(suites.map((s) => s.id)).toEqual(expect.arrayContaining(['core', 'network', 'input', 'upgrade']));
    expect(scenarios.length).toBeGreaterThanOrEqual(30);
    for (const s of scenarios) {
      expect(s.why, `${s.suite}/${s.id}`).toMatch(/^[^\n]{20,}$/);
      expect(s.tags.length, `${s.suite}/${s.id} has tags`).toBeGreaterThan(0);
    }
    expect(scenarios.filter((s) => s.tags.includes('critical')).length).toBeGreaterThanOrEqual(10);
    // Most scenarios read ISO elements and are for ISO builds only; the rest-* ones are REST only;
    // a few (a decline, an expired card, the amounts the terminal refuses) are for both.
    const only = (family: string) =>
      scenarios.filter((s) => s.families.length === 1 && s.families[0] === family);
    expect(only('iso8583').length).toBeGreaterThanOrEqual(30);
    expect(only('rest').length).toBeGreaterThan(0);
  });
});

describe('the sample fleet', () => {
  it('has at least 6 ISO builds from at least 3 vendors over every shipped dialect, the emulator included', () => {
    expect(iso.length).toBeGreaterThanOrEqual(6);
    expect(new Set(iso.map((b) => b.vendor)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(iso.map((b) => (b.protocol as { dialect: string }).dialect))).toEqual(
      new Set(['iso8583-1987-ascii', 'iso8583-1993-binary', 'cup-pos']),
    );
    expect(iso.find((b) => b.id === 'pelican-px7-3.2.0')?.driver).toBe('process');
    // No build's vendor is mistaken for a gateway (meridian-checkout is a REST host).
    expect(iso.map((b) => b.vendor)).not.toContain('Meridian Payments');
  });

  // Each row: the cell, its status, and a phrase its first reason must carry.
  const story: [string, string, string, 'pass' | 'fail', RegExp?][] = [
    ['corvid-c400-4.2', 'harbor-bank@2019.4', 'core/sale-approved', 'pass'],
    // The EMV mandate: chip refused for want of DE55, magstripe still fine.
    [
      'corvid-c400-4.2',
      'harbor-bank@2022.2',
      'core/sale-approved',
      'fail',
      /must carry DE55 \(EMV mandate 2022\)/,
    ],
    ['corvid-c400-4.2', 'harbor-bank@2022.2', 'upgrade/magstripe-sale', 'pass'],
    ['corvid-c400-4.3', 'harbor-bank@2022.2', 'upgrade/chip-pin-sale', 'pass'],
    ['corvid-c400-4.3', 'harbor-bank@2025.1', 'core/sign-on', 'fail', /rejected a frame/],
    ['corvid-c500-5.1', 'harbor-bank@2025.1', 'network/reversal-retry', 'pass'],
    [
      'kestrel-k9-1.4',
      'harbor-bank@2025.1',
      'core/sale-approved',
      'fail',
      /must carry DE22 matching .* \(the 12-character POS data code of ISO 8583:1993, not a 1987 three-digit entry mode\)/,
    ],
    ['kestrel-k9-1.4', 'harbor-bank@2025.1', 'core/sign-on', 'pass'],
    ['kestrel-k2-3.1', 'harbor-bank@2019.4', 'network/timeout-reversal', 'fail', /same DE41, DE11, DE13/],
    [
      'kestrel-k2-3.1',
      'harbor-bank@2019.4',
      'network/wrong-stan-response',
      'fail',
      /expected status timed-out, got approved/,
    ],
    ['jade-jt820-2.3', 'lotus-acquirer@2021.2', 'core/settlement-unbalanced', 'pass'],
    [
      'jade-jt820-2.3',
      'lotus-acquirer@2024.1',
      'upgrade/mac-on-every-message',
      'fail',
      /0100 must carry a MAC in DE64/,
    ],
    [
      'jade-jt610-1.8',
      'lotus-acquirer@2024.1',
      'core/sale-approved',
      'fail',
      /must carry DE55 \(chip card needs ICC data/,
    ],
    ['jade-jt610-1.8', 'lotus-acquirer@2024.1', 'upgrade/magstripe-sale', 'pass'],
    // 2026.1 moves the link into TLS: only the build that dials TLS gets through, and it reaches
    // nothing else.
    ['jade-jt820-3.0', 'lotus-acquirer@2026.1', 'upgrade/mac-on-every-message', 'pass'],
    [
      'jade-jt820-2.3',
      'lotus-acquirer@2026.1',
      'core/sale-approved',
      'fail',
      /rejected a connection: TLS handshake failed: the terminal speaks plain TCP/,
    ],
    [
      'jade-jt820-3.0',
      'lotus-acquirer@2024.1',
      'core/sign-on',
      'fail',
      /rejected a connection: the terminal started a TLS handshake: this host speaks plain TCP/,
    ],
    // 2027.1 requires client certificates (mutual TLS): 3.1 presents the one the centre issued, 3.0
    // has none to present.
    ['jade-jt820-3.1', 'lotus-acquirer@2027.1', 'core/sale-approved', 'pass'],
    [
      'jade-jt820-3.0',
      'lotus-acquirer@2027.1',
      'core/sale-approved',
      'fail',
      /rejected a connection: TLS handshake failed: the terminal presented no client certificate/,
    ],
  ];
  // The REST builds: 1.8 unpinned and 1.9 pinned on Nimbus; 2.4 (v3, no keys) and 2.5 (v4, keys, no
  // retries) on Meridian.
  story.push(
    ['osprey-s3-1.8', 'nimbus-pay@2024-06-15', 'core/sale-declined', 'fail', /return_url is required/],
    ['osprey-s3-1.9', 'nimbus-pay@2024-06-15', 'core/rest-partial-capture', 'pass'],
    ['osprey-s3-1.9', 'nimbus-pay@2024-06-15', 'network/rest-unreadable-answer', 'pass'],
    ['osprey-s3-1.9', 'nimbus-pay@2023-10-16', 'network/rest-retry-while-processing', 'pass'],
    [
      'osprey-s3-1.9',
      'nimbus-pay@2023-10-16',
      'network/rest-rate-limit',
      'fail',
      /expected status approved, got declined \(refused by the gateway: 429 rate_limit/,
    ],
    ['osprey-s5-2.4', 'meridian-checkout@v3', 'network/rest-rate-limit', 'pass'],
    [
      'osprey-s5-2.4',
      'meridian-checkout@v3',
      'network/rest-unreadable-answer',
      'fail',
      /the gateway still holds MC\w+ captured 33.00 EUR made during it, after void; the terminal approved MC\w+, never naming this one/,
    ],
    [
      'osprey-s5-2.4',
      'meridian-checkout@v3',
      'network/rest-retry-while-processing',
      'fail',
      /step sale-1: the gateway holds 3 live payments made during it/,
    ],
    ['osprey-s5-2.5', 'meridian-checkout@v4', 'core/rest-cancel-authorization', 'pass'],
    ['osprey-s5-2.5', 'meridian-checkout@v4', 'network/rest-retry-while-processing', 'pass'],
    [
      'osprey-s5-2.5',
      'meridian-checkout@v4',
      'network/rest-unreadable-answer',
      'fail',
      /expected status approved, got timed-out \(answered 200 with a body that is not JSON/,
    ],
    [
      'osprey-s5-2.5',
      'meridian-checkout@v3',
      'core/rest-cancel-authorization',
      'fail',
      /rejected POST \/v4\/payments: API v4 is not served here/,
    ],
  );
  it.each(story)('%s × %s × %s: %s', async (firmware, host, ref, status, reason) => {
    const result = await play(firmware, host, ref);
    const reasons = result.reasons.map((r) => r.message);
    expect({ status: result.status, reasons: status === 'pass' ? reasons : [] }).toEqual({
      status,
      reasons: [],
    });
    if (reason) expect(reasons[0]).toMatch(reason);
  });
});

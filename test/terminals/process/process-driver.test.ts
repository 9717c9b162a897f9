// The process driver against emulators that misbehave (test/fixtures/emulators/fake-emulator.mjs):
// a crash, a hang, garbage or invalid messages on stdout, a wrong identity, a refused request. Each
// becomes a clear error within the configured timeout, with the emulator's stderr attached and card
// data masked, and the process is gone afterwards.

import { describe, expect, it } from 'vitest';
import type { ProcessTerminal } from '../../../src/terminals/process/process-terminal.js';
import { ProcessTerminalError } from '../../../src/terminals/process/process-terminal-error.js';
import type { Terminal } from '../../../src/terminals/terminal.js';
import { fake, fakeBuild, open, SCALE } from './setup.js';

const PAN = '4111111111111111';
const TPK = '5B6C7D8E9FA0B1C2D3E4F5061728394A';
const sale = { type: 'sale' as const, amount: 2500 };

function pidOf(terminal: Terminal): number {
  const pid = (terminal as ProcessTerminal).pid;
  expect(pid).toBeGreaterThan(0);
  return pid!;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The error create() rejects with. */
async function startError(
  mode: string,
  ...args: Parameters<typeof fakeBuild>[1][]
): Promise<ProcessTerminalError> {
  const err = await open(fakeBuild(mode, ...args)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProcessTerminalError);
  return err as ProcessTerminalError;
}

const KEY_LINE = 'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgTESTTESTTESTTEST';

describe('process driver: a run never hangs and never throws', () => {
  it('an emulator that crashes gives an error outcome with its stderr, card data and keys masked', async () => {
    const { terminal } = await fake('crash-on-run');
    await terminal.configure({
      primary: { host: '127.0.0.1', port: 9 },
      keys: { tpk: TPK },
      // A TLS host's certificate reaches the emulator too; it is public, so it is not masked.
      ca: '-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n',
      // A mutual-TLS client key is masked line by line: the emulator echoes it JSON-escaped.
      clientCertificate: {
        cert: 'CERT',
        key: `-----BEGIN PRIVATE KEY-----\n${KEY_LINE}\n-----END PRIVATE KEY-----\n`,
      },
      timeScale: SCALE,
    });
    const outcome = await terminal.run({ ...sale, card: { pan: PAN, expiry: '3012', entryMode: 'chip' } });

    expect(outcome.status).toBe('error');
    expect(outcome.error).toMatchObject({
      code: 'emulator-exited',
      message: 'the emulator exited with code 3',
    });
    expect(outcome.detail).toBe('emulator failed: the emulator exited with code 3');
    const stderr = outcome.error!.stderr!;
    expect(stderr).toContain('fake: run sale 2500');
    expect(stderr).toContain("KeyError: 'card' for 411111******1111");
    expect(stderr).toContain('"tpk":"[hidden: 32 chars]"');
    expect(stderr).toContain('"ca":"-----BEGIN CERTIFICATE-----\\nMIIBtest');
    expect(JSON.stringify(outcome)).not.toContain(PAN);
    expect(JSON.stringify(outcome)).not.toContain(TPK);
    expect(stderr).toContain('"key":"-----BEGIN PRIVATE KEY-----\\n[hidden: 64 chars]\\n');
    expect(stderr).not.toContain(KEY_LINE);
    // Broken for good until reset: the next run reports the same failure at once.
    const again = await terminal.run(sale);
    expect(again.error).toMatchObject({ code: 'emulator-exited' });
    expect(again.durationMs).toBeLessThan(50);
  });

  it('an emulator that hangs is killed after the scaled deadline plus grace, with its stderr', async () => {
    const { terminal } = await fake('hang-on-run');
    const pid = pidOf(terminal);
    // transactionMs 30 000 x 0.01 = 300 ms, + 300 ms grace.
    const outcome = await terminal.run(sale);
    expect(outcome.error).toMatchObject({
      code: 'emulator-timeout',
      message: 'no answer to run within 0.60 s (deadline 300 ms (30000 ms x time scale 0.01) + grace 300 ms)',
    });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(590);
    expect(outcome.durationMs).toBeLessThan(2_000);
    expect(outcome.error!.stderr).toContain('fake: waiting forever');
    // What the emulator reported before it hung is kept as evidence.
    expect(outcome.messages.map((m) => [m.direction, m.message.summary])).toEqual([
      ['sent', '0200 sale 25.00 STAN 000001'],
    ]);
    expect(running(pid)).toBe(false);
  });

  it('a request timeout is scaled: a longer transaction deadline gets a longer watchdog', async () => {
    const { terminal } = await fake('hang-on-run');
    const outcome = await terminal.run({ ...sale, timeoutMs: 60_000 });
    expect(outcome.error?.message).toMatch(/^no answer to run within 0\.90 s/);
    expect(outcome.durationMs).toBeGreaterThanOrEqual(890);
  });

  it('an emulator that ignores SIGTERM is killed with SIGKILL', async () => {
    const { terminal } = await fake('ignore-sigterm');
    const pid = pidOf(terminal);
    const outcome = await terminal.run(sale);
    expect(outcome.error?.code).toBe('emulator-timeout');
    expect(outcome.error!.stderr).toContain('fake: SIGTERM ignored');
    // grace 300 + deadline 300 + killMs 300 before SIGKILL.
    expect(outcome.durationMs).toBeGreaterThanOrEqual(890);
    expect(running(pid)).toBe(false);
  });

  it('garbage on stdout is a protocol error naming the line, masked, with stderr', async () => {
    const { terminal } = await fake('garbage-on-run');
    const pid = pidOf(terminal);
    const outcome = await terminal.run(sale);
    expect(outcome.error).toMatchObject({
      code: 'emulator-protocol',
      message: 'stdout line 3 is not a JSON message: "DEBUG: sale amount=2500 pan=411111******1111"',
    });
    expect(outcome.error!.stderr).toContain('fake: about to print something odd');
    expect(outcome.durationMs).toBeLessThan(1_500);
    expect(running(pid)).toBe(false);
  });

  it('an outcome that breaks the schema is a protocol error with the JSON path', async () => {
    const { terminal } = await fake('invalid-outcome');
    const outcome = await terminal.run(sale);
    expect(outcome.error?.code).toBe('emulator-protocol');
    expect(outcome.error?.message).toBe(
      'stdout line 3 is not a valid run response: at /result/status must be one of "approved", "declined", "timed-out", "reversed", "error"',
    );
  });

  it('an answer to a request nobody asked is a protocol error', async () => {
    const { terminal } = await fake('wrong-id');
    const outcome = await terminal.run(sale);
    expect(outcome.error?.message).toMatch(/^stdout line 3 answers request id 103, which is not waiting/);
  });

  it('card data the emulator reports in clear is masked in outcomes and events', async () => {
    const { terminal, events } = await fake('leak');
    await terminal.configure({ primary: { host: '127.0.0.1', port: 9 }, timeScale: SCALE });
    const outcome = await terminal.run({ ...sale, card: { pan: PAN, expiry: '3012', entryMode: 'chip' } });
    expect(outcome.status).toBe('approved');
    expect(outcome.detail).toBe('approved 00 for card 411111******1111');
    const fields = outcome.messages[0]!.message.iso!.fields;
    expect(fields).toEqual({
      2: '411111******1111',
      4: '000000002500',
      35: '[hidden: 24 chars]',
      48: 'card 411111******1111',
      52: '[hidden: 8 bytes]',
      // Numeric elements are numbers, not PANs: left alone.
      88: '0000000000002500',
    });
    expect(outcome.messages[0]!.message.summary).toBe('0200 sale 25.00 PAN 411111******1111');
    const sent = events.find((e) => e.kind === 'sent')!;
    expect(sent.detail).toBe('sent for 411111******1111');
    expect(sent.message?.iso?.fields['2']).toBe('411111******1111');
    expect(JSON.stringify([outcome, events])).not.toContain(PAN);
  });

  it('a run answered within its deadline is not cut short, and a second run at the same time is refused', async () => {
    const { terminal } = await fake('slow');
    const first = terminal.run(sale);
    await expect(terminal.run(sale)).rejects.toThrow('a transaction is already running on this terminal');
    const outcome = await first;
    expect(outcome).toMatchObject({ status: 'approved', detail: 'approved after 150 ms' });
  });

  it('a request the schema refuses is not sent; the emulator stays usable', async () => {
    const { terminal } = await fake('ok');
    const bad = await terminal.run({ type: 'sale', amount: 12.5 });
    expect(bad.error).toMatchObject({
      code: 'invalid-request',
      message: 'run request at /params/amount must be integer',
    });
    expect((await terminal.run(sale)).status).toBe('approved');
  });

  it('run before configure is an error outcome', async () => {
    const { terminal } = await open(fakeBuild('ok'));
    expect((await terminal.run(sale)).error).toMatchObject({ code: 'not-configured' });
  });

  it('reset power-cycles a broken emulator: a fresh process, configured again', async () => {
    const { terminal } = await fake('crash-on-run');
    const pid = pidOf(terminal);
    expect((await terminal.run(sale)).error?.code).toBe('emulator-exited');
    await terminal.reset();
    expect(pidOf(terminal)).not.toBe(pid);
    // It was configured again: run reaches the new process (which crashes the same way).
    const outcome = await terminal.run(sale);
    expect(outcome.error?.code).toBe('emulator-exited');
    expect(outcome.error?.stderr).toContain('fake: configured');
  });
});

describe('process driver: start-up and identity', () => {
  it('an emulator that never says hello fails within startMs', async () => {
    const t0 = performance.now();
    const err = await startError('silent-start', { timeouts: { startMs: 400, killMs: 200 } });
    expect(err.code).toBe('emulator-timeout');
    expect(err.reason).toBe('no answer to hello within 0.40 s (start-up timeout, wall clock)');
    expect(performance.now() - t0).toBeLessThan(1_500);
  });

  it('an emulator that exits at start fails with its exit code and stderr', async () => {
    const err = await startError('exit-at-start');
    expect(err.code).toBe('emulator-exited');
    expect(err.reason).toBe('the emulator exited with code 7');
    expect(err.stderr).toBe('fake: cannot open /dev/ttyS0: no such device');
  });

  it('a program that does not exist fails to start', async () => {
    const err = await startError('ok', { command: ['./no-such-emulator'] });
    expect(err.code).toBe('emulator-start');
    expect(err.reason).toMatch(/^cannot start "\.\/no-such-emulator": spawn \.\/no-such-emulator ENOENT/);
  });

  it('a banner instead of a hello answer is a protocol error', async () => {
    const err = await startError('garbage-at-start');
    expect(err.code).toBe('emulator-protocol');
    expect(err.reason).toBe(
      'stdout line 1 is not a JSON message: "Welcome to FakeTerm! Type HELP for help."',
    );
  });

  it('an emulator that is another version than the build file says is refused', async () => {
    const err = await startError('wrong-version');
    expect(err.code).toBe('emulator-identity');
    expect(err.reason).toBe(
      'the emulator says it is Fakery Inc FK-1 0.2; the build file fake-wrong-version says Fakery Inc FK-1 0.1',
    );
  });

  it('an emulator speaking another protocol version is refused', async () => {
    const err = await startError('old-protocol');
    expect(err.reason).toBe('the emulator speaks paymatrix-control/0; paymatrix speaks paymatrix-control/1');
  });

  it('a build that declares a capability the emulator lacks is refused', async () => {
    const build = { ...fakeBuild('ok'), capabilities: ['sale' as const, 'refund' as const] };
    const err = await open(build).then(
      () => undefined,
      (e: ProcessTerminalError) => e,
    );
    expect(err?.reason).toBe('the build file fake-ok declares refund, which the emulator does not offer');
  });

  it('a refused configure rejects with the emulator message', async () => {
    const { terminal } = await open(fakeBuild('refuse-configure'));
    await expect(terminal.configure({ primary: { host: '127.0.0.1', port: 9 } })).rejects.toMatchObject({
      code: 'emulator-refused',
      reason: 'configure refused by the emulator: no host port given (code 1)',
    });
  });
});

describe('process driver: close', () => {
  it('close asks politely: shutdown, and the emulator exits by itself', async () => {
    const { terminal } = await fake('ok', { timeouts: { shutdownMs: 3_000, killMs: 3_000 } });
    const pid = pidOf(terminal);
    const t0 = performance.now();
    await terminal.close();
    expect(performance.now() - t0).toBeLessThan(2_500); // before shutdownMs: no signal was needed
    expect(running(pid)).toBe(false);
  });

  it('an emulator that ignores shutdown gets SIGTERM after shutdownMs', async () => {
    const { terminal } = await fake('ignore-shutdown', { timeouts: { shutdownMs: 500, killMs: 3_000 } });
    const pid = pidOf(terminal);
    const t0 = performance.now();
    await terminal.close();
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(490);
    expect(took).toBeLessThan(2_500); // SIGTERM was enough: no wait for killMs
    expect(running(pid)).toBe(false);
  });

  it('one that ignores SIGTERM too gets SIGKILL after killMs', async () => {
    const { terminal } = await fake('ignore-sigterm');
    const pid = pidOf(terminal);
    const t0 = performance.now();
    await terminal.close();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(790);
    expect(running(pid)).toBe(false);
  });

  it('a run outstanding at close ends with an error outcome', async () => {
    const { terminal } = await fake('hang-on-run', { timeouts: { transactionMs: 600_000, graceMs: 5_000 } });
    const outcome = terminal.run(sale);
    await new Promise((r) => setTimeout(r, 50));
    await terminal.close();
    expect((await outcome).error).toMatchObject({
      code: 'emulator-closed',
      message: 'the terminal was closed',
    });
  });
});

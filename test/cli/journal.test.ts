import { spawnSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { startIsoHost } from '../../src/mocks/iso-host/start-iso-host.js';
import { JournalFile } from '../../src/mocks/journal-file.js';
import { asciiDialect, sale, send, VISA_TEST_PAN } from '../mocks/admin/terminal.js';
import { tempDir } from '../support/temp-dir.js';

const root = resolve(import.meta.dirname, '../..');
// By URL, so the loader is found whatever the working directory of the run.
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

/** Runs the real CLI entry point (TypeScript through tsx), as a user would. */
function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', tsx, join(root, 'src/cli/main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('paymatrix journal', { timeout: 60_000 }, () => {
  let file: string;

  // A real journal file: a host's traffic written by JournalFile, then a line cut short by a crash.
  beforeAll(async () => {
    file = join(tempDir('journal-cli-'), 'journal.ndjson');
    // Time scale 0.1: a 6 s duplicate window, ample for the repeated STAN on a loaded machine.
    const host = await startIsoHost({ host: 'harbor-bank@2019.4', port: 0, timeScale: 0.1 });
    const out = await JournalFile.open(file);
    out.follow(host.journal);
    const port = host.address.port;
    const d = asciiDialect();
    expect((await send(d, port, sale({ stan: 1, terminal: 'TERM0001' }))).fields['39']).toBe('00');
    expect(
      (await send(d, port, sale({ stan: 2, terminal: 'TERM0002', amountMinor: 5151 }))).fields['39'],
    ).toBe('51');
    expect((await send(d, port, sale({ stan: 3, terminal: 'TERM0001' }))).fields['39']).toBe('00');
    expect((await send(d, port, sale({ stan: 3, terminal: 'TERM0001' }))).fields['39']).toBe('94');
    await host.close();
    await out.close();
    appendFileSync(file, '{"seq":99,"transport":"iso8');
  });

  it('lists every exchange a line each, skipping a line cut short with a warning', () => {
    const r = cli(['journal', file]);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines.filter((l) => l.includes('→'))).toHaveLength(4);
    expect(r.out).toMatch(
      / {2}harbor-bank@2019\.4 {2}#2 {2}0200 sale 25\.00 STAN 000001 → 0210 25\.00 STAN 000001 code 00\n/,
    );
    // The host's reason for a decline, and the duplicate's rule, on lines of their own.
    expect(r.out).toMatch(
      /code 51\n {4}note: card visa-credit-chip: amount 5151 ends with 51: a trigger for insufficient-funds/,
    );
    expect(r.out).toMatch(/code 94\n {4}duplicate 41\+11\+13: same DE41, DE11, DE13 within 60 s\n/);
    expect(r.err).toMatch(
      /^warning: .*journal\.ndjson:\d+: not a JSON exchange, skipped\n\d+ of \d+ exchanges matched\n$/,
    );
    expect(r.out).not.toContain(VISA_TEST_PAN);
  });

  it('filters like the admin API, and --json passes the matching lines through', () => {
    const declined = cli(['journal', file, '--code', '51,94', '--terminal', 'TERM0001']);
    expect(declined.code).toBe(0);
    expect(declined.out.trimEnd().split('\n')[0]).toMatch(/STAN 000003 code 94$/);
    expect(declined.err).toMatch(/\n1 of \d+ exchanges matched\n$/);
    const json = cli(['journal', file, '--violations', '--json']);
    const exchanges = json.out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { violations: Array<{ rule: string }> });
    expect(exchanges.map((e) => e.violations[0]!.rule)).toEqual(['duplicate']);
    const clean = cli(['journal', file, '--no-violations', '--mti', '0200']);
    // Three exchanges, the declined one with the host's note under it.
    const lines = clean.out.trimEnd().split('\n');
    expect(lines.map((l) => (l.startsWith('    note: ') ? 'note' : /STAN \d+/.exec(l)?.[0]))).toEqual([
      'STAN 000001',
      'STAN 000002',
      'note',
      'STAN 000003',
    ]);
  });

  it('bad filters and a missing file exit 2, naming the problem', () => {
    const mti = cli(['journal', file, '--mti', '200']);
    expect(mti.code).toBe(2);
    expect(mti.err).toBe('error: --mti must be ISO 8583 request MTIs, comma-separated, e.g. 0200,0400\n');
    // A REST criterion on an ISO host's journal would match nothing: it says so.
    const rest = cli(['journal', file, '--operation', 'createPaymentIntent']);
    expect(rest.code).toBe(2);
    expect(rest.err).toMatch(
      /journal\.ndjson: operation filters REST exchanges, and this host speaks ISO 8583: filter by mti/,
    );
    const missing = cli(['journal', join(tmpdir(), 'no-such-journal.ndjson')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^error: cannot read .*no-such-journal\.ndjson: ENOENT/);
    // A file of JSON lines that are no exchanges is the wrong file, not an empty journal.
    const other = join(tempDir('journal-cli-'), 'results.jsonl');
    writeFileSync(other, '{"key":"a|b@1|c/d","status":"pass"}\n{"key":"a|b@1|c/e","status":"fail"}\n');
    const wrong = cli(['journal', other]);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain(`error: ${other} holds no journal exchanges (2 other line(s))`);
  });
});

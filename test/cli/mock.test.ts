import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { asciiDialect, sale, send, VISA_TEST_PAN } from '../mocks/admin/terminal.js';
import { tempDir } from '../support/temp-dir.js';

const root = resolve(import.meta.dirname, '../..');
const NIMBUS_KEY = 'sk_test_nimbus_4eC39HqLyjWDarjtT1zdp7dc';
// By URL, so the loader is found whatever the working directory of the run.
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const args = (rest: string[]) => ['--import', tsx, join(root, 'src/cli/main.ts'), ...rest];

/** Runs the real CLI entry point to completion (TypeScript through tsx), as a user would. */
function cli(rest: string[]) {
  const r = spawnSync(process.execPath, args(rest), { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface JournalState {
  last: number;
  size: number;
  bytes: number;
  dropped: number;
}

interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

/** A long-running `paymatrix mock`, its stdout split into JSON lines as they arrive. */
class MockProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  #buffer = '';
  #waiters: Array<() => void> = [];

  constructor(rest: string[]) {
    this.child = spawn(process.execPath, args(rest), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.#buffer += chunk;
      let nl = this.#buffer.indexOf('\n');
      while (nl >= 0) {
        this.lines.push(JSON.parse(this.#buffer.slice(0, nl)) as LogLine);
        this.#buffer = this.#buffer.slice(nl + 1);
        nl = this.#buffer.indexOf('\n');
      }
      for (const w of this.#waiters) w();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((r) => this.child.on('exit', (code) => r(code)));
  }

  /** Resolves with the first line that satisfies `test`, waiting for it if needed. */
  async line(test: (l: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(test);
      if (found) return found;
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`no such log line; stdout: ${JSON.stringify(this.lines)}; stderr: ${this.stderr}`);
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, 100);
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
      this.#waiters = [];
    }
  }
}

/** `paymatrix mock <ref> --port 0 …`: the host on a free port, with these flags. */
const mockOn = (ref: string, flags: string[] = []) => new MockProcess(['mock', ref, '--port', '0', ...flags]);

describe('paymatrix mock', { timeout: 60_000 }, () => {
  let running: MockProcess | undefined;

  afterEach(() => {
    if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
    running = undefined;
  });

  it('serves a sale over TCP, logs it as one JSON line, serves the admin API, and exits 0 on SIGINT', async () => {
    running = mockOn('harbor-bank@2019.4', ['--admin-port', '0', '--time-scale', '0.01']);
    const ready = await running.line(() => true);
    expect(ready.msg).toMatch(
      /^harbor-bank@2019\.4 listening on 127\.0\.0\.1:\d+; admin API http:\/\/127\.0\.0\.1:\d+$/,
    );
    const address = ready.address as { host: string; port: number };
    const admin = ready.admin as string;
    expect(address.host).toBe('127.0.0.1');

    const answer = await send(asciiDialect(), address.port, sale({ stan: 42, amountMinor: 1200 }));
    expect(answer.fields['39']).toBe('00');

    const logged = await running.line((l) => typeof l.request === 'string');
    expect(logged).toMatchObject({
      level: 'info',
      host: 'primary',
      request: '0200 sale 12.00 STAN 000042',
      violations: [],
      faults: [],
    });
    expect(logged.response).toContain('code 00');
    expect(typeof logged.durationMs).toBe('number');
    expect(logged.msg).toBe(`${logged.request} → ${logged.response}`);

    const journal = await fetch(`${admin}/journal`);
    const text = await journal.text();
    expect(text).toContain('411111******1111');
    expect(text).not.toContain(VISA_TEST_PAN);
    const metrics = await (await fetch(`${admin}/metrics`)).text();
    expect(metrics).toContain('paymatrix_mock_transactions_total{host="primary",mti="0200",code="00"} 1');

    running.child.kill('SIGINT');
    expect(await running.exited).toBe(0);
    expect(running.lines.at(-1)?.msg).toBe('stopped');
    expect(running.lines.map((l) => JSON.stringify(l)).join('\n')).not.toContain(VISA_TEST_PAN);
  });

  it('starts with faults from --fault and --faults, and a backup sharing the ledger; SIGTERM exits 0', async () => {
    const dir = tempDir('paymatrix-mock-');
    const file = join(dir, 'faults.yaml');
    writeFileSync(file, 'faults:\n  - fault: wrong-stan\n    params: { stan: "777777" }\n');
    running = mockOn('harbor-bank@2019.4', [
      '--backup-port',
      '0',
      '--time-scale',
      '0.01',
      '--faults',
      file,
      '--fault',
      '{"fault":"latency","params":{"delayMs":10}}',
    ]);
    const ready = await running.line(() => true);
    expect(ready.faults).toEqual(['wrong-stan', 'latency']);
    expect(ready.admin).toBeUndefined();
    const primary = ready.address as { port: number };
    const backup = ready.backup as { port: number };

    const faulty = await send(asciiDialect(), primary.port, sale({ stan: 1 }));
    expect(faulty.fields['11']).toBe('777777');
    // The backup starts without faults, and knows the primary's sale: same STAN is a duplicate.
    const dup = await send(asciiDialect(), backup.port, sale({ stan: 1 }));
    expect(dup.fields['11']).toBe('000001');
    expect(dup.fields['39']).toBe('94');
    const logged = await running.line((l) => l.host === 'backup' && typeof l.request === 'string');
    expect(logged.level).toBe('warn');
    expect(logged.violations).toEqual([expect.objectContaining({ rule: 'duplicate' })]);
    const withFaults = await running.line((l) => l.host === 'primary' && typeof l.request === 'string');
    expect(withFaults.faults).toEqual(['wrong-stan', 'latency']);

    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  });

  it('runs a REST gateway: answers over HTTP, logs the exchange, serves the admin API; SIGINT exits 0', async () => {
    running = mockOn('nimbus-pay@2024-06-15', [
      '--admin-port',
      '0',
      '--time-scale',
      '0.01',
      '--fault',
      '{"fault":"latency","params":{"delayMs":100},"scope":{"operation":["retrieve"]}}',
    ]);
    const ready = await running.line(() => true);
    expect(ready.msg).toMatch(
      /^nimbus-pay@2024-06-15 listening on http:\/\/127\.0\.0\.1:\d+; API docs http:\/\/127\.0\.0\.1:\d+\/docs; admin API http:\/\/127\.0\.0\.1:\d+$/,
    );
    expect(ready.docs).toBe(`${ready.url as string}/docs`);
    expect((await fetch(ready.docs as string)).headers.get('content-type')).toMatch(/^text\/html/);
    expect(ready).toMatchObject({
      api: 'nimbus-pay@2024-06-15',
      apis: ['nimbus-pay@2024-06-15', 'nimbus-pay@2023-10-16'],
      faults: ['latency'],
    });
    const url = ready.url as string;
    const res = await fetch(`${url}/v1/payment_intents`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer sk_test_nimbus_4eC39HqLyjWDarjtT1zdp7dc',
        'content-type': 'application/json',
        'nimbus-version': '2023-10-16',
      },
      body: JSON.stringify({
        amount: 1200,
        currency: 'usd',
        payment_method_data: { type: 'card', card: { number: VISA_TEST_PAN, exp_month: 12, exp_year: 2030 } },
      }),
    });
    expect(res.status).toBe(200);
    const payment = (await res.json()) as { id: string; status: string };
    expect(payment.status).toBe('succeeded');
    const logged = await running.line((l) => typeof l.request === 'string');
    expect(logged).toMatchObject({
      level: 'info',
      host: 'primary',
      request: 'POST /v1/payment_intents authorize 12.00 USD',
      response: `200 succeeded ${payment.id}`,
      violations: [],
    });
    const hosts = (await (await fetch(`${ready.admin as string}/hosts`)).json()) as { hosts: unknown[] };
    expect(hosts.hosts).toEqual([expect.objectContaining({ kind: 'rest', url })]);
    running.child.kill('SIGINT');
    expect(await running.exited).toBe(0);
    expect(running.lines.map((l) => JSON.stringify(l)).join('\n')).not.toContain(VISA_TEST_PAN);
  });

  it('--duplicate-keys bounds the duplicate window; the first key forgotten early is a warning line', async () => {
    running = mockOn('harbor-bank@2019.4', [
      '--admin-port',
      '0',
      '--duplicate-keys',
      '1',
      '--time-scale',
      '0.01',
    ]);
    const ready = await running.line(() => true);
    const port = (ready.address as { port: number }).port;
    for (const stan of [1, 2, 3])
      expect((await send(asciiDialect(), port, sale({ stan }))).fields['39']).toBe('00');
    const warning = await running.line((l) => l.level === 'warn');
    expect(warning.msg).toMatch(
      /^duplicate window full \(1 keys\): the oldest keys are forgotten before their 60 s are up, so a duplicate older than ~\d+ ms is not recognised/,
    );
    expect(running.lines.filter((l) => l.level === 'warn')).toHaveLength(1); // once, not per key
    // STAN 1 was forgotten: sent again, it is not recognised as a duplicate (STAN 3 still is).
    expect((await send(asciiDialect(), port, sale({ stan: 1 }))).fields['39']).toBe('00');
    expect((await send(asciiDialect(), port, sale({ stan: 1 }))).fields['39']).toBe('94');
    const ledger = (await (await fetch(`${ready.admin as string}/ledger`)).json()) as {
      ledgers: Array<{ duplicateWindow: unknown }>;
    };
    expect(ledger.ledgers[0]!.duplicateWindow).toMatchObject({ keys: 1, limit: 1, forgottenEarly: 3 });
  });

  it('--journal-mb and --journal-limit bound what each journal keeps, shown by GET /hosts (--no-docs)', async () => {
    running = mockOn('nimbus-pay@2024-06-15', [
      '--no-docs',
      '--admin-port',
      '0',
      '--journal-mb',
      '1',
      '--journal-limit',
      '4',
    ]);
    const ready = await running.line(() => true);
    expect(ready.docs).toBeUndefined();
    expect((await fetch(`${ready.url as string}/docs`)).status).toBe(404);
    const post = (body: unknown) =>
      fetch(`${ready.url as string}/v1/payment_intents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${NIMBUS_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.text());
    const journal = async () =>
      (
        (await (await fetch(`${ready.admin as string}/hosts`)).json()) as {
          hosts: Array<{ journal: JournalState }>;
        }
      ).hosts[0]!.journal;
    // Three bodies of 400 kB: a megabyte holds two of them.
    for (let i = 0; i < 3; i++) await post({ metadata: { note: 'x'.repeat(400_000) } });
    const heavy = await journal();
    expect(heavy.bytes).toBeGreaterThan(800_000);
    expect(heavy.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(heavy.dropped).toBeGreaterThan(0);
    // Ten small ones: four exchanges (and a slack of one) by count.
    for (let i = 0; i < 10; i++) await post({});
    const many = await journal();
    expect(many.size).toBeLessThanOrEqual(5);
    expect(many.bytes).toBeLessThan(100_000);
    expect(many.last).toBeGreaterThan(13);
  });

  it('--journal-out appends every exchange to a file as it happens, masked; a bad path exits 2', async () => {
    const path = join(tempDir('mock-journal-'), 'journal.ndjson');
    running = mockOn('harbor-bank@2019.4', ['--journal-out', path]);
    const ready = await running.line(() => true);
    const port = (ready.address as { port: number }).port;
    expect((await send(asciiDialect(), port, sale({ stan: 1 }))).fields['39']).toBe('00');
    await running.line((l) => typeof l.request === 'string');
    // On disk before the mock stops: a crash now would not lose it.
    const written = () =>
      readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { seq: number; request?: { iso: { fields: Record<string, string> } } });
    let sale1: ReturnType<typeof written>[number] | undefined;
    for (let i = 0; i < 100 && !sale1; i++) {
      sale1 = written().find((e) => e.request);
      if (!sale1) await new Promise((r) => setTimeout(r, 20)); // the write may still be in flight
    }
    expect(sale1?.request?.iso.fields).toMatchObject({ 2: '411111******1111', 11: '000001' });
    running.child.kill('SIGINT');
    expect(await running.exited).toBe(0);
    expect(written().map((e) => e.seq)).toEqual([1, 2, 3]); // connected, the sale, disconnected
    expect(readFileSync(path, 'utf8')).not.toContain(VISA_TEST_PAN);

    const bad = cli([
      'mock',
      'harbor-bank@2019.4',
      '--port',
      '0',
      '--journal-out',
      '/nonexistent/dir/j.ndjson',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^error: --journal-out: cannot write \/nonexistent\/dir\/j\.ndjson: ENOENT/);
  });

  it('refuses what does not apply: an ISO-only fault or a backup for a gateway, the certificate of a plain host; exit 2', () => {
    const fault = cli(['mock', 'meridian-checkout@v4', '--port', '0', '--fault', '{"fault":"wrong-stan"}']);
    expect(fault.code).toBe(2);
    expect(fault.err).toContain('--fault[0].fault: "wrong-stan" has no http implementation');
    const backup = cli(['mock', 'meridian-checkout@v4', '--port', '0', '--backup-port', '0']);
    expect(backup.code).toBe(2);
    expect(backup.err).toContain('is a REST gateway; backups are for ISO 8583 hosts');
    const cert = cli([
      'mock',
      'harbor-bank@2019.4',
      '--port',
      '0',
      '--cert-out',
      join(tmpdir(), 'never.pem'),
    ]);
    expect(cert.code).toBe(2);
    expect(cert.err).toContain('--cert-out: harbor-bank@2019.4 is not serving TLS here (add --tls)');
    const dup = cli(['mock', 'nimbus-pay@2024-06-15', '--port', '0', '--duplicate-keys', '10']);
    expect(dup.code).toBe(2);
    expect(dup.err).toContain("the duplicate window is an ISO 8583 host's");
  });

  it('--tls puts an ISO host inside TLS; --cert-out writes the certificate that paymatrix send --tls --ca trusts', async () => {
    const pem = join(tempDir('pm-tls-'), 'harbor.pem');
    running = mockOn('harbor-bank@2019.4', ['--tls', '--cert-out', pem, '--time-scale', '0.01']);
    const ready = await running.line(() => true);
    expect(ready.msg).toBe(
      `harbor-bank@2019.4 listening on 127.0.0.1:${(ready.address as { port: number }).port} (TLS, test certificate ${pem})`,
    );
    expect(ready.tls).toBe(true);
    expect(readFileSync(pem, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const at = `127.0.0.1:${(ready.address as { port: number }).port}`;
    const message = JSON.stringify(sale({ stan: 7, amountMinor: 1000 }));
    const ok = cli(['send', at, message, '-d', 'iso8583-1987-ascii', '--tls', '--ca', pem, '--json']);
    expect(ok.err).toBe('');
    expect(JSON.parse(ok.out).response.message.fields['39']).toBe('00');
    const untrusted = cli(['send', at, message, '-d', 'iso8583-1987-ascii', '--tls', '--set', '11=8']);
    expect(untrusted.code).toBe(1);
    expect(untrusted.err).toMatch(
      /could not connect \(\S*SELF_SIGNED\S*\); trust the host's certificate with --ca/,
    );
    const plain = cli(['send', at, message, '-d', 'iso8583-1987-ascii', '--set', '11=9']);
    expect(plain.code).toBe(1);
    expect(plain.err).toContain(
      'does the host require TLS (--tls), or speak another dialect or framing (-d)?',
    );
    const refused = await running.line((l) => String(l.msg).includes('TLS handshake failed'));
    expect(refused.msg).toContain('TLS handshake failed: the terminal speaks plain TCP');
  });

  it('mutual TLS: --terminal-cert-out writes the certificate and key that paymatrix send --cert presents', async () => {
    const dir = tempDir('pm-mtls-');
    const [ca, term] = [join(dir, 'lotus.pem'), join(dir, 'terminal.pem')];
    running = mockOn('lotus-acquirer@2027.1', ['--cert-out', ca, '--terminal-cert-out', term]);
    const ready = await running.line(() => true);
    const port = (ready.address as { port: number }).port;
    expect(ready.msg).toBe(
      `lotus-acquirer@2027.1 listening on 127.0.0.1:${port} (mutual TLS, test certificate ${ca}, terminal certificate ${term})`,
    );
    expect(ready.clientCertificate).toBe('required');
    expect(readFileSync(term, 'utf8')).toMatch(
      /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n/,
    );
    expect(statSync(term).mode & 0o777).toBe(0o600); // it holds a key
    const at = `127.0.0.1:${port}`;
    const sample = `@${join(root, 'protocols/iso8583/samples/cup-pos-sale-0200.json')}`;
    const tls = ['-d', 'cup-pos', '--tls', '--ca', ca];
    // The sample's MAC is zeros, so the centre answers with its MAC error: an answer all the same.
    const ok = cli(['send', at, sample, ...tls, '--cert', term, '--json']);
    expect(ok.code, ok.err).toBe(0);
    expect(JSON.parse(ok.out).response.message.mti).toBe('0210');
    const without = cli(['send', at, sample, ...tls, '--set', '11=000778']);
    expect(without.code).toBe(1);
    expect(without.err).toContain(
      'does the host require a client certificate? (--cert <file>; a mock writes one: --terminal-cert-out)',
    );
    const refused = await running.line((l) => String(l.msg).includes('TLS handshake failed'));
    expect(refused.msg).toContain('the terminal presented no client certificate');
    const plain = cli(['send', at, sample, '-d', 'cup-pos', '--cert', term]);
    expect(plain.code).toBe(2);
    expect(plain.err).toContain('--cert is for TLS: add --tls');
    // The CA's certificate alone is no terminal certificate: there is no key in it.
    const keyless = cli(['send', at, sample, ...tls, '--cert', ca]);
    expect(keyless.code).toBe(2);
    expect(keyless.err).toContain(`--cert: ${ca} holds no private key (one PEM file with both`);
  });

  it('--terminal-cert-out on a host that does not ask for client certificates is a usage error', () => {
    const r = cli([
      'mock',
      'lotus-acquirer@2026.1',
      '--port',
      '0',
      '--terminal-cert-out',
      join(tmpdir(), 'never.pem'),
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      "--terminal-cert-out: lotus-acquirer@2026.1 does not ask terminals for certificates here (its version's tls has no clientCertificate: required)",
    );
  });

  it('--cert-out also writes a gateway test certificate, which an HTTPS client trusts', async () => {
    const pem = join(tempDir('pm-tls-'), 'nimbus.pem');
    running = mockOn('nimbus-pay@2024-06-15', ['--tls', '--cert-out', pem, '--no-docs']);
    const ready = await running.line(() => true);
    expect(ready.msg).toBe(
      `nimbus-pay@2024-06-15 listening on ${String(ready.url)} (TLS, test certificate ${pem})`,
    );
    expect(String(ready.url)).toMatch(/^https:/);
    const ca = readFileSync(pem, 'utf8');
    const res = await new Promise<number>((done, fail) => {
      const req = httpsGet(`${String(ready.url)}/openapi.json`, { ca }, (r) => {
        r.resume();
        done(r.statusCode ?? 0);
      });
      req.on('error', fail);
    });
    expect(res).toBe(200);
  });

  it('a bad host ref exits 2 and lists the known hosts and versions', () => {
    const r = cli(['mock', 'harbor-bank@1999.1', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: unknown version "1999.1" of host harbor-bank');
    expect(r.err).toMatch(/known host versions:\n {2}harbor-bank@2019\.4 +ISO 8583:1987 ASCII/);
    expect(r.err).toContain('lotus-acquirer@2024.1');
    const unknown = cli(['mock', 'nobank@1', '--port', '0']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain(
      'unknown host "nobank" (known: harbor-bank, lotus-acquirer, meridian-checkout, nimbus-pay)',
    );
    // Gateways are listed with the acquirer hosts.
    expect(unknown.err).toMatch(/^ {2}nimbus-pay@2024-06-15 +Account default 2024-06-15/m);
  });

  it('bad options and bad faults exit 2 with the spot named', () => {
    const neg = cli([
      'mock',
      'harbor-bank@2019.4',
      '--port',
      '0',
      '--fault',
      '{"fault":"latency","params":{"delayMs":-5}}',
    ]);
    expect(neg.code).toBe(2);
    expect(neg.err).toBe('error: --fault[0].params.delayMs: must be >= 0, got -5\n');
    const json = cli(['mock', 'harbor-bank@2019.4', '--port', '0', '--fault', '{latency']);
    expect(json.code).toBe(2);
    expect(json.err).toMatch(/^error: --fault #1 is not JSON/);
    expect(cli(['mock', 'harbor-bank@2019.4', '--port', '70000']).code).toBe(2);
    expect(cli(['mock', 'harbor-bank@2019.4', '--time-scale', '0']).code).toBe(2);
    const keys = cli(['mock', 'harbor-bank@2019.4', '--duplicate-keys', '0']);
    expect(keys.code).toBe(2);
    expect(keys.err).toContain('must be a whole number >= 1');
    const mb = cli(['mock', 'harbor-bank@2019.4', '--journal-mb', 'lots']);
    expect(mb.code).toBe(2);
    expect(mb.err).toContain(
      "option '--journal-mb <n>' argument 'lots' is invalid. must be a whole number >= 1",
    );
    expect(cli(['mock', 'harbor-bank@2019.4', '--faults', '/nonexistent/faults.yaml']).code).toBe(2);
  });

  it('a port in use exits 2', async () => {
    running = mockOn('harbor-bank@2019.4');
    const ready = await running.line(() => true);
    const port = (ready.address as { port: number }).port;
    const r = cli(['mock', 'harbor-bank@2019.4', '--port', String(port)]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`cannot listen on 127.0.0.1:${port}`);
    // The admin API's port is named as such: the terminals' port was free.
    const admin = cli(['mock', 'harbor-bank@2019.4', '--port', '0', '--admin-port', String(port)]);
    expect(admin.code).toBe(2);
    expect(admin.err).toContain(`cannot listen on 127.0.0.1:${port} (--admin-port)`);
    running.child.kill('SIGINT');
    expect(await running.exited).toBe(0);
  });
});

describe('paymatrix faults', () => {
  it('lists every registered fault with its params and defaults', () => {
    const r = cli(['faults', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as Array<{
      name: string;
      level: string;
      transports: string[];
      params: Array<Record<string, unknown>>;
    }>;
    expect(rows.map((f) => f.name)).toContain('latency');
    const latency = rows.find((f) => f.name === 'latency')!;
    expect(latency.level).toBe('message');
    expect(latency.params).toEqual([
      expect.objectContaining({ name: 'delayMs', type: 'integer >= 0', default: 1000 }),
      expect.objectContaining({ name: 'jitterMs', type: 'integer >= 0', default: 0 }),
    ]);
    expect(rows.find((f) => f.name === 'host-down')!.level).toBe('connection');
    // Which transports each fault works on.
    expect(latency.transports).toEqual(['iso8583', 'http']);
    expect(rows.find((f) => f.name === 'wrong-stan')!.transports).toEqual(['iso8583']);
    expect(rows.find((f) => f.name === 'rate-limit')!.transports).toEqual(['http']);

    const text = cli(['faults']).out;
    expect(text).toMatch(/^latency {2}\[iso8583, http\]\n {2}Delays the response/m);
    expect(text).toMatch(/^host-down {2}\[iso8583, http\] {2}\(per connection\)$/m);
    expect(text).toMatch(/^slow-body {2}\[http\]$/m);
    expect(text).toMatch(/^ {4}delayMs +integer >= 0 +default 1000 /m);
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import pino, { type Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { type AdminApi, type MockHost, startAdminApi } from '../mocks/admin/admin-api.js';
import type { Exchange } from '../mocks/exchange.js';
import { exchangeLine } from '../mocks/exchange-line.js';
import { FaultSpecError, type FaultTransport, resolveFaultSpecs } from '../mocks/faults/index.js';
import { DOCS_PATH } from '../mocks/gateway/docs-page.js';
import { type MockGateway, startGateway } from '../mocks/gateway/start-gateway.js';
import { type HostRegistry, workspaceCards, workspaceHosts } from '../mocks/hosts/host-loader.js';
import { type IsoHost, startIsoHost } from '../mocks/iso-host/start-iso-host.js';
import { JournalFile } from '../mocks/journal-file.js';
import { collect, UsageError } from './input.js';
import { signalExitCode } from './signal-exit-code.js';
import { workspaceArg } from './workspace-arg.js';

export interface MockCommandOptions {
  /** Default 8583 for an ISO host, 8080 for a gateway. */
  port?: number;
  bind: string;
  backupPort?: number;
  adminPort?: number;
  adminBind: string;
  fault: string[];
  faults?: string;
  seed: number;
  timeScale: number;
  logLevel: string;
  workspace: string;
  /**
   * TLS with a generated test certificate (gateways: HTTPS; ISO hosts: ISO 8583 inside TLS); false
   * (--no-tls): plain even when the host version requires TLS. Default: as the version says.
   */
  tls?: boolean;
  /** File the TLS test certificate (PEM) is written to, for terminals to trust. */
  certOut?: string;
  /** Mutual TLS: file a test terminal's certificate and key (PEM) are written to, for a terminal to present. */
  terminalCertOut?: string;
  /** Gateways: false (--no-docs) serves no API docs page at /docs. */
  docs?: boolean;
  /** ISO hosts: keys the duplicate window remembers at most. */
  duplicateKeys?: number;
  /** Exchanges each host's journal keeps. */
  journalLimit?: number;
  /** Megabytes of message text each host's journal keeps. */
  journalMb?: number;
  /** File every exchange is appended to, one JSON line each. */
  journalOut?: string;
}

/** A running `paymatrix mock`: the host(s) or gateway, the admin API and how to stop them. */
export interface RunningMock {
  hosts: MockHost[];
  labels: string[];
  admin?: AdminApi;
  close(): Promise<void>;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function registerMock(program: Command): void {
  program
    .command('mock')
    .description(
      'run a mock acquirer host or payment gateway until interrupted (SIGINT/SIGTERM), logging one JSON line per exchange',
    )
    .argument(
      '<host>',
      'host@version, e.g. harbor-bank@2019.4 or nimbus-pay@2024-06-15 (see paymatrix hosts)',
    )
    .option('--port <n>', 'port for terminals (default 8583, gateways 8080); 0 picks a free one', portArg)
    .option(
      '--tls',
      'serve TLS with a generated self-signed test certificate (gateways: HTTPS; ISO hosts: ISO 8583 inside TLS)',
    )
    .option('--no-tls', 'plain TCP (ISO hosts) or HTTP (gateways) even when the host version requires TLS')
    .option('--cert-out <file>', 'write the TLS test certificate (PEM) to this file, for terminals to trust')
    .option(
      '--terminal-cert-out <file>',
      'mutual TLS: write a test terminal certificate and its key (PEM), issued by the host, for a terminal to present',
    )
    .option('--no-docs', 'gateways: serve no API docs page (Swagger UI of the served versions) at /docs')
    .option('--bind <address>', 'address the host listens on', '127.0.0.1')
    .option('--backup-port <n>', 'also start a backup instance on this port, sharing the ledger', portArg)
    .option('--admin-port <n>', 'serve the admin HTTP API on this port; 0 picks a free one', portArg)
    .option('--admin-bind <address>', 'address the admin API listens on', '127.0.0.1')
    .option(
      '--fault <json>',
      'a fault active from the start, as JSON (repeatable; primary only)',
      collect,
      [],
    )
    .option('--faults <file>', 'YAML/JSON file: a list of fault specs, or { faults: [...] } (primary only)')
    .option(
      '--duplicate-keys <n>',
      'ISO hosts: terminal+STAN keys the duplicate window remembers at most (default 250000); past it the oldest go early, with a warning',
      countArg,
    )
    .option(
      '--journal-limit <n>',
      'exchanges each host’s journal keeps (default 10000); the oldest go first',
      countArg,
    )
    .option(
      '--journal-mb <n>',
      'megabytes of frames, headers and bodies each host’s journal keeps (default 32); the oldest go first',
      countArg,
    )
    .option(
      '--journal-out <file>',
      'append every exchange to this file as it happens, one JSON line each (card data masked)',
    )
    .option('--seed <n>', 'seed of the faults’ random streams', intArg, 0)
    .option(
      '--time-scale <x>',
      'multiplies every host duration (0.01: a 30 s delay takes 300 ms)',
      scaleArg,
      1,
    )
    .option(
      '--log-level <level>',
      `${LEVELS.join(', ')}; debug adds connects and disconnects`,
      levelArg,
      'info',
    )
    .option(
      '-w, --workspace <dir>',
      'workspace whose mocks/ and protocols/ add hosts, cards and dialects',
      workspaceArg,
      '.',
    )
    .action(async (ref: string, opts: MockCommandOptions) => {
      const logger = pino({
        level: opts.logLevel,
        base: null,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      });
      const mock = await startMock(ref, opts, logger);
      const signal = await nextSignal();
      logger.info({ signal }, 'stopping');
      // A second signal means "now": skip the clean close.
      const force = (again: NodeJS.Signals) => process.exit(signalExitCode(again));
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      await mock.close();
      logger.info('stopped');
      logger.flush();
      process.off('SIGINT', force);
      process.off('SIGTERM', force);
      // Anything still holding the loop (a client that ignores FIN) must not keep a stopped mock alive.
      setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
    });
}

/** Starts the host or gateway (and backup and admin API) as the command does, logging to `logger`. */
export async function startMock(ref: string, opts: MockCommandOptions, logger: Logger): Promise<RunningMock> {
  const registry = workspaceHosts(opts.workspace);
  const version = resolveRef(registry, ref);
  const cards = workspaceCards(opts.workspace);
  const transport = version.kind === 'rest' ? 'http' : 'iso';
  if (version.kind === 'rest' && opts.backupPort !== undefined) {
    throw new UsageError(`--backup-port: ${version.ref} is a REST gateway; backups are for ISO 8583 hosts`);
  }
  if (version.kind === 'rest' && opts.duplicateKeys !== undefined) {
    throw new UsageError(
      `--duplicate-keys: ${version.ref} is a REST gateway; the duplicate window is an ISO 8583 host's`,
    );
  }
  const faults = startupFaults(opts, transport);
  const port = opts.port ?? (version.kind === 'rest' ? 8080 : 8583);
  const labels = opts.backupPort === undefined ? ['primary'] : ['primary', 'backup'];
  const hosts: MockHost[] = [];
  const unsubscribe: Array<() => void> = [];
  let admin: AdminApi | undefined;
  let journalFile: JournalFile | undefined;
  const close = async () => {
    for (const off of unsubscribe) off();
    await admin?.close();
    await Promise.all(hosts.map((h) => h.close()));
    // After the hosts: their last disconnects are in the file too.
    await journalFile?.close();
    if (journalFile?.skipped) {
      logger.warn(
        { skipped: journalFile.skipped },
        `${journalFile.skipped} exchanges were not written to ${journalFile.path}: the disk fell behind`,
      );
    }
  };
  if (opts.journalOut !== undefined) {
    const path = opts.journalOut;
    try {
      journalFile = await JournalFile.open(path, {
        onError: (err) =>
          logger.error({ err: err.message }, `cannot write the journal to ${path} any more: ${err.message}`),
        onBehind: () =>
          logger.warn(
            `the disk does not keep up with the traffic: exchanges are skipped from ${path} (counted at the end)`,
          ),
      });
    } catch (err) {
      throw new UsageError(`--journal-out: cannot write ${path}: ${(err as Error).message}`);
    }
  }
  try {
    const common = {
      bind: opts.bind,
      seed: opts.seed,
      timeScale: opts.timeScale,
      cards,
      ...(opts.journalLimit !== undefined && { journalLimit: opts.journalLimit }),
      ...(opts.journalMb !== undefined && { journalBytes: opts.journalMb * 1024 * 1024 }),
    };
    if (version.kind === 'rest') {
      hosts.push(
        await listening(`${opts.bind}:${port}`, () =>
          startGateway({
            ...common,
            host: version,
            port,
            faults,
            ...(opts.tls !== undefined && { tls: opts.tls }),
            docs: opts.docs === false ? false : DOCS_PATH,
          }),
        ),
      );
    } else {
      hosts.push(
        await listening(`${opts.bind}:${port}`, () =>
          startIsoHost({
            ...common,
            host: version,
            port,
            faults,
            ...(opts.tls !== undefined && { tls: opts.tls }),
            ...(opts.duplicateKeys !== undefined && { duplicateKeys: opts.duplicateKeys }),
            ...(opts.backupPort !== undefined && { label: 'primary' }),
          }),
        ),
      );
      if (opts.backupPort !== undefined) {
        const backupPort = opts.backupPort;
        const primary = hosts[0] as IsoHost;
        hosts.push(
          await listening(`${opts.bind}:${backupPort} (--backup-port)`, () =>
            startIsoHost({
              ...common,
              host: version,
              port: backupPort,
              label: 'backup',
              ledger: primary.ledger,
              // The same certificate (one per process): a terminal trusts one bank, whichever answers.
              ...(opts.tls !== undefined && { tls: opts.tls }),
            }),
          ),
        );
      }
    }
    hosts.forEach((h, i) => {
      unsubscribe.push(h.journal.onExchange((e) => logExchange(logger, labels[i]!, e)));
      journalFile?.follow(h.journal);
    });
    // A load test faster than the duplicate window can hold: say once that it now covers less.
    if (version.kind === 'iso8583') {
      (hosts[0] as IsoHost).ledger.duplicates.onFirstEarlyForget((stats) =>
        logger.warn(
          { duplicateWindow: stats },
          `duplicate window full (${stats.limit} keys): the oldest keys are forgotten before their ${version.spec.duplicates?.windowSeconds ?? 0} s are up, so a duplicate older than ~${stats.shortestWindowMs} ms is not recognised (see GET /ledger)`,
        ),
      );
    }
    if (opts.adminPort !== undefined) {
      const adminPort = opts.adminPort;
      admin = await listening(`${opts.adminBind}:${adminPort} (--admin-port)`, () =>
        startAdminApi({
          hosts,
          labels,
          port: adminPort,
          bind: opts.adminBind,
          defaultMetrics: true,
          // Its errors only: our first line already says where it listens.
          logger: logger.child({ component: 'admin' }, { level: 'warn' }),
        }),
      );
    }
    if (opts.certOut !== undefined) writeCertificate(hosts[0]!, opts.certOut);
    if (opts.terminalCertOut !== undefined) writeTerminalCertificate(hosts[0]!, opts.terminalCertOut);
  } catch (err) {
    await close();
    throw err;
  }

  const [primary, backup] = hosts;
  const mutual = terminalCertificateOf(primary!) !== undefined;
  const tlsNote =
    primary!.certificate === undefined
      ? ''
      : ` (${mutual ? 'mutual TLS' : 'TLS'}, test certificate ${opts.certOut ?? 'not written: --cert-out <file>'}` +
        (mutual
          ? `, terminal certificate ${opts.terminalCertOut ?? 'not written: --terminal-cert-out <file>'}`
          : '') +
        ')';
  const at = (h: MockHost) => ('url' in h ? h.url : `${h.address.host}:${h.address.port}`);
  const docs = version.kind === 'rest' && opts.docs !== false ? `${at(primary!)}${DOCS_PATH}` : undefined;
  logger.info(
    {
      ref: version.ref,
      ...(version.kind === 'rest'
        ? { api: version.api.ref, apis: version.apis.map((a) => a.ref), url: (primary as MockGateway).url }
        : { dialect: version.dialect.id }),
      address: primary!.address,
      ...(backup && { backup: backup.address }),
      ...(admin && { admin: admin.url }),
      ...(docs && { docs }),
      faults: primary!.faults.list().map((f) => f.id),
      tls: primary!.certificate !== undefined,
      ...(mutual && { clientCertificate: 'required' }),
      seed: opts.seed,
      timeScale: opts.timeScale,
    },
    `${version.ref} listening on ${at(primary!)}` +
      (backup ? `, backup on ${at(backup)}` : '') +
      tlsNote +
      (docs ? `; API docs ${docs}` : '') +
      (admin ? `; admin API ${admin.url}` : ''),
  );
  return { hosts, labels, ...(admin && { admin }), close };
}

/** --cert-out: the certificate a terminal must trust, where the user can provision it from. */
function writeCertificate(host: MockHost, path: string): void {
  if (host.certificate === undefined) {
    throw new UsageError(`--cert-out: ${host.version.ref} is not serving TLS here (add --tls)`);
  }
  writePem('--cert-out', path, host.certificate);
}

/** --terminal-cert-out: a certificate and key the host accepts from a terminal (mutual TLS). */
function writeTerminalCertificate(host: MockHost, path: string): void {
  const issued = terminalCertificateOf(host);
  if (!issued) {
    throw new UsageError(
      `--terminal-cert-out: ${host.version.ref} does not ask terminals for certificates here (its version's tls has no clientCertificate: required)`,
    );
  }
  // Owner-only: the file holds a private key, if only a test one.
  writePem('--terminal-cert-out', path, issued.cert + issued.key, 0o600);
}

/** The terminal certificate a host or gateway requiring mutual TLS issued. */
function terminalCertificateOf(host: MockHost): IsoHost['terminalCertificate'] {
  return host.terminalCertificate;
}

function writePem(option: string, path: string, pem: string, mode = 0o644): void {
  try {
    writeFileSync(path, pem, { mode });
  } catch (err) {
    throw new UsageError(`${option}: cannot write ${path}: ${(err as Error).message}`);
  }
}

function resolveRef(registry: HostRegistry, ref: string) {
  try {
    return registry.resolve(ref);
  } catch (err) {
    const known = [...registry.list(), ...registry.gateways()]
      .sort((a, b) => a.id.localeCompare(b.id))
      .flatMap((h) =>
        (h.versions as ReadonlyArray<{ ref: string; spec: { summary: string } }>).map(
          (v) => `  ${v.ref.padEnd(28)}${v.spec.summary}`,
        ),
      )
      .join('\n');
    throw new UsageError(`${(err as Error).message}\nknown host versions:\n${known}`);
  }
}

/** --faults file first, then each --fault; every spec is checked before anything listens. */
function startupFaults(opts: MockCommandOptions, transport: FaultTransport): unknown[] {
  const fromFile: unknown[] = [];
  if (opts.faults) {
    let data: unknown;
    try {
      data = parseYaml(readFileSync(opts.faults, 'utf8'));
    } catch (err) {
      throw new UsageError(`--faults ${opts.faults}: ${(err as Error).message}`);
    }
    const list = Array.isArray(data) ? data : (data as { faults?: unknown } | null)?.faults;
    if (!Array.isArray(list)) {
      throw new UsageError(
        `--faults ${opts.faults}: expected a list of faults, or an object with a faults list`,
      );
    }
    checkFaults(list, 'faults', transport, `--faults ${opts.faults}: `);
    fromFile.push(...list);
  }
  const fromFlags = opts.fault.map((json, i) => {
    try {
      return JSON.parse(json) as unknown;
    } catch (err) {
      throw new UsageError(`--fault #${i + 1} is not JSON: ${(err as Error).message}`);
    }
  });
  checkFaults(fromFlags, '--fault', transport);
  const all = [...fromFile, ...fromFlags];
  // Ids must be unique across both sources.
  checkFaults(all, 'faults', transport, 'the --faults file followed by each --fault: ');
  return all;
}

/** Throws a usage error naming the spot, e.g. `--fault[1].params.delayMs: must be >= 0, got -5`. */
function checkFaults(specs: unknown[], root: string, transport: FaultTransport, prefix = ''): void {
  try {
    resolveFaultSpecs(specs, root, { transport });
  } catch (err) {
    if (err instanceof FaultSpecError) throw new UsageError(`${prefix}${err.message}`);
    throw err;
  }
}

/** Runs a start that binds a port, turning "address in use" and friends into a usage error (exit 2). */
async function listening<T>(where: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new UsageError(`cannot listen on ${where}: ${(err as Error).message}`);
    }
    throw err;
  }
}

/** One line per exchange. Card data is already masked in the journal, and only summaries are logged. */
export function logExchange(logger: Logger, host: string, e: Exchange): void {
  try {
    const kind = e.event?.kind;
    const level =
      kind === 'connected' || kind === 'disconnected'
        ? 'debug'
        : e.violations.length > 0 || kind !== undefined
          ? 'warn'
          : 'info';
    if (!logger.isLevelEnabled(level)) return;
    logger[level](
      {
        seq: e.seq,
        host,
        connection: e.connection,
        ...(e.request && { request: e.request.summary }),
        ...(e.response && { response: e.response.summary }),
        ...(e.event && { event: e.event }),
        ...(e.durationMs !== undefined && { durationMs: e.durationMs }),
        ...(e.notes && { notes: e.notes }),
        violations: e.violations,
        faults: e.faults,
      },
      exchangeLine(e),
    );
  } catch {
    // Logging runs inside the host's journal: it must never take the host down.
  }
}

function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

function portArg(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n > 65535) throw new InvalidArgumentError('must be a port number, 0-65535');
  return n;
}

function intArg(value: string): number {
  if (!/^-?[0-9]+$/.test(value)) throw new InvalidArgumentError('must be an integer');
  return Number(value);
}

function countArg(value: string): number {
  if (!/^[0-9]+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('must be a whole number >= 1');
  return Number(value);
}

function scaleArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('must be a number > 0');
  return n;
}

function levelArg(value: string): string {
  if (!LEVELS.includes(value)) throw new InvalidArgumentError(`must be one of ${LEVELS.join(', ')}`);
  return value;
}

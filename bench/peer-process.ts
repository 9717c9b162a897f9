// Peer tools the benchmarks compare against (mountebank, Prism, WireMock): installed on demand into
// the git-ignored .bench/<name> folder with npm, never into package.json, and run as processes of
// their own whose CPU and memory are read from /proc. A peer that cannot be installed or started is
// reported as unavailable with the reason; the benchmark goes on without it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, LOOPBACK, procCpu, procMainThreadCpu, procRss } from './support.js';

/** A server under test, as the benchmarks drive it. */
export interface Peer {
  port: number;
  close(): Promise<void>;
  /** CPU time the server has used so far, in µs (undefined: cannot tell). */
  cpu(): number | undefined;
  /** CPU time of its main thread alone, in µs, where a peer can tell. */
  mainCpu?(): number | undefined;
  /** Resident memory of the server process, in bytes (undefined: cannot tell). */
  rss(): number | undefined;
}

export interface Unavailable {
  unavailable: string;
}

export interface Installed {
  /** .bench/<name>: the npm prefix, also the peer's working directory. */
  dir: string;
  /** The package's own folder in node_modules. */
  pkgDir: string;
}

/** "ECONNREFUSED: FetchError: request to … failed" out of npm's stderr (code + first message line). */
export function npmFailure(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .filter((l) => /^npm (error|ERR!)/.test(l))
    .map((l) => l.replace(/^npm (error|ERR!) ?/, ''));
  const code = lines.find((l) => l.startsWith('code '))?.slice(5);
  const message = lines.find(
    (l) => l.length > 0 && !/^(\s|code |syscall |errno |[{}]|A complete log)/.test(l),
  );
  if (!code && !message) return undefined;
  return [code, message].filter(Boolean).join(': ');
}

/** Installs `pkg@version` into .bench/<name> unless that version is there already. */
export function installPeer(
  root: string,
  name: string,
  pkg: string,
  version: string,
): Installed | Unavailable {
  const dir = join(root, '.bench', name);
  const pkgDir = join(dir, 'node_modules', ...pkg.split('/'));
  const manifest = join(pkgDir, 'package.json');
  const installed = () =>
    existsSync(manifest) &&
    (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version === version;
  if (installed()) return { dir, pkgDir };
  console.log(`${name}: installing ${pkg}@${version} into .bench/${name} (npm install)...`);
  const started = Date.now();
  mkdirSync(dir, { recursive: true });
  const npm = spawnSync(
    process.platform === 'win32' ? 'npm.cmd' : 'npm',
    ['install', '--prefix', dir, `${pkg}@${version}`, '--no-audit', '--no-fund', '--loglevel=error'],
    { encoding: 'utf8', timeout: 300_000 },
  );
  if (npm.error || npm.status !== 0 || !installed()) {
    const why = npm.error?.message ?? npmFailure(npm.stderr) ?? `npm exited with ${npm.status ?? npm.signal}`;
    console.log(`${name}: install failed (${why}); continuing without it`);
    return { unavailable: `install failed: ${why}` };
  }
  console.log(`${name}: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { dir, pkgDir };
}

/** A peer's process: the tail of its output, whether it exited, and a stop that waits for the exit. */
export interface PeerProcess {
  child: ChildProcess;
  exited(): boolean;
  /** The last lines it printed (stdout and stderr), for error messages. */
  tail(lines?: number): string;
  /** SIGTERM, SIGKILL after 5 s; resolves when the process is gone. */
  stop(): Promise<void>;
}

export function spawnPeer(command: string, args: string[], cwd: string): PeerProcess {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (b: Buffer) => {
    output = (output + b.toString('utf8')).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (err) => {
      keep(Buffer.from(err.message));
      exited = true;
      resolve();
    });
  });
  return {
    child,
    exited: () => exited,
    tail: (n = 2) => output.trim().split('\n').slice(-n).join(' / '),
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Polls `ready` every 100 ms until it says yes, the process exits or `ms` pass; undefined or why not. */
export async function waitReady(
  proc: PeerProcess,
  ready: () => Promise<boolean>,
  ms: number,
  what: string,
): Promise<string | undefined> {
  const until = Date.now() + ms;
  for (;;) {
    if (proc.exited()) return 'exited at start-up';
    if (await ready().catch(() => false)) return undefined;
    if (Date.now() > until) return `${what} within ${ms / 1000} s`;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * `mb` on a free loopback port, injection off (no --allowInjection), logging at warn (at its default,
 * info, it logs every request), then one imposter (its own JSON, with `host` set to loopback); the
 * peer's port is the one mountebank gave the imposter.
 */
export async function startMountebank(install: Installed, imposter: object): Promise<Peer | Unavailable> {
  const apiPort = await freePort();
  const api = `http://${LOOPBACK}:${apiPort}`;
  const args = [join(install.pkgDir, 'bin', 'mb'), 'start', '--port', String(apiPort), '--host', LOOPBACK];
  args.push('--localOnly', '--nologfile', '--loglevel', 'warn', '--pidfile', join(install.dir, 'mb.pid'));
  const mb = spawnPeer(process.execPath, args, install.dir);
  const stop = async () => {
    if (!mb.exited()) await fetch(`${api}/imposters`, { method: 'DELETE' }).catch(() => {});
    await mb.stop();
  };
  const fail = async (why: string) => {
    await stop();
    const tail = mb.tail();
    return { unavailable: `${why}${tail ? ` (mb: ${tail})` : ''}` };
  };

  const late = await waitReady(
    mb,
    () => fetch(`${api}/config`).then((r) => r.ok),
    20_000,
    'no answer on its API',
  );
  if (late) return fail(`mb ${late}`);
  const created = await fetch(`${api}/imposters`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...imposter, host: LOOPBACK }),
  }).catch((err: Error) => err);
  if (created instanceof Error) return fail(`POST /imposters: ${created.message}`);
  const body = (await created.json().catch(() => ({}))) as { port?: number };
  if (created.status !== 201 || typeof body.port !== 'number')
    return fail(`POST /imposters answered ${created.status} ${JSON.stringify(body).slice(0, 200)}`);
  const pid = mb.child.pid;
  return {
    port: body.port,
    close: stop,
    cpu: () => procCpu(pid),
    mainCpu: () => procMainThreadCpu(pid),
    rss: () => procRss(pid),
  };
}

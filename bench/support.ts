// Helpers shared by the server benchmarks (bench/host.ts, bench/gateway.ts): where the repository is,
// free ports, CPU and memory of a process, latency percentiles and the result table.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LOOPBACK = '127.0.0.1';

export function check(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Error(`bench setup: ${what}`);
}

/** The folder holding package.json above this file (dist-bench/bench/… or bench/…). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    check(up !== dir, 'no package.json above the bench');
    dir = up;
  }
  return dir;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, LOOPBACK, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** This process's CPU time (every thread: JS, GC helpers, libuv), in µs. */
export const ownCpu = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** Another process's CPU time from /proc (Linux; clock ticks of 10 ms), in µs. */
export function procCpu(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10_000; // utime + stime
  } catch {
    return undefined;
  }
}

/**
 * CPU time of a process's main thread alone from /proc (Linux; 10 ms ticks), in µs: for a Node
 * server, its event loop, which is where a saturated server runs out (GC helpers and libuv's pool
 * are other threads). Default: this process.
 */
export function procMainThreadCpu(pid: number | undefined = process.pid): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10_000; // utime + stime
  } catch {
    return undefined;
  }
}

/** Another process's resident set size from /proc (Linux), in bytes. */
export function procRss(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** The direct children of a process (Linux), e.g. the java that an npm wrapper spawned. */
export function procChildren(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** A latency distribution in 1 µs buckets. */
export class Latencies {
  private readonly counts = new Map<number, number>();
  total = 0;

  /** One latency, in µs. */
  record(us: number): void {
    const bucket = Math.floor(us);
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + 1);
    this.total++;
  }

  /** A sparse histogram: [µs, count, µs, count, …]. */
  add(sparse: Uint32Array): void {
    for (let i = 0; i < sparse.length; i += 2) {
      const us = sparse[i]!;
      const n = sparse[i + 1]!;
      this.counts.set(us, (this.counts.get(us) ?? 0) + n);
      this.total += n;
    }
  }

  /** The p-th percentile in ms (1 µs buckets; the upper edge of the bucket). */
  percentile(p: number): number {
    const rank = Math.ceil((p / 100) * this.total);
    let seen = 0;
    for (const us of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(us)!;
      if (seen >= rank) return (us + 1) / 1000;
    }
    return Number.NaN;
  }
}

export const fmtCount = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Prints rows as an aligned table: the first `left` columns left-aligned, the rest right-aligned. */
export function printTable(rows: Record<string, string>[], left = 1): void {
  if (rows.length === 0) return;
  const heads = Object.keys(rows[0]!);
  const widths = heads.map((h) => Math.max(h.length, ...rows.map((r) => (r[h] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((x, i) => (i < left ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  console.log(line(heads));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(heads.map((h) => r[h] ?? '')));
}

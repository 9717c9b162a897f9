import { readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error.js';

/** The lock a run holds on its folder while it writes there. */
export const RUN_LOCK = '.paymatrix.lock';

interface Holder {
  pid: number;
  host: string;
  since: string;
}

/**
 * Takes the run folder for this run, or refuses when another live run is writing there: two runs
 * appending to one results.jsonl interleave their lines and damage it for good. The lock file names
 * its holder (pid, host): the lock of a run that died (even `kill -9`) is taken over at once, so
 * `--resume` right after a crash works. (proper-lockfile's locks expire by age instead, and refused
 * such a resume for 10 s.) Returns the release.
 */
export function lockRunFolder(out: string): () => void {
  const file = join(out, RUN_LOCK);
  const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${JSON.stringify(me)}\n`, { flag: 'wx' });
      // Gone already (the folder was removed meanwhile): nothing to release.
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(file);
    if (holder && alive(holder)) {
      throw new ConfigError(
        `${out} is being written by another paymatrix run (pid ${holder.pid} on ${holder.host}, since ` +
          `${holder.since}): wait for it to finish, or use another --out`,
      );
    }
    // Its holder is gone (or the file is unreadable): a crashed run's lock.
    unlinkSync(file);
  }
  throw new ConfigError(`${out}: could not take the run lock ${RUN_LOCK}`);
}

function readHolder(file: string): Holder | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Holder;
  } catch {
    return undefined;
  }
}

/** A holder on another machine (a shared folder) cannot be checked: it counts as alive. */
function alive(h: Holder): boolean {
  if (h.host !== hostname()) return true;
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !zombie(h.pid);
}

/** A killed process its parent has not reaped yet still answers signal 0 (Linux: state Z in /proc). */
function zombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

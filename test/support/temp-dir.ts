import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Directories made by the current test file; remove-temp-dirs.ts (a vitest setup file) deletes
// them when the file's tests are done, so that test runs do not fill the machine's /tmp.
const made: string[] = [];

/** A fresh directory under the OS temp dir (`<prefix>XXXXXX`), removed after this test file. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Deletes every directory tempDir made so far. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

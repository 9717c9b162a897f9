// paymatrix runs on Node >= 20.19 (package.json engines; ARCHITECTURE.md). `npm ci` only warns
// (EBADENGINE) when a locked package, however deep, declares it needs a newer Node, and that
// package may then fail at run time on Node 20 where no test of ours goes. This reads the lock.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const read = (file: string) => JSON.parse(readFileSync(resolve(root, file), 'utf8'));

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
}

describe('the locked dependencies', () => {
  it('all run on the oldest Node that package.json promises', () => {
    const oldest = semver.minVersion(read('package.json').engines.node as string)!;
    expect(oldest.version).toBe('20.19.0');
    const packages = read('package-lock.json').packages as Record<string, LockedPackage>;
    const needNewer = Object.entries(packages).flatMap(([path, p]) => {
      const node = Array.isArray(p.engines) ? undefined : p.engines?.node;
      if (!path || !node || semver.satisfies(oldest, node)) return [];
      return [`${path.replace(/^.*node_modules\//, '')}@${p.version} needs node ${node}`];
    });
    expect(needNewer).toEqual([]);
  });
});

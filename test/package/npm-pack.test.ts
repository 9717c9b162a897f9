// The published package carries the whole built-in catalogue: every data file the loaders read from
// the package root (dialects, API versions, hosts, cards, firmware builds with their profiles and
// example emulator, suites). A folder missing from package.json `files` breaks `npx paymatrix run`
// for every user while every test in this checkout still passes.

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinCardsFile, builtinHostsDir } from '../../src/mocks/hosts/host-loader.js';
import { builtinDialectsDir } from '../../src/protocols/iso8583/index.js';
import { builtinApisDir } from '../../src/protocols/rest/api-loader.js';
import { builtinSuitesDir } from '../../src/suites/suite-loader.js';
import { builtinFirmwareDir } from '../../src/terminals/firmware-loader.js';

const root = resolve(import.meta.dirname, '../..');

/** Every file under a folder, relative to the package root (Python byte code left out). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && !e.parentPath.includes('__pycache__'))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

describe('npm pack', () => {
  it('ships every built-in data folder the code reads at run time', { timeout: 30_000 }, () => {
    // --ignore-scripts: no build; the test is about the data folders, not dist/.
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const [pack] = JSON.parse(r.stdout) as [{ files: { path: string }[] }];
    const shipped = new Set(pack.files.map((f) => f.path));

    const dirs = [
      builtinDialectsDir(),
      builtinApisDir(),
      builtinHostsDir(),
      builtinFirmwareDir(),
      builtinSuitesDir(),
    ];
    const wanted = [...dirs.flatMap(filesUnder), relative(root, builtinCardsFile())];
    expect(wanted.length).toBeGreaterThan(50);
    for (const folder of [
      'firmware/profiles/',
      'firmware/examples/pyterm/',
      'suites/core/',
      'protocols/rest/',
    ])
      expect(
        wanted.some((f) => f.startsWith(folder)),
        folder,
      ).toBe(true);
    expect(wanted.filter((f) => !shipped.has(f))).toEqual([]);
    // Tests and their fixtures stay behind.
    expect([...shipped].filter((f) => f.startsWith('test/'))).toEqual([]);
  });
});

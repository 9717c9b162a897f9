// The warm-up before scheduling: runMatrix hands it exactly the cells about to be played, before the
// first one starts; openWorkspace's warm-up resolves each planned build's profile once (terminals made
// afterwards reuse it), compiles each planned gateway version's validators, shares one parse of the
// API documents between hosts and terminals, and leaves broken builds to their cells.

import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Cell } from '../../src/matrix/cell.js';
import { planCells } from '../../src/matrix/planner.js';
import type { RunSettings } from '../../src/matrix/run-manifest.js';
import { runMatrix } from '../../src/matrix/run-matrix.js';
import type { CellRunner } from '../../src/matrix/scheduler.js';
import { tempDir } from '../support/temp-dir.js';
import { fakeCatalogue, fakeRunner } from './support/fake-catalogue.js';

// Spies around the real functions: counted, not replaced.
const spies = vi.hoisted(() => ({ resolveProfile: 0, warmGateway: [] as string[], workspaceApis: 0 }));
vi.mock('../../src/terminals/reference/profile-loader.js', async (original) => {
  const m = await original<typeof import('../../src/terminals/reference/profile-loader.js')>();
  return {
    ...m,
    resolveProfile: (...args: Parameters<typeof m.resolveProfile>) => {
      spies.resolveProfile++;
      return m.resolveProfile(...args);
    },
  };
});
vi.mock('../../src/suites/cell-hosts.js', async (original) => {
  const m = await original<typeof import('../../src/suites/cell-hosts.js')>();
  return {
    ...m,
    warmGateway: (v: Parameters<typeof m.warmGateway>[0]) => {
      spies.warmGateway.push(v.ref);
      m.warmGateway(v);
    },
  };
});
vi.mock('../../src/protocols/rest/api-loader.js', async (original) => {
  const m = await original<typeof import('../../src/protocols/rest/api-loader.js')>();
  return {
    ...m,
    workspaceApis: (...args: Parameters<typeof m.workspaceApis>) => {
      spies.workspaceApis++;
      return m.workspaceApis(...args);
    },
  };
});

const { openWorkspace } = await import('../../src/matrix/workspace-runner.js');

const settings: RunSettings = {
  firmware: [],
  hosts: [],
  suites: [],
  seed: 1,
  timeScale: 0.01,
  cellTimeoutMs: 5000,
  retryFailed: false,
  shard: null,
};
const outs: string[] = [];
const out = () => {
  const d = tempDir('pm-warm-');
  outs.push(d);
  return d;
};
afterAll(() => {
  for (const d of outs) rmSync(d, { recursive: true, force: true });
});

describe('runMatrix warm-up', () => {
  it('gets the cells to play (not n/a, not already done) once, before the first cell starts', async () => {
    const plan = planCells(fakeCatalogue());
    const playable = plan.filter((p) => !p.notApplicable).map((p) => p.cell.key);
    expect(playable.length).toBeLessThan(plan.length); // the plan has n/a cells to leave out

    const events: string[] = [];
    const played: string[] = [];
    let warmed: string[] = [];
    const runner: CellRunner = (cell, options) => {
      events.push('cell');
      played.push(cell.key);
      return fakeRunner()(cell, options);
    };
    const dir = out();
    // First run: stopped after a few cells, so the resume has done cells to leave out.
    const stop = new AbortController();
    const first: string[] = [];
    await runMatrix({
      catalogue: fakeCatalogue(),
      runner: (c, o) => {
        if (first.push(c.key) === 3) stop.abort();
        return fakeRunner()(c, o);
      },
      out: dir,
      settings,
      concurrency: 1,
      signal: stop.signal,
    });
    const r = await runMatrix({
      catalogue: fakeCatalogue(),
      runner,
      warmUp: async (cells: readonly Cell[]) => {
        events.push('warm-up');
        warmed = cells.map((c) => c.key);
      },
      out: dir,
      settings,
      concurrency: 2,
      resume: true,
    });
    expect(r.resumed).toBeGreaterThan(0);
    expect(events[0]).toBe('warm-up');
    expect(events.filter((e) => e === 'warm-up')).toHaveLength(1);
    // The first run recorded its first two cells (the third was cut off: it plays again now).
    const left = playable.filter((k) => !first.slice(0, 2).includes(k));
    expect(warmed.sort()).toEqual(left.sort());
    expect(new Set(played)).toEqual(new Set(warmed));
  });
});

describe('openWorkspace warm-up', () => {
  const root = resolve(import.meta.dirname, '../..');
  const cell = (firmware: string, host: string, version: string): Cell => ({
    key: `${firmware}|${host}@${version}|core/sale-approved`,
    firmware,
    host,
    version,
    suite: 'core',
    scenario: 'sale-approved',
  });

  it('resolves each planned build once, warms planned gateways only, parses the API documents once', {
    timeout: 60_000,
  }, async () => {
    const ws = openWorkspace(root);
    const cells = [
      cell('corvid-c400-4.2', 'harbor-bank', '2019.4'),
      cell('corvid-c400-4.2', 'harbor-bank', '2022.2'),
      cell('osprey-s5-2.4', 'meridian-checkout', 'v3'),
      cell('osprey-s5-2.4', 'meridian-checkout', 'v4'),
      cell('no-such-build', 'harbor-bank', '2019.4'), // left to its cell
      cell('corvid-c400-4.2', 'no-such-bank', '1.0'),
    ];
    spies.resolveProfile = 0;
    await ws.warmUp(cells);
    expect(spies.resolveProfile).toBe(2);
    expect(spies.warmGateway.sort()).toEqual(['meridian-checkout@v3', 'meridian-checkout@v4']);

    // Terminals made afterwards (one per cell in a run) reuse the resolved profiles.
    for (const id of ['corvid-c400-4.2', 'osprey-s5-2.4', 'corvid-c400-4.2']) {
      const t = await ws.catalogue.createTerminal(ws.catalogue.firmware.get(id));
      await t.close();
    }
    expect(spies.resolveProfile).toBe(2);
    // Gateways (hosts) and REST terminals read one registry of API versions.
    expect(spies.workspaceApis).toBe(1);
  });

  it('a build whose profile cannot be resolved is left to its cells, which report it', {
    timeout: 60_000,
  }, async () => {
    const ws = openWorkspace(root);
    const good = ws.catalogue.firmware.get('kestrel-k2-3.1');
    const broken = { ...good, id: 'broken', profile: { ...good.profile!, extends: 'no-such-profile' } };
    const catalogue = { ...ws.catalogue.firmware };
    vi.spyOn(ws.catalogue.firmware, 'get').mockImplementation((id) =>
      id === 'broken' ? broken : catalogue.get(id),
    );
    await expect(ws.warmUp([cell('broken', 'harbor-bank', '2019.4')])).resolves.toBeUndefined();
    await expect(ws.catalogue.createTerminal(broken)).rejects.toThrow(/unknown profile "no-such-profile"/);
  });
});

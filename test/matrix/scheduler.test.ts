import { describe, expect, it } from 'vitest';
import type { CellResult } from '../../src/matrix/cell.js';
import { cellSeed } from '../../src/matrix/cell-seed.js';
import { planCells } from '../../src/matrix/planner.js';
import { type CellRunner, type ScheduleOptions, scheduleCells } from '../../src/matrix/scheduler.js';
import { fakeCatalogue, fakeRunner } from './support/fake-catalogue.js';

const base: ScheduleOptions = {
  concurrency: 4,
  timeScale: 0.01,
  seed: 7,
  cellTimeoutMs: 1000,
  retryFailed: false,
};
const runnable = planCells(fakeCatalogue()).filter((p) => !p.notApplicable);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('scheduleCells', () => {
  it('keeps at most `concurrency` cells in flight and uses every slot', async () => {
    let inFlight = 0;
    let max = 0;
    const inner = fakeRunner(5);
    const runner: CellRunner = async (cell, o) => {
      max = Math.max(max, ++inFlight);
      try {
        return await inner(cell, o);
      } finally {
        inFlight--;
      }
    };
    const recorded: CellResult[] = [];
    const results = await scheduleCells(runnable, runner, (r) => recorded.push(r), {
      ...base,
      concurrency: 3,
    });
    expect(max).toBe(3);
    expect(results).toHaveLength(runnable.length);
    expect(recorded).toEqual(results);
  });

  it('records each result the moment its cell finishes (finish order, not plan order)', async () => {
    const cells = runnable.slice(0, 4);
    const delays = [60, 10, 35, 0];
    const order: string[] = [];
    const runner = fakeRunner((key) => delays[cells.findIndex((c) => c.cell.key === key)]!);
    await scheduleCells(cells, runner, (r) => order.push(r.key), { ...base, concurrency: 4 });
    expect(order).toEqual([3, 1, 2, 0].map((i) => cells[i]!.cell.key));
  });

  it('records n/a cells without running them', async () => {
    const all = planCells(fakeCatalogue(), { firmware: ['iso-basic'], hosts: ['bank-a@1.0'] });
    const ran: string[] = [];
    const inner = fakeRunner();
    const results = await scheduleCells(
      all,
      (c, o) => {
        ran.push(c.key);
        return inner(c, o);
      },
      () => {},
      base,
    );
    expect(ran).toEqual(['iso-basic|bank-a@1.0|core/sale']);
    const refund = results.find((r) => r.scenario === 'refund')!;
    expect(refund.status).toBe('n/a');
    expect(refund.reasons[0]!.kind).toBe('capability');
    expect(refund.evidence).toBeUndefined();
  });

  it('gives each cell a seed derived from the run seed and its key, whatever the order', async () => {
    const seeds = new Map<string, number>();
    const inner = fakeRunner();
    const runner: CellRunner = (c, o) => {
      seeds.set(c.key, o.seed);
      return inner(c, o);
    };
    await scheduleCells(runnable, runner, () => {}, { ...base, seed: 42 });
    await scheduleCells([...runnable].reverse().slice(0, 5), runner, () => {}, {
      ...base,
      seed: 42,
      concurrency: 1,
    });
    for (const p of runnable) expect(seeds.get(p.cell.key)).toBe(cellSeed(42, p.cell.key));
    expect(new Set(seeds.values()).size).toBe(runnable.length);
    expect(cellSeed(43, runnable[0]!.cell.key)).not.toBe(cellSeed(42, runnable[0]!.cell.key));
  });

  it('cuts off a cell whose runner ignores its own timeout, and moves on', async () => {
    const [hung, ok] = runnable;
    let aborted = false;
    const inner = fakeRunner();
    const runner: CellRunner = (c, o) => {
      if (c.key !== hung!.cell.key) return inner(c, o);
      o.signal?.addEventListener('abort', () => (aborted = true));
      return new Promise(() => {}); // never settles
    };
    const started = Date.now();
    const results = await scheduleCells([hung!, ok!], runner, () => {}, {
      ...base,
      concurrency: 1,
      cellTimeoutMs: 100,
      backstopGraceMs: 50,
    });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(aborted).toBe(true);
    expect(results.map((r) => [r.key, r.status])).toEqual([
      [hung!.cell.key, 'error'],
      [ok!.cell.key, 'pass'],
    ]);
    expect(results[0]!.reasons).toEqual([
      {
        kind: 'timeout',
        message:
          'cell did not finish within 150 ms and was cut off by the runner (its own 100 ms timeout did not stop it)',
      },
    ]);
  });

  it('turns a runner that throws into an error result with a harness reason', async () => {
    const results = await scheduleCells(
      runnable.slice(0, 1),
      async () => {
        throw new Error('emulator exploded');
      },
      () => {},
      base,
    );
    expect(results[0]).toMatchObject({
      status: 'error',
      reasons: [{ kind: 'harness', message: 'the cell runner failed: emulator exploded' }],
    });
  });

  it('plays a failed cell again with the same seed: a pass then makes it flaky, a second failure keeps it failed', async () => {
    const [flakyCell, brokenCell] = runnable;
    const calls = new Map<string, number[]>();
    const inner = fakeRunner();
    const runner: CellRunner = async (c, o) => {
      const seen = calls.get(c.key) ?? [];
      seen.push(o.seed);
      calls.set(c.key, seen);
      const r = await inner(c, o);
      const fails = c.key === brokenCell!.cell.key || seen.length === 1;
      return fails
        ? { ...r, status: 'fail', reasons: [{ kind: 'expectation', message: `attempt ${seen.length}` }] }
        : r;
    };
    const results = await scheduleCells([flakyCell!, brokenCell!], runner, () => {}, {
      ...base,
      retryFailed: true,
    });
    const byKey = new Map(results.map((r) => [r.key, r]));
    expect(byKey.get(flakyCell!.cell.key)!.status).toBe('flaky');
    expect(byKey.get(flakyCell!.cell.key)!.reasons.map((r) => r.message)).toEqual([
      'fail on the first attempt, passed when played again',
      'attempt 1',
    ]);
    expect(byKey.get(brokenCell!.cell.key)).toMatchObject({
      status: 'fail',
      reasons: [{ message: 'attempt 1' }],
    });
    for (const seeds of calls.values()) expect(new Set(seeds).size).toBe(1);
    expect([...calls.values()].map((s) => s.length)).toEqual([2, 2]);
  });

  it('does not replay a cell the host rejected (deterministic), but does when the cell was cut off', async () => {
    const [rejectedCell, cutOffCell] = runnable;
    const calls = new Map<string, number>();
    const inner = fakeRunner();
    const runner: CellRunner = async (c, o) => {
      calls.set(c.key, (calls.get(c.key) ?? 0) + 1);
      const r = await inner(c, o);
      const violation = { kind: 'violation' as const, message: 'host rejected 0200: must carry DE55' };
      const reasons =
        c.key === rejectedCell!.cell.key
          ? [violation]
          : [violation, { kind: 'timeout' as const, message: 'cell cut off after 100 ms' }];
      return { ...r, status: 'fail', reasons };
    };
    await scheduleCells([rejectedCell!, cutOffCell!], runner, () => {}, { ...base, retryFailed: true });
    expect(calls.get(rejectedCell!.cell.key)).toBe(1);
    expect(calls.get(cutOffCell!.cell.key)).toBe(2);
  });

  it('stops on abort: cells in flight are not recorded', async () => {
    const controller = new AbortController();
    const recorded: string[] = [];
    const run = scheduleCells(runnable, fakeRunner(20), (r) => recorded.push(r.key), {
      ...base,
      concurrency: 2,
      signal: controller.signal,
    });
    await sleep(50);
    controller.abort();
    const results = await run;
    expect(results.length).toBeGreaterThan(0);
    expect(results.length).toBeLessThan(runnable.length);
    expect(recorded).toEqual(results.map((r) => r.key));
  });
});

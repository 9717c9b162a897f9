import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planCells } from '../../src/matrix/planner.js';
import { inShard, parseShard, shardOf } from '../../src/matrix/shard.js';
import { fakeCatalogue } from './support/fake-catalogue.js';

describe('shards', () => {
  it('cover every cell exactly once, for any set of keys and any shard count', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1 }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 12 }),
        (keys, n) => {
          const slices = Array.from({ length: n }, (_, i) =>
            inShard(keys, (k) => k, { index: i + 1, count: n }),
          );
          const all = slices.flat();
          expect(all).toHaveLength(keys.length);
          expect(new Set(all)).toEqual(new Set(keys));
          // Each slice keeps plan order.
          for (const s of slices) expect(s).toEqual(keys.filter((k) => s.includes(k)));
        },
      ),
    );
  });

  it('are a pure function of the key: the same on every machine, whatever else is planned', () => {
    const plan = planCells(fakeCatalogue()).map((p) => p.cell.key);
    const shards = plan.map((k) => shardOf(k, 4));
    expect(plan.map((k) => shardOf(k, 4))).toEqual(shards);
    expect(new Set(shards).size).toBe(4); // 45 cells spread over all four
    const fewer = plan.filter((_, i) => i % 3 === 0);
    expect(fewer.map((k) => shardOf(k, 4))).toEqual(shards.filter((_, i) => i % 3 === 0));
  });

  it('parses k/n and refuses anything else', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '1/0', '2', 'a/b', '-1/2'])
      expect(() => parseShard(bad)).toThrow(/--shard must be k\/n/);
  });
});

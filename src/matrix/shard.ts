import { createHash } from 'node:crypto';
import { ConfigError } from './config-error.js';

/** `--shard k/n`: the k-th of n slices (1-based). */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || count < 1 || index < 1 || index > count)
    throw new ConfigError(`--shard must be k/n with 1 <= k <= n, e.g. 2/4 (got "${text}")`);
  return { index, count };
}

/**
 * Which shard (1-based) a cell key belongs to. A hash of the key alone — not the cell's position —
 * so every machine computes the same slice from the same plan, and adding a build moves no other cell.
 */
export function shardOf(key: string, count: number): number {
  return (createHash('sha1').update(key).digest().readUInt32BE(0) % count) + 1;
}

export function inShard<T>(items: readonly T[], keyOf: (item: T) => string, shard: Shard | undefined): T[] {
  if (!shard || shard.count === 1) return [...items];
  return items.filter((item) => shardOf(keyOf(item), shard.count) === shard.index);
}

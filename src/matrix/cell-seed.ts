import { createHash } from 'node:crypto';

/**
 * The seed a cell's faults use: derived from the run seed and the cell key, so a cell gets the same
 * seed whatever else is in the run, its shard or the order cells finish in.
 */
export function cellSeed(runSeed: number, key: string): number {
  return createHash('sha256').update(`${runSeed}\0${key}`).digest().readUInt32BE(0);
}

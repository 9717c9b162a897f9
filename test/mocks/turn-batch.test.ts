import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TurnBatch } from '../../src/mocks/turn-batch.js';

describe('TurnBatch', () => {
  it('holds work until the end of the turn, then does it all in order', async () => {
    const done: number[] = [];
    const batch = new TurnBatch<number>((n) => done.push(n));
    batch.add(1);
    batch.add(2);
    await Promise.resolve(); // microtasks of the same turn: still held
    expect(done).toEqual([]);
    await turn();
    expect(done).toEqual([1, 2]);
    batch.add(3);
    await turn();
    expect(done).toEqual([1, 2, 3]);
  });

  it('flush() does the held work at once, and the scheduled run finds nothing left', async () => {
    const done: string[] = [];
    const batch = new TurnBatch<string>((s) => done.push(s));
    batch.add('a');
    batch.flush();
    expect(done).toEqual(['a']);
    batch.add('b'); // a new turn's batch after a flush
    await turn();
    expect(done).toEqual(['a', 'b']);
  });
});

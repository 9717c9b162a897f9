import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TurnBatch } from '../../src/mocks/turn-batch.js';

const fail = (_item: unknown, err: unknown) => {
  throw err;
};

describe('TurnBatch', () => {
  it('holds work until the end of the turn, then does it all in order', async () => {
    const done: number[] = [];
    const batch = new TurnBatch<number>((n) => done.push(n), fail);
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
    const batch = new TurnBatch<string>((s) => done.push(s), fail);
    batch.add('a');
    batch.flush();
    expect(done).toEqual(['a']);
    batch.add('b'); // a new turn's batch after a flush
    await turn();
    expect(done).toEqual(['a', 'b']);
  });

  it('an item whose work throws is reported, and the rest of the batch still runs', async () => {
    const done: number[] = [];
    const failed: string[] = [];
    const batch = new TurnBatch<number>(
      (n) => {
        if (n === 2) throw new Error('cannot write 2');
        done.push(n);
      },
      (n, err) => failed.push(`${n}: ${(err as Error).message}`),
    );
    for (const n of [1, 2, 3]) batch.add(n);
    await turn();
    expect(done).toEqual([1, 3]);
    expect(failed).toEqual(['2: cannot write 2']);
  });
});

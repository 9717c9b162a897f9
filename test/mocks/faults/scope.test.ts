import { describe, expect, it } from 'vitest';
import {
  createRandom,
  FaultScope,
  type FaultScopeSpec,
  type FaultTarget,
  IsoFaultSet,
} from '../../../src/mocks/faults/index.js';

const scope = (spec: FaultScopeSpec, seed: string | number = 0) =>
  new FaultScope(spec, createRandom(seed, 'test', 'scope'));

const sale: FaultTarget = { mti: '0200', processingCode: '000000' };
const refund: FaultTarget = { mti: '0200', processingCode: '200000' };
const echo: FaultTarget = { mti: '0800' };

/** Which of `n` identical messages a fault set fires `id` on, as 1-based message numbers. */
function firing(set: IsoFaultSet, id: string, n: number, target: FaultTarget = sale): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) if (set.select(target).fired.some((f) => f.id === id)) out.push(i);
  return out;
}

describe('FaultScope: which messages', () => {
  it('matches every message when empty', () => {
    const s = scope({});
    expect([sale, refund, echo, {}].map((t) => s.matches(t))).toEqual([true, true, true, true]);
  });

  it("matches MTIs exactly or by pattern, 'x' being any digit", () => {
    const s = scope({ mti: ['02xx', '0420'] });
    const mtis = ['0200', '0210', '0220', '0420', '0421', '0100', '1200', '0800'];
    expect(mtis.filter((mti) => s.matches({ mti }))).toEqual(['0200', '0210', '0220', '0420']);
    expect(scope({ mti: ['X1X0'] }).matches({ mti: '0110' })).toBe(true);
    expect(s.matches({})).toBe(false); // no MTI known: not in an MTI scope
  });

  it('matches processing codes by prefix, and needs one when the scope lists some', () => {
    const s = scope({ processingCode: ['00', '31'] });
    expect(s.matches(sale)).toBe(true);
    expect(s.matches({ mti: '0100', processingCode: '310000' })).toBe(true);
    expect(s.matches(refund)).toBe(false);
    expect(s.matches(echo)).toBe(false);
  });

  it('needs every listed criterion (mti and processingCode)', () => {
    const s = scope({ mti: ['0200'], processingCode: ['20'] });
    expect([sale, refund, { mti: '0100', processingCode: '200000' }].map((t) => s.matches(t))).toEqual([
      false,
      true,
      false,
    ]);
  });
});

describe('FaultScope: which occurrences', () => {
  it('counts only matching messages, then applies nth', () => {
    const s = scope({ mti: ['0200'], nth: [2, 4] });
    const seq = [sale, echo, refund, echo, sale, sale];
    const decisions = seq.map((t) => s.decide(t));
    expect(decisions.map((d) => d.occurrence)).toEqual([1, 0, 2, 0, 3, 4]);
    expect(decisions.map((d) => d.fires)).toEqual([false, false, true, false, false, true]);
    expect([s.matched, s.fired]).toEqual([4, 2]);
  });

  it('firstN fires on the first N matching occurrences only', () => {
    const s = scope({ processingCode: ['00'], firstN: 2 });
    const fires = [sale, refund, sale, sale, sale].map((t) => s.decide(t).fires);
    expect(fires).toEqual([true, false, true, false, false]);
  });

  it('probability 0 never fires, 1 always does', () => {
    const never = scope({ probability: 0 });
    const always = scope({ probability: 1 });
    for (let i = 0; i < 50; i++) {
      expect(never.decide(sale).fires).toBe(false);
      expect(always.decide(sale).fires).toBe(true);
    }
  });

  it('probability is seeded: the same seed gives the same firings, another seed other ones', () => {
    const run = (seed: string) => {
      const s = scope({ probability: 0.3 }, seed);
      return Array.from({ length: 200 }, () => s.decide(sale).fires);
    };
    const a = run('seed-a');
    expect(run('seed-a')).toEqual(a);
    expect(run('seed-b')).not.toEqual(a);
    const rate = a.filter(Boolean).length / a.length;
    expect(rate).toBeGreaterThan(0.18);
    expect(rate).toBeLessThan(0.42);
  });

  it('applies probability after nth/firstN: only selected occurrences can fire', () => {
    const s = scope({ firstN: 10, probability: 0.5 }, 7);
    const fires = Array.from({ length: 100 }, () => s.decide(sale).fires);
    expect(fires.slice(10).some(Boolean)).toBe(false);
    expect(fires.slice(0, 10).some(Boolean)).toBe(true);
  });
});

describe('seeded streams', () => {
  it('createRandom is deterministic, in [0, 1), and differs by any part', () => {
    const take = (...parts: Array<string | number>) => {
      const r = createRandom(...parts);
      return Array.from({ length: 5 }, () => r());
    };
    const a = take(42, 'latency', 'fault');
    expect(take(42, 'latency', 'fault')).toEqual(a);
    expect(take(43, 'latency', 'fault')).not.toEqual(a);
    expect(take(42, 'latency#2', 'fault')).not.toEqual(a);
    expect(take(42, 'latency', 'scope')).not.toEqual(a);
    const r = createRandom('range');
    for (let i = 0; i < 10_000; i++) {
      const v = r();
      expect(v >= 0 && v < 1).toBe(true);
    }
  });

  it("adding another fault does not change a fault's draws", () => {
    const flaky = { fault: 'no-response', scope: { probability: 0.4 } };
    const alone = new IsoFaultSet([flaky], { seed: 'run-9' });
    const crowded = new IsoFaultSet(
      [
        { fault: 'latency', scope: { probability: 0.5 } },
        { fault: 'wrong-stan', scope: { probability: 0.5 } },
        flaky,
      ],
      { seed: 'run-9' },
    );
    const expected = firing(alone, 'no-response', 100);
    expect(expected.length).toBeGreaterThan(10);
    expect(firing(crowded, 'no-response', 100)).toEqual(expected);
  });

  it('a second fault of the same name gets its own id, hence its own stream', () => {
    const set = new IsoFaultSet(
      [
        { fault: 'latency', scope: { probability: 0.5 } },
        { fault: 'latency', scope: { probability: 0.5 } },
      ],
      { seed: 1 },
    );
    expect(set.list().map((f) => f.id)).toEqual(['latency', 'latency#2']);
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 1; i <= 100; i++) {
      const ids = set.select(sale).fired.map((f) => f.id);
      if (ids.includes('latency')) a.push(i);
      if (ids.includes('latency#2')) b.push(i);
    }
    expect(a).not.toEqual(b);
  });

  it('an explicit id pins the stream, whatever the position in the list', () => {
    const spec = { fault: 'connection-reset', id: 'flaky-link', scope: { probability: 0.25 } };
    const first = new IsoFaultSet([spec], { seed: 's' });
    const last = new IsoFaultSet([{ fault: 'connection-reset' }, spec], { seed: 's' });
    expect(firing(last, 'flaky-link', 80)).toEqual(firing(first, 'flaky-link', 80));
  });

  it('reports the occurrence each fault fired on and keeps counters per fault', () => {
    const set = new IsoFaultSet([
      { fault: 'latency', scope: { mti: ['0200'], nth: [2] } },
      { fault: 'wrong-stan', scope: { mti: ['08xx'] } },
    ]);
    expect(set.select(sale).fired).toEqual([]);
    expect(set.select(echo).fired).toEqual([{ id: 'wrong-stan', fault: 'wrong-stan', occurrence: 1 }]);
    expect(set.select(refund).fired).toEqual([{ id: 'latency', fault: 'latency', occurrence: 2 }]);
    expect(set.list().map((f) => [f.id, f.matched, f.fired])).toEqual([
      ['latency', 2, 1],
      ['wrong-stan', 1, 1],
    ]);
  });

  it('connection-level faults are not offered messages', () => {
    const set = new IsoFaultSet([{ fault: 'host-down', params: { mode: 'reset' } }]);
    expect(set.select(sale).fired).toEqual([]);
    expect(set.list()[0]?.matched).toBe(0);
  });
});

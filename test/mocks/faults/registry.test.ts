import { Type as T } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { DataFileError } from '../../../src/data/data-file-error.js';
import { validateData } from '../../../src/data/load-data-file.js';
import {
  BUILTIN_FAULTS,
  defineFault,
  FaultSpecError,
  FaultSpecSchema,
  getFault,
  IsoFaultSet,
  listFaults,
  registerFault,
  resolveFaultSpec,
  resolveFaultSpecs,
} from '../../../src/mocks/faults/index.js';

const BUILTIN_NAMES = [
  'bad-mac',
  'bandwidth-limit',
  'close-after-request',
  'connection-reset',
  'duplicate-response',
  'garbled-response',
  'host-down',
  'http-error',
  'late-response',
  'latency',
  'malformed-json',
  'no-response',
  'rate-limit',
  'sliced-writes',
  'slow-body',
  'truncated-body',
  'truncated-response',
  'wrong-mti',
  'wrong-stan',
];

/** The error a list of specs raises, as `path: problem`. */
function errorOf(specs: unknown): FaultSpecError {
  try {
    resolveFaultSpecs(specs);
  } catch (err) {
    if (err instanceof FaultSpecError) return err;
    throw err;
  }
  throw new Error('expected a FaultSpecError');
}

describe('the registry', () => {
  it('holds every built-in fault, sorted by name', () => {
    expect(listFaults().map((f) => f.name)).toEqual(BUILTIN_NAMES);
    expect(BUILTIN_FAULTS).toHaveLength(BUILTIN_NAMES.length);
    expect(getFault('latency')?.name).toBe('latency');
    expect(getFault('nope')).toBeUndefined();
  });

  it.each(BUILTIN_NAMES)(
    '%s has a description, an object schema with defaults, and an ISO or HTTP implementation',
    (name) => {
      const def = getFault(name)!;
      expect(def.description.length).toBeGreaterThan(20);
      expect(def.params.type).toBe('object');
      expect(def.params.additionalProperties).toBe(false);
      expect(def.iso ?? def.http).toBeDefined();
      // Every parameter has a default or is optional, so `{ fault: name }` alone is valid…
      const required = (def.params.required ?? []) as string[];
      for (const key of required) expect(def.params.properties[key]).toHaveProperty('default');
      const { params } = resolveFaultSpec({ fault: name }, 'fault', { transport: def.iso ? 'iso' : 'http' });
      // …and the completed params satisfy the schema.
      expect(new Ajv({ strict: false }).validate(def.params, params)).toBe(true);
      for (const [key, schema] of Object.entries(def.params.properties)) {
        expect((schema as { description?: string }).description, `${name}.${key}`).toBeTruthy();
      }
    },
  );

  it('refuses a duplicate name, a bad name and an implementation mixing levels', () => {
    const params = T.Object({}, { additionalProperties: false });
    expect(() =>
      registerFault(defineFault({ name: 'latency', description: 'again', params, iso: {} })),
    ).toThrow(/already registered/);
    expect(() =>
      registerFault(defineFault({ name: 'Bad_Name', description: 'x', params, iso: { bytes: (b) => b } })),
    ).toThrow(/kebab-case/);
    expect(() =>
      registerFault(
        defineFault({
          name: 'test-mixed',
          description: 'x',
          params,
          iso: { accept: () => 'reset', delay: () => 1 },
        }),
      ),
    ).toThrow(/connection-level fault \(accept\) cannot also have delay/);
    expect(() =>
      registerFault(defineFault({ name: 'test-empty', description: 'x', params, iso: {} })),
    ).toThrow(/no hook/);
  });
});

describe('resolving specs', () => {
  it('applies parameter defaults, keeping what was given', () => {
    expect(resolveFaultSpec({ fault: 'latency' }).params).toEqual({ delayMs: 1000, jitterMs: 0 });
    expect(resolveFaultSpec({ fault: 'latency', params: { jitterMs: 50 } }).params).toEqual({
      delayMs: 1000,
      jitterMs: 50,
    });
    expect(resolveFaultSpec({ fault: 'garbled-response' }).params).toEqual({
      count: 1,
      mode: 'flip',
      keepFraming: true,
    });
    expect(resolveFaultSpec({ fault: 'host-down' }).params).toEqual({ mode: 'refuse' });
    expect(resolveFaultSpec({ fault: 'no-response' }).params).toEqual({ lost: 'response' });
  });

  it('does not modify the caller’s object', () => {
    const spec = { fault: 'latency', params: {} };
    resolveFaultSpec(spec);
    expect(spec.params).toEqual({});
  });

  it('gives default ids from the fault name, unique across the list', () => {
    const ids = resolveFaultSpecs([
      { fault: 'latency' },
      { fault: 'no-response' },
      { fault: 'latency' },
      { fault: 'latency', id: 'slow-switch' },
    ]).map((f) => f.id);
    expect(ids).toEqual(['latency', 'no-response', 'latency#2', 'slow-switch']);
  });

  it.each([
    [
      'an unknown fault, listing the known ones',
      [{ fault: 'latncy' }],
      'faults[0].fault: unknown fault "latncy" (did you mean "latency"?); known: bad-mac, bandwidth-limit',
    ],
    [
      'a negative delay',
      [{ fault: 'latency' }, { fault: 'no-response' }, { fault: 'latency', params: { delayMs: -5 } }],
      'faults[2].params.delayMs: must be >= 0, got -5',
    ],
    [
      'a parameter of the wrong type',
      [{ fault: 'sliced-writes', params: { sliceBytes: 'ten' } }],
      'faults[0].params.sliceBytes: must be integer, got "ten"',
    ],
    [
      'an unknown parameter, with a suggestion',
      [{ fault: 'latency', params: { delayms: 5 } }],
      'faults[0].params.delayms: unknown parameter (did you mean "delayMs"?); known: delayMs, jitterMs',
    ],
    [
      'a parameter for a fault that takes none',
      [{ fault: 'connection-reset', params: { ms: 5 } }],
      'faults[0].params.ms: unknown parameter; this fault takes none',
    ],
    [
      'a value outside an enum',
      [{ fault: 'bad-mac', params: { mode: 'wrong' } }],
      'faults[0].params.mode: must be one of "corrupt", "zeros", "missing", got "wrong"',
    ],
    [
      'a misspelt value of an enum, with a suggestion',
      [{ fault: 'bad-mac', params: { mode: 'zeroes' } }],
      'faults[0].params.mode: must be one of "corrupt", "zeros", "missing", got "zeroes" (did you mean "zeros"?)',
    ],
    [
      'a misspelt key of the spec, with a suggestion',
      [{ fault: 'latency', param: { delayMs: 5 } }],
      'faults[0].param: unknown key (did you mean "params"?) (known: fault, params, scope, id)',
    ],
    [
      'a bad MTI pattern',
      [{ fault: 'latency', scope: { mti: ['0200', '02x'] } }],
      'faults[0].scope.mti[1]: must match pattern "^[0-9xX]{4}$", got "02x"',
    ],
    [
      'an nth of zero',
      [{ fault: 'latency', scope: { nth: [1, 0] } }],
      'faults[0].scope.nth[1]: must be >= 1, got 0',
    ],
    [
      'a probability above 1',
      [{ fault: 'latency', scope: { probability: 1.5 } }],
      'faults[0].scope.probability: must be <= 1, got 1.5',
    ],
    [
      'an unknown scope key',
      [{ fault: 'latency', scope: { mtis: ['0200'] } }],
      'faults[0].scope.mtis: unknown scope key (did you mean "mti"?); known: mti, processingCode, operation, method, path, nth, firstN, probability',
    ],
    [
      'nth together with firstN',
      [{ fault: 'latency', scope: { nth: [1], firstN: 2 } }],
      'faults[0].scope: use nth or firstN, not both',
    ],
    [
      'a message scope on a connection-level fault',
      [{ fault: 'host-down', params: { mode: 'reset' }, scope: { mti: ['0200'] } }],
      'faults[0].scope.mti: "host-down" acts on connections, before any message: only nth, firstN and probability apply',
    ],
    [
      "a scope on host-down mode 'refuse'",
      [{ fault: 'host-down', scope: { firstN: 1 } }],
      "faults[0].scope: mode 'refuse' stops the listener for every connection; use mode 'reset' or 'close' to scope it",
    ],
    [
      'a duplicate id',
      [
        { fault: 'latency', id: 'x' },
        { fault: 'no-response', id: 'x' },
      ],
      'faults[1].id: "x" is already used by another fault',
    ],
    ['an unknown top-level key', [{ fault: 'latency', delay: 5 }], 'faults[0].delay: unknown key'],
    ['a spec that is not an object', ['latency'], "faults[0]: must be an object like { fault: 'latency' }"],
    ['a missing fault name', [{ params: {} }], 'faults[0].fault: must be a fault name (known: bad-mac'],
    [
      'params that are not an object',
      [{ fault: 'latency', params: [1] }],
      'faults[0].params: must be an object',
    ],
    ['a list that is not a list', { fault: 'latency' }, 'faults: must be a list of faults'],
  ])('rejects %s with a path', (_what, specs, message) => {
    expect(errorOf(specs).message.startsWith(message), errorOf(specs).message).toBe(true);
  });

  it('an unknown fault lists only the faults of the transport it was asked for', () => {
    const known = (transport: 'iso' | 'http') => {
      try {
        resolveFaultSpec({ fault: 'nope' }, 'fault', { transport });
      } catch (err) {
        return (err as Error).message.split('known: ')[1]!.split(', ');
      }
      throw new Error('accepted');
    };
    expect(known('iso')).toContain('bad-mac');
    expect(known('iso')).not.toContain('http-error');
    expect(known('http')).toContain('http-error');
    expect(known('http')).not.toContain('bad-mac');
  });

  it('gives a typed error with a code, the path and a JSON pointer', () => {
    const err = errorOf([{ fault: 'latency' }, { fault: 'latency', params: { delayMs: -1 } }]);
    expect(err).toBeInstanceOf(FaultSpecError);
    expect(err.code).toBe('invalid-params');
    expect(err.path).toBe('faults[1].params.delayMs');
    expect(err.problem).toBe('must be >= 0, got -1');
    expect(err.pointer).toBe('/faults/1/params/delayMs');
    expect(errorOf([{ fault: 'x' }]).code).toBe('unknown-fault');
    expect(errorOf([{ fault: 'latency', scope: { firstN: 0 } }]).code).toBe('invalid-scope');
  });

  it('lets the caller choose the root of the path', () => {
    expect(() => resolveFaultSpecs([{ fault: 'latency', params: { jitterMs: -1 } }], 'given.faults')).toThrow(
      'given.faults[0].params.jitterMs: must be >= 0, got -1',
    );
    expect(() => resolveFaultSpec({ fault: 'latency', params: { jitterMs: -1 } })).toThrow(
      'fault.params.jitterMs: must be >= 0, got -1',
    );
  });

  it('FaultSpecSchema embeds in a data file schema (structure only; params are checked per fault)', () => {
    const Scenario = T.Object({ faults: T.Array(FaultSpecSchema) });
    expect(() =>
      validateData(
        's.yaml',
        { faults: [{ fault: 'latency', params: { delayMs: 5 }, scope: { nth: [2] } }] },
        Scenario,
      ),
    ).not.toThrow();
    expect(() =>
      validateData('s.yaml', { faults: [{ fault: 'latency', scope: { nth: 2 } }] }, Scenario),
    ).toThrow(DataFileError);
  });
});

describe('IsoFaultSet at runtime', () => {
  it('adds, lists, removes and clears faults, telling listeners', () => {
    const set = new IsoFaultSet([{ fault: 'latency' }]);
    let changes = 0;
    set.onChange(() => changes++);
    const added = set.add({ fault: 'latency', params: { delayMs: 5 } });
    expect(added).toMatchObject({ id: 'latency#2', params: { delayMs: 5, jitterMs: 0 }, matched: 0 });
    expect(() => set.add({ fault: 'no-response', id: 'latency' })).toThrow(
      'fault.id: "latency" is already active',
    );
    expect(() => set.add({ fault: 'latency', params: { delayMs: -1 } }, 'body')).toThrow(
      'body.params.delayMs: must be >= 0, got -1',
    );
    expect(set.remove('latency')).toBe(true);
    expect(set.remove('latency')).toBe(false);
    expect(set.list().map((f) => f.id)).toEqual(['latency#2']);
    set.clear();
    expect(set.list()).toEqual([]);
    expect(changes).toBe(3);
  });

  it('replace() validates the whole list before swapping it in', () => {
    const set = new IsoFaultSet([{ fault: 'latency' }]);
    expect(() => set.replace([{ fault: 'no-response' }, { fault: 'bogus' }])).toThrow('faults[1].fault');
    expect(set.list().map((f) => f.id)).toEqual(['latency']);
    set.replace([{ fault: 'no-response' }]);
    expect(set.list().map((f) => f.id)).toEqual(['no-response']);
  });

  it("is not listening while a host-down fault in mode 'refuse' is active", () => {
    const set = new IsoFaultSet([{ fault: 'host-down', params: { mode: 'reset' } }]);
    expect(set.listening).toBe(true);
    set.add({ fault: 'host-down', id: 'outage' });
    expect(set.listening).toBe(false);
    set.remove('outage');
    expect(set.listening).toBe(true);
  });

  it('rejects a bad initial list with paths under `faults`', () => {
    expect(() => new IsoFaultSet([{ fault: 'latency', scope: { probability: -1 } }])).toThrow(
      'faults[0].scope.probability: must be >= 0, got -1',
    );
    expect(() => new IsoFaultSet([], { timeScale: -1 })).toThrow(RangeError);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileTemplate, readPointer } from '../../../src/protocols/rest/index.js';

// The compiled templates and pointer readers are generated code: these tests hold them to small
// interpreters written the obvious way (the semantics the docs give), on generated inputs.

const PLACEHOLDER = /^\{([A-Za-z][A-Za-z0-9]*|request:[^}]*)\}$/;

/** The reference renderer: placeholders replaced, absent values (and empty array slots) left out. */
function interpret(node: unknown, vars: Record<string, unknown>): unknown {
  if (typeof node === 'string') {
    const m = PLACEHOLDER.exec(node);
    if (!m) return node;
    const name = m[1]!;
    return name.startsWith('request:')
      ? (vars.echo as Record<string, unknown> | undefined)?.[name]
      : vars[name];
  }
  if (Array.isArray(node)) return node.map((n) => interpret(n, vars)).filter((v) => v !== undefined);
  if (typeof node === 'object' && node !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      const value = interpret(v, vars);
      if (value !== undefined) Object.defineProperty(out, k, { value, enumerable: true, writable: true });
    }
    return out;
  }
  return node;
}

/** Paths of own properties and array items that hold undefined. */
function undefinedSlots(value: unknown, at = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    v === undefined ? [`${at}/${k}`] : undefinedSlots(v, `${at}/${k}`),
  );
}

/** The reference pointer walk (RFC 6901: own keys only, decimal array indexes). */
function walkPointer(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let cur = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof cur !== 'object' || cur === null) return undefined;
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9][0-9]*)$/.test(key)) return undefined;
      cur = cur[Number(key)];
    } else if (Object.hasOwn(cur, key)) cur = (cur as Record<string, unknown>)[key];
    else return undefined;
  }
  return cur;
}

const NAMES = ['id', 'amount', 'status', 'note'] as const;
const KNOWN = new Set<string>(NAMES);
// Keys a template or a request may use, including ones that trip naive code.
const key = fc.constantFrom(
  'a',
  'b',
  'id',
  'x/y',
  'm~n',
  '',
  '0',
  '1',
  'constructor',
  '__proto__',
  'toString',
  'é "q"',
);
const leaf = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom(...NAMES.map((n) => `{${n}}`), '{request:/a}', '{request:/x~1y/0}', '{request:/m~0n}'),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const template = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('node'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('node'), { maxKeys: 5 }),
})).node;
const value = fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 2 }));
const request = fc.jsonValue({ maxDepth: 3 });

describe('compiled templates', () => {
  it('render the same JSON as the reference interpreter, echo the same request values', () => {
    fc.assert(
      fc.property(
        template,
        fc.record({ id: value, amount: value, status: value, note: value }),
        request,
        (tpl, vars, req) => {
          const compiled = compileTemplate(tpl, KNOWN, (at, problem) => {
            throw new Error(`${at}: ${problem}`);
          });
          const echo = compiled.echo(req);
          const expectedEcho = Object.fromEntries(
            compiled.echoKeys
              .map(({ key, pointer }) => [key, walkPointer(req, pointer)] as const)
              .filter(([, v]) => v !== undefined),
          );
          expect(echo).toEqual(expectedEcho);
          const all = { ...vars, echo };
          const rendered = compiled.render(all);
          expect(JSON.stringify(rendered)).toBe(JSON.stringify(interpret(tpl, all)));
          // A key whose value is absent is left out, not kept as undefined (a schema's
          // additionalProperties would count it).
          expect(undefinedSlots(rendered)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keep __proto__ as a data key and report unknown placeholders with their pointer', () => {
    const t = compileTemplate(JSON.parse('{"__proto__":{"a":"{id}"}}'), KNOWN, () => {
      throw new Error('unexpected');
    });
    const out = t.render({ id: 'x' }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"a":"x"}}');
    expect(() =>
      compileTemplate({ a: ['{nope}'] }, KNOWN, (at, problem) => {
        throw new Error(`${at}: ${problem}`);
      }),
    ).toThrow(/^\/a\/0: unknown placeholder "\{nope\}"/);
  });
});

describe('readPointer', () => {
  it('reads what the RFC 6901 walk reads', () => {
    const pointer = fc
      .array(fc.oneof(key, fc.constantFrom('00', '-', '2', '10')), { maxLength: 4 })
      .map((steps) => steps.map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join(''));
    fc.assert(
      fc.property(request, pointer, (root, p) => {
        expect(readPointer(root, p)).toBe(walkPointer(root, p));
      }),
      { numRuns: 500 },
    );
  });
});

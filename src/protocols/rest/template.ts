import { POINTER_PATTERN } from './api-schema.js';

/**
 * Response templates: JSON in which a string that is exactly `{name}` stands for a value the mock
 * supplies (`{amount}`, `{status}`) or, with `{request:/pointer}`, a value of the request that
 * created the payment. A key whose value is absent is left out, so one template serves a fresh
 * authorization and a declined payment alike. Templates are compiled once per API version into
 * functions: rendering is on every answer's path.
 */
/**
 * The values a template reads: `{name}` is `vars[name]` (a plain object or a class with getters,
 * so costly values are computed only when a template uses them); `{request:/p}` is
 * `vars.echo['request:/p']`.
 */
export type TemplateVars = { readonly echo?: Readonly<Record<string, unknown>> } & Readonly<
  Record<string, unknown>
>;
export type Render = (vars: TemplateVars) => unknown;

const PLACEHOLDER = /^\{([A-Za-z][A-Za-z0-9]*|request:[^}]*)\}$/;
const pointer = new RegExp(POINTER_PATTERN);

export interface CompiledTemplate {
  /** The body as a JSON value. */
  render: Render;
  /** The `{request:/…}` pointers it reads, to keep from the creating request. */
  requestPointers: string[];
  /**
   * The same with the key `vars.echo` must hold each under (`request:/reference`): made once, so
   * every echo object is built with the same interned keys and gets the same shape.
   */
  echoKeys: ReadonlyArray<{ readonly key: string; readonly pointer: string }>;
  /**
   * What a payment keeps of the request that created it: `{ 'request:/reference': value, … }` for
   * each `{request:/…}` the template reads and the request has (`vars.echo`).
   */
  echo: (request: unknown) => Record<string, unknown>;
  /** Where each placeholder lands in a rendered body (its first use), e.g. status → `/status`. */
  placeholders: ReadonlyMap<string, string>;
}

/**
 * Compiles a template; `fail(pointer, problem)` reports a placeholder the caller does not supply
 * (its pointer is inside the template, e.g. `/error/code`).
 *
 * The template becomes the source of one function: each placeholder read and each key written at a
 * site of its own, so V8 sees one property per site (monomorphic) instead of every name going
 * through one shared closure (megamorphic lookups and map transitions on every answer). Names and
 * constants go into the source as JSON literals; nothing of the template is evaluated as code.
 * (Writing the JSON text directly instead was measured: no faster than this plus JSON.stringify,
 * and twice the garbage.)
 */
export function compileTemplate(
  template: unknown,
  known: ReadonlySet<string>,
  fail: (at: string, problem: string) => never,
): CompiledTemplate {
  const requestPointers: string[] = [];
  const placeholders = new Map<string, string>();
  let temps = 0;
  const code: string[] = [];
  const temp = () => `t${temps++}`;
  /** Emits code computing `node`; returns the expression holding it and whether it may be undefined. */
  const walk = (node: unknown, at: string): { value: string; present: boolean } => {
    if (typeof node === 'string') {
      const m = PLACEHOLDER.exec(node);
      if (!m) return { value: JSON.stringify(node), present: true };
      const name = m[1]!;
      let read: string;
      if (name.startsWith('request:')) {
        const p = name.slice('request:'.length);
        if (!pointer.test(p))
          fail(at, `"${node}": the request pointer must be a JSON pointer like /reference`);
        if (!requestPointers.includes(p)) requestPointers.push(p);
        read = `(v.echo == null ? undefined : v.echo[${JSON.stringify(name)}])`;
      } else {
        if (!known.has(name))
          fail(at, `unknown placeholder "${node}" (known: ${[...known].map((k) => `{${k}}`).join(', ')})`);
        read = `v[${JSON.stringify(name)}]`;
      }
      if (!placeholders.has(name)) placeholders.set(name, at);
      const value = temp();
      code.push(`const ${value} = ${read};`);
      return { value, present: false };
    }
    if (Array.isArray(node)) {
      const value = temp();
      code.push(`const ${value} = [];`);
      node.forEach((item, i) => {
        const e = walk(item, `${at}/${i}`);
        code.push(
          e.present
            ? `${value}.push(${e.value});`
            : `if (${e.value} !== undefined) ${value}.push(${e.value});`,
        );
      });
      return { value, present: true };
    }
    if (typeof node === 'object' && node !== null) {
      const value = temp();
      code.push(`const ${value} = {};`);
      for (const [k, v] of Object.entries(node)) {
        const e = walk(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
        // __proto__ as a plain key would set the prototype: define it as a data property, as JSON does.
        const store =
          k === '__proto__'
            ? `Object.defineProperty(${value}, "__proto__", { value: ${e.value}, enumerable: true, writable: true, configurable: true });`
            : `${value}[${JSON.stringify(k)}] = ${e.value};`;
        code.push(e.present ? store : `if (${e.value} !== undefined) ${store}`);
      }
      return { value, present: true };
    }
    // Numbers, booleans, null: the template's own value.
    return { value: JSON.stringify(node), present: true };
  };
  const root = walk(template, '');
  const render = new Function('v', ['"use strict";', ...code, `return ${root.value};`].join('\n')) as Render;
  const echoKeys = requestPointers.map((pointer) => ({ key: `request:${pointer}`, pointer }));
  const echoCode = ['"use strict";', 'const o = {};'];
  echoKeys.forEach(({ key, pointer }, i) => {
    echoCode.push(...pointerCode(splitPointer(pointer), 'r', `e${i}`));
    echoCode.push(`if (e${i} !== undefined) o[${JSON.stringify(key)}] = e${i};`);
  });
  echoCode.push('return o;');
  const echo = new Function('r', echoCode.join('\n')) as (request: unknown) => Record<string, unknown>;
  return { render, requestPointers, echoKeys, echo, placeholders };
}

/** The value at an RFC 6901 pointer, or undefined when any step is missing. */
export function readPointer(root: unknown, p: string): unknown {
  return pointerReader(p)(root);
}

/** readPointer for one pointer, as a function to keep (compiled once per pointer). */
export function pointerReader(p: string): (root: unknown) => unknown {
  let read = readers.get(p);
  if (!read) {
    read = compilePointer(splitPointer(p));
    if (readers.size < 10_000) readers.set(p, read);
  }
  return read;
}

type Reader = (root: unknown) => unknown;
const readers = new Map<string, Reader>();

/**
 * One function per pointer, with each step's key written into its source: the same few pointers
 * (amount, currency, card number …) are read on every request, and a generic loop over the steps
 * made every read of every pointer go through one shared, megamorphic property lookup. Keys go in
 * as JSON string literals; an array step takes a decimal index only, an object step own keys only.
 */
function compilePointer(steps: readonly string[]): Reader {
  return new Function(
    'r',
    ['"use strict";', ...pointerCode(steps, 'r', 'c'), 'return c;'].join('\n'),
  ) as Reader;
}

/** Code that sets `out` (declared here) to the value at `steps` below `root`, or undefined. */
function pointerCode(steps: readonly string[], root: string, out: string): string[] {
  const code = [`let ${out} = ${root};`];
  if (steps.length === 0) return code;
  code.push('do {');
  for (const step of steps) {
    const key = JSON.stringify(step);
    const index = /^(0|[1-9][0-9]*)$/.test(step) ? `${out}[${Number(step)}]` : 'undefined';
    code.push(
      `if (typeof ${out} !== 'object' || ${out} === null) { ${out} = undefined; break; }`,
      `if (Array.isArray(${out})) ${out} = ${index};`,
      `else if (Object.hasOwn(${out}, ${key})) ${out} = ${out}[${key}];`,
      `else { ${out} = undefined; break; }`,
    );
  }
  code.push('} while (false);');
  return code;
}

const splitCache = new Map<string, string[]>();

/** `/a~1b/c` → ['a/b', 'c'] (cached: the same few pointers are read on every request). */
export function splitPointer(p: string): string[] {
  let parts = splitCache.get(p);
  if (!parts) {
    parts =
      p === ''
        ? []
        : p
            .slice(1)
            .split('/')
            .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (splitCache.size < 10_000) splitCache.set(p, parts);
  }
  return parts;
}

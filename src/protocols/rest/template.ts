import { POINTER_PATTERN } from './api-schema.js';

/**
 * Response templates: JSON in which a string that is exactly `{name}` stands for a value the mock
 * supplies (`{amount}`, `{status}`) or, with `{request:/pointer}`, a value of the request that
 * created the payment. A key whose value is absent is left out, so one template serves a fresh
 * authorization and a declined payment alike. Templates are compiled once per API version into
 * closures: rendering is on every answer's path.
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
  render: Render;
  /** The `{request:/…}` pointers it reads, to keep from the creating request. */
  requestPointers: string[];
  /**
   * The same with the key `vars.echo` must hold each under (`request:/reference`): made once, so
   * every echo object is built with the same interned keys and gets the same shape.
   */
  echoKeys: ReadonlyArray<{ readonly key: string; readonly pointer: string }>;
  /** Where each placeholder lands in a rendered body (its first use), e.g. status → `/status`. */
  placeholders: ReadonlyMap<string, string>;
}

/**
 * Compiles a template; `fail(pointer, problem)` reports a placeholder the caller does not supply
 * (its pointer is inside the template, e.g. `/error/code`).
 */
export function compileTemplate(
  template: unknown,
  known: ReadonlySet<string>,
  fail: (at: string, problem: string) => never,
): CompiledTemplate {
  const requestPointers: string[] = [];
  const placeholders = new Map<string, string>();
  const walk = (node: unknown, at: string): Render => {
    if (typeof node === 'string') {
      const m = PLACEHOLDER.exec(node);
      if (!m) return () => node;
      const name = m[1]!;
      if (name.startsWith('request:')) {
        const p = name.slice('request:'.length);
        if (!pointer.test(p))
          fail(at, `"${node}": the request pointer must be a JSON pointer like /reference`);
        if (!requestPointers.includes(p)) requestPointers.push(p);
        if (!placeholders.has(name)) placeholders.set(name, at);
        return (vars) => vars.echo?.[name];
      } else if (!known.has(name)) {
        fail(at, `unknown placeholder "${node}" (known: ${[...known].map((k) => `{${k}}`).join(', ')})`);
      }
      if (!placeholders.has(name)) placeholders.set(name, at);
      return (vars) => vars[name];
    }
    if (Array.isArray(node)) {
      const items = node.map((item, i) => walk(item, `${at}/${i}`));
      return (vars) => {
        const out: unknown[] = [];
        for (const item of items) {
          const v = item(vars);
          if (v !== undefined) out.push(v);
        }
        return out;
      };
    }
    if (typeof node === 'object' && node !== null) {
      const entries = Object.entries(node).map(
        ([k, v]) => [k, walk(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`)] as const,
      );
      return (vars) => {
        const out: Record<string, unknown> = {};
        for (const [k, render] of entries) {
          const v = render(vars);
          if (v !== undefined) out[k] = v;
        }
        return out;
      };
    }
    return () => node;
  };
  const render = walk(template, '');
  const echoKeys = requestPointers.map((pointer) => ({ key: `request:${pointer}`, pointer }));
  return { render, requestPointers, echoKeys, placeholders };
}

/** The value at an RFC 6901 pointer, or undefined when any step is missing. */
export function readPointer(root: unknown, p: string): unknown {
  let cur = root;
  for (const raw of splitPointer(p)) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9][0-9]*)$/.test(raw)) return undefined;
      cur = cur[Number(raw)];
    } else {
      if (!Object.hasOwn(cur, raw)) return undefined;
      cur = (cur as Record<string, unknown>)[raw];
    }
  }
  return cur;
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

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { didYouMean } from '../../data/closest-word.js';
import { DataFileError } from '../../data/data-file-error.js';
import { loadDataFolder } from '../../data/load-data-folder.js';
import { packageRoot } from '../../data/package-root.js';
import { buildDialect, type Dialect } from './dialect.js';
import { type DialectFile, DialectFileSchema } from './dialect-schema.js';

/** `unknown dialect "iso8583-1987-asci" (did you mean "iso8583-1987-ascii"?) (known: …)` */
export function unknownDialect(id: string, known: readonly string[]): string {
  return `unknown dialect "${id}"${didYouMean(id, known)} (known: ${known.join(', ')})`;
}

/** protocols/iso8583 at the package root. */
export function builtinDialectsDir(): string {
  return resolve(packageRoot(), 'protocols/iso8583');
}

export interface DialectRegistry {
  get(id: string): Dialect;
  has(id: string): boolean;
  list(): Dialect[];
}

/**
 * Loads every *.yaml dialect in the given folders (a later folder's dialect replaces an earlier one
 * with the same id), resolves `extends:` chains and compiles each dialect once.
 */
export function loadDialects(dirs: string[] = [builtinDialectsDir()]): DialectRegistry {
  const files = loadDataFolder<DialectFile>(dirs, DialectFileSchema, 'dialect');

  const dialects = new Map<string, Dialect>();
  for (const id of files.keys()) dialects.set(id, build(id));

  function build(id: string): Dialect {
    const { file } = files.get(id)!;
    const chain = lineage(id);
    let merged = files.get(chain[chain.length - 1]!)!.data;
    const origin = new Map<string, string>();
    for (const fid of Object.keys(merged.fields ?? {}))
      origin.set(fid, files.get(chain[chain.length - 1]!)!.file);
    for (let i = chain.length - 2; i >= 0; i--) {
      const child = files.get(chain[i]!)!;
      merged = mergeDialect(merged, child.data);
      for (const fid of Object.keys(child.data.fields ?? {})) origin.set(fid, child.file);
    }
    try {
      return buildDialect(merged, file, chain.slice(1));
    } catch (err) {
      const m = /^field (\d+)/.exec((err as Error).message);
      const blame = (m && origin.get(m[1]!)) ?? file;
      throw new DataFileError(blame, m ? `/fields/${m[1]}` : '', (err as Error).message);
    }
  }

  /** [id, parent, grandparent …]; refuses unknown parents and cycles. */
  function lineage(id: string): string[] {
    const chain = [id];
    let cur = files.get(id)!;
    while (cur.data.extends) {
      const parent = cur.data.extends;
      if (!files.has(parent)) {
        throw new DataFileError(cur.file, '/extends', unknownDialect(parent, [...files.keys()]));
      }
      if (chain.includes(parent)) {
        throw new DataFileError(cur.file, '/extends', `cycle: ${[...chain, parent].join(' -> ')}`);
      }
      chain.push(parent);
      cur = files.get(parent)!;
    }
    return chain;
  }

  return {
    get(id) {
      const d = dialects.get(id);
      if (!d) throw new Error(unknownDialect(id, [...dialects.keys()]));
      return d;
    },
    has: (id) => dialects.has(id),
    list: () => [...dialects.values()],
  };
}

/**
 * The built-in catalogue plus the user's workspace: a `protocols/iso8583` folder in the workspace
 * (default: the current directory) adds dialects or replaces built-in ones with the same id.
 */
export function workspaceDialects(workspace = '.'): DialectRegistry {
  const builtin = builtinDialectsDir();
  const own = resolve(workspace, 'protocols/iso8583');
  const dirs = own !== builtin && existsSync(own) ? [builtin, own] : [builtin];
  return loadDialects(dirs);
}

/** Child over parent: sections merge one level deep, fields replace whole, null removes a field. */
export function mergeDialect(parent: DialectFile, child: DialectFile): DialectFile {
  const defaults: NonNullable<DialectFile['defaults']> = { ...parent.defaults };
  for (const [type, d] of Object.entries(child.defaults ?? {})) {
    const key = type as keyof typeof defaults;
    defaults[key] = { ...parent.defaults?.[key], ...d };
  }
  const merged: DialectFile = {
    ...parent,
    ...child,
    defaults,
    fields: { ...parent.fields, ...child.fields },
  };
  for (const key of ['mti', 'bitmap', 'framing'] as const) {
    if (parent[key] || child[key]) Object.assign(merged, { [key]: { ...parent[key], ...child[key] } });
  }
  delete merged.extends;
  return merged;
}

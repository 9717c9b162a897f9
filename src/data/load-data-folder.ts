import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { DataFileError } from './data-file-error.js';
import { loadDataFile } from './load-data-file.js';

/**
 * Every *.yaml file of a catalogue (dialects, hosts …) across folders, by id: a later folder's
 * file replaces an earlier one with the same id, which is how a workspace overrides the built-in
 * catalogue. Each file's `id` must equal its file name, so an id always tells where to look.
 */
export function loadDataFolder<T extends { id: string }>(
  dirs: string[],
  schema: TSchema,
  what: string,
): Map<string, { file: string; data: T }> {
  const files = new Map<string, { file: string; data: T }>();
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n));
    } catch (err) {
      throw new DataFileError(dir, '', `cannot read ${what} folder: ${(err as Error).message}`);
    }
    for (const name of names.sort()) {
      const file = join(dir, name);
      const data = loadDataFile(file, schema) as T;
      const stem = name.replace(/\.ya?ml$/, '');
      if (data.id !== stem)
        throw new DataFileError(file, '/id', `is "${data.id}" but the file is named ${name}`);
      files.set(data.id, { file, data });
    }
  }
  return files;
}

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataFileError } from '../data/data-file-error.js';
import { loadDataFolder } from '../data/load-data-folder.js';
import { packageRoot } from '../data/package-root.js';
import { type FirmwareFile, FirmwareFileSchema } from './firmware-schema.js';

/** A firmware build as loaded: the file's data plus where it came from. */
export interface FirmwareBuild extends FirmwareFile {
  readonly file: string;
}

export interface FirmwareRegistry {
  /** By id; an unknown id lists the known ones. */
  get(id: string): FirmwareBuild;
  has(id: string): boolean;
  /** Sorted by id. */
  list(): FirmwareBuild[];
}

/** firmware/ at the package root. */
export function builtinFirmwareDir(): string {
  return resolve(packageRoot(), 'firmware');
}

/** Loads every build of the folders (a later folder replaces a build with the same id). */
export function loadFirmware(dirs: string[]): FirmwareRegistry {
  const builds = new Map<string, FirmwareBuild>();
  for (const [id, { file, data }] of loadDataFolder<FirmwareFile>(dirs, FirmwareFileSchema, 'firmware')) {
    checkDriverSection(file, data);
    builds.set(id, { ...data, file });
  }
  return {
    get(id) {
      const build = builds.get(id);
      if (!build)
        throw new Error(`unknown firmware build "${id}"; known: ${[...builds.keys()].sort().join(', ')}`);
      return build;
    },
    has: (id) => builds.has(id),
    list: () => [...builds.values()].sort((a, b) => a.id.localeCompare(b.id)),
  };
}

/** The built-in builds plus the workspace's own `firmware/` folder. */
export function workspaceFirmware(workspace = '.'): FirmwareRegistry {
  const builtin = builtinFirmwareDir();
  const own = resolve(workspace, 'firmware');
  return loadFirmware(own !== builtin && existsSync(own) ? [builtin, own] : [builtin]);
}

// The schema cannot say "profile iff driver is reference" readably; this names the missing part.
function checkDriverSection(file: string, build: FirmwareFile): void {
  if (build.driver === 'reference' && !build.profile)
    throw new DataFileError(file, '/profile', 'is required when driver is reference');
  if (build.driver === 'process' && !build.process)
    throw new DataFileError(file, '/process', 'is required when driver is process');
}

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataFileError } from '../data/data-file-error.js';
import { loadDataFile } from '../data/load-data-file.js';
import { packageRoot } from '../data/package-root.js';
import type { CardBook } from '../mocks/hosts/host-loader.js';
import type { Scenario } from './scenario.js';
import { loadScenarioFile } from './scenario-loader.js';
import { NAME_PATTERN, SuiteFileSchema } from './scenario-schema.js';
import type { SuiteInfo, SuiteRegistry } from './suite-registry.js';

/** The suite registry plus what the executor needs: the whole scenario. */
export interface ScenarioRegistry extends SuiteRegistry {
  /** `suite/scenario` → the scenario, ready to play; unknown refs list what is there. */
  scenario(ref: string): Scenario;
  list(): Array<SuiteInfo & { scenarios: Scenario[] }>;
}

export interface LoadSuitesOptions {
  /** Card names in scenarios are checked against it. */
  cards?: CardBook;
  /**
   * Collects bad files instead of throwing at the first (`paymatrix validate` prints them all);
   * a bad file is left out of the registry.
   */
  onError?: (error: DataFileError) => void;
}

/** suites/ at the package root. */
export function builtinSuitesDir(): string {
  return resolve(packageRoot(), 'suites');
}

const SUITE_FILE = 'suite.yaml';

/**
 * Loads suites from folders of suite folders: `<dir>/<suite>/suite.yaml` (title, description;
 * optional) and `<dir>/<suite>/<scenario>.yaml`. A later folder overlays an earlier one scenario by
 * scenario (same suite and id: replaced; new ones: added; its suite.yaml: the suite's new title), so
 * a workspace can add to the built-in `core` suite or change one of its scenarios. Folder and file
 * names are the ids.
 */
export function loadSuites(dirs: string[], options: LoadSuitesOptions = {}): ScenarioRegistry {
  const suites = new Map<string, { title: string; description: string; scenarios: Map<string, Scenario> }>();
  const attempt = (run: () => void) => {
    try {
      run();
    } catch (err) {
      if (!(err instanceof DataFileError) || !options.onError) throw err;
      options.onError(err);
    }
  };
  for (const dir of dirs) {
    let entries: string[] = [];
    attempt(() => {
      entries = readdirSync(dir).filter((n) => statSync(join(dir, n)).isDirectory());
    });
    for (const id of entries.sort()) {
      const folder = join(dir, id);
      attempt(() => {
        if (!new RegExp(NAME_PATTERN).test(id)) {
          throw new DataFileError(folder, '', `a suite folder name must match ${NAME_PATTERN}`);
        }
      });
      let suite = suites.get(id);
      if (!suite) {
        suite = { title: id, description: '', scenarios: new Map() };
        suites.set(id, suite);
      }
      const own = suite;
      if (existsSync(join(folder, SUITE_FILE))) {
        attempt(() => {
          const meta = loadDataFile(join(folder, SUITE_FILE), SuiteFileSchema);
          own.title = meta.title;
          own.description = meta.description ?? '';
        });
      }
      const files = readdirSync(folder).filter((n) => /\.ya?ml$/.test(n) && n !== SUITE_FILE);
      for (const name of files.sort()) {
        const file = join(folder, name);
        attempt(() => {
          const scenario = loadScenarioFile(file, id, { ...(options.cards && { cards: options.cards }) });
          const stem = name.replace(/\.ya?ml$/, '');
          if (scenario.id !== stem)
            throw new DataFileError(file, '/id', `is "${scenario.id}" but the file is named ${name}`);
          own.scenarios.set(scenario.id, scenario);
        });
      }
    }
  }

  const list = () =>
    [...suites]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, s]) => ({
        id,
        title: s.title,
        description: s.description,
        scenarios: [...s.scenarios.values()].sort((a, b) => a.id.localeCompare(b.id)),
      }));
  const scenario = (ref: string): Scenario => {
    const slash = ref.indexOf('/');
    const suiteId = slash < 0 ? ref : ref.slice(0, slash);
    const suite = suites.get(suiteId);
    if (!suite)
      throw new Error(
        `unknown suite "${suiteId}" (suites: ${[...suites.keys()].sort().join(', ') || 'none'})`,
      );
    const found = slash < 0 ? undefined : suite.scenarios.get(ref.slice(slash + 1));
    if (!found) {
      const known = [...suite.scenarios.keys()].sort().join(', ') || 'none';
      throw new Error(`unknown scenario "${ref}" (suite ${suiteId} has: ${known})`);
    }
    return found;
  };
  return { list, get: scenario, scenario };
}

/** The built-in suites plus the workspace's own `suites/` folder. */
export function workspaceSuites(workspace = '.', options: LoadSuitesOptions = {}): ScenarioRegistry {
  const builtin = builtinSuitesDir();
  const own = resolve(workspace, 'suites');
  const dirs = existsSync(builtin) ? [builtin] : [];
  if (own !== builtin && existsSync(own)) dirs.push(own);
  return loadSuites(dirs, options);
}

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Type as T } from '@sinclair/typebox';
import type { Command } from 'commander';
import { didYouMean } from '../data/closest-word.js';
import { DataFileError } from '../data/data-file-error.js';
import { loadDataFile } from '../data/load-data-file.js';
import { ConfigError } from '../matrix/config-error.js';
import { FLEET_FILE, FleetFileSchema, unknownFleetBuilds } from '../matrix/fleet.js';
import { GATE_FILE, type GatePolicy, gatePolicyProblems } from '../matrix/gate-policy.js';
import { unmatchedSelectors } from '../matrix/gate-selectors.js';
import { planCells } from '../matrix/planner.js';
import { CONFIG_FILE, loadRunConfig } from '../matrix/run-config.js';
import { builtinCardsFile, builtinHostsDir, loadCards, loadHosts } from '../mocks/hosts/host-loader.js';
import {
  builtinDialectsDir,
  type DialectRegistry,
  loadDialects,
  unknownDialect,
} from '../protocols/iso8583/index.js';
import { type ApiRegistry, builtinApisDir, loadApis } from '../protocols/rest/api-loader.js';
import { workspaceSuites } from '../suites/suite-loader.js';
import { builtinFirmwareDir, type FirmwareBuild, loadFirmware } from '../terminals/firmware-loader.js';
import { resolveProfile } from '../terminals/reference/profile-loader.js';
import { workspaceArg } from './workspace-arg.js';

/** One line of the summary: what was loaded from a catalogue. */
export interface CatalogueCount {
  what: string;
  count: number;
}

export interface ValidationReport {
  problems: DataFileError[];
  counts: CatalogueCount[];
}

/**
 * Checks every data file of a workspace (and the built-in catalogue it overlays) with the real
 * loaders, and reports EVERY bad file, not only the first: when a loader stops at a file, that file is
 * set aside and the catalogue loaded again without it, until the rest loads. Catalogues that depend on
 * another (hosts name dialects) are checked against what loaded of it.
 */
export function validateWorkspace(workspace = '.', configFile?: string): ValidationReport {
  const problems: DataFileError[] = [];
  const counts: CatalogueCount[] = [];
  const own = (path: string, builtin: string) => {
    const dir = resolve(workspace, path);
    return dir !== builtin && existsSync(dir) ? [builtin, dir] : [builtin];
  };

  const dialects = checkCatalogue(own('protocols/iso8583', builtinDialectsDir()), loadDialects, problems);
  counts.push({ what: 'dialects', count: dialects?.list().length ?? 0 });
  const dialectsForHosts: DialectRegistry = dialects ?? loadDialects();
  const apis = checkCatalogue(own('protocols/rest', builtinApisDir()), loadApis, problems);
  const apisForHosts: ApiRegistry = apis ?? loadApis();
  // Files that did not load, by catalogue: a run filter naming one of theirs matches nothing.
  const unloaded = { hosts: false, firmware: false, suites: false };
  let before = problems.length;
  const hosts = checkCatalogue(
    own('mocks/hosts', builtinHostsDir()),
    (d) => {
      const registry = loadHosts(d, { dialects: dialectsForHosts, apis: apisForHosts });
      registry.gateways(); // gateways are built on first use: build them now, so their files are checked
      return registry;
    },
    problems,
  );
  unloaded.hosts = problems.length > before;
  counts.push({
    what: 'host versions',
    count: [...(hosts?.list() ?? []), ...(hosts?.gateways() ?? [])].reduce(
      (n, h) => n + h.versions.length,
      0,
    ),
  });
  counts.push({ what: 'API versions', count: apis?.list().reduce((n, a) => n + a.versions.length, 0) ?? 0 });
  const cardsFile = existsSync(resolve(workspace, 'mocks/cards.yaml'))
    ? resolve(workspace, 'mocks/cards.yaml')
    : builtinCardsFile();
  const cards = attempt(() => loadCards(cardsFile), problems, cardsFile);
  counts.push({ what: 'cards', count: cards?.list().length ?? 0 });
  before = problems.length;
  const firmware = checkCatalogue(own('firmware', builtinFirmwareDir()), loadFirmware, problems);
  unloaded.firmware = problems.length > before;
  counts.push({ what: 'firmware builds', count: firmware?.list().length ?? 0 });
  // A reference build's profile (base profiles, field templates against its dialect) is resolved
  // when a terminal is made; check it now rather than in the middle of a run.
  for (const build of firmware?.list() ?? []) {
    if (build.driver !== 'reference') continue;
    const protocol = build.protocol;
    attempt(
      () => {
        if (protocol.family === 'rest') {
          const ref = `${protocol.api}@${protocol.version}`;
          if (!apisForHosts.has(ref))
            throw new DataFileError(build.file, '/protocol', `unknown API version "${ref}"`);
          return resolveProfile(build, { workspace, api: apisForHosts.get(ref) });
        }
        if (!dialectsForHosts.has(protocol.dialect))
          throw new DataFileError(
            build.file,
            '/protocol/dialect',
            unknownDialect(
              protocol.dialect,
              dialectsForHosts.list().map((d) => d.id),
            ),
          );
        return resolveProfile(build, { workspace, dialect: dialectsForHosts.get(protocol.dialect) });
      },
      problems,
      build.file,
    );
  }
  // A build is planned only against the hosts its acquirers name: a typo there plays nothing.
  const hostIds = hosts && [...hosts.list(), ...hosts.gateways()].map((h) => h.id);
  if (hostIds) for (const build of firmware?.list() ?? []) problems.push(...unknownAcquirers(build, hostIds));
  const suites = workspaceSuites(workspace, {
    ...(cards ? { cards } : {}),
    onError: (e) => {
      unloaded.suites = true;
      problems.push(e);
    },
  });
  counts.push({ what: 'scenarios', count: suites.list().reduce((n, x) => n + x.scenarios.length, 0) });
  const config =
    configFile ?? (existsSync(resolve(workspace, CONFIG_FILE)) ? resolve(workspace, CONFIG_FILE) : undefined);
  const loaded = config ? attempt(() => loadRunConfig(config), problems, config) : undefined;
  // Its filters name builds, hosts and suites: plan them as `paymatrix run` would.
  if (config && loaded && hosts && firmware) {
    // A build, host or scenario whose own file is broken is not in the catalogue: a filter naming
    // it matches nothing, and the reason is that file's problem, told above.
    attempt(
      () => {
        const { firmware: f, hosts: h, suites: s } = loaded.config;
        try {
          planCells({ hosts, firmware, suites }, { firmware: f ?? [], hosts: h ?? [], suites: s ?? [] });
        } catch (err) {
          const catalogue = err instanceof ConfigError ? err.unmatched : undefined;
          const hint =
            catalogue && unloaded[catalogue] ? ' (a file with a problem above may be the one it names)' : '';
          throw new DataFileError(config, '', (err as Error).message + hint);
        }
      },
      problems,
      config,
    );
  }

  // fleet.yaml and gate.yaml, when the workspace has them; the fleet a policy names too.
  const knownBuilds = firmware?.list().map((b) => b.id);
  const fleets = new Set<string>();
  const fleetFile = resolve(workspace, FLEET_FILE);
  if (existsSync(fleetFile)) fleets.add(fleetFile);
  const gateFile = resolve(workspace, GATE_FILE);
  if (existsSync(gateFile)) {
    const data = attempt(() => loadDataFile(gateFile, T.Unknown()), problems, gateFile);
    const found = data === undefined ? [] : gatePolicyProblems(gateFile, data);
    problems.push(...found);
    // Selectors naming nothing of the catalogue: a typo would gate nothing, and pass.
    if (found.length === 0 && data !== undefined && firmware && hosts) {
      const all = [...hosts.list(), ...hosts.gateways()];
      const scenarios = suites.list().flatMap((x) => x.scenarios);
      const universe = {
        builds: firmware.list().map((b) => b.id),
        hostVersions: all.flatMap((h) => h.versions.map((v) => `${h.id}@${v.version}`)),
        scenarios: scenarios.map((sc) => `${sc.suite}/${sc.id}`),
        tags: [...new Set(scenarios.flatMap((sc) => sc.tags))],
      };
      for (const u of unmatchedSelectors(data as GatePolicy, universe))
        problems.push(new DataFileError(gateFile, u.pointer, `${u.message} in the catalogue`));
    }
    const named = (data as { fleet?: unknown } | undefined)?.fleet;
    if (found.length === 0 && typeof named === 'string') {
      const file = resolve(dirname(gateFile), named);
      if (existsSync(file)) fleets.add(file);
      else problems.push(new DataFileError(gateFile, '/fleet', `fleet file not found: ${file}`));
    }
  }
  for (const file of fleets) {
    const data = attempt(() => loadDataFile(file, FleetFileSchema), problems, file);
    // Unknown builds are only told apart when the firmware catalogue itself loaded.
    if (data && knownBuilds) problems.push(...unknownFleetBuilds(file, data, knownBuilds));
  }
  return { problems, counts };
}

/** The acquirers of a build that name no host or gateway of the catalogue. */
function unknownAcquirers(build: FirmwareBuild, hostIds: readonly string[]): DataFileError[] {
  return (build.acquirers ?? []).flatMap((id, i) => {
    if (hostIds.includes(id)) return [];
    const hint = id.includes('@') ? ' (a host id, without @version)' : didYouMean(id, hostIds);
    return [
      new DataFileError(
        build.file,
        `/acquirers/${i}`,
        `unknown host "${id}"${hint} (known: ${hostIds.join(', ')})`,
      ),
    ];
  });
}

/** Runs a loader that reads one file; a DataFileError becomes a problem. */
function attempt<T>(load: () => T, problems: DataFileError[], file: string): T | undefined {
  try {
    return load();
  } catch (err) {
    problems.push(err instanceof DataFileError ? err : new DataFileError(file, '', (err as Error).message));
    return undefined;
  }
}

/**
 * Loads a catalogue of folders; each time the loader stops at a file, records the problem and loads
 * again from mirrors of the folders (symbolic links) without that file.
 */
export function checkCatalogue<T>(
  dirs: string[],
  load: (dirs: string[]) => T,
  problems: DataFileError[],
): T | undefined {
  const excluded = new Set<string>();
  let scratch: string | undefined;
  try {
    for (;;) {
      let mirrors = dirs;
      if (excluded.size > 0) {
        if (scratch) rmSync(scratch, { recursive: true, force: true });
        scratch = mkdtempSync(join(tmpdir(), 'paymatrix-validate-'));
        mirrors = dirs.map((d, i) => mirror(d, join(scratch!, String(i)), excluded));
      }
      try {
        return load(mirrors);
      } catch (err) {
        const real = toReal(err, mirrors, dirs);
        if (!(err instanceof DataFileError) || !real || excluded.has(real)) {
          problems.push(
            err instanceof DataFileError
              ? err
              : new DataFileError(dirs.join(', '), '', (err as Error).message),
          );
          return undefined;
        }
        problems.push(err.inFile(real));
        excluded.add(real);
      }
    }
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** The real file an error names (it may name a mirror's link), if it is a file of the catalogue. */
function toReal(err: unknown, mirrors: string[], dirs: string[]): string | undefined {
  if (!(err instanceof DataFileError)) return undefined;
  const file = resolve(err.file);
  for (const [i, m] of mirrors.entries()) {
    if (file.startsWith(resolve(m) + sep)) {
      const real = join(dirs[i]!, relative(resolve(m), file));
      return existsSync(real) && statSync(real).isFile() ? real : undefined;
    }
  }
  return undefined;
}

function mirror(src: string, dst: string, excluded: Set<string>): string {
  mkdirSync(dst, { recursive: true });
  for (const entry of readdirSync(src, { withFileTypes: true })) {
    const from = join(src, entry.name);
    if (entry.isDirectory()) mirror(from, join(dst, entry.name), excluded);
    else if (!excluded.has(from)) symlinkSync(from, join(dst, entry.name));
  }
  return dst;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'check every data file of the workspace (dialects, API versions, hosts, cards, firmware, suites, config, fleet, gate policy); lists every problem',
    )
    .option('-w, --workspace <dir>', 'workspace folder', workspaceArg, '.')
    .option('-c, --config <file>', `run configuration (default: ${CONFIG_FILE} in the workspace)`)
    .action((opts: { workspace: string; config?: string }) => {
      const report = validateWorkspace(opts.workspace, opts.config);
      for (const p of report.problems) process.stderr.write(`${p.message}\n`);
      const summary = report.counts.map((c) => `${c.count} ${c.what}`).join(', ');
      if (report.problems.length > 0) {
        const files = new Set(report.problems.map((p) => p.file)).size;
        const count = report.problems.reduce((n, p) => n + p.problems.length, 0);
        process.stderr.write(`${count} problem(s) in ${files} file(s); loaded ${summary}\n`);
        process.exitCode = 2;
        return;
      }
      process.stdout.write(`ok: ${summary}\n`);
    });
}

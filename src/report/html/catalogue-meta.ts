import { type HostRegistry, workspaceHosts } from '../../mocks/hosts/host-loader.js';
import type { Dialect } from '../../protocols/iso8583/dialect.js';
import { workspaceFirmware } from '../../terminals/firmware-loader.js';

/** A field's display name and ISO format, e.g. `['POS entry mode', 'n3']`. */
export type FieldName = [name: string, format: string];

/** What the report adds from the catalogue to what results.jsonl holds: vendors and field names. */
export interface CatalogueMeta {
  builds: Map<string, { vendor: string; model: string; title: string }>;
  /** Dialect id → field path (`22`, `60.1`, `55.9F26`) → name and format. */
  dialects: Map<string, Record<string, FieldName>>;
  /** `host@version` → its dialect id (ISO 8583 host versions only). */
  hostDialect: Map<string, string>;
  /** What could not be read (the report is still written, with less to show). */
  problems: string[];
}

/** The registries the report reads names from (the run's Catalogue has both). */
export interface MetaSources {
  firmware: { list(): readonly { id: string; vendor: string; model: string; title: string }[] };
  hosts: Pick<HostRegistry, 'has' | 'resolve'>;
}

/**
 * Reads the workspace's builds and host versions for the report, best effort: a report is regenerated
 * from results.jsonl alone, so a catalogue that moved on or broke only costs names, never the report.
 */
export function loadCatalogueMeta(workspace: string, hostVersions: readonly string[]): CatalogueMeta {
  const problems: string[] = [];
  let firmware: MetaSources['firmware'] = { list: () => [] };
  let hosts: MetaSources['hosts'] = { has: () => false, resolve: () => undefined as never };
  try {
    firmware = workspaceFirmware(workspace);
  } catch (err) {
    problems.push(`firmware builds: ${(err as Error).message}`);
  }
  try {
    hosts = workspaceHosts(workspace);
  } catch (err) {
    problems.push(`host versions: ${(err as Error).message}`);
  }
  const meta = catalogueMeta({ firmware, hosts }, hostVersions);
  meta.problems.unshift(...problems);
  return meta;
}

/** Vendors and field names from registries already loaded. */
export function catalogueMeta(sources: MetaSources, hostVersions: readonly string[]): CatalogueMeta {
  const meta: CatalogueMeta = {
    builds: new Map(),
    dialects: new Map(),
    hostDialect: new Map(),
    problems: [],
  };
  for (const b of sources.firmware.list())
    meta.builds.set(b.id, { vendor: b.vendor, model: b.model, title: b.title });
  for (const ref of hostVersions) {
    try {
      if (!sources.hosts.has(ref)) continue;
      const hv = sources.hosts.resolve(ref);
      if (hv.kind !== 'iso8583') continue;
      meta.hostDialect.set(ref, hv.dialect.id);
      if (!meta.dialects.has(hv.dialect.id)) meta.dialects.set(hv.dialect.id, fieldNames(hv.dialect));
    } catch (err) {
      meta.problems.push(`${ref}: ${(err as Error).message}`);
    }
  }
  return meta;
}

/** Every field and subfield name a dialect knows, by path. */
export function fieldNames(dialect: Dialect): Record<string, FieldName> {
  const names: Record<string, FieldName> = {};
  for (let id = 2; id <= 192; id++) {
    const f = dialect.field(id);
    if (!f) continue;
    names[String(id)] = [f.name, f.format];
    const sub = f.subfields;
    if (sub?.kind === 'positional' || sub?.kind === 'bitmap')
      for (const [k, s] of Object.entries(sub.fields)) names[`${id}.${k}`] = [s.name ?? '', s.format];
    else if (sub && 'names' in sub && sub.names)
      for (const [tag, name] of Object.entries(sub.names)) names[`${id}.${tag}`] = [name, ''];
  }
  return names;
}

import { DataFileError } from '../../data/data-file-error.js';
import { validateData } from '../../data/load-data-file.js';
import type { ApiRegistry, ApiVersion } from '../../protocols/rest/api-loader.js';
import { GatewayVersionSchema, type GatewayVersionSpec } from './gateway-schema.js';

/** One version of a REST gateway, `extends` applied, its API versions loaded and checked. */
export interface GatewayVersion {
  readonly kind: 'rest';
  /** `gateway@version` */
  readonly ref: string;
  readonly host: string;
  readonly version: string;
  readonly file: string;
  /** The versions it extends, nearest first. */
  readonly lineage: readonly string[];
  readonly spec: GatewayVersionSpec;
  /** The API version served when a request names none; its error shape answers bad selections. */
  readonly api: ApiVersion;
  /** Every API version a request may select, the default first. */
  readonly apis: readonly ApiVersion[];
  /** Every version of the API the catalogue knows (served or not), to tell "retired" from "no such". */
  readonly known: readonly ApiVersion[];
}

export interface GatewayVersionInput {
  file: string;
  host: string;
  version: string;
  /** The version as written, to tell its own mistakes from inherited ones. */
  own: Record<string, unknown>;
  /** Merged with what it extends. */
  raw: Record<string, unknown>;
  lineage: string[];
  apis: ApiRegistry;
}

/** Checks one merged gateway version and binds it to its API versions (the host loader calls it). */
export function resolveGatewayVersion(input: GatewayVersionInput): GatewayVersion {
  const { file, host, version, own, raw, lineage, apis } = input;
  const base = `/versions/${version}`;
  const fail = (pointer: string, problem: string): never => {
    const inherited =
      lineage.length > 0 && !(pointer.split('/')[1]! in own) ? ` (inherited from ${lineage[0]})` : '';
    throw new DataFileError(file, `${base}${pointer}`, problem + inherited);
  };
  try {
    validateData(file, raw, GatewayVersionSchema);
  } catch (err) {
    if (!(err instanceof DataFileError)) throw err;
    fail(err.path === '/' ? '' : err.path, err.problem);
  }
  const spec = structuredClone(raw) as unknown as GatewayVersionSpec;
  const api = apis.list().find((a) => a.id === spec.api);
  if (!api) {
    const known = apis
      .list()
      .map((a) => a.id)
      .join(', ');
    return fail('/api', `unknown API "${spec.api}" (known: ${known || 'none'}; protocols/rest/<api>/)`);
  }
  const find = (v: string, pointer: string): ApiVersion => {
    const found = api.versions.find((x) => x.version === v);
    if (!found) {
      fail(
        pointer,
        `unknown version "${v}" of API ${api.id} (versions: ${api.versions.map((x) => x.version).join(', ')})`,
      );
    }
    return found!;
  };
  const main = find(spec.apiVersion, '/apiVersion');
  const others = (spec.alsoServes ?? []).map((v, i) => find(v, `/alsoServes/${i}`));
  if (others.includes(main)) fail('/alsoServes', `lists the default API version ${main.version} again`);
  const served = [main, ...others];
  // One gateway selects its versions one way: a header for all, or a path for all.
  for (const [i, other] of others.entries()) {
    if (other.versionHeader !== main.versionHeader) {
      fail(`/alsoServes/${i}`, `${other.ref} is selected differently from ${main.ref} (header vs path)`);
    }
    if (!other.versionHeader && other.prefix === main.prefix) {
      fail(`/alsoServes/${i}`, `${other.ref} has the same path prefix ${other.prefix} as ${main.ref}`);
    }
  }
  deepFreeze(spec);
  return {
    kind: 'rest',
    ref: `${host}@${version}`,
    host,
    version,
    file,
    lineage,
    spec,
    api: main,
    apis: served,
    known: api.versions,
  };
}

function deepFreeze(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const child of Object.values(v)) deepFreeze(child);
}

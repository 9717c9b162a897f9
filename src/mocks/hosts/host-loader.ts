import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { didYouMean } from '../../data/closest-word.js';
import { DataFileError } from '../../data/data-file-error.js';
import { validateData } from '../../data/load-data-file.js';
import { loadDataFolder } from '../../data/load-data-folder.js';
import { packageRoot } from '../../data/package-root.js';
import { DEFAULT_MAX_FRAME } from '../../protocols/iso8583/dialect.js';
import type { CompositeSpec, FieldSpecFile } from '../../protocols/iso8583/dialect-schema.js';
import {
  builtinDialectsDir,
  type Dialect,
  type DialectRegistry,
  type FramingSpec,
  type IsoMessage,
  loadDialects,
  unknownDialect,
} from '../../protocols/iso8583/index.js';
import {
  type ApiRegistry,
  builtinApisDir,
  loadApis,
  workspaceApis,
} from '../../protocols/rest/api-loader.js';
import { type GatewayVersion, resolveGatewayVersion } from '../gateway/gateway-version.js';
import { checkTimeZone } from '../iso-host/local-clock.js';
import {
  type Condition,
  type HostFile,
  HostFileSchema,
  HostVersionSchema,
  type HostVersionSpec,
  type KeyRole,
  type KeySet,
  type MessageKind,
  type MessageRule,
  type Outcome,
  type ResponseCodeTable,
  type Variant,
} from './host-schema.js';

import { type EffectiveRule, ruleLookup, sortBySpecificity } from './rule-for.js';

// The loader is the hosts' public face: rules and the card book live in their own files.
export * from './card-book.js';
export * from './rule-for.js';

/** mocks/hosts at the package root. */
export function builtinHostsDir(): string {
  return resolve(packageRoot(), 'mocks/hosts');
}

export type { GatewayVersion } from '../gateway/gateway-version.js';

/** One version of an ISO 8583 host, `extends` applied, checked against its dialect. */
export interface HostVersion {
  readonly kind: 'iso8583';
  /** `host@version` */
  readonly ref: string;
  readonly host: string;
  readonly version: string;
  readonly file: string;
  /** The versions it extends, nearest first. */
  readonly lineage: readonly string[];
  /** The merged data; every field reference is a string path ("41", "60.1"). */
  readonly spec: HostVersionSpec;
  readonly dialect: Dialect;
  /** The dialect's framing with this version's overrides. */
  readonly framing?: FramingSpec;
  /** undefined: the host does not know this MTI, or no variant of it matches. */
  ruleFor(message: IsoMessage): EffectiveRule | undefined;
  /** The default keys with the terminal's own merged over them. */
  keysFor(terminalId: string): KeySet;
}

/** An ISO 8583 acquirer host (`kind: iso8583`). */
export interface Host {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly kind: 'iso8583';
  readonly file: string;
  /** Oldest first. */
  readonly versions: readonly HostVersion[];
}

/** A REST payment gateway (`kind: rest`). */
export interface Gateway {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly kind: 'rest';
  readonly file: string;
  /** Oldest first. */
  readonly versions: readonly GatewayVersion[];
}

export interface HostRegistry {
  /**
   * `host@version` (or `host@latest`) of an ISO 8583 host → the resolved version; unknown names list
   * the known ones, and a gateway's name says to use getGateway().
   */
  get(ref: string): HostVersion;
  /** `gateway@version` (or `@latest`) of a REST gateway. */
  getGateway(ref: string): GatewayVersion;
  /** Either kind; `kind` tells which. */
  resolve(ref: string): HostVersion | GatewayVersion;
  /** Either kind. */
  has(ref: string): boolean;
  /** ISO 8583 hosts by id. */
  list(): Host[];
  /** REST gateways by id. */
  gateways(): Gateway[];
  /** Checks a `host@version` reference of either kind and returns its parts, `latest` resolved. */
  parseHostRef(ref: string): { host: string; version: string };
}

export interface LoadHostsOptions {
  /** The dialects versions may name; default: the built-in ones. */
  dialects?: DialectRegistry;
  /** The API versions gateways may serve; default: the built-in ones (loaded only if a gateway needs them). */
  apis?: ApiRegistry;
}

/**
 * Loads every *.yaml host in the given folders (a later folder's host replaces an earlier one with the
 * same id), resolves `extends:` between versions and checks each version against its dialect.
 */
export function loadHosts(
  dirs: string[] = [builtinHostsDir()],
  options: LoadHostsOptions = {},
): HostRegistry {
  const files = loadDataFolder<HostFile>(dirs, HostFileSchema, 'host');
  // Read on first need only: workspaceHosts passes the API registry as a getter.
  let dialects: DialectRegistry | undefined;
  let apis: ApiRegistry | undefined;

  const hosts = new Map<string, Host>();
  // Gateways are built on first use: ISO-only callers (most tests, the ISO mock) never pay for
  // parsing and checking the OpenAPI documents. `paymatrix hosts` lists them, so it checks them.
  const pending = new Map<string, { file: string; data: HostFile }>();
  for (const [id, { file, data }] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    if (data.kind === 'rest') {
      pending.set(id, { file, data });
    } else {
      dialects ??= options.dialects ?? loadDialects();
      const registry = dialects;
      hosts.set(id, {
        ...buildHost(file, data, (input) => resolveVersion({ ...input, dialects: registry })),
        kind: 'iso8583',
      });
    }
  }
  let built: Map<string, Gateway> | undefined;
  function gatewayMap(): Map<string, Gateway> {
    if (!built) {
      const out = new Map<string, Gateway>();
      for (const [id, { file, data }] of pending) {
        apis ??= options.apis ?? loadApis([builtinApisDir()]);
        const registry = apis;
        out.set(id, {
          ...buildHost(file, data, (input) => resolveGatewayVersion({ ...input, apis: registry })),
          kind: 'rest',
        });
      }
      built = out;
    }
    return built;
  }
  const ids = () => [...hosts.keys(), ...pending.keys()].sort();

  function parseHostRef(ref: string): { host: string; version: string } {
    const at = ref.lastIndexOf('@');
    if (at <= 0 || at === ref.length - 1) {
      throw new Error(`host reference "${ref}" must be <host>@<version>, e.g. ${example()}`);
    }
    const id = ref.slice(0, at);
    const wanted = ref.slice(at + 1);
    const host = hosts.get(id);
    const gateway = pending.get(id);
    if (!host && !gateway) {
      const known = ids();
      throw new Error(`unknown host "${id}"${didYouMean(id, known)} (known: ${known.join(', ') || 'none'})`);
    }
    const versions = host
      ? host.versions.map((v) => v.version)
      : Object.keys(gateway!.data.versions).sort(compareVersions);
    const version = wanted === 'latest' ? versions[versions.length - 1]! : wanted;
    if (!versions.includes(version)) {
      throw new Error(`unknown version "${wanted}" of host ${id} (versions: ${versions.join(', ')})`);
    }
    return { host: id, version };
  }

  function example(): string {
    const v = [...hosts.values()][0]?.versions[0];
    return v ? v.ref : 'my-bank@2025.1';
  }

  function resolveRef(ref: string): HostVersion | GatewayVersion {
    const { host, version } = parseHostRef(ref);
    const found = hosts.get(host) ?? gatewayMap().get(host)!;
    return (found.versions as ReadonlyArray<HostVersion | GatewayVersion>).find(
      (v) => v.version === version,
    )!;
  }

  return {
    get(ref) {
      const v = resolveRef(ref);
      if (v.kind !== 'iso8583') {
        throw new Error(`${v.ref} is a REST gateway, not an ISO 8583 host (use getGateway or resolve)`);
      }
      return v;
    },
    getGateway(ref) {
      const v = resolveRef(ref);
      if (v.kind !== 'rest') {
        throw new Error(`${v.ref} is an ISO 8583 host, not a REST gateway (use get or resolve)`);
      }
      return v;
    },
    resolve: resolveRef,
    has(ref) {
      try {
        parseHostRef(ref);
        return true;
      } catch {
        return false;
      }
    },
    list: () => [...hosts.values()],
    gateways: () => [...gatewayMap().values()],
    parseHostRef,
  };
}

/**
 * The built-in hosts plus the user's workspace: `mocks/hosts` in the workspace adds hosts or replaces
 * built-in ones with the same id, and versions may name the workspace's own dialects and API versions.
 */
export function workspaceHosts(workspace = '.', shared: LoadHostsOptions = {}): HostRegistry {
  const dialectDirs = overlay(builtinDialectsDir(), resolve(workspace, 'protocols/iso8583'));
  const hostDirs = overlay(builtinHostsDir(), resolve(workspace, 'mocks/hosts'));
  return loadHosts(hostDirs, {
    // `shared`: the workspace's registries when the caller has them (a run shares them with terminals).
    dialects: shared.dialects ?? loadDialects(dialectDirs),
    // Gateways are the rarer case: their API documents load only when a gateway file asks.
    get apis() {
      return shared.apis ?? workspaceApis(workspace);
    },
  });
}

function overlay(builtin: string, own: string): string[] {
  return own !== builtin && existsSync(own) ? [builtin, own] : [builtin];
}

/** Dotted versions compare part by part, numerically where both parts are numbers: 2019.10 > 2019.4. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/);
  const pb = b.split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    // Numeric collation inside words too: v9 < v10.
    const diff =
      /^\d+$/.test(x) && /^\d+$/.test(y)
        ? Number(x) - Number(y)
        : x.localeCompare(y, 'en', { numeric: true });
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

/** Child over parent: objects merge at every depth, lists and scalars replace, null removes. */
export function mergeVersion(
  parent: Record<string, unknown>,
  child: Record<string, unknown>,
): Record<string, unknown> {
  const { summary: _s, changes: _c, extends: _e, ...inherited } = parent;
  return deepMerge(inherited, child) as Record<string, unknown>;
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return structuredClone(over);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else out[k] = k in out ? deepMerge(out[k], v) : structuredClone(v);
  }
  return out;
}

function deepFreeze(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const child of Object.values(v)) deepFreeze(child);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What every version of a host file shares, whatever its kind: `extends` resolved and merged. */
interface MergedVersion {
  file: string;
  host: string;
  version: string;
  /** The version as written, to tell its own mistakes from inherited ones. */
  own: Record<string, unknown>;
  raw: Record<string, unknown>;
  lineage: string[];
}

function buildHost<V extends { lineage: readonly string[] }>(
  file: string,
  data: HostFile,
  resolveOne: (input: MergedVersion) => V,
): { id: string; title: string; description: string; file: string; versions: V[] } {
  const order = Object.keys(data.versions).sort(compareVersions);
  const merged = new Map<string, Record<string, unknown>>();
  const built = new Map<string, V>();
  for (const version of order) {
    const own = data.versions[version]!;
    const base = `/versions/${version}`;
    let spec: Record<string, unknown> = own;
    let lineage: string[] = [];
    const parent = own.extends;
    if (typeof parent === 'string') {
      if (!(parent in data.versions)) {
        throw new DataFileError(
          file,
          `${base}/extends`,
          `unknown version "${parent}" of host ${data.id} (versions: ${order.join(', ')})`,
        );
      }
      if (compareVersions(parent, version) >= 0) {
        throw new DataFileError(
          file,
          `${base}/extends`,
          `"${parent}" is not earlier than "${version}": a version can only extend an earlier one`,
        );
      }
      spec = mergeVersion(merged.get(parent)!, own);
      lineage = [parent, ...built.get(parent)!.lineage];
    }
    merged.set(version, spec);
    built.set(version, resolveOne({ file, host: data.id, version, own, raw: spec, lineage }));
  }
  return {
    id: data.id,
    title: data.title,
    description: data.description ?? '',
    file,
    versions: order.map((v) => built.get(v)!),
  };
}

interface VersionInput extends MergedVersion {
  dialects: DialectRegistry;
}

function resolveVersion(input: VersionInput): HostVersion {
  const { file, host, version, own, raw, lineage, dialects } = input;
  const base = `/versions/${version}`;
  const fail = (pointer: string, problem: string): never => {
    const inherited =
      lineage.length > 0 && !hasPointer(own, pointer) ? ` (inherited from ${lineage[0]})` : '';
    throw new DataFileError(file, `${base}${pointer}`, problem + inherited);
  };

  // Bad MTI keys get their own message: the schema alone would only say "unknown property".
  if (isObject(raw.messages)) {
    for (const mti of Object.keys(raw.messages)) {
      if (!/^[0-9]{4}$/.test(mti)) fail(`/messages/${mti}`, `MTI must be 4 digits, e.g. "0200"`);
    }
  }
  try {
    validateData(file, raw, HostVersionSchema);
  } catch (err) {
    if (!(err instanceof DataFileError)) throw err;
    fail(err.path === '/' ? '' : err.path, err.problem);
  }

  const spec = structuredClone(raw) as unknown as HostVersionSpec;
  eachFieldRef(spec, (_pointer, value, set) => set(String(value)));

  if (!dialects.has(spec.dialect)) {
    fail(
      '/dialect',
      unknownDialect(
        spec.dialect,
        dialects
          .list()
          .map((d) => d.id)
          .sort(),
      ),
    );
  }
  const dialect = dialects.get(spec.dialect);
  eachFieldRef(spec, (pointer, value) => {
    if (value !== 'mti' && !hasPath(dialect, value)) {
      fail(pointer, `${describePath(value)} is not a field of dialect ${dialect.id}`);
    }
  });
  checkVersion(spec, dialect, fail);

  let framing: FramingSpec | undefined = dialect.framing;
  if (spec.framing) {
    const length = spec.framing.length ?? framing?.length;
    if (!length)
      fail('/framing/length', `dialect ${dialect.id} has no framing, so the version must give one`);
    framing = {
      lengthIncludesHeader: true,
      tpdu: false,
      headerLength: 0,
      maxFrameLength: DEFAULT_MAX_FRAME,
      ...framing,
      ...spec.framing,
      length: length!,
    } as FramingSpec;
  }

  const variants = new Map<string, [string, Variant][]>();
  for (const [mti, rule] of Object.entries(spec.messages)) {
    variants.set(mti, sortBySpecificity(Object.entries(rule.variants ?? {})));
  }

  // Versions are shared by every cell that runs them: a server must not change one for the others.
  deepFreeze(spec);
  const ref = `${host}@${version}`;
  return {
    kind: 'iso8583',
    ref,
    host,
    version,
    file,
    lineage,
    spec,
    dialect,
    ...(framing && { framing }),
    ruleFor: ruleLookup(spec, (mti) => variants.get(mti) ?? []),
    keysFor: keyLookup(spec),
  };
}

/**
 * A terminal's keys: the version's defaults with its own entries over them. Read for every request
 * that carries a PIN or a MAC, so each set is merged once (and frozen: callers only read it).
 */
function keyLookup(spec: HostVersionSpec): (terminalId: string) => KeySet {
  const defaults: KeySet = Object.freeze({ ...spec.keys?.default });
  const merged = new Map<string, KeySet>();
  return (terminalId) => {
    const own = spec.keys?.terminals?.[terminalId];
    if (!own) return defaults;
    let keys = merged.get(terminalId);
    if (!keys) {
      keys = Object.freeze({ ...defaults, ...own });
      merged.set(terminalId, keys);
    }
    return keys;
  };
}

type Fail = (pointer: string, problem: string) => never;

/** Checks that need the whole version: cross references, outcomes, keys, code formats. */
function checkVersion(spec: HostVersionSpec, dialect: Dialect, fail: Fail): void {
  const codes = spec.responseCodes;
  const needOutcome = (outcome: Outcome | 'close', pointer: string) => {
    if (outcome !== 'close' && codes[outcome] === undefined) {
      fail(pointer, `outcome "${outcome}" has no code in responseCodes`);
    }
  };
  const de39 = dialect.field(39);
  const checkCodes = (table: Partial<ResponseCodeTable> | undefined, pointer: string) => {
    for (const [outcome, code] of Object.entries(table ?? {})) {
      if (!de39 || code === undefined) continue;
      const digits = de39.type === 'n' && !/^[0-9]+$/.test(code);
      if (digits || (!de39.prefix && code.length !== de39.length)) {
        fail(`${pointer}/${outcome}`, `"${code}" does not fit DE39 of ${dialect.id} (${de39.format})`);
      }
    }
  };
  checkCodes(codes, '/responseCodes');

  const regex = (pattern: string, pointer: string) => {
    try {
      new RegExp(pattern);
    } catch (err) {
      fail(pointer, `not a valid regular expression: ${(err as Error).message}`);
    }
  };
  eachCondition(spec, (at, condition) => {
    for (const [path, want] of Object.entries(condition)) {
      if (typeof want === 'object' && !Array.isArray(want)) regex(want.pattern, `${at}/${path}/pattern`);
    }
  });
  eachRule(spec, (at, r) => {
    for (const [path, f] of Object.entries(r.formats ?? {}))
      regex(f.pattern, `${at}/formats/${path}/pattern`);
  });

  const kinds = new Set<MessageKind>();
  for (const [mti, rule] of Object.entries(spec.messages)) {
    const at = `/messages/${mti}`;
    if (Number(mti[2]) % 2 === 1 && !rule.responseMti) {
      fail(at, 'is a response MTI; hosts are keyed by the requests they receive');
    }
    if (!rule.kind && !rule.variants) fail(at, 'needs a kind, or variants that each have one');
    checkRule(rule, at, rule);
    for (const [name, variant] of Object.entries(rule.variants ?? {})) {
      const vat = `${at}/variants/${name}`;
      if (variant.processingCode === undefined && variant.when === undefined) {
        fail(vat, 'a variant needs processingCode or when, or it would match every message');
      }
      if (!variant.kind && !rule.kind) fail(`${vat}/kind`, `needs a kind (the message ${mti} has none)`);
      checkRule(variant, vat, rule);
    }
  }

  function checkRule(rule: MessageRule | Variant, at: string, message: MessageRule): void {
    if (rule.kind) kinds.add(rule.kind);
    const mandatory = new Set([...(message.mandatory ?? []), ...(rule.mandatory ?? [])]);
    const clash = [...(message.forbidden ?? []), ...(rule.forbidden ?? [])].find((f) => mandatory.has(f));
    if (clash) fail(at, `field ${clash} is both mandatory and forbidden`);
    if (rule.original === 'required') needOutcome('original-not-found', `${at}/original`);
    if (rule.original && !rule.originalMatch && !message.originalMatch && !spec.originalData) {
      fail(`${at}/original`, 'needs originalMatch here or an originalData section');
    }
    checkCodes(rule.responseCodes, `${at}/responseCodes`);
  }

  for (const [key, outcome] of Object.entries(spec.answers)) needOutcome(outcome, `/answers/${key}`);
  if (spec.signOnRequired) {
    if (!spec.answers.notSignedOn) fail('/answers', 'signOnRequired needs answers.notSignedOn');
    if (!kinds.has('sign-on')) fail('/signOnRequired', 'no message has kind sign-on');
  }
  if (spec.duplicates) needOutcome('duplicate', '/duplicates');
  if (spec.batch) needOutcome('batch-mismatch', '/batch');

  const keysOf = (terminal?: string): KeySet => ({
    ...spec.keys?.default,
    ...(terminal && spec.keys?.terminals?.[terminal]),
  });
  const terminals = [undefined, ...Object.keys(spec.keys?.terminals ?? {})];
  const issued = new Set<KeyRole>(spec.keys?.download?.order ?? []);
  const needKey = (role: KeyRole, pointer: string, lengths: number[]) => {
    if (!spec.keys) fail(pointer, `needs key ${role}, but the version has no keys section`);
    for (const t of terminals) {
      const hex = keysOf(t)[role];
      if (hex === undefined) {
        fail(t ? `/keys/terminals/${t}` : '/keys/default', `has no ${role}, which ${pointer} uses`);
      } else if (!lengths.includes(hex.length / 2)) {
        const at = t ? `/keys/terminals/${t}/${role}` : `/keys/default/${role}`;
        fail(at, `is ${hex.length / 2} bytes, but ${pointer} needs ${lengths.join(' or ')}`);
      }
    }
  };
  if (spec.mac) {
    needOutcome('mac-error', '/mac');
    const lengths = { 'x9.9': [8], 'x9.19': [16, 8], 'cup-ecb': [8, 16] }[spec.mac.algorithm];
    needKey(spec.mac.key, '/mac/key', lengths);
    spec.mac.required.forEach((mti, i) => {
      if (!spec.messages[mti]) fail(`/mac/required/${i}`, `MTI ${mti} is not in messages`);
    });
  }
  if (spec.pin) needKey(spec.pin.key, '/pin/key', [8, 16, 24]);
  if (spec.timeZone !== undefined) {
    try {
      checkTimeZone(spec.timeZone);
    } catch {
      fail('/timeZone', `unknown time zone "${spec.timeZone}" (an IANA zone, e.g. Asia/Shanghai or UTC)`);
    }
  }
  if (spec.keys?.download) {
    needKey('tmk', '/keys/download', [8, 16, 24]);
    for (const role of issued) needKey(role, '/keys/download/order', [8, 16, 24]);
    // Each mode's keys too: a mode that promises a TDK the version does not have would issue none.
    for (const [value, mode] of Object.entries(spec.keys.download.modes?.values ?? {})) {
      for (const role of mode.order ?? []) {
        if (!issued.has(role)) needKey(role, `/keys/download/modes/values/${value}/order`, [8, 16, 24]);
      }
    }
    if (!kinds.has('sign-on'))
      fail('/keys/download', 'keys are issued at sign-on, but no message has kind sign-on');
  }

  spec.duplicates?.key.forEach((k, i) => {
    if (typeof k === 'object') checkSlice(k, `/duplicates/key/${i}`);
  });
  const s = spec.settlement;
  if (s) {
    if (!kinds.has('settlement')) fail('/settlement', 'no message has kind settlement');
    for (const [part, slice] of Object.entries(s.totals)) {
      checkSlice(slice, `/settlement/totals/${part}`);
    }
    if (s.result) checkSlice(s.result.at, '/settlement/result/at');
    needOutcome(s.unbalanced.outcome, '/settlement/unbalanced/outcome');
    if (s.unbalanced.expects === 'batch-upload' && !s.batchUpload) {
      fail('/settlement/unbalanced/expects', 'batch-upload needs a batchUpload section');
    }
    if (s.batchUpload) {
      needOutcome(s.batchUpload.outcome, '/settlement/batchUpload/outcome');
      if (!spec.messages[s.batchUpload.end.mti]) {
        fail('/settlement/batchUpload/end/mti', `MTI ${s.batchUpload.end.mti} is not in messages`);
      }
      if (!kinds.has('batch-upload')) fail('/settlement/batchUpload', 'no message has kind batch-upload');
      const record = s.batchUpload.record;
      record?.match.forEach((m, i) => {
        checkSlice(m.record, `/settlement/batchUpload/record/match/${i}/record`);
      });
      if (record?.amount) checkSlice(record.amount, '/settlement/batchUpload/record/amount');
    }
  }

  function checkSlice(slice: { field: string; offset?: number; digits?: number }, pointer: string): void {
    const f = dialect.field(Number(slice.field));
    if (!f || slice.field.includes('.')) return;
    const end = (slice.offset ?? 0) + (slice.digits ?? 0);
    if (end > f.length) fail(pointer, `ends at digit ${end}, but DE${slice.field} holds at most ${f.length}`);
  }
}

/** Visits every field reference of a version: list items, single fields, condition and match keys. */
function eachFieldRef(
  spec: HostVersionSpec,
  visit: (pointer: string, value: string, set: (v: string) => void) => void,
): void {
  const list = (arr: unknown[] | undefined, at: string) => {
    arr?.forEach((v, i) => {
      visit(`${at}/${i}`, v as string, (s) => {
        arr[i] = s;
      });
    });
  };
  const one = (obj: Record<string, unknown> | undefined, key: string, at: string) => {
    if (obj && obj[key] !== undefined) visit(`${at}/${key}`, obj[key] as string, (s) => (obj[key] = s));
  };
  const keys = (obj: Record<string, unknown> | undefined, at: string) => {
    for (const k of Object.keys(obj ?? {})) visit(`${at}/${k}`, k, () => {});
  };
  const match = (m: Record<string, string> | undefined, at: string) => {
    for (const k of Object.keys(m ?? {})) {
      visit(`${at}/${k}`, k, () => {});
      one(m, k, at);
    }
  };
  const rule = (r: MessageRule | Variant, at: string) => {
    for (const key of ['mandatory', 'forbidden', 'echo', 'returns'] as const) list(r[key], `${at}/${key}`);
    r.conditional?.forEach((c, i) => {
      list(c.mandatory, `${at}/conditional/${i}/mandatory`);
      list(c.forbidden, `${at}/conditional/${i}/forbidden`);
    });
    match(r.originalMatch, `${at}/originalMatch`);
  };
  eachCondition(spec, (at, c) => keys(c, at));
  eachRule(spec, (at, r) => {
    rule(r, at);
    keys(r.formats, `${at}/formats`);
  });
  one(spec.batch, 'field', '/batch');
  one(spec.mac, 'field', '/mac');
  one(spec.pin, 'field', '/pin');
  one(spec.originalData, 'field', '/originalData');
  match(spec.originalData?.match, '/originalData/match');
  one(spec.keys?.download, 'field', '/keys/download');
  one(spec.keys?.download?.modes, 'field', '/keys/download/modes');
  const dupKey = spec.duplicates?.key;
  dupKey?.forEach((k, i) => {
    const at = `/duplicates/key/${i}`;
    if (typeof k === 'object') one(k, 'field', at);
    else visit(at, k, (v) => (dupKey[i] = v));
  });
  for (const [part, slice] of Object.entries(spec.settlement?.totals ?? {})) {
    one(slice, 'field', `/settlement/totals/${part}`);
  }
  one(spec.settlement?.result?.at, 'field', '/settlement/result/at');
  const record = spec.settlement?.batchUpload?.record;
  const recordAt = '/settlement/batchUpload/record';
  record?.match.forEach((m, i) => {
    one(m.record, 'field', `${recordAt}/match/${i}/record`);
    one(m, 'original', `${recordAt}/match/${i}`);
  });
  one(record?.amount, 'field', `${recordAt}/amount`);
}

/** Visits every message rule and variant of a version, with its JSON pointer. */
function eachRule(
  spec: HostVersionSpec,
  visit: (pointer: string, rule: MessageRule | Variant) => void,
): void {
  for (const [mti, r] of Object.entries(spec.messages)) {
    visit(`/messages/${mti}`, r);
    for (const [name, v] of Object.entries(r.variants ?? {})) visit(`/messages/${mti}/variants/${name}`, v);
  }
}

/** Visits every `when` of a version. */
function eachCondition(spec: HostVersionSpec, visit: (pointer: string, condition: Condition) => void): void {
  eachRule(spec, (at, r) => {
    r.conditional?.forEach((c, i) => {
      visit(`${at}/conditional/${i}/when`, c.when);
    });
    if ('when' in r && r.when) visit(`${at}/when`, r.when);
  });
  const end = spec.settlement?.batchUpload?.end.when;
  if (end) visit('/settlement/batchUpload/end/when', end);
  const credit = spec.settlement?.batchUpload?.record?.credit;
  if (credit) visit('/settlement/batchUpload/record/credit', credit);
}

/** "60.1" exists when DE60 exists and has a subfield 1; any tag of a TLV field exists. */
function hasPath(dialect: Dialect, path: string): boolean {
  const [head, ...rest] = path.split('.');
  let sub: CompositeSpec | undefined = dialect.field(Number(head))?.subfields;
  if (!dialect.field(Number(head))) return false;
  for (const key of rest) {
    if (!sub) return false;
    if (sub.kind === 'ber-tlv' || sub.kind === 'tlv') return true;
    const next: FieldSpecFile | { format: string } | undefined = sub.fields[key];
    if (!next) return false;
    sub = 'subfields' in next ? next.subfields : undefined;
  }
  return true;
}

function describePath(path: string): string {
  return path.includes('.') ? `subfield ${path}` : `DE${path}`;
}

function hasPointer(obj: unknown, pointer: string): boolean {
  let cur = obj;
  for (const seg of pointer.split('/').slice(1)) {
    if (isObject(cur) && seg in cur) cur = cur[seg];
    else if (Array.isArray(cur) && /^\d+$/.test(seg) && Number(seg) < cur.length) cur = cur[Number(seg)];
    else return false;
  }
  return true;
}

// ── test cards ──────────────────────────────────────────────────────────────────────────────────

import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DataFileError } from '../../data/data-file-error.js';
import { loadDataFolder } from '../../data/load-data-folder.js';
import type { TlsVersion } from '../../mocks/hosts/host-schema.js';
import type { Dialect, Tpdu } from '../../protocols/iso8583/index.js';
import type { ApiVersion } from '../../protocols/rest/api-loader.js';
import type { FirmwareBuild } from '../firmware-loader.js';
import { builtinFirmwareDir } from '../firmware-loader.js';
import { TRANSACTION_TYPES, type TransactionType } from '../terminal.js';
import { type Defect, REST_DEFECTS, SHARED_DEFECTS } from './defects.js';
import { parseTemplate } from './iso/template.js';
import { isKnownVariable } from './iso/variables.js';
import {
  type FieldTemplate,
  type IsoProfile,
  MESSAGE_NAMES,
  type MessageName,
  type ProfileFile,
  ProfileFileSchema,
  REST_OPERATION_NAMES,
  type ReferenceProfile,
  type RestOperation,
  type RestOperationName,
  type RestProfile,
} from './profile-schema.js';
import { templateStrings } from './rest/body-template.js';
import { isRestVariable } from './rest/variables.js';

/**
 * Resolves a build's profile: its `extends` chain of base profiles (firmware/profiles of the
 * package, of the workspace, and beside the build file), merged base first, defaults filled in,
 * then checked against the build (a message for every transaction it declares, variables that
 * exist, elements its dialect has). Every problem names the file and the JSON path.
 */

export type FieldTemplateValue = Exclude<FieldTemplate, null>;

export interface ResolvedMessage {
  name: MessageName;
  mti: string;
  repeatMti?: string;
  /** Field sets included, then the message's own fields; removed ones gone. */
  fields: Record<string, FieldTemplateValue>;
  approvedCodes?: string[];
  timeoutMs?: number;
  storeAndForward: boolean;
}

export interface ResolvedIsoProfile {
  /** The link runs inside TLS, offering at most this version. */
  tls?: { maxVersion: TlsVersion; clientCertificate: boolean };
  tpdu?: Tpdu;
  header?: string;
  approvedCodes: string[];
  signOnAgainCodes: string[];
  autoSignOn: boolean;
  signOnBatchField?: string;
  entryModes: NonNullable<IsoProfile['entryModes']>;
  pinEntry: NonNullable<IsoProfile['pinEntry']>;
  reasonCodes: NonNullable<IsoProfile['reasonCodes']>;
  pin?: { key: string; format: 'iso-0' };
  mac?: {
    algorithm: 'x9.9' | 'x9.19' | 'cup-ecb';
    key: string;
    field: number;
    messages: string[];
    verifyResponses: boolean;
  };
  keyDownload?: { field: string; keys: string[]; checkValueBytes: number; under: string };
  unbalanced: { responseCodes: string[]; field?: { path: string; offset?: number; value: string } };
  messages: Partial<Record<MessageName, ResolvedMessage>>;
}

/** One gateway operation of a REST profile, checked against the API version built for. */
export interface ResolvedRestOperation {
  name: RestOperationName;
  /** Lifecycle action or operationId, as the API version knows it. */
  operation: string;
  body?: unknown;
  /** Template of the payment id path parameter, when the operation has one. */
  paymentId?: string;
  answeredStatuses?: number[];
  timeoutMs?: number;
  whenCaptured?: Omit<ResolvedRestOperation, 'whenCaptured'>;
}

export interface ResolvedRestProfile {
  /** Over HTTPS (a gateway URL that says so): the newest version offered, a client certificate or not. */
  tls: { maxVersion: TlsVersion; clientCertificate: boolean };
  pinVersion: boolean;
  auth?: 'bearer' | 'basic' | 'header';
  idempotencyKey: string;
  retry: { maxAttempts: number; backoffMs: number; backoffFactor: number; maxRetryAfterMs: number };
  operations: Partial<Record<RestOperationName, ResolvedRestOperation>>;
}

export interface ResolvedProfile {
  /** The base profiles applied, nearest first. */
  lineage: string[];
  timeouts: { connectMs: number; responseMs: number };
  connection: { attempts: number; retryDelayMs: number; keepOpen: boolean };
  failover?: { afterFailedConnects: number };
  stan: { initial: number };
  batch: { initial: number };
  reversal: { enabled: boolean; transactions: TransactionType[]; maxAttempts: number; immediate: boolean };
  saf: { enabled: boolean; maxQueue: number; maxAttempts: number; offlineFloorMinor: number };
  defects: ReadonlySet<Defect>;
  iso?: ResolvedIsoProfile;
  rest?: ResolvedRestProfile;
}

/** The folders base profiles come from, later ones overriding earlier ones. */
export function profileDirs(build: FirmwareBuild, workspace = '.'): string[] {
  const dirs = [
    resolve(builtinFirmwareDir(), 'profiles'),
    resolve(workspace, 'firmware/profiles'),
    resolve(dirname(build.file), 'profiles'),
  ];
  return [...new Set(dirs)].filter((d) => existsSync(d));
}

export interface ResolveOptions {
  workspace?: string;
  /** The build's dialect (ISO builds), to check element numbers. */
  dialect?: Dialect;
  /** The API version a REST build was written for, to check its operations. */
  api?: ApiVersion;
}

type BaseProfiles = Map<string, { file: string; data: ProfileFile }>;
const baseCache = new Map<string, { stamp: string; bases: BaseProfiles }>();

/**
 * The base profiles of these folders, parsed once and kept while no file changes: a run makes a
 * terminal per cell, and parsing the same YAML again each time was a third of a run's CPU. (The
 * merge below clones what it takes, so the cached data is never changed.)
 */
function baseProfiles(dirs: string[]): BaseProfiles {
  const stamp = dirs
    .flatMap((d) =>
      readdirSync(d)
        .filter((n) => /\.ya?ml$/.test(n))
        .map((n) => {
          const st = statSync(join(d, n));
          return `${join(d, n)}@${st.mtimeMs}:${st.size}`;
        }),
    )
    .join('|');
  const key = dirs.join('|');
  const hit = baseCache.get(key);
  if (hit?.stamp === stamp) return hit.bases;
  const bases = loadDataFolder<ProfileFile>(dirs, ProfileFileSchema, 'profile');
  baseCache.set(key, { stamp, bases });
  return bases;
}

export function resolveProfile(build: FirmwareBuild, options: ResolveOptions = {}): ResolvedProfile {
  const own = build.profile;
  if (!own) throw new DataFileError(build.file, '/profile', 'is required when driver is reference');
  const bases = baseProfiles(profileDirs(build, options.workspace));

  // The layers, base-most first, each with the file and JSON path its problems are reported at.
  const layers: { file: string; at: string; data: ReferenceProfile }[] = [
    { file: build.file, at: '/profile', data: own },
  ];
  const lineage: string[] = [];
  let parent = own.extends;
  let from = { file: build.file, at: '/profile/extends' };
  while (parent) {
    const base = bases.get(parent);
    if (!base) {
      const known = [...bases.keys()].sort().join(', ') || 'none';
      throw new DataFileError(from.file, from.at, `unknown profile "${parent}" (known: ${known})`);
    }
    if (lineage.includes(parent))
      throw new DataFileError(from.file, from.at, `cycle: ${[...lineage, parent].join(' -> ')}`);
    lineage.push(parent);
    const { id: _id, title: _t, description: _d, ...data } = base.data;
    layers.unshift({ file: base.file, at: '', data });
    parent = base.data.extends;
    from = { file: base.file, at: '/extends' };
  }
  for (const layer of layers) checkLayer(layer, options.dialect);

  let merged: Record<string, unknown> = {};
  for (const layer of layers) merged = deepMerge(merged, layer.data) as Record<string, unknown>;
  const p = stripNulls(merged) as ReferenceProfile;
  const fail = (path: string, problem: string) => new DataFileError(build.file, `/profile${path}`, problem);

  const resolved: ResolvedProfile = {
    lineage,
    timeouts: { connectMs: 5000, responseMs: 30_000, ...p.timeouts },
    connection: { attempts: 1, retryDelayMs: 500, keepOpen: false, ...p.connection },
    ...(p.failover && { failover: p.failover }),
    stan: { initial: p.stan?.initial ?? 1 },
    batch: { initial: p.batch?.initial ?? 1 },
    reversal: {
      enabled: true,
      transactions: ['sale', 'refund', 'void', 'pre-auth', 'completion'],
      maxAttempts: 3,
      immediate: false,
      ...p.reversal,
    },
    saf: { enabled: true, maxQueue: 100, maxAttempts: 3, offlineFloorMinor: 0, ...p.saf },
    defects: new Set(p.defects ?? []),
  };
  const family = build.protocol.family;
  for (const [i, defect] of (p.defects ?? []).entries()) {
    const rest = REST_DEFECTS.has(defect);
    if (!SHARED_DEFECTS.has(defect) && rest !== (family === 'rest'))
      throw fail(
        `/defects/${i}`,
        `"${defect}" is ${rest ? 'a REST' : 'an ISO 8583'} defect; the build speaks ${family}`,
      );
  }
  if (family === 'iso8583') {
    if (!p.iso) throw fail('/iso', 'is required: the build speaks ISO 8583');
    resolved.iso = resolveIso(build, p.iso, resolved, fail, options.dialect);
  } else {
    if (!p.rest) throw fail('/rest', 'is required: the build speaks REST');
    resolved.rest = resolveRest(build, p.rest, resolved, fail, options.api);
  }
  return resolved;
}

function resolveIso(
  build: FirmwareBuild,
  iso: IsoProfile,
  profile: ResolvedProfile,
  fail: (path: string, problem: string) => DataFileError,
  dialect: Dialect | undefined,
): ResolvedIsoProfile {
  const messages: Partial<Record<MessageName, ResolvedMessage>> = {};
  const sets = iso.fieldSets ?? {};
  for (const name of MESSAGE_NAMES) {
    const m = iso.messages?.[name];
    if (!m) continue;
    const at = `/iso/messages/${name}`;
    if (!m.mti) throw fail(`${at}/mti`, 'is required');
    const fields: Record<string, FieldTemplateValue> = {};
    for (const [i, set] of (m.include ?? []).entries()) {
      const fieldSet = sets[set];
      if (!fieldSet) {
        const known = Object.keys(sets).join(', ') || 'none';
        throw fail(`${at}/include/${i}`, `unknown field set "${set}" (known: ${known})`);
      }
      Object.assign(fields, fieldSet);
    }
    Object.assign(fields, m.fields);
    for (const id of Object.keys(fields))
      if (fields[id] === null || fields[id] === undefined) delete fields[id];
    messages[name] = {
      name,
      mti: m.mti,
      fields,
      storeAndForward: m.storeAndForward ?? false,
      ...(m.repeatMti && { repeatMti: m.repeatMti }),
      ...(m.approvedCodes && { approvedCodes: m.approvedCodes }),
      ...(m.timeoutMs !== undefined && { timeoutMs: m.timeoutMs }),
    };
  }
  for (const type of TRANSACTION_TYPES) {
    if (build.capabilities.includes(type) && !messages[type])
      throw fail(`/iso/messages/${type}`, `is required: the build declares the capability "${type}"`);
  }
  const reversible = profile.reversal.transactions.some((t) => build.capabilities.includes(t));
  if (profile.reversal.enabled && reversible && !messages.reversal)
    throw fail('/iso/messages/reversal', 'is required while reversal.enabled is true');
  if (profile.saf.offlineFloorMinor > 0 && !messages.advice)
    throw fail('/iso/messages/advice', 'is required when saf.offlineFloorMinor is above 0');

  const framing = dialect?.framing;
  if (framing?.tpdu && !iso.tpdu)
    throw fail('/iso/tpdu', `is required: dialect ${dialect!.id} frames a TPDU`);
  if (framing?.headerLength && iso.header?.length !== framing.headerLength * 2)
    throw fail(
      '/iso/header',
      `must be ${framing.headerLength} bytes of hex: dialect ${dialect!.id} frames a header`,
    );

  const mac = iso.mac;
  if (mac) {
    for (const key of ['algorithm', 'key', 'messages'] as const)
      if (mac[key] === undefined) throw fail(`/iso/mac/${key}`, 'is required when mac is set');
  }
  const kd = iso.keyDownload;
  if (kd) {
    for (const key of ['field', 'keys', 'under'] as const)
      if (kd[key] === undefined) throw fail(`/iso/keyDownload/${key}`, 'is required when keyDownload is set');
  }
  const tpdu = iso.tpdu;
  return {
    ...(tpdu && {
      tpdu: {
        id: Number.parseInt(tpdu.slice(0, 2), 16),
        destination: tpdu.slice(2, 6).toUpperCase(),
        source: tpdu.slice(6, 10).toUpperCase(),
      },
    }),
    ...(iso.header && { header: iso.header.toUpperCase() }),
    ...(iso.tls && {
      tls: {
        maxVersion: iso.tls.maxVersion ?? 'TLSv1.3',
        clientCertificate: iso.tls.clientCertificate ?? false,
      },
    }),
    approvedCodes: iso.approvedCodes ?? ['00'],
    signOnAgainCodes: iso.signOnAgainCodes ?? [],
    autoSignOn: iso.autoSignOn ?? false,
    ...(iso.signOnBatchField && { signOnBatchField: iso.signOnBatchField }),
    entryModes: iso.entryModes ?? {},
    pinEntry: iso.pinEntry ?? {},
    reasonCodes: iso.reasonCodes ?? {},
    ...(iso.pin && { pin: iso.pin }),
    ...(mac && {
      mac: {
        algorithm: mac.algorithm!,
        key: mac.key!,
        field: mac.field ?? 64,
        messages: mac.messages!,
        verifyResponses: mac.verifyResponses ?? true,
      },
    }),
    ...(kd && {
      keyDownload: {
        field: kd.field!,
        keys: kd.keys!,
        checkValueBytes: kd.checkValueBytes ?? 4,
        under: kd.under!,
      },
    }),
    unbalanced: {
      responseCodes: iso.settlement?.unbalanced?.responseCodes ?? [],
      ...(iso.settlement?.unbalanced?.field && { field: iso.settlement.unbalanced.field }),
    },
    messages,
  };
}

function resolveRest(
  build: FirmwareBuild,
  rest: RestProfile,
  profile: ResolvedProfile,
  fail: (path: string, problem: string) => DataFileError,
  api: ApiVersion | undefined,
): ResolvedRestProfile {
  const resolveOp = (
    name: RestOperationName,
    op: Omit<RestOperation, 'whenCaptured'>,
    at: string,
  ): Omit<ResolvedRestOperation, 'whenCaptured'> => {
    if (!op.operation) throw fail(`${at}/operation`, 'is required');
    const found = api?.operation(op.operation);
    if (api && !found) {
      const known = api.operations.map((o) => o.action ?? o.operationId).join(', ');
      throw fail(`${at}/operation`, `${api.ref} has no operation "${op.operation}" (known: ${known})`);
    }
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the profile's template syntax.
    const byOriginal = '${original.paymentId}';
    const needsId = found ? found.paymentIdParam !== undefined : op.paymentId !== undefined;
    return {
      name,
      operation: op.operation,
      ...(op.body !== undefined && { body: op.body }),
      ...(needsId && { paymentId: op.paymentId ?? byOriginal }),
      ...(op.answeredStatuses && { answeredStatuses: op.answeredStatuses }),
      ...(op.timeoutMs !== undefined && { timeoutMs: op.timeoutMs }),
    };
  };
  const operations: Partial<Record<RestOperationName, ResolvedRestOperation>> = {};
  for (const name of REST_OPERATION_NAMES) {
    const op = rest.operations?.[name];
    if (!op) continue;
    const at = `/rest/operations/${name}`;
    operations[name] = {
      ...resolveOp(name, op, at),
      ...(op.whenCaptured && { whenCaptured: resolveOp(name, op.whenCaptured, `${at}/whenCaptured`) }),
    };
  }
  if (build.capabilities.includes('settlement'))
    throw fail(
      '/rest',
      'a REST build cannot declare "settlement": a gateway settles on its own (capability absent)',
    );
  for (const type of TRANSACTION_TYPES) {
    if (type !== 'settlement' && build.capabilities.includes(type) && !operations[type])
      throw fail(`/rest/operations/${type}`, `is required: the build declares the capability "${type}"`);
  }
  const reversible = profile.reversal.transactions.some((t) => build.capabilities.includes(t));
  if (profile.reversal.enabled && reversible && !operations.reversal)
    throw fail('/rest/operations/reversal', 'is required while reversal.enabled is true');
  return {
    tls: {
      maxVersion: rest.tls?.maxVersion ?? 'TLSv1.3',
      clientCertificate: rest.tls?.clientCertificate ?? false,
    },
    pinVersion: rest.pinVersion ?? true,
    ...(rest.auth && { auth: rest.auth }),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the profile's template syntax.
    idempotencyKey: rest.idempotencyKey ?? '${uuid}',
    retry: { maxAttempts: 3, backoffMs: 1000, backoffFactor: 2, maxRetryAfterMs: 30_000, ...rest.retry },
    operations,
  };
}

/** Checks one layer's templates where it was written: variables that exist, elements the dialect has. */
function checkLayer(
  layer: { file: string; at: string; data: ReferenceProfile },
  dialect: Dialect | undefined,
) {
  checkRestLayer(layer);
  const iso = layer.data.iso;
  if (!iso) return;
  const check = (path: string, fields: Record<string, FieldTemplate> | null | undefined) => {
    for (const [id, template] of Object.entries(fields ?? {})) {
      const at = `${layer.at}${path}/${id}`;
      if (dialect && !dialect.field(Number(id)))
        throw new DataFileError(layer.file, at, `DE${id} is not a field of dialect ${dialect.id}`);
      if (template === null) continue;
      const conditional = typeof template === 'object' && 'when' in template;
      const value = conditional ? template.value : template;
      const texts =
        typeof value === 'string' ? [[at, value]] : Object.entries(value).map(([k, v]) => [`${at}/${k}`, v]);
      for (const [where, text] of texts) checkText(layer.file, where!, text!);
      if (conditional) {
        const names = typeof template.when === 'string' ? [template.when] : template.when;
        for (const name of names) {
          if (!isKnownVariable(name))
            throw new DataFileError(
              layer.file,
              `${at}/when`,
              `unknown variable "${name}" (docs/firmware.md)`,
            );
        }
      }
    }
  };
  for (const [name, set] of Object.entries(iso.fieldSets ?? {})) check(`/iso/fieldSets/${name}`, set);
  for (const [name, m] of Object.entries(iso.messages ?? {}))
    check(`/iso/messages/${name}/fields`, m?.fields);
}

/** REST templates: body strings, the idempotency key and payment ids use only REST variables. */
function checkRestLayer(layer: { file: string; at: string; data: ReferenceProfile }): void {
  const rest = layer.data.rest;
  if (!rest) return;
  const at = `${layer.at}/rest`;
  if (rest.idempotencyKey !== undefined)
    checkText(layer.file, `${at}/idempotencyKey`, rest.idempotencyKey, isRestVariable);
  for (const [name, op] of Object.entries(rest.operations ?? {})) {
    for (const [where, o] of [
      [`${at}/operations/${name}`, op],
      [`${at}/operations/${name}/whenCaptured`, op?.whenCaptured],
    ] as const) {
      if (!o) continue;
      if (o.paymentId !== undefined) checkText(layer.file, `${where}/paymentId`, o.paymentId, isRestVariable);
      for (const [pointer, text] of templateStrings(o.body, `${where}/body`))
        checkText(layer.file, pointer, text, isRestVariable);
    }
  }
}

function checkText(file: string, at: string, text: string, known = isKnownVariable): void {
  let names: string[];
  try {
    names = parseTemplate(text).flatMap((p) => (p.variable ? [p.variable] : []));
  } catch (err) {
    throw new DataFileError(file, at, (err as Error).message);
  }
  for (const name of names) {
    if (!known(name)) throw new DataFileError(file, at, `unknown variable "\${${name}}" (docs/firmware.md)`);
  }
}

/** Child over parent: objects merge at every depth, lists and values replace, null removes. */
function deepMerge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return structuredClone(over);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over))
    out[k] = k in out && v !== null ? deepMerge(out[k], v) : structuredClone(v);
  return out;
}

/**
 * Nulls kept through the merge go last, except in a message's `fields`, where a null still has to
 * remove what an included field set brings.
 */
function stripNulls(v: unknown, keep = false): unknown {
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null || keep) out[k] = stripNulls(x, k === 'fields');
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

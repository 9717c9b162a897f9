import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { DataFileError } from '../../data/data-file-error.js';
import { loadDataFile, validateData } from '../../data/load-data-file.js';
import { packageRoot } from '../../data/package-root.js';
import type { Violation } from '../../mocks/exchange.js';
import {
  type ApiBinding,
  type ApiDocument,
  ApiDocumentSchema,
  HTTP_METHODS,
  LIFECYCLE_ACTIONS,
  type LifecycleAction,
  type RequestMapping,
  RequestMappingSchema,
} from './api-schema.js';
import type { JsonMaskRules } from './mask.js';
import { type CompiledTemplate, compileTemplate } from './template.js';
import {
  DocumentValidators,
  type ParameterLocation,
  type ParameterSpec,
  toViolations,
} from './validators.js';

/** protocols/rest at the package root. */
export function builtinApisDir(): string {
  return resolve(packageRoot(), 'protocols/rest');
}

/** How a request proves who it is, from the document's securitySchemes. */
export interface SecurityScheme {
  name: string;
  kind: 'bearer' | 'basic' | 'header';
  /** The header that carries it, lower case (`authorization`, `x-api-key`). */
  header: string;
}

/** The parts of a request that validation looks at. Header names are lower case (node's way). */
export interface RequestParts {
  body: unknown;
  hasBody: boolean;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  query: Readonly<Record<string, unknown>>;
  params: Readonly<Record<string, string>>;
}

export interface ApiOperation {
  readonly operationId: string;
  /** The lifecycle action (`x-paymatrix-operation`); undefined: the mock does not serve it. */
  readonly action?: LifecycleAction;
  /** Upper case: GET, POST … */
  readonly method: string;
  /** As in the document: `/payments/{paymentPspReference}/captures`. */
  readonly path: string;
  /** With the server URL's path in front (`/v3/payments/…`): what a request's path must match. */
  readonly fullPath: string;
  /** The path parameter that names the payment (capture, cancel, refund, retrieve). */
  readonly paymentIdParam?: string;
  readonly request: RequestMapping;
  /** The lowest 2xx the document declares: what a success is answered with. */
  readonly successStatus: number;
  /** Alternatives (any one suffices), each a set of schemes (all needed); [] = no authentication. */
  readonly security: readonly (readonly SecurityScheme[])[];
  readonly parameters: readonly ParameterSpec[];
  readonly bodyRequired: boolean;
  /** Violations of the document by this request (empty: valid). */
  validateRequest(request: RequestParts): Violation[];
  /** Violations of the document by an answer; an undeclared status is one. */
  validateResponse(status: number, contentType: string | undefined, body: unknown): Violation[];
}

/** One API version: an OpenAPI 3.1 document with its `x-paymatrix` binding, checked and compiled. */
export interface ApiVersion {
  /** `api@version` */
  readonly ref: string;
  readonly api: string;
  readonly version: string;
  readonly file: string;
  readonly title: string;
  /** The document as written (frozen): served at /openapi.json. */
  readonly document: ApiDocument;
  readonly binding: ApiBinding;
  /** The path of the first server URL ('' or `/v3`): every operation's path starts with it. */
  readonly prefix: string;
  /** Header-versioned APIs: the header that selects the version. */
  readonly versionHeader?: string;
  readonly operations: readonly ApiOperation[];
  /** By operationId, else the first operation bound to that action. */
  operation(name: string): ApiOperation | undefined;
  /** The payment resource template (`x-paymatrix.payment`). */
  readonly payment: CompiledTemplate;
  /** The error body template (`x-paymatrix.errors.body`). */
  readonly error: CompiledTemplate;
  /** Where card data sits in this version's request bodies, for masking. */
  readonly mask: JsonMaskRules;
}

export interface Api {
  readonly id: string;
  /** Oldest first. */
  readonly versions: readonly ApiVersion[];
}

export interface ApiRegistry {
  /** `api@version` → the version; unknown names list the known ones. */
  get(ref: string): ApiVersion;
  has(ref: string): boolean;
  list(): Api[];
}

/** What `{…}` may name in a payment template. */
export const PAYMENT_PLACEHOLDERS: ReadonlySet<string> = new Set([
  'id',
  'amount',
  'currency',
  'status',
  'capturedAmount',
  'capturableAmount',
  'refundedAmount',
  'created',
  'createdAt',
  'declineCode',
  'cardLast4',
  'cardScheme',
  'requestId',
]);

/** What `{…}` may name in an error template. */
export const ERROR_PLACEHOLDERS: ReadonlySet<string> = new Set([
  'status',
  'type',
  'code',
  'title',
  'message',
  'param',
  'fields',
  'declineCode',
  'payment',
  'paymentId',
  'requestId',
]);

/**
 * Loads every `<api>/<version>.yaml` under the given folders; a later folder's file replaces an
 * earlier one for the same api and version (a workspace overriding the built-in catalogue). The
 * file name must equal `info.version`.
 */
export function loadApis(dirs: string[] = [builtinApisDir()]): ApiRegistry {
  const files = new Map<string, Map<string, string>>();
  for (const dir of dirs) {
    let apis: string[];
    try {
      apis = readdirSync(dir).filter((n) => statSync(join(dir, n)).isDirectory());
    } catch (err) {
      throw new DataFileError(dir, '', `cannot read API folder: ${(err as Error).message}`);
    }
    for (const api of apis) {
      if (!/^[a-z0-9][a-z0-9.-]*$/.test(api)) continue;
      const versions = files.get(api) ?? new Map<string, string>();
      for (const name of readdirSync(join(dir, api))
        .filter((n) => /\.ya?ml$/.test(n))
        .sort()) {
        versions.set(name.replace(/\.ya?ml$/, ''), join(dir, api, name));
      }
      files.set(api, versions);
    }
  }
  const apis = new Map<string, Api>();
  for (const [id, versions] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const built = [...versions]
      .sort(([a], [b]) => compareApiVersions(a, b))
      .map(([version, file]) => loadApiVersion(file, id, version));
    apis.set(id, { id, versions: built });
  }

  function find(ref: string): ApiVersion {
    const at = ref.lastIndexOf('@');
    if (at <= 0) throw new Error(`API reference "${ref}" must be <api>@<version>`);
    const id = ref.slice(0, at);
    const version = ref.slice(at + 1);
    const api = apis.get(id);
    if (!api) throw new Error(`unknown API "${id}" (known: ${[...apis.keys()].join(', ') || 'none'})`);
    const found = api.versions.find((v) => v.version === version);
    if (!found) {
      const known = api.versions.map((v) => v.version).join(', ');
      throw new Error(`unknown version "${version}" of API ${id} (versions: ${known})`);
    }
    return found;
  }

  return {
    get: find,
    has(ref) {
      try {
        find(ref);
        return true;
      } catch {
        return false;
      }
    },
    list: () => [...apis.values()],
  };
}

/** The built-in API versions plus the workspace's `protocols/rest` (same api and version: the workspace's). */
export function workspaceApis(workspace = '.'): ApiRegistry {
  const builtin = builtinApisDir();
  const own = resolve(workspace, 'protocols/rest');
  return loadApis(own !== builtin && existsSync(own) ? [builtin, own] : [builtin]);
}

/** Dated versions sort as text, `v3` < `v10` by number: the numeric collation does both. */
export function compareApiVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

type Fail = (pointer: string, problem: string) => never;

/** Loads and checks one API version file. */
export function loadApiVersion(file: string, api: string, version: string): ApiVersion {
  const document = loadDataFile(file, ApiDocumentSchema);
  const fail: Fail = (pointer, problem) => {
    throw new DataFileError(file, pointer, problem);
  };
  if (document.info.version !== version) {
    fail('/info/version', `is "${document.info.version}" but the file is named ${version}.yaml`);
  }
  const binding = document['x-paymatrix'];
  const raw = document as unknown as Record<string, unknown>;

  const prefix = serverPrefix(document, fail);
  if ('path' in binding.versioning && prefix === '') {
    fail('/servers/0/url', 'a path-versioned API needs the version in its server URL, e.g. https://host/v3');
  }

  const schemes = securitySchemes(raw, fail);
  const rootSecurity = securityOf(document.security, '/security', schemes, fail);

  const validators = new DocumentValidators(`paymatrix:${api}/${version}`, document);
  const operations: ApiOperation[] = [];
  const ids = new Map<string, string>();
  const pans = new Set<string>();
  const hidden = new Set<string>();

  for (const [path, item] of Object.entries(document.paths)) {
    const itemAt = `/paths/${esc(path)}`;
    const shared = (item.parameters ?? []) as unknown[];
    for (const method of HTTP_METHODS) {
      const op = item[method] as Record<string, unknown> | undefined;
      if (op === undefined) continue;
      const at = `${itemAt}/${method}`;
      if (!isObject(op)) fail(at, 'must be an operation object');
      const operationId = op.operationId;
      if (typeof operationId !== 'string' || operationId === '') fail(`${at}/operationId`, 'is required');
      const other = ids.get(operationId as string);
      if (other) fail(`${at}/operationId`, `"${operationId}" is already used at ${other}`);
      ids.set(operationId as string, at);

      const actionRaw = op['x-paymatrix-operation'];
      if (actionRaw !== undefined && !LIFECYCLE_ACTIONS.includes(actionRaw as LifecycleAction)) {
        fail(`${at}/x-paymatrix-operation`, `must be one of ${LIFECYCLE_ACTIONS.join(', ')}`);
      }
      const action = actionRaw as LifecycleAction | undefined;
      const request = (op['x-paymatrix-request'] ?? {}) as RequestMapping;
      try {
        validateData(file, request, RequestMappingSchema);
      } catch (err) {
        if (!(err instanceof DataFileError)) throw err;
        fail(`${at}/x-paymatrix-request${err.path === '/' ? '' : err.path}`, err.problem);
      }
      if (action === 'authorize' && !request.amount) {
        fail(
          `${at}/x-paymatrix-request`,
          'an authorize operation needs amount (a pointer to the amount in minor units)',
        );
      }
      if (request.pan) pans.add(request.pan);
      for (const p of request.sensitive ?? []) hidden.add(p);

      const parameters = [...shared, ...((op.parameters ?? []) as unknown[])].map((p, i) =>
        parameterOf(raw, p, `${at}/parameters/${i}`, fail),
      );
      // An operation's own parameter replaces a path-level one with the same name and location.
      const byKey = new Map(parameters.map((p) => [`${p.in}:${p.name.toLowerCase()}`, p]));
      const params = [...byKey.values()];
      const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
      for (const name of pathParams) {
        if (!params.some((p) => p.in === 'path' && p.name === name)) {
          params.push({ name, in: 'path', required: true });
        }
      }
      let paymentIdParam: string | undefined;
      if (action && action !== 'authorize') {
        if (pathParams.length !== 1) {
          fail(
            at,
            `a ${action} operation needs exactly one path parameter, the payment id (has ${pathParams.length})`,
          );
        }
        paymentIdParam = pathParams[0];
      }

      const body = requestBodyOf(raw, op.requestBody, `${at}/requestBody`, fail);
      const responses = responsesOf(raw, op.responses, `${at}/responses`, fail);
      const success = Object.keys(responses)
        .filter((s) => /^2[0-9][0-9]$/.test(s))
        .map(Number)
        .sort((a, b) => a - b)[0];
      if (action && success === undefined) fail(`${at}/responses`, 'needs a 2xx response');

      const security =
        op.security === undefined
          ? rootSecurity
          : securityOf(op.security as ApiDocument['security'], `${at}/security`, schemes, fail);

      operations.push(
        buildOperation({
          operationId: operationId as string,
          action,
          method: method.toUpperCase(),
          path,
          fullPath: prefix + path,
          paymentIdParam,
          request,
          successStatus: success ?? 200,
          security,
          parameters: params,
          body,
          responses,
          validators,
          key: `${method} ${path}`,
        }),
      );
    }
  }

  const payment = compileTemplate(binding.payment, PAYMENT_PLACEHOLDERS, (p, problem) =>
    fail(`/x-paymatrix/payment${p}`, problem),
  );
  const error = compileTemplate(binding.errors.body, ERROR_PLACEHOLDERS, (p, problem) =>
    fail(`/x-paymatrix/errors/body${p}`, problem),
  );
  if (error.requestPointers.length > 0) {
    fail(
      '/x-paymatrix/errors/body',
      'an error template cannot read {request:…}: errors have no payment request',
    );
  }

  deepFreeze(document);
  const byName = new Map<string, ApiOperation>();
  for (const op of operations) byName.set(op.operationId, op);
  for (const op of operations) if (op.action && !byName.has(op.action)) byName.set(op.action, op);
  return {
    ref: `${api}@${version}`,
    api,
    version,
    file,
    title: document.info.title,
    document,
    binding,
    prefix,
    ...('header' in binding.versioning && { versionHeader: binding.versioning.header }),
    operations,
    operation: (name) => byName.get(name),
    payment,
    error,
    mask: { pans: [...pans], hidden: [...hidden] },
  };
}

interface OperationInput {
  operationId: string;
  action: LifecycleAction | undefined;
  method: string;
  path: string;
  fullPath: string;
  paymentIdParam: string | undefined;
  request: RequestMapping;
  successStatus: number;
  security: SecurityScheme[][];
  parameters: ParameterSpec[];
  body: { required: boolean; schemas: Map<string, string> } | undefined;
  responses: Record<string, Map<string, string | undefined>>;
  validators: DocumentValidators;
  key: string;
}

function buildOperation(input: OperationInput): ApiOperation {
  const { validators, body, responses, parameters, key } = input;
  const byLocation = (loc: ParameterLocation) => parameters.filter((p) => p.in === loc);
  const headerParams = byLocation('header');
  const queryParams = byLocation('query');
  const pathParams = byLocation('path');
  const bodySchema = body?.schemas.get('application/json') ?? [...(body?.schemas.values() ?? [])][0];
  // Compiled on first use, then kept here: validation runs on every request.
  const headerKeys = headerParams.map((p) => p.name.toLowerCase());
  let headerValidator: ValidateFunction | undefined;
  let queryValidator: ValidateFunction | undefined;
  let pathValidator: ValidateFunction | undefined;
  let bodyValidator: ValidateFunction | undefined;
  return {
    operationId: input.operationId,
    ...(input.action && { action: input.action }),
    method: input.method,
    path: input.path,
    fullPath: input.fullPath,
    ...(input.paymentIdParam && { paymentIdParam: input.paymentIdParam }),
    request: input.request,
    successStatus: input.successStatus,
    security: input.security,
    parameters,
    bodyRequired: body?.required ?? false,
    validateRequest(request) {
      const out: Violation[] = [];
      if (headerParams.length > 0) {
        const values: Record<string, unknown> = {};
        for (let i = 0; i < headerParams.length; i++) {
          const v = request.headers[headerKeys[i]!];
          if (v !== undefined) values[headerParams[i]!.name] = Array.isArray(v) ? v.join(', ') : v;
        }
        headerValidator ??= validators.parameters(`${key} header`, headerParams);
        if (!headerValidator(values)) out.push(...toViolations(headerValidator.errors, 'header'));
      }
      if (queryParams.length > 0) {
        queryValidator ??= validators.parameters(`${key} query`, queryParams);
        if (!queryValidator({ ...request.query })) out.push(...toViolations(queryValidator.errors, 'query'));
      }
      if (pathParams.length > 0) {
        pathValidator ??= validators.parameters(`${key} path`, pathParams);
        if (!pathValidator({ ...request.params })) out.push(...toViolations(pathValidator.errors, 'path'));
      }
      if (!request.hasBody) {
        if (body?.required) out.push({ path: '', rule: 'required', message: 'a JSON body is required' });
      } else if (bodySchema) {
        bodyValidator ??= validators.schema(bodySchema);
        if (!bodyValidator(request.body)) out.push(...toViolations(bodyValidator.errors, 'body'));
      }
      return out;
    },
    validateResponse(status, contentType, data) {
      const declared = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
      if (!declared) {
        return [
          { path: '', rule: 'status', message: `status ${status} is not declared for ${input.operationId}` },
        ];
      }
      const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
      if (declared.size === 0) return [];
      if (!declared.has(media)) {
        return [
          {
            path: '',
            rule: 'content-type',
            message: `content type "${media}" is not declared for ${status} (declared: ${[...declared.keys()].join(', ')})`,
          },
        ];
      }
      const pointer = declared.get(media);
      if (!pointer) return [];
      const v = validators.schema(pointer);
      return v(data) ? [] : toViolations(v.errors, 'body');
    },
  };
}

function serverPrefix(document: ApiDocument, fail: Fail): string {
  const url = document.servers?.[0]?.url;
  if (url === undefined) return '';
  let path: string;
  try {
    path = new URL(url, 'http://placeholder').pathname;
  } catch {
    return fail('/servers/0/url', `"${url}" is not a URL`);
  }
  return path.replace(/\/+$/, '');
}

function securitySchemes(doc: Record<string, unknown>, fail: Fail): Map<string, SecurityScheme> {
  const out = new Map<string, SecurityScheme>();
  const schemes = (doc.components as Record<string, unknown> | undefined)?.securitySchemes;
  if (schemes === undefined) return out;
  if (!isObject(schemes)) return fail('/components/securitySchemes', 'must be an object');
  for (const [name, s] of Object.entries(schemes)) {
    const at = `/components/securitySchemes/${esc(name)}`;
    if (!isObject(s)) fail(at, 'must be an object');
    const scheme = s as Record<string, unknown>;
    const httpScheme = typeof scheme.scheme === 'string' ? scheme.scheme.toLowerCase() : '';
    if (scheme.type === 'http' && (httpScheme === 'bearer' || httpScheme === 'basic')) {
      out.set(name, { name, kind: httpScheme, header: 'authorization' });
    } else if (scheme.type === 'apiKey' && scheme.in === 'header' && typeof scheme.name === 'string') {
      out.set(name, { name, kind: 'header', header: scheme.name.toLowerCase() });
    } else {
      fail(at, 'the mock supports http bearer, http basic and apiKey in a header');
    }
  }
  return out;
}

function securityOf(
  requirements: ApiDocument['security'],
  at: string,
  schemes: Map<string, SecurityScheme>,
  fail: Fail,
): SecurityScheme[][] {
  return (requirements ?? []).map((req, i) =>
    Object.keys(req).map((name) => {
      const s = schemes.get(name);
      if (!s)
        fail(`${at}/${i}/${esc(name)}`, `unknown security scheme (known: ${[...schemes.keys()].join(', ')})`);
      return s!;
    }),
  );
}

/** Follows local `$ref`s (`#/components/parameters/Id`) and returns the target with its pointer. */
function deref(
  doc: Record<string, unknown>,
  node: unknown,
  at: string,
  fail: Fail,
): { value: unknown; pointer: string } {
  let value = node;
  let pointer = at;
  for (let hops = 0; isObject(value) && typeof value.$ref === 'string'; hops++) {
    const ref = value.$ref as string;
    if (hops > 10 || !ref.startsWith('#/'))
      fail(`${pointer}/$ref`, `only local references (#/components/…) are supported: "${ref}"`);
    pointer = decodeURIComponent(ref.slice(1));
    value = pointer
      .slice(1)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((cur, key) => (isObject(cur) ? cur[key] : undefined), doc);
    if (value === undefined) fail(at, `reference "${ref}" does not resolve`);
  }
  return { value, pointer };
}

function parameterOf(doc: Record<string, unknown>, node: unknown, at: string, fail: Fail): ParameterSpec {
  const { value, pointer } = deref(doc, node, at, fail);
  if (!isObject(value)) return fail(at, 'must be a parameter object');
  const p = value as Record<string, unknown>;
  if (typeof p.name !== 'string') fail(`${pointer}/name`, 'is required');
  if (p.in !== 'path' && p.in !== 'query' && p.in !== 'header') {
    fail(`${pointer}/in`, 'must be path, query or header (cookie parameters are not supported)');
  }
  return {
    name: p.name as string,
    in: p.in as ParameterLocation,
    required: p.required === true || p.in === 'path',
    ...(p.schema !== undefined && { schemaPointer: `${pointer}/schema` }),
  };
}

function requestBodyOf(
  doc: Record<string, unknown>,
  node: unknown,
  at: string,
  fail: Fail,
): { required: boolean; schemas: Map<string, string> } | undefined {
  if (node === undefined) return undefined;
  const { value, pointer } = deref(doc, node, at, fail);
  if (!isObject(value)) return fail(at, 'must be a request body object');
  return { required: value.required === true, schemas: contentSchemas(value.content, pointer, fail) };
}

function responsesOf(
  doc: Record<string, unknown>,
  node: unknown,
  at: string,
  fail: Fail,
): Record<string, Map<string, string | undefined>> {
  if (!isObject(node)) return fail(at, 'is required (an object keyed by status)');
  const out: Record<string, Map<string, string | undefined>> = {};
  for (const [status, r] of Object.entries(node)) {
    if (!/^([1-5][0-9][0-9]|[1-5]XX|default)$/.test(status))
      fail(`${at}/${status}`, 'must be a status, 4XX or default');
    const { value, pointer } = deref(doc, r, `${at}/${status}`, fail);
    if (!isObject(value)) fail(`${at}/${status}`, 'must be a response object');
    const schemas = new Map<string, string | undefined>();
    const content = (value as Record<string, unknown>).content;
    if (isObject(content)) {
      for (const [media, m] of Object.entries(content)) {
        schemas.set(
          media.toLowerCase(),
          isObject(m) && m.schema !== undefined ? `${pointer}/content/${esc(media)}/schema` : undefined,
        );
      }
    }
    out[status] = schemas;
  }
  return out;
}

function contentSchemas(content: unknown, at: string, fail: Fail): Map<string, string> {
  const out = new Map<string, string>();
  if (content === undefined) return out;
  if (!isObject(content)) return fail(`${at}/content`, 'must be an object keyed by media type');
  for (const [media, m] of Object.entries(content)) {
    if (isObject(m) && m.schema !== undefined)
      out.set(media.toLowerCase(), `${at}/content/${esc(media)}/schema`);
  }
  return out;
}

function esc(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepFreeze(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const child of Object.values(v)) deepFreeze(child);
}

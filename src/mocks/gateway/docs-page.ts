import { Buffer } from 'node:buffer';
import { relative } from 'node:path';
import fastifySwagger, { type StaticDocumentSpec } from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { ApiVersion } from '../../protocols/rest/api-loader.js';
import type { GatewayVersion } from './gateway-version.js';

/** Where the page is served unless told otherwise. */
export const DOCS_PATH = '/docs';

type Json = Record<string, unknown>;

/** The top bar's name (Swagger UI's package would show fastify's). */
const LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" width="220" height="40">' +
  '<text x="0" y="28" font-family="sans-serif" font-size="24" font-weight="bold" fill="#fff">paymatrix mock</text></svg>';

/**
 * The API version's document as the docs page shows it, so that "Try it out" talks to this mock:
 * its server is this gateway (relative: whatever address the browser used), and on a gateway
 * versioned by header every operation carries that header pinned to this version — without it the
 * mock would answer at its account default, not at the version the page shows.
 */
export function docsDocument(gateway: GatewayVersion, api: ApiVersion): Json {
  const doc = structuredClone(api.document) as Json;
  const isDefault = api === gateway.api;
  const where = relative(process.cwd(), gateway.file) || gateway.file;
  const info = { ...(doc.info as Json) };
  info.description = [
    info.description,
    `Served by the paymatrix mock gateway ${gateway.ref}: ${api.ref}` +
      (isDefault ? ', its default version.' : '.') +
      ` Authorize with one of the test keys of ${where} (auth.keys).`,
  ]
    .filter(Boolean)
    .join('\n\n');
  doc.info = info;
  doc.servers = [{ url: api.prefix || '/', description: `this mock (${gateway.ref})` }];
  const header = api.versionHeader;
  if (header) {
    const pinned = {
      name: header,
      in: 'header',
      required: true,
      description: `The API version (the mock's default is ${gateway.api.version}).`,
      schema: { type: 'string', enum: [api.version], default: api.version },
    };
    for (const item of Object.values((doc.paths ?? {}) as Record<string, Json>)) {
      for (const [method, op] of Object.entries(item)) {
        if (method === 'parameters' || typeof op !== 'object' || op === null) continue;
        const operation = op as Json;
        operation.parameters = [...((operation.parameters as unknown[]) ?? []), pinned];
      }
    }
  }
  return doc;
}

/** `/docs/openapi/<version>.json` */
export function docsDocumentPath(prefix: string, api: ApiVersion): string {
  return `${prefix}/openapi/${encodeURIComponent(api.version)}.json`;
}

/**
 * A Swagger UI page for every API version the gateway serves (the default first, the others in the
 * page's version menu), with Swagger UI's own files served from the package: it works offline.
 * Requests to the page are not exchanges of the gateway and stay out of its journal.
 */
export async function registerDocsPage(
  app: FastifyInstance,
  gateway: GatewayVersion,
  prefix = DOCS_PATH,
): Promise<void> {
  if (!/^\/[^?#\s]*[^/?#\s]$/.test(prefix))
    throw new Error(`the API docs page path must look like /docs, got ${JSON.stringify(prefix)}`);
  // An API of one's own may have a /docs of its own: say so rather than fail on a duplicate route.
  const clash = gateway.apis
    .flatMap((api) => api.operations)
    .find((op) => op.fullPath === prefix || op.fullPath.startsWith(`${prefix}/`));
  if (clash) {
    throw new Error(
      `${gateway.ref} serves ${clash.method} ${clash.fullPath}: the API docs page cannot be at ${prefix} ` +
        '(give it another path, or turn it off: paymatrix mock --no-docs)',
    );
  }
  const documents = gateway.apis.map((api) => ({ api, document: docsDocument(gateway, api) }));
  for (const { api, document } of documents) {
    const text = JSON.stringify(document);
    app.get(docsDocumentPath(prefix, api), (_req, reply) => {
      reply.header('content-type', 'application/json; charset=utf-8').send(text);
    });
  }
  const name = (api: ApiVersion) => (api === gateway.api ? `${api.ref} (default)` : api.ref);
  await app.register(fastifySwagger, {
    mode: 'static',
    specification: {
      // Our documents are OpenAPI 3.1, checked by our own schema when loaded; the plugin only serves it.
      document: documents[0]!.document as unknown as StaticDocumentSpec['document'],
    },
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: prefix,
    uiConfig: {
      // The first is the one shown: the default version (apis lists it first).
      urls: documents.map(({ api }) => ({ url: docsDocumentPath(prefix, api), name: name(api) })),
      tryItOutEnabled: true,
    },
    logo: { type: 'image/svg+xml', content: Buffer.from(LOGO) },
    // No badge from validator.swagger.io: the page never sends the document off the machine.
    validatorUrl: false,
  });
}

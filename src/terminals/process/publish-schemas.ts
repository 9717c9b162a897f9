import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import { packageRoot } from '../../data/package-root.js';
import {
  CONTROL_PROTOCOL,
  ErrorResponseSchema,
  EventNotificationSchema,
  METHODS,
  type Method,
  requestSchema,
  responseSchema,
} from './protocol-schema.js';

/**
 * The JSON Schema files of paymatrix-control/1 for emulator authors (docs/control-protocol/), one
 * per message, generated from protocol-schema.ts so they cannot drift from what the driver
 * validates. A test fails when the published files are stale (it compares the JSON, not the
 * layout); regenerate with `npx tsx src/terminals/process/publish-schemas.ts`, which also formats
 * them with the project's Biome so `npm run lint` stays clean.
 */

export function controlProtocolDir(): string {
  return resolve(packageRoot(), 'docs/control-protocol');
}

/** File name → the JSON Schema document it holds. */
export function controlProtocolSchemaFiles(): Map<string, object> {
  const files = new Map<string, object>();
  const add = (name: string, schema: TSchema) =>
    files.set(`${name}.schema.json`, {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $comment: `${CONTROL_PROTOCOL}; generated from src/terminals/process/protocol-schema.ts, do not edit`,
      // Through JSON: TypeBox's symbol keys stay behind, what is left is what the file holds.
      ...JSON.parse(JSON.stringify(schema)),
    });
  for (const method of Object.keys(METHODS) as Method[]) {
    add(`${method}-request`, requestSchema(method));
    add(`${method}-response`, responseSchema(method));
  }
  add('error-response', ErrorResponseSchema);
  add('event', EventNotificationSchema);
  return files;
}

export function publishControlProtocolSchemas(dir = controlProtocolDir()): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, schema] of controlProtocolSchemaFiles()) {
    writeFileSync(join(dir, name), `${JSON.stringify(schema, null, 2)}\n`);
    written.push(name);
  }
  const biome = resolve(packageRoot(), 'node_modules/.bin/biome');
  if (existsSync(biome)) spawnSync(biome, ['format', '--write', dir], { stdio: 'ignore' });
  return written;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dir = controlProtocolDir();
  for (const name of publishControlProtocolSchemas(dir)) console.log(join(dir, name));
}

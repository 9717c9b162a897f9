import type { FastifySchemaValidationError } from 'fastify';

/**
 * Input errors in words: the parameter that is unknown, what a pattern stands for (its
 * description), else ajv's own message, e.g. `querystring/limit must be >= 1`.
 */
export function schemaErrorFormatter(errors: FastifySchemaValidationError[], dataVar: string): Error {
  return new Error(errors.map((e) => inWords(e, dataVar)).join(', '));
}

function inWords(e: FastifySchemaValidationError, dataVar: string): string {
  const where = `${dataVar}${e.instancePath}`;
  const parent = (e as { parentSchema?: { properties?: object; description?: string } }).parentSchema;
  const extra = (e.params as { additionalProperty?: string }).additionalProperty;
  if (e.keyword === 'additionalProperties' && extra !== undefined) {
    return `${where} has an unknown parameter "${extra}" (known: ${Object.keys(parent?.properties ?? {}).join(', ')})`;
  }
  if (e.keyword === 'pattern' && parent?.description) return `${where} must be ${parent.description}`;
  return `${where} ${e.message}`;
}

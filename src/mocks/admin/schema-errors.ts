import type { FastifySchemaValidationError } from 'fastify';
import { didYouMean } from '../../data/closest-word.js';

/**
 * Input errors in words: the parameter that is unknown, what a pattern stands for (its
 * description), else ajv's own message, e.g. `querystring/limit must be >= 1`.
 */
export function schemaErrorFormatter(errors: FastifySchemaValidationError[], dataVar: string): Error {
  // A body that is none of the shapes a route takes (none at all, text, null): say what it takes,
  // rather than each shape's own complaint. The route's schema describes its shapes.
  const whole = errors.find((e) => e.keyword === 'anyOf' && e.instancePath === '');
  if (dataVar === 'body' && whole) {
    const wanted = (whole as { parentSchema?: { description?: string } }).parentSchema?.description;
    return new Error(
      `the body must be ${wanted ?? 'JSON of the documented shape'}, sent as JSON (content-type: application/json)`,
    );
  }
  return new Error(errors.map((e) => inWords(e, dataVar)).join(', '));
}

function inWords(e: FastifySchemaValidationError, dataVar: string): string {
  const where = `${dataVar}${e.instancePath}`;
  const parent = (e as { parentSchema?: { properties?: object; description?: string } }).parentSchema;
  const extra = (e.params as { additionalProperty?: string }).additionalProperty;
  if (e.keyword === 'additionalProperties' && extra !== undefined) {
    const known = Object.keys(parent?.properties ?? {});
    return `${where} has an unknown parameter "${extra}"${didYouMean(extra, known)} (known: ${known.join(', ')})`;
  }
  if (e.keyword === 'pattern' && parent?.description) return `${where} must be ${parent.description}`;
  return `${where} ${e.message}`;
}

import { type SchemaOptions, Type as T } from '@sinclair/typebox';

/** A string enum whose TypeScript type is the union of its values (ajv reports the allowed list). */
export function Literals<const V extends string>(values: readonly V[], options: SchemaOptions = {}) {
  return T.Unsafe<V>({ type: 'string', enum: values, ...options });
}

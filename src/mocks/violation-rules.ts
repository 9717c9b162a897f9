/**
 * Every `rule` a mock's journal can name in a violation, so that a scenario expecting one
 * (`then.violations: [{ rule: … }]`) is checked when it is loaded: a misspelt rule would otherwise
 * fail the cell as if the firmware were at fault. test/mocks/violation-rules.test.ts keeps the list
 * in step with the code that makes violations.
 */
export const ISO_VIOLATION_RULES = [
  'mandatory-field',
  'forbidden-field',
  'field-format',
  'format',
  'framing',
  'tls',
  'mac',
  'duplicate',
  'original',
  'batch',
  'batch-upload',
  'unknown-message',
  'sign-on',
] as const;

export const REST_VIOLATION_RULES = [
  'authentication',
  'content-type',
  'json',
  'http',
  'idempotency',
  'rate-limit',
  'version',
  'route',
  'status',
  'response-contract',
  // A request outside the version's OpenAPI document: the JSON Schema keyword it broke.
  'required',
  'type',
  'enum',
  'const',
  'format',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'additionalProperties',
  'dependentRequired',
  'oneOf',
  'anyOf',
  'allOf',
  'not',
  'if',
  'contains',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
  'discriminator',
] as const;

export const VIOLATION_RULES: ReadonlySet<string> = new Set([
  ...ISO_VIOLATION_RULES,
  ...REST_VIOLATION_RULES,
]);

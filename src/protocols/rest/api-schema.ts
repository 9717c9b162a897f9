import { type Static, Type as T, type TOptional, type TSchema } from '@sinclair/typebox';
import { Literals } from '../../data/schema-helpers.js';
import { OUTCOMES } from '../../mocks/hosts/host-schema.js';

/**
 * The JSON Schema of an API version file (protocols/rest/<api>/<version>.yaml): a plain OpenAPI 3.1
 * document plus the `x-paymatrix` extensions that bind it to the mock's payment lifecycle. OpenAPI
 * itself is checked loosely (a vendor's spec must load); the extensions strictly, since the generic
 * gateway code reads nothing else about a version.
 */

const Closed = { additionalProperties: false } as const;

/** What a bound operation does to a payment. */
export const LIFECYCLE_ACTIONS = ['authorize', 'capture', 'cancel', 'refund', 'retrieve'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

/** The states of a payment; each version names them in its own vocabulary (`statuses`). */
export const PAYMENT_STATES = [
  'authorized',
  'captured',
  'partially-refunded',
  'refunded',
  'cancelled',
  'declined',
] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

/** Every way a gateway says no; each version gives each its HTTP status and wording (`errors.kinds`). */
export const ERROR_KINDS = [
  'authentication',
  'invalid-request',
  'unsupported-version',
  'not-found',
  'invalid-state',
  'amount-too-large',
  'card-declined',
  'idempotency-mismatch',
  'idempotency-in-flight',
  'rate-limited',
  'server-error',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** RFC 6901 JSON pointer into the request body, e.g. `/amount/value`. */
export const POINTER_PATTERN = '^(/([^~/]|~[01])*)+$';
const Pointer = T.String({ pattern: POINTER_PATTERN, description: 'JSON pointer into the request body' });

/** An HTTP header name (RFC 9110 token). */
const HeaderName = T.String({ pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" });

/**
 * A JSON value in which a string that is exactly `{name}` is replaced by a value of the mock
 * (`{amount}`, `{status}` …) or of the authorizing request (`{request:/reference}`); a key whose
 * value is absent is left out. Checked by the template compiler, which knows the names.
 */
const Template = T.Unknown({ description: 'JSON with {placeholder} strings' });

export const ErrorKindSpecSchema = T.Object(
  {
    status: T.Integer({ minimum: 400, maximum: 599 }),
    type: T.Optional(T.String({ description: '{type}: error type or problem type URI' })),
    code: T.Optional(T.String({ description: '{code}: the machine-readable error code' })),
    title: T.Optional(T.String({ description: '{title}: a short human title (RFC 7807)' })),
    message: T.String({ description: '{message}: the default human message' }),
  },
  Closed,
);
export type ErrorKindSpec = Static<typeof ErrorKindSpecSchema>;

const kinds = Object.fromEntries(ERROR_KINDS.map((k) => [k, ErrorKindSpecSchema])) as {
  [K in ErrorKind]: typeof ErrorKindSpecSchema;
};
const statuses = Object.fromEntries(PAYMENT_STATES.map((s) => [s, T.String({ minLength: 1 })])) as {
  [K in PaymentState]: ReturnType<typeof T.String>;
};
const declineCodes = Object.fromEntries([
  ...OUTCOMES.filter((o) => o !== 'approved').map((o) => [o, T.Optional(T.String({ minLength: 1 }))]),
  ['*', T.String({ minLength: 1, description: 'any outcome not listed' })],
]) as Record<string, TOptional<TSchema> | TSchema>;

/** The root `x-paymatrix` extension: how this version writes what the generic gateway does. */
export const ApiBindingSchema = T.Object(
  {
    versioning: T.Union(
      [
        T.Object(
          { header: HeaderName },
          { ...Closed, description: 'a request names the version in this header' },
        ),
        T.Object(
          { path: T.Literal(true) },
          { ...Closed, description: "the version is the path of the first server's URL (/v3)" },
        ),
      ],
      { description: 'how a request selects this API version' },
    ),
    idempotencyHeader: HeaderName,
    idPrefix: T.String({ pattern: '^[A-Za-z0-9_]{0,8}$', description: 'payment ids start with it' }),
    currencyCase: T.Optional(Literals(['upper', 'lower'], { description: 'how {currency} is written' })),
    cancelDeclined: T.Optional(
      T.Boolean({
        description:
          'a declined payment can be cancelled too (Stripe: from requires_payment_method); default only authorized',
      }),
    ),
    statuses: T.Object(statuses, { ...Closed, description: 'payment state -> this version’s status value' }),
    declines: T.Object(
      {
        as: Literals(['error', 'payment'], {
          description: 'error: card-declined error with {declineCode}; payment: the payment, status declined',
        }),
        codes: T.Object(declineCodes, { ...Closed, description: 'card book outcome -> {declineCode}' }),
      },
      Closed,
    ),
    payment: Template,
    errors: T.Object(
      {
        contentType: T.String({ pattern: '^[a-z]+/[a-z0-9.+-]+$' }),
        body: Template,
        kinds: T.Object(kinds, Closed),
      },
      Closed,
    ),
  },
  Closed,
);
export type ApiBinding = Static<typeof ApiBindingSchema>;

/** `x-paymatrix-request` on an operation: where the lifecycle reads its inputs in the body. */
export const RequestMappingSchema = T.Object(
  {
    amount: T.Optional(Pointer),
    currency: T.Optional(Pointer),
    capture: T.Optional(
      T.Object(
        {
          pointer: Pointer,
          equals: T.Optional(
            T.Unknown({ description: 'captures when the value equals this; else when true' }),
          ),
          default: T.Boolean({ description: 'when the request leaves it out' }),
        },
        Closed,
      ),
    ),
    pan: T.Optional(Pointer),
    expiryMonth: T.Optional(Pointer),
    expiryYear: T.Optional(Pointer),
    sensitive: T.Optional(
      T.Array(Pointer, { description: 'card data besides the PAN, hidden in journals (CVC …)' }),
    ),
  },
  Closed,
);
export type RequestMapping = Static<typeof RequestMappingSchema>;

const Methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
export const HTTP_METHODS = Methods;

/** OpenAPI 3.1, loosely: what the loader reads. Anything else a vendor spec holds is kept as is. */
export const ApiDocumentSchema = T.Object(
  {
    openapi: T.String({ pattern: '^3\\.1\\.[0-9]+$', description: 'OpenAPI 3.1.x' }),
    info: T.Object({ title: T.String(), version: T.String() }, { additionalProperties: true }),
    servers: T.Optional(T.Array(T.Object({ url: T.String() }, { additionalProperties: true }))),
    security: T.Optional(T.Array(T.Record(T.String(), T.Array(T.String())))),
    paths: T.Record(T.String({ pattern: '^/' }), T.Record(T.String(), T.Unknown())),
    components: T.Optional(T.Record(T.String(), T.Record(T.String(), T.Unknown()))),
    'x-paymatrix': ApiBindingSchema,
  },
  { additionalProperties: true },
);
export type ApiDocument = Static<typeof ApiDocumentSchema>;

import { type Static, Type as T } from '@sinclair/typebox';
import { Literals } from '../../data/schema-helpers.js';
import { HostTlsSchema } from '../hosts/host-schema.js';

/**
 * One version of a REST gateway in a host file (`kind: rest`): which API versions it serves and how
 * it behaves around them (keys, idempotency, limits). How a request and an answer look is the API
 * version's business (protocols/rest/<api>/<version>.yaml), so two gateway versions can serve the
 * same API version with, say, different idempotency profiles.
 */

const Closed = { additionalProperties: false } as const;
const HeaderName = T.String({ pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" });

export const IdempotencyProfileSchema = T.Object(
  {
    store: Literals(['all', '2xx'], {
      description: 'all: the first result is kept whatever its status (5xx included); 2xx: only successes',
    }),
    mismatch: Literals(['reject', 'replay'], {
      description:
        'same key, other parameters: reject with idempotency-mismatch, or replay the stored answer',
    }),
    concurrent: Literals(['reject', 'wait'], {
      description: 'same key while the first still runs: idempotency-in-flight (409), or wait for its result',
    }),
    replayedHeader: T.Optional(
      T.Object(
        { name: HeaderName, value: T.String() },
        { ...Closed, description: 'added to a replayed answer, e.g. Idempotent-Replayed: true' },
      ),
    ),
    retentionSeconds: T.Integer({ minimum: 1, description: 'how long a key is kept (time-scaled)' }),
    maxKeys: T.Optional(
      T.Integer({ minimum: 1, description: 'keys kept at most (oldest dropped first); default 10,000' }),
    ),
  },
  { ...Closed, description: 'how repeated Idempotency-Key requests are answered' },
);
export type IdempotencyProfile = Static<typeof IdempotencyProfileSchema>;

/** One gateway version after `extends` is applied. */
export const GatewayVersionSchema = T.Object(
  {
    extends: T.Optional(T.String()),
    summary: T.String({ minLength: 1, pattern: '^[^\\n]*$', description: 'one line' }),
    changes: T.Array(T.String({ minLength: 1 }), {
      minItems: 1,
      description: 'what this version changed against the previous one',
    }),
    api: T.String({ pattern: '^[a-z0-9][a-z0-9.-]*$', description: 'API id: protocols/rest/<api>' }),
    apiVersion: T.String({
      minLength: 1,
      description: 'the API version served when a request names none (the account default)',
    }),
    alsoServes: T.Optional(
      T.Array(T.String({ minLength: 1 }), {
        uniqueItems: true,
        description: 'other API versions a request may select (by header or path); the rest are refused',
      }),
    ),
    auth: T.Object(
      {
        keys: T.Array(T.String({ minLength: 8, maxLength: 200, pattern: '^[!-~]+$' }), {
          minItems: 1,
          uniqueItems: true,
          description: 'TEST API keys the gateway accepts (sent as the API version’s security scheme says)',
        }),
        note: T.Optional(T.String()),
      },
      Closed,
    ),
    idempotency: IdempotencyProfileSchema,
    processingDelayMs: T.Integer({ minimum: 0, description: 'time every request takes (time-scaled)' }),
    // The ISO hosts' `tls` (the same keys, the same checks), around HTTP.
    tls: T.Optional(
      T.Object(HostTlsSchema.properties, {
        ...Closed,
        description:
          'the gateway speaks HTTPS only, with a generated test certificate; a plain HTTP terminal is refused',
      }),
    ),
    limits: T.Optional(
      T.Object(
        {
          payments: T.Optional(
            T.Integer({ minimum: 1, description: 'payments kept at most (oldest dropped); default 10,000' }),
          ),
        },
        Closed,
      ),
    ),
  },
  Closed,
);
export type GatewayVersionSpec = Static<typeof GatewayVersionSchema>;

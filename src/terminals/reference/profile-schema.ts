// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${name} is the profile template syntax, not JavaScript.
import { type Static, Type as T, type TNull, type TOptional, type TUnion } from '@sinclair/typebox';
import { Literals } from '../../data/schema-helpers.js';
import { TLS_VERSIONS } from '../../mocks/hosts/host-schema.js';
import { TRANSACTION_TYPES } from '../terminal.js';
import { DEFECT_NAMES } from './defects.js';

/**
 * The `profile:` section of a firmware build played by the reference terminal, and the base
 * profiles it may extend (firmware/profiles/<id>.yaml). Every key is optional here: a profile is a
 * layer over its base (objects merge key by key, lists and values replace, null removes), and what
 * the merged profile must hold is checked once it is resolved (profile-loader.ts), naming the file
 * and the path. Behaviour policies sit at the top; the ISO 8583 wire format under `iso`, the REST
 * gateway operations under `rest`. Format: docs/firmware.md.
 */

const Closed = { additionalProperties: false } as const;
const Ms = (description: string, minimum = 0) => T.Optional(T.Integer({ minimum, description }));
const Mti = T.String({ pattern: '^[0-9]{4}$', description: 'message type indicator, 4 digits, quoted' });
const Codes = (description: string) => T.Optional(T.Array(T.String({ minLength: 1 }), { description }));
const Nullable = <S extends ReturnType<typeof T.Object>>(s: S) => T.Optional(T.Union([s, T.Null()]));

/** Names variables: `${stan}`, `${original.rrn}`, `${amount:12}` (zero-padded to 12 digits). */
const Template = T.String({ description: 'text with ${variable} or ${variable:width} parts' });
const VariableNames = T.Union([
  T.String({ minLength: 1 }),
  T.Array(T.String({ minLength: 1 }), { minItems: 1 }),
]);

/** Positional subfields of a composite element (CUP DE60, DE61; 1987 DE90; 1993 DE56). */
export const SubfieldTemplatesSchema = T.Record(T.String({ pattern: '^[0-9]{1,2}$' }), Template, {
  additionalProperties: false,
  minProperties: 1,
});

/** Sent only when one of the named variables has a value (`when: pin`, `when: [chip, contactless]`). */
export const ConditionalFieldSchema = T.Object(
  { value: T.Union([Template, SubfieldTemplatesSchema]), when: VariableNames },
  Closed,
);

export const FieldTemplateSchema = T.Union([
  Template,
  ConditionalFieldSchema,
  SubfieldTemplatesSchema,
  T.Null({ description: 'removes an inherited field' }),
]);
export type FieldTemplate = Static<typeof FieldTemplateSchema>;

/** Data elements by number (`"4"`, `"60"`). */
export const FieldTemplatesSchema = T.Record(T.String({ pattern: '^[0-9]{1,3}$' }), FieldTemplateSchema, {
  additionalProperties: false,
});
export type FieldTemplates = Static<typeof FieldTemplatesSchema>;

export const MessageTemplateSchema = T.Object(
  {
    mti: T.Optional(Mti),
    repeatMti: T.Optional(
      T.Union([Mti, T.Null()], { description: 'MTI of a retry (0401, 1421, 0221); default: the same MTI' }),
    ),
    include: T.Optional(
      T.Array(T.String({ minLength: 1 }), { description: 'field sets (iso.fieldSets) merged in, in order' }),
    ),
    fields: T.Optional(FieldTemplatesSchema),
    approvedCodes: Codes('response codes meaning approved for this message (default: iso.approvedCodes)'),
    timeoutMs: Ms('how long to wait for the answer (default: timeouts.responseMs)', 1),
    storeAndForward: T.Optional(
      T.Boolean({ description: 'an advice: queued and forwarded (SAF) instead of waited for' }),
    ),
  },
  Closed,
);
export type MessageTemplate = Static<typeof MessageTemplateSchema>;

/** The messages a profile can describe: the transaction types plus what the terminal sends on its own. */
export const MESSAGE_NAMES = [
  ...TRANSACTION_TYPES,
  'reversal',
  'advice',
  'upload-record',
  'upload-end',
  'settlement-close',
] as const;
export type MessageName = (typeof MESSAGE_NAMES)[number];

const messageProperties = Object.fromEntries(
  MESSAGE_NAMES.map((name) => [name, T.Optional(T.Union([MessageTemplateSchema, T.Null()]))]),
) as Record<MessageName, TOptional<TUnion<[typeof MessageTemplateSchema, TNull]>>>;

const EntryTable = T.Object(
  {
    chip: T.Optional(T.String()),
    magstripe: T.Optional(T.String()),
    contactless: T.Optional(T.String()),
    manual: T.Optional(T.String()),
  },
  Closed,
);

/** A terminal's TLS: the newest version it offers, and whether it presents a client certificate. */
function TerminalTls(description: string) {
  return T.Object(
    {
      maxVersion: T.Optional(
        Literals(TLS_VERSIONS, {
          description: 'the newest TLS version the terminal offers (default TLSv1.3)',
        }),
      ),
      clientCertificate: T.Optional(
        T.Boolean({
          description:
            'presents the client certificate it is provisioned with when the host asks (mutual TLS; default false: a build without it is refused by such a host)',
        }),
      ),
    },
    { ...Closed, description },
  );
}

export const IsoProfileSchema = T.Object(
  {
    tpdu: T.Optional(
      T.String({
        pattern: '^[0-9A-Fa-f]{10}$',
        description: 'TPDU for framings that carry one, 5 bytes hex',
      }),
    ),
    header: T.Optional(
      T.String({
        pattern: '^([0-9A-Fa-f]{2})+$',
        description: 'network header for framings that carry one, hex',
      }),
    ),
    tls: T.Optional(
      TerminalTls(
        "the terminal speaks ISO 8583 inside TLS, trusting the CA it is configured with (a mock host's test certificate)",
      ),
    ),
    approvedCodes: Codes('response codes meaning approved (default ["00"])'),
    signOnAgainCodes: Codes('codes that mean "sign on again" (CUP A0): the next transaction signs on first'),
    autoSignOn: T.Optional(
      T.Boolean({
        description: 'sign on before the first online transaction and after a sign-on-again code',
      }),
    ),
    signOnBatchField: T.Optional(
      T.String({ description: 'element of the sign-on answer carrying the batch number to adopt ("60.2")' }),
    ),
    entryModes: T.Optional(EntryTable),
    pinEntry: T.Optional(
      T.Object({ entered: T.Optional(T.String()), none: T.Optional(T.String()) }, { ...Closed }),
    ),
    reasonCodes: T.Optional(
      T.Object(
        {
          timeout: T.Optional(T.String()),
          'mac-error': T.Optional(T.String()),
          cancelled: T.Optional(T.String()),
        },
        { ...Closed, description: 'the ${reason} of a reversal, by cause' },
      ),
    ),
    pin: Nullable(
      T.Object(
        {
          key: T.String({ minLength: 1, description: 'key role encrypting the PIN block (tpk, pik)' }),
          format: Literals(['iso-0'], { description: 'ISO 9564 PIN block format' }),
        },
        Closed,
      ),
    ),
    mac: Nullable(
      T.Object(
        {
          algorithm: T.Optional(Literals(['x9.9', 'x9.19', 'cup-ecb'])),
          key: T.Optional(T.String({ minLength: 1, description: 'key role (tak static, mak downloaded)' })),
          field: T.Optional(T.Integer({ minimum: 1, maximum: 128, description: 'primary MAC element (64)' })),
          messages: T.Optional(T.Array(Mti, { description: 'MTIs the terminal MACs' })),
          verifyResponses: T.Optional(T.Boolean({ description: 'check the MAC of answers that carry one' })),
        },
        Closed,
      ),
    ),
    keyDownload: Nullable(
      T.Object(
        {
          field: T.Optional(T.String({ description: 'element of the sign-on answer with the key block' })),
          keys: T.Optional(
            T.Array(T.String({ minLength: 1 }), { minItems: 1, description: 'roles, in order' }),
          ),
          checkValueBytes: T.Optional(T.Integer({ minimum: 0, maximum: 8 })),
          under: T.Optional(T.String({ minLength: 1, description: 'role of the key encrypting them (tmk)' })),
        },
        Closed,
      ),
    ),
    settlement: T.Optional(
      T.Object(
        {
          unbalanced: T.Optional(
            T.Object(
              {
                responseCodes: Codes('answer codes meaning out of balance'),
                field: T.Optional(
                  T.Object(
                    {
                      path: T.String({ minLength: 1 }),
                      offset: T.Optional(T.Integer({ minimum: 0 })),
                      value: T.String({ minLength: 1 }),
                    },
                    Closed,
                  ),
                ),
              },
              Closed,
            ),
          ),
        },
        Closed,
      ),
    ),
    fieldSets: T.Optional(
      T.Record(T.String({ pattern: '^[a-z][a-z0-9-]*$' }), T.Union([FieldTemplatesSchema, T.Null()]), {
        additionalProperties: false,
      }),
    ),
    messages: T.Optional(T.Object(messageProperties, Closed)),
  },
  Closed,
);
export type IsoProfile = Static<typeof IsoProfileSchema>;

/**
 * What the REST transport can be asked to do: the transaction types a gateway has an operation for
 * (settlement has none: a gateway settles on its own) and `reversal`, the cancel or refund a terminal
 * sends for a payment whose outcome it never learnt.
 */
export const REST_OPERATION_NAMES = [
  'sign-on',
  'echo',
  'sale',
  'refund',
  'void',
  'pre-auth',
  'completion',
  'balance',
  'reversal',
] as const;
export type RestOperationName = (typeof REST_OPERATION_NAMES)[number];

const restOperationProperties = {
  operation: T.Optional(
    T.String({
      minLength: 1,
      description:
        'lifecycle action (authorize, capture, cancel, refund, retrieve) or operationId of the API version; required once merged',
    }),
  ),
  body: T.Optional(
    T.Unknown({
      description:
        'JSON body; a string with ${variable} parts is a template, a lone ${amount} keeps its type',
    }),
  ),
  paymentId: T.Optional(
    T.String({ minLength: 1, description: 'the payment id path parameter (default ${original.paymentId})' }),
  ),
  answeredStatuses: T.Optional(
    T.Array(T.Integer({ minimum: 100, maximum: 599 }), {
      minItems: 1,
      uniqueItems: true,
      description: 'a probe (echo): HTTP statuses meaning the gateway is there and took the key',
    }),
  ),
  timeoutMs: Ms('how long to wait for the answer (default: timeouts.responseMs)', 1),
};

export const RestOperationSchema = T.Object(
  {
    ...restOperationProperties,
    whenCaptured: T.Optional(
      T.Object(restOperationProperties, {
        ...Closed,
        description: 'the operation instead when the payment referred to is already captured (void → refund)',
      }),
    ),
  },
  Closed,
);
export type RestOperation = Static<typeof RestOperationSchema>;

const restOperations = Object.fromEntries(
  REST_OPERATION_NAMES.map((name) => [name, T.Optional(T.Union([RestOperationSchema, T.Null()]))]),
) as Record<RestOperationName, TOptional<TUnion<[typeof RestOperationSchema, TNull]>>>;

/** How a REST build talks to its gateway. Format: docs/firmware.md#rest. */
export const RestProfileSchema = T.Object(
  {
    pinVersion: T.Optional(
      T.Boolean({
        description: 'header-versioned APIs: send the version header of the API version built for',
      }),
    ),
    auth: T.Optional(
      Literals(['bearer', 'basic', 'header'], {
        description: 'which of the operation’s security schemes carries the API key (default: the first)',
      }),
    ),
    idempotencyKey: T.Optional(
      T.String({ minLength: 1, description: 'template of the key of one transaction (default ${uuid})' }),
    ),
    retry: T.Optional(
      T.Object(
        {
          maxAttempts: T.Optional(
            T.Integer({ minimum: 1, description: 'sends of one request, the first included (default 3)' }),
          ),
          backoffMs: Ms('pause before the first retry (default 1000)'),
          backoffFactor: T.Optional(
            T.Number({ minimum: 1, description: 'each later pause × this (default 2)' }),
          ),
          maxRetryAfterMs: Ms('longest Retry-After the terminal waits; longer gives up (default 30000)'),
        },
        Closed,
      ),
    ),
    operations: T.Optional(T.Object(restOperations, Closed)),
    tls: T.Optional(
      TerminalTls(
        'how the terminal speaks HTTPS when its gateway URL is https (always: a REST terminal follows the URL), trusting the CA it is configured with',
      ),
    ),
  },
  Closed,
);
export type RestProfile = Static<typeof RestProfileSchema>;

const profileProperties = {
  extends: T.Optional(T.String({ pattern: '^[a-z0-9][a-z0-9.-]*$', description: 'base profile id' })),
  timeouts: T.Optional(
    T.Object(
      {
        connectMs: Ms('one connection attempt', 1),
        responseMs: Ms('waiting for an answer, unless the message says otherwise', 1),
      },
      Closed,
    ),
  ),
  connection: T.Optional(
    T.Object(
      {
        attempts: T.Optional(T.Integer({ minimum: 1, description: 'connection attempts per host' })),
        retryDelayMs: Ms('pause between two attempts'),
        keepOpen: T.Optional(T.Boolean({ description: 'keep the connection between transactions' })),
      },
      Closed,
    ),
  ),
  failover: Nullable(
    T.Object(
      {
        afterFailedConnects: T.Integer({
          minimum: 1,
          description: 'failed connects to the primary before the terminal moves to the backup',
        }),
      },
      Closed,
    ),
  ),
  stan: T.Optional(T.Object({ initial: T.Optional(T.Integer({ minimum: 1, maximum: 999999 })) }, Closed)),
  batch: T.Optional(T.Object({ initial: T.Optional(T.Integer({ minimum: 1, maximum: 999999 })) }, Closed)),
  reversal: T.Optional(
    T.Object(
      {
        enabled: T.Optional(T.Boolean()),
        transactions: T.Optional(
          T.Array(Literals(TRANSACTION_TYPES), { uniqueItems: true, description: 'what gets reversed' }),
        ),
        maxAttempts: T.Optional(T.Integer({ minimum: 1, description: 'deliveries tried before giving up' })),
        immediate: T.Optional(
          T.Boolean({ description: 'deliver at once after the timeout, not before the next transaction' }),
        ),
      },
      Closed,
    ),
  ),
  saf: T.Optional(
    T.Object(
      {
        enabled: T.Optional(T.Boolean()),
        maxQueue: T.Optional(T.Integer({ minimum: 1 })),
        maxAttempts: T.Optional(T.Integer({ minimum: 1 })),
        offlineFloorMinor: T.Optional(
          T.Integer({
            minimum: 0,
            description: 'a sale up to this amount is approved offline when no host answers',
          }),
        ),
      },
      Closed,
    ),
  ),
  defects: T.Optional(
    T.Array(Literals(DEFECT_NAMES), {
      uniqueItems: true,
      description: 'modelled defects (docs/firmware.md)',
    }),
  ),
  iso: T.Optional(IsoProfileSchema),
  rest: T.Optional(RestProfileSchema),
};

/** A build's `profile:` section. */
export const ReferenceProfileSchema = T.Object(profileProperties, Closed);
export type ReferenceProfile = Static<typeof ReferenceProfileSchema>;

/** A base profile file: firmware/profiles/<id>.yaml. */
export const ProfileFileSchema = T.Object(
  {
    id: T.String({ pattern: '^[a-z0-9][a-z0-9.-]*$' }),
    title: T.String({ minLength: 1, pattern: '^[^\\n]*$' }),
    description: T.Optional(T.String()),
    ...profileProperties,
  },
  Closed,
);
export type ProfileFile = Static<typeof ProfileFileSchema>;

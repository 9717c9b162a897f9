import { type Static, Type as T, type TOptional } from '@sinclair/typebox';
import { Literals } from '../../data/schema-helpers.js';
import { FramingSchema } from '../../protocols/iso8583/dialect-schema.js';

/**
 * The JSON Schema of a host file (mocks/hosts/<host>.yaml), written once with TypeBox so the types
 * and the ajv validation cannot drift apart. A host has versions; each version is everything a mock
 * server needs to behave like that bank at that version, with no host or version name in code.
 */

const Closed = { additionalProperties: false } as const;

/**
 * What a message means to the host's ledger. `sale` is the ISO "financial" purchase; `advice` is an
 * offline sale told to the host afterwards; `reversal-repeat` is a 0401/0421 for a reversal already sent.
 */
export const MESSAGE_KINDS = [
  'sign-on',
  'sign-off',
  'echo',
  'key-exchange',
  'authorization',
  'pre-auth',
  'pre-auth-void',
  'completion',
  'completion-void',
  'sale',
  'refund',
  'void',
  'balance',
  'advice',
  'reversal',
  'reversal-repeat',
  'settlement',
  'batch-upload',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];
export const MessageKindSchema = Literals(MESSAGE_KINDS);

/**
 * Semantic outcomes: the keys of a version's response-code table and the names cards.yaml triggers.
 * The server decides an outcome, the version maps it to its own code (05 vs 100, A0 vs 916 …).
 */
export const OUTCOMES = [
  'approved',
  'declined',
  'insufficient-funds',
  'expired-card',
  'wrong-pin',
  'pin-tries-exceeded',
  'invalid-amount',
  'invalid-card',
  'invalid-transaction',
  'restricted-card',
  'lost-card',
  'stolen-card',
  'exceeds-limit',
  'format-error',
  'duplicate',
  'original-not-found',
  'mac-error',
  'batch-mismatch',
  'reconcile-error',
  'issuer-unavailable',
  'system-error',
] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const OutcomeSchema = Literals(OUTCOMES);

export const MTI_PATTERN = '^[0-9]{4}$';
const Mti = T.String({ pattern: MTI_PATTERN, description: 'message type indicator, 4 digits' });

export const FIELD_PATH_PATTERN = '^([2-9]|[1-9][0-9]|1[0-9][0-9])(\\.[0-9A-Za-z]+)*$';

/**
 * A data element or subfield: 41, "60.1", "55.9F26". YAML may write plain numbers; the loader turns
 * them into strings before anything reads a HostVersion, hence the string type.
 */
const FieldRef = T.Unsafe<string>({
  type: ['integer', 'string'],
  pattern: FIELD_PATH_PATTERN,
  minimum: 2,
  maximum: 192,
  description: 'data element number or subfield path, e.g. 41 or "60.1"',
});
const FieldRefs = T.Array(FieldRef, { uniqueItems: true });

const Prefix = T.String({ pattern: '^[0-9A-Za-z ]+$', description: 'the value must start with this' });

/** For values whose meaning is by position, e.g. the 1993 POS data code (DE22 position 7 = 5: chip). */
const Pattern = T.Object(
  { pattern: T.String({ minLength: 1, description: 'a JavaScript regular expression' }) },
  Closed,
);

/** Field path → prefix, any of several prefixes, or a pattern; every entry must match. */
export const ConditionSchema = T.Record(
  T.String({ pattern: FIELD_PATH_PATTERN }),
  T.Union([Prefix, T.Array(Prefix, { minItems: 1 }), Pattern]),
  { description: 'field path -> prefix, list of prefixes or { pattern }; all must match', minProperties: 1 },
);
export type Condition = Static<typeof ConditionSchema>;

export const ConditionalSchema = T.Object(
  {
    when: ConditionSchema,
    mandatory: T.Optional(FieldRefs),
    forbidden: T.Optional(FieldRefs),
    note: T.Optional(T.String()),
  },
  Closed,
);
export type Conditional = Static<typeof ConditionalSchema>;

/**
 * This message's path → the original's path (or `mti`). Original paths are read from the original
 * request, then from its response (RRN and auth code are the host's).
 */
const OriginalMatch = T.Record(
  T.String({ pattern: FIELD_PATH_PATTERN }),
  T.Unsafe<string>({ type: ['integer', 'string'], pattern: `^mti$|${FIELD_PATH_PATTERN}` }),
  { minProperties: 1 },
);

/** An outcome → code table; rules may override single entries (1993: a reversal is approved with 400). */
const Code = T.String({ pattern: '^[0-9A-Z]{2,4}$' });
const optionalCodes = Object.fromEntries(OUTCOMES.map((o) => [o, T.Optional(Code)])) as {
  [K in Outcome]: TOptional<typeof Code>;
};
export const ResponseCodeOverridesSchema = T.Object(optionalCodes, Closed);
export const ResponseCodeTableSchema = T.Object(
  { ...optionalCodes, approved: Code, declined: Code, 'format-error': Code, 'system-error': Code },
  { ...Closed, description: 'semantic outcome -> the code this version puts in DE39' },
);
export type ResponseCodeTable = Static<typeof ResponseCodeTableSchema>;

/**
 * Field path → the form its value must have when the message carries it: a pattern over the value
 * as decoded, and what it means. A value out of form is the terminal's mistake (rule `field-format`),
 * e.g. a 1987 three-digit entry mode where ISO 8583:1993 wants the 12-character POS data code.
 */
export const FormatsSchema = T.Record(
  T.String({ pattern: FIELD_PATH_PATTERN }),
  T.Object(
    {
      pattern: T.String({
        minLength: 1,
        description: 'a JavaScript regular expression the value must match',
      }),
      note: T.Optional(T.String({ description: 'what the form means, quoted in the violation' })),
    },
    Closed,
  ),
  { minProperties: 1 },
);
export type Formats = Static<typeof FormatsSchema>;

/** What a message (or one of its variants) must and must not carry, and how it is answered. */
const ruleProps = {
  kind: T.Optional(MessageKindSchema),
  name: T.Optional(T.String({ description: 'display name, e.g. "Sale"' })),
  mandatory: T.Optional(FieldRefs),
  forbidden: T.Optional(FieldRefs),
  formats: T.Optional(FormatsSchema),
  echo: T.Optional(T.Array(FieldRef, { description: 'copied from the request into every response' })),
  returns: T.Optional(T.Array(FieldRef, { description: 'added by the host to an approved response' })),
  conditional: T.Optional(T.Array(ConditionalSchema)),
  original: T.Optional(
    Literals(['required', 'optional'], {
      description: 'refers to an earlier exchange; required: none found -> original-not-found',
    }),
  ),
  originalMatch: T.Optional(OriginalMatch),
  responseCodes: T.Optional(ResponseCodeOverridesSchema),
};

export const VariantSchema = T.Object(
  {
    processingCode: T.Optional(T.String({ pattern: '^[0-9]{1,6}$', description: 'prefix of DE3' })),
    when: T.Optional(ConditionSchema),
    ...ruleProps,
  },
  Closed,
);
export type Variant = Static<typeof VariantSchema>;

export const MessageRuleSchema = T.Object(
  {
    ...ruleProps,
    responseMti: T.Optional(Mti),
    variants: T.Optional(
      T.Record(T.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }), VariantSchema, {
        description: 'by name; the most specific variant whose processingCode and when match applies',
      }),
    ),
  },
  Closed,
);
export type MessageRule = Static<typeof MessageRuleSchema>;

const KeyHex = T.String({
  pattern: '^([0-9A-F]{16}|[0-9A-F]{32}|[0-9A-F]{48})$',
  description: 'a TEST key as uppercase hex: 8, 16 or 24 bytes',
});
export const KEY_ROLES = ['tmk', 'tpk', 'tak', 'pik', 'mak', 'tdk'] as const;
export type KeyRole = (typeof KEY_ROLES)[number];
export const KeyRoleSchema = Literals(KEY_ROLES, {
  description: 'tmk master; tpk/tak static PIN/MAC keys; pik/mak/tdk working keys issued at sign-on',
});
export const KeySetSchema = T.Object(
  Object.fromEntries(KEY_ROLES.map((r) => [r, T.Optional(KeyHex)])) as {
    [K in KeyRole]: TOptional<typeof KeyHex>;
  },
  Closed,
);
export type KeySet = Static<typeof KeySetSchema>;

export const KeysSchema = T.Object(
  {
    note: T.Optional(T.String()),
    default: KeySetSchema,
    terminals: T.Optional(
      T.Record(T.String({ pattern: '^[ -~]{1,8}$' }), KeySetSchema, {
        description: 'by terminal id (DE41); merged over the default',
      }),
    ),
    download: T.Optional(
      T.Object(
        {
          field: FieldRef,
          order: T.Array(KeyRoleSchema, {
            minItems: 1,
            uniqueItems: true,
            description: 'working keys in the block, each encrypted under the TMK and followed by its KCV',
          }),
          checkValueBytes: T.Integer({ minimum: 0, maximum: 8 }),
          modes: T.Optional(
            T.Object(
              {
                field: FieldRef,
                values: T.Record(
                  T.String({ minLength: 1 }),
                  T.Object(
                    {
                      order: T.Optional(T.Array(KeyRoleSchema, { minItems: 1, uniqueItems: true })),
                      single: T.Optional(
                        T.Boolean({ description: 'single-length keys: the first 8 bytes of each' }),
                      ),
                    },
                    Closed,
                  ),
                  { minProperties: 1 },
                ),
              },
              {
                ...Closed,
                description:
                  "what the sign-on asks for (e.g. CUP DE60.3: 001 single-length, 003 double, 004 with a TDK) -> the keys it gets; another value gets the download's own order",
              },
            ),
          ),
        },
        { ...Closed, description: 'sign-on answers with the working keys (CUP key download)' },
      ),
    ),
  },
  Closed,
);
export type Keys = Static<typeof KeysSchema>;

export const MacRuleSchema = T.Object(
  {
    algorithm: Literals(['x9.9', 'x9.19', 'cup-ecb']),
    field: FieldRef,
    key: KeyRoleSchema,
    required: T.Array(Mti, { uniqueItems: true, description: 'requests that must carry a MAC' }),
    signResponses: T.Boolean({ description: 'the host MACs its answers to those requests' }),
  },
  {
    ...Closed,
    description: 'a MAC on any other request is verified too; without this section it is ignored',
  },
);
export type MacRule = Static<typeof MacRuleSchema>;

export const PinRuleSchema = T.Object(
  {
    field: FieldRef,
    key: KeyRoleSchema,
    format: Literals(['iso-0', 'iso-1', 'iso-3'], { description: 'ISO 9564 PIN block format' }),
  },
  Closed,
);

export const OriginalDataSchema = T.Object(
  {
    field: FieldRef,
    match: OriginalMatch,
  },
  {
    ...Closed,
    description: 'the element carrying original data (DE90 / DE56 / DE61) and what it identifies',
  },
);

const Slice = T.Object(
  {
    field: FieldRef,
    offset: T.Optional(T.Integer({ minimum: 0 })),
    digits: T.Optional(T.Integer({ minimum: 1 })),
  },
  { ...Closed, description: 'a whole field, or digits [offset, offset+digits) of it' },
);
export type Slice = Static<typeof Slice>;

export const DuplicatesSchema = T.Object(
  {
    windowSeconds: T.Integer({ minimum: 0 }),
    // A slice keys on part of a field: the date of a 1993 DE12 (YYMMDDhhmmss) is its first 6 digits.
    key: T.Array(T.Union([FieldRef, Slice]), { minItems: 1, uniqueItems: true }),
    kinds: T.Array(MessageKindSchema, { minItems: 1, uniqueItems: true }),
  },
  { ...Closed, description: 'same key within the window -> duplicate' },
);

export const TimeoutsSchema = T.Object(
  {
    idleSeconds: T.Integer({ minimum: 1, description: 'a connection with no traffic is closed' }),
    incompleteFrameMs: T.Integer({ minimum: 1, description: 'a started frame must be complete by then' }),
    processingDelayMs: T.Integer({ minimum: 0, description: 'time the host takes to answer' }),
  },
  Closed,
);

/** TLS protocol versions a host can require or a terminal can offer at most. */
export const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** Whether a host inside TLS asks the terminal for a certificate of its own (mutual TLS). */
export const CLIENT_CERTIFICATE_RULES = ['none', 'required'] as const;

export const HostTlsSchema = T.Object(
  {
    minVersion: T.Optional(
      Literals(TLS_VERSIONS, {
        description: 'the oldest TLS version the host accepts (default TLSv1.2: tlsMinVersion)',
      }),
    ),
    clientCertificate: T.Optional(
      Literals(CLIENT_CERTIFICATE_RULES, {
        description:
          "required: mutual TLS, the terminal must present a certificate issued by the host's terminal CA (default none)",
      }),
    ),
  },
  {
    ...Closed,
    description:
      'the host speaks ISO 8583 inside TLS only, with a generated test certificate; a plain TCP terminal fails the handshake',
  },
);
export type HostTlsSpec = Static<typeof HostTlsSchema>;

/** The oldest TLS version a host inside TLS accepts: its `minVersion`, TLS 1.2 when it gives none. */
export function tlsMinVersion(tls: HostTlsSpec): TlsVersion {
  return tls.minVersion ?? 'TLSv1.2';
}

/** Mutual TLS: the host refuses a terminal without a certificate issued by its terminal CA. */
export function requiresClientCertificate(tls: HostTlsSpec | undefined): boolean {
  return tls?.clientCertificate === 'required';
}

const OutcomeOrClose = T.Union([OutcomeSchema, T.Literal('close')]);
export const AnswersSchema = T.Object(
  {
    malformed: OutcomeOrClose,
    violation: OutcomeOrClose,
    unknownMessage: OutcomeOrClose,
    notSignedOn: T.Optional(OutcomeOrClose),
  },
  {
    ...Closed,
    description: 'answer to bytes that do not decode, rule violations, unknown MTIs, unsigned terminals',
  },
);

export const SettlementSchema = T.Object(
  {
    totals: T.Object(
      { 'debit-count': Slice, 'debit-amount': Slice, 'credit-count': Slice, 'credit-amount': Slice },
      Closed,
    ),
    debitKinds: T.Array(MessageKindSchema, { minItems: 1, uniqueItems: true }),
    creditKinds: T.Array(MessageKindSchema, { uniqueItems: true }),
    result: T.Optional(
      T.Object(
        { at: Slice, balanced: T.String(), unbalanced: T.String() },
        { ...Closed, description: 'where the response says balanced/unbalanced, besides DE39' },
      ),
    ),
    unbalanced: T.Object(
      {
        outcome: OutcomeSchema,
        expects: Literals(['batch-upload', 'none'], { description: 'what the host waits for next' }),
      },
      Closed,
    ),
    batchUpload: T.Optional(
      T.Object(
        {
          end: T.Object({ mti: Mti, when: T.Optional(ConditionSchema) }, Closed),
          outcome: OutcomeSchema,
          record: T.Optional(
            T.Object(
              {
                match: T.Array(T.Object({ record: Slice, original: FieldRef }, Closed), { minItems: 1 }),
                amount: T.Optional(Slice),
                credit: T.Optional(ConditionSchema),
              },
              {
                ...Closed,
                description:
                  'how an upload record names the transaction it reports (its part -> the original element) and ' +
                  'where its amount is: the host then settles what the terminal uploaded, not what it booked',
              },
            ),
          ),
        },
        { ...Closed, description: 'the message that closes an upload, and how the host answers it' },
      ),
    ),
  },
  Closed,
);
export type Settlement = Static<typeof SettlementSchema>;

/** One version after `extends` is applied: every section present. */
export const HostVersionSchema = T.Object(
  {
    extends: T.Optional(T.String()),
    summary: T.String({ minLength: 1, pattern: '^[^\\n]*$', description: 'one line' }),
    changes: T.Array(T.String({ minLength: 1 }), {
      minItems: 1,
      description: 'what this version changed against the previous one',
    }),
    dialect: T.String({ description: 'id of a dialect in protocols/iso8583' }),
    framing: T.Optional(T.Partial(FramingSchema)),
    signOnRequired: T.Boolean(),
    timeZone: T.Optional(
      T.String({
        minLength: 1,
        description:
          "IANA zone of the host's local time (DE12/DE13 and expiry), e.g. Asia/Shanghai; default UTC",
      }),
    ),
    batch: T.Optional(
      T.Object(
        { field: FieldRef },
        { ...Closed, description: 'batch number element; sign-on sets it, settlement checks it' },
      ),
    ),
    messages: T.Record(T.String({ pattern: MTI_PATTERN }), MessageRuleSchema, { minProperties: 1 }),
    originalData: T.Optional(OriginalDataSchema),
    responseCodes: ResponseCodeTableSchema,
    mac: T.Optional(MacRuleSchema),
    pin: T.Optional(PinRuleSchema),
    keys: T.Optional(KeysSchema),
    duplicates: T.Optional(DuplicatesSchema),
    tls: T.Optional(HostTlsSchema),
    timeouts: TimeoutsSchema,
    answers: AnswersSchema,
    settlement: T.Optional(SettlementSchema),
  },
  Closed,
);
export type HostVersionSpec = Static<typeof HostVersionSchema>;

/** `2019.4`, `2024-06-15`, `v4`: a letter may lead (path-versioned gateways), nothing else. */
export const VERSION_PATTERN = '^[0-9A-Za-z][0-9A-Za-z.-]*$';

/**
 * The file as written. A version that `extends` another lists only what changed, so versions are
 * checked loosely here and strictly once the loader has merged them: HostVersionSchema for an ISO
 * 8583 host, GatewayVersionSchema (src/mocks/gateway/gateway-schema.ts) for a REST gateway.
 */
export const HostFileSchema = T.Object(
  {
    id: T.String({ pattern: '^[a-z0-9][a-z0-9.-]*$' }),
    title: T.String(),
    description: T.Optional(T.String()),
    kind: Literals(['iso8583', 'rest'], {
      description:
        'iso8583: an acquirer host over TCP (docs/hosts.md); rest: a payment gateway (docs/gateways.md)',
    }),
    versions: T.Record(
      T.String({ pattern: VERSION_PATTERN }),
      T.Object(
        {
          extends: T.Optional(T.String()),
          summary: T.String(),
          changes: T.Array(T.String(), { minItems: 1 }),
        },
        { additionalProperties: true },
      ),
      { minProperties: 1 },
    ),
  },
  Closed,
);
export type HostFile = Omit<Static<typeof HostFileSchema>, 'versions'> & {
  versions: Record<string, Record<string, unknown>>;
};

import { type Static, Type as T, type TSchema } from '@sinclair/typebox';
import { Literals } from '../../data/schema-helpers.js';
import {
  CAPABILITIES,
  type EntryMode,
  type OutcomeStatus,
  type TerminalEventKind,
  TRANSACTION_TYPES,
} from '../terminal.js';

/**
 * paymatrix-control/1: the wire form of the Terminal interface (src/terminals/terminal.ts) for
 * external emulators, JSON-RPC 2.0 objects as JSON lines on the emulator's stdin/stdout. Every
 * message is written here once; the driver validates each line with these schemas and
 * docs/control-protocol/*.schema.json are generated from them (publish-schemas.ts).
 */

export const CONTROL_PROTOCOL = 'paymatrix-control/1';

const Closed = { additionalProperties: false } as const;
const JsonRpc = T.Literal('2.0');
const RequestId = T.Integer({ minimum: 1, description: 'chosen by paymatrix, echoed by the answer' });
const Text = T.String({ minLength: 1 });

export const ENTRY_MODES = ['chip', 'magstripe', 'contactless', 'manual'] as const satisfies EntryMode[];
export const OUTCOME_STATUSES = [
  'approved',
  'declined',
  'timed-out',
  'reversed',
  'error',
] as const satisfies OutcomeStatus[];
export const TERMINAL_EVENT_KINDS = [
  'connected',
  'connect-failed',
  'sent',
  'received',
  'discarded',
  'timed-out',
  'reversal-queued',
  'reversal-sent',
  'saf-queued',
  'saf-uploaded',
  'failover',
  'log',
] as const satisfies TerminalEventKind[];
// The other direction: every value of the interface's unions is listed (a new one breaks the build here).
type Lists<All, Listed> = [All] extends [Listed] ? true : false;
export const LISTS_ARE_COMPLETE: [
  Lists<TerminalEventKind, (typeof TERMINAL_EVENT_KINDS)[number]>,
  Lists<OutcomeStatus, (typeof OUTCOME_STATUSES)[number]>,
  Lists<EntryMode, (typeof ENTRY_MODES)[number]>,
] = [true, true, true];

export const EndpointSchema = T.Union(
  [
    T.Object(
      { host: Text, port: T.Integer({ minimum: 1, maximum: 65535 }) },
      { ...Closed, description: 'ISO 8583 host: TCP' },
    ),
    T.Object({ url: Text }, { ...Closed, description: 'REST gateway: base URL' }),
  ],
  { description: 'where the emulator connects; it opens its own connections' },
);

export const IdentitySchema = T.Object({ vendor: Text, model: Text, version: Text }, Closed);

export const HelloParamsSchema = T.Object(
  {
    protocol: T.Literal(CONTROL_PROTOCOL),
    build: T.Object(
      { id: Text, vendor: Text, model: Text, version: Text },
      { ...Closed, description: 'the firmware build paymatrix plays with this emulator' },
    ),
  },
  Closed,
);

export const HelloResultSchema = T.Object(
  {
    protocol: T.String({
      pattern: '^paymatrix-control/[0-9]+$',
      description: 'the version the emulator speaks; must equal the one asked',
    }),
    identity: IdentitySchema,
    capabilities: T.Array(Literals(CAPABILITIES), { uniqueItems: true }),
    implementation: T.Optional(T.String({ description: 'program name and version, for traces' })),
  },
  Closed,
);

export const ConfigureParamsSchema = T.Object(
  {
    primary: EndpointSchema,
    backup: T.Optional(EndpointSchema),
    terminalId: T.Optional(Text),
    merchantId: T.Optional(Text),
    currency: T.Optional(T.String({ pattern: '^[0-9]{3}$', description: 'default ISO 4217 numeric' })),
    keys: T.Optional(
      T.Record(T.String({ pattern: '^[a-z][a-z0-9-]*$' }), T.String({ pattern: '^[0-9A-Fa-f]+$' }), {
        additionalProperties: false,
        description: 'TEST key material by role (tmk, tpk, tak …), hex; never to be logged',
      }),
    ),
    apiKey: T.Optional(T.String({ description: 'REST: never to be logged' })),
    ca: T.Optional(
      T.String({
        description: "PEM certificate(s) to trust when the host speaks TLS (a mock's test certificate)",
      }),
    ),
    clientCertificate: T.Optional(
      T.Object(
        { cert: T.String(), key: T.String({ description: 'never to be logged' }) },
        {
          ...Closed,
          description:
            "PEM: a TEST client certificate and its key, issued by the host's terminal CA, to present when the host requires one (mutual TLS)",
        },
      ),
    ),
    timeScale: T.Number({
      exclusiveMinimum: 0,
      description: 'multiplies every duration the emulator applies',
    }),
    seed: T.Optional(T.Integer()),
  },
  Closed,
);

export const CardSchema = T.Object(
  {
    name: T.Optional(T.String()),
    pan: T.String({ pattern: '^[0-9]{12,19}$' }),
    expiry: T.String({ pattern: '^[0-9]{4}$', description: 'YYMM' }),
    serviceCode: T.Optional(T.String({ pattern: '^[0-9]{3}$' })),
    entryMode: Literals(ENTRY_MODES),
    pin: T.Optional(T.String({ pattern: '^[0-9]{4,12}$' })),
  },
  Closed,
);

export const ReferenceSchema = T.Object(
  {
    stan: T.Optional(T.String()),
    rrn: T.Optional(T.String()),
    authCode: T.Optional(T.String()),
    amount: T.Optional(T.Integer()),
    paymentId: T.Optional(T.String()),
    transmittedAt: T.Optional(T.String({ description: 'MMDDhhmmss as sent' })),
    mti: T.Optional(T.String()),
  },
  Closed,
);

export const RunParamsSchema = T.Object(
  {
    type: Literals(TRANSACTION_TYPES),
    amount: T.Optional(T.Integer({ description: 'minor units; may be zero or negative' })),
    currency: T.Optional(T.String({ pattern: '^[0-9]{3}$' })),
    card: T.Optional(CardSchema),
    original: T.Optional(ReferenceSchema),
    timeoutMs: T.Integer({
      minimum: 1,
      description: 'deadline of the whole transaction, ms BEFORE time scaling: answer by then',
    }),
    now: T.Optional(
      T.String({
        pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$',
        description: "the terminal's clock for this transaction (UTC); absent: the real clock",
      }),
    ),
  },
  Closed,
);

export const RecordedMessageSchema = T.Object(
  {
    summary: T.String({ description: 'one line, e.g. `0200 sale 25.00 STAN 000123`' }),
    size: T.Integer({ minimum: 0, description: 'bytes on the wire (never the bytes)' }),
    iso: T.Optional(
      T.Object(
        {
          mti: T.String({ pattern: '^[0-9]{4}$' }),
          fields: T.Record(T.String({ pattern: '^[0-9]{1,3}$' }), T.Unknown(), {
            additionalProperties: false,
            description: 'decoded elements by number; paymatrix masks card data again',
          }),
          tpdu: T.Optional(
            T.Object(
              { id: T.Integer({ minimum: 0, maximum: 255 }), destination: T.String(), source: T.String() },
              Closed,
            ),
          ),
          header: T.Optional(T.String()),
        },
        Closed,
      ),
    ),
    http: T.Optional(
      T.Object(
        {
          method: T.Optional(T.String()),
          path: T.Optional(T.String()),
          status: T.Optional(T.Integer()),
          headers: T.Record(T.String(), T.String()),
          body: T.Optional(T.Unknown()),
        },
        Closed,
      ),
    ),
  },
  Closed,
);

export const TerminalMessageSchema = T.Object(
  {
    direction: Literals(['sent', 'received']),
    atMs: T.Number({ minimum: 0, description: 'ms since the transaction started' }),
    message: RecordedMessageSchema,
  },
  Closed,
);

export const RunResultSchema = T.Object(
  {
    status: Literals(OUTCOME_STATUSES),
    responseCode: T.Optional(T.String()),
    detail: T.String({ description: 'one line for people' }),
    reference: T.Optional(ReferenceSchema),
    messages: T.Array(TerminalMessageSchema, { description: 'every message the transaction caused' }),
    durationMs: T.Optional(T.Number({ minimum: 0 })),
    error: T.Optional(
      T.Object({ code: Text, message: T.String() }, { ...Closed, description: 'when status is error' }),
    ),
  },
  Closed,
);

export const EventParamsSchema = T.Object(
  {
    kind: Literals(TERMINAL_EVENT_KINDS),
    at: T.String({ description: 'ISO 8601' }),
    detail: T.String(),
    message: T.Optional(RecordedMessageSchema),
  },
  Closed,
);

const Empty = T.Object({}, Closed);

/** Each method: what paymatrix sends and what a successful answer carries. */
export const METHODS = {
  hello: { params: HelloParamsSchema, result: HelloResultSchema },
  configure: { params: ConfigureParamsSchema, result: Empty },
  run: { params: RunParamsSchema, result: RunResultSchema },
  cancel: { params: Empty, result: Empty },
  reset: { params: Empty, result: Empty },
  shutdown: { params: Empty, result: Empty },
} as const;
export type Method = keyof typeof METHODS;
export type ParamsOf<M extends Method> = Static<(typeof METHODS)[M]['params']>;
export type ResultOf<M extends Method> = Static<(typeof METHODS)[M]['result']>;

export function requestSchema(method: Method): TSchema {
  return T.Object(
    { jsonrpc: JsonRpc, id: RequestId, method: T.Literal(method), params: METHODS[method].params },
    { ...Closed, title: `${method} request`, description: `paymatrix -> emulator` },
  );
}

export function responseSchema(method: Method): TSchema {
  return T.Object(
    { jsonrpc: JsonRpc, id: RequestId, result: METHODS[method].result },
    {
      ...Closed,
      title: `${method} response`,
      description: `emulator -> paymatrix, answers a ${method} request`,
    },
  );
}

export const ErrorResponseSchema = T.Object(
  {
    jsonrpc: JsonRpc,
    id: RequestId,
    error: T.Object(
      {
        code: T.Integer({
          description: 'JSON-RPC code: -32601 unknown method, -32602 bad params, 1 refused',
        }),
        message: T.String(),
        data: T.Optional(T.Unknown()),
      },
      Closed,
    ),
  },
  { ...Closed, title: 'error response', description: 'emulator -> paymatrix: the request was refused' },
);

export const EventNotificationSchema = T.Object(
  { jsonrpc: JsonRpc, method: T.Literal('event'), params: EventParamsSchema },
  { ...Closed, title: 'event', description: 'emulator -> paymatrix, at any time, never answered' },
);
export type EventParams = Static<typeof EventParamsSchema>;
export type RunResult = Static<typeof RunResultSchema>;
export type WireRecordedMessage = Static<typeof RecordedMessageSchema>;

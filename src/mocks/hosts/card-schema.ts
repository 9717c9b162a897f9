import { type Static, Type as T } from '@sinclair/typebox';
import { MessageKindSchema, OutcomeSchema } from './host-schema.js';

/**
 * The JSON Schema of mocks/cards.yaml: the test cards every mock host knows. Outcomes are the same
 * semantic names as a host version's response-code table, so each version answers in its own codes.
 */

const Closed = { additionalProperties: false } as const;

/**
 * An amount that makes the host answer in a given way, in the spirit of gateway test cards.
 * Amounts are in minor units (cents, fen); `amountEndsWith` looks at their last digits.
 */
export const TriggerSchema = T.Object(
  {
    amountEndsWith: T.Optional(T.String({ pattern: '^[0-9]{1,12}$' })),
    amountMinor: T.Optional(T.Integer({ minimum: 0 })),
    outcome: OutcomeSchema,
    delayMs: T.Optional(T.Integer({ minimum: 0, description: 'answer this late (before time scaling)' })),
    kinds: T.Optional(
      T.Array(MessageKindSchema, {
        minItems: 1,
        uniqueItems: true,
        description: 'message kinds it applies to; default: those of `triggerKinds`',
      }),
    ),
    note: T.Optional(T.String()),
  },
  Closed,
);
export type Trigger = Static<typeof TriggerSchema>;

export const CardSchema = T.Object(
  {
    pan: T.String({ pattern: '^[0-9]{12,19}$' }),
    scheme: T.Union([T.Literal('visa'), T.Literal('mastercard'), T.Literal('unionpay')]),
    technology: T.Union([T.Literal('chip'), T.Literal('magstripe')], {
      description: 'chip cards also carry a magstripe for fallback',
    }),
    serviceCode: T.String({ pattern: '^[0-9]{3}$', description: 'track 2 service code; 2xx = chip' }),
    expiry: T.String({ pattern: '^[0-9]{2}(0[1-9]|1[0-2])$', description: 'YYMM' }),
    status: T.Union([T.Literal('active'), T.Literal('blocked'), T.Literal('lost'), T.Literal('stolen')]),
    currency: T.String({ pattern: '^[0-9]{3}$', description: 'ISO 4217 numeric, as in DE49' }),
    balanceMinor: T.Integer({ minimum: 0, description: 'available balance in minor units' }),
    pin: T.String({ pattern: '^[0-9]{4,12}$', description: 'a TEST PIN' }),
    triggers: T.Optional(T.Array(TriggerSchema, { description: 'checked before the global triggers' })),
    note: T.Optional(T.String()),
  },
  Closed,
);
export type CardSpec = Static<typeof CardSchema>;

export const CardFileSchema = T.Object(
  {
    note: T.Optional(T.String()),
    checks: T.Object(
      {
        blocked: OutcomeSchema,
        lost: OutcomeSchema,
        stolen: OutcomeSchema,
        expired: OutcomeSchema,
        'wrong-pin': OutcomeSchema,
        'over-balance': OutcomeSchema,
        'unknown-card': OutcomeSchema,
      },
      { ...Closed, description: 'the outcome of each card check the host makes' },
    ),
    triggerKinds: T.Array(MessageKindSchema, {
      minItems: 1,
      uniqueItems: true,
      description: 'message kinds amount triggers apply to unless a trigger names its own',
    }),
    triggers: T.Array(TriggerSchema, { description: 'for every card, after its own triggers' }),
    cards: T.Record(T.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }), CardSchema, { minProperties: 1 }),
  },
  Closed,
);
export type CardFile = Static<typeof CardFileSchema>;

import { type Static, Type as T } from '@sinclair/typebox';
import { Literals } from '../data/schema-helpers.js';
import { ProcessSpecSchema } from './process/process-schema.js';
import { ReferenceProfileSchema } from './reference/profile-schema.js';
import { CAPABILITIES } from './terminal.js';

/**
 * The JSON Schema of a firmware build file (firmware/<id>.yaml), written once with TypeBox. The
 * top level says what the build is and which protocol it speaks; the driver's own section says how
 * it is played: `profile` for the built-in reference terminal, `process` for an external emulator.
 */

const Closed = { additionalProperties: false } as const;

export const IsoProtocolSchema = T.Object(
  {
    family: T.Literal('iso8583'),
    dialect: T.String({ description: 'id of the dialect the build was written for (protocols/iso8583)' }),
  },
  Closed,
);

export const RestProtocolSchema = T.Object(
  {
    family: T.Literal('rest'),
    api: T.String({ description: 'API id (protocols/rest/<api>)' }),
    version: T.String({ description: 'the API version the build was written against' }),
  },
  Closed,
);

export const FirmwareFileSchema = T.Object(
  {
    id: T.String({ pattern: '^[a-z0-9][a-z0-9.-]*$' }),
    title: T.String({ minLength: 1, pattern: '^[^\\n]*$', description: 'one line' }),
    vendor: T.String({ minLength: 1 }),
    model: T.String({ minLength: 1 }),
    version: T.String({ minLength: 1 }),
    description: T.String({ minLength: 1, description: 'what the build is and what it does differently' }),
    driver: Literals(['reference', 'process'], { description: 'how the build is played' }),
    protocol: T.Union([IsoProtocolSchema, RestProtocolSchema]),
    acquirers: T.Optional(
      T.Array(T.String(), {
        minItems: 1,
        uniqueItems: true,
        description: 'host ids this build is configured for; other hosts are not planned (shown as ·)',
      }),
    ),
    capabilities: T.Array(Literals(CAPABILITIES), { minItems: 1, uniqueItems: true }),
    terminal: T.Optional(
      T.Object(
        {
          terminalId: T.Optional(T.String({ pattern: '^[ -~]{1,8}$' })),
          merchantId: T.Optional(T.String({ pattern: '^[ -~]{1,15}$' })),
          currency: T.Optional(T.String({ pattern: '^[0-9]{3}$', description: 'ISO 4217 numeric' })),
        },
        Closed,
      ),
    ),
    defects: T.Optional(
      T.Array(T.String({ minLength: 1 }), {
        description: 'known defects, for people (the profile models them)',
      }),
    ),
    profile: T.Optional(ReferenceProfileSchema),
    process: T.Optional(ProcessSpecSchema),
  },
  Closed,
);
export type FirmwareFile = Static<typeof FirmwareFileSchema>;

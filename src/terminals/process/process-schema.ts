import { type Static, Type as T } from '@sinclair/typebox';

/**
 * The `process:` section of a firmware build file: how to start an external emulator that speaks
 * the paymatrix control protocol (docs/control-protocol.md) on its stdin/stdout.
 */

const Closed = { additionalProperties: false } as const;
const Ms = (description: string, minimum = 1) => T.Optional(T.Integer({ minimum, description }));

export const ProcessTimeoutsSchema = T.Object(
  {
    startMs: Ms('start to hello answered; wall clock, not scaled (interpreters start at their own pace)'),
    requestMs: Ms('configure, cancel and reset answered; wall clock'),
    transactionMs: Ms(
      'default deadline of a run when the request gives none; scaled by the time scale, like the terminal',
    ),
    graceMs: Ms('added unscaled to a run deadline before the emulator counts as hung', 0),
    shutdownMs: Ms('shutdown to exit before SIGTERM; wall clock'),
    killMs: Ms('SIGTERM to exit before SIGKILL; wall clock'),
  },
  Closed,
);

export const ProcessSpecSchema = T.Object(
  {
    command: T.Array(T.String({ minLength: 1 }), {
      minItems: 1,
      description: 'program and arguments (no shell); relative paths are relative to cwd',
    }),
    cwd: T.Optional(T.String({ minLength: 1, description: 'working folder, relative to the build file' })),
    env: T.Optional(
      T.Record(T.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), T.String(), {
        additionalProperties: false,
        description: 'added to the environment paymatrix runs in',
      }),
    ),
    timeouts: T.Optional(ProcessTimeoutsSchema),
  },
  Closed,
);
export type ProcessSpec = Static<typeof ProcessSpecSchema>;
export type ProcessTimeouts = Required<Static<typeof ProcessTimeoutsSchema>>;

/** Defaults: generous for wall-clock waits, since a loaded CI machine starts interpreters slowly. */
export const DEFAULT_PROCESS_TIMEOUTS: ProcessTimeouts = {
  startMs: 10_000,
  requestMs: 5_000,
  transactionMs: 120_000,
  graceMs: 2_000,
  shutdownMs: 2_000,
  killMs: 2_000,
};

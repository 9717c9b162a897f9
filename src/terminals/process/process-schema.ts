import { type Static, Type as T } from '@sinclair/typebox';

// PLACEHOLDER owned by the process-driver work: how to start an external emulator.
export const ProcessSpecSchema = T.Object({}, { additionalProperties: true });
export type ProcessSpec = Static<typeof ProcessSpecSchema>;

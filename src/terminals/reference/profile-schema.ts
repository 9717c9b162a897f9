import { type Static, Type as T } from '@sinclair/typebox';

// PLACEHOLDER owned by the reference-terminal work: the build profile schema.
export const ReferenceProfileSchema = T.Object({}, { additionalProperties: true });
export type ReferenceProfile = Static<typeof ReferenceProfileSchema>;

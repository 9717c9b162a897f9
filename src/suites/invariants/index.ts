import { chargeReported } from './charge-reported.js';
import type { Invariant } from './invariant.js';
import { noViolations } from './no-violations.js';
import { responseCorrelation } from './response-correlation.js';
import { stanUnique } from './stan-unique.js';

export type {
  CellObservation,
  Invariant,
  InvariantOptions,
  ObservedPayment,
  ObservedStep,
  RestObservation,
} from './invariant.js';
export { violationMatches } from './no-violations.js';

/** Checked on every cell unless its scenario turns one off (`then.invariants`). */
export const BUILTIN_INVARIANTS: readonly Invariant[] = [
  responseCorrelation,
  stanUnique,
  chargeReported,
  noViolations,
];

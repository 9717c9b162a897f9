// Public API of the fault registry shared by the mock hosts (ISO 8583 over TCP; REST in issue 4).
// Importing this module registers the built-in faults: a new fault is one file in iso/ plus one
// line in BUILTIN_FAULTS.

import { badMac } from './iso/bad-mac.js';
import { bandwidthLimit } from './iso/bandwidth-limit.js';
import { closeAfterRequest } from './iso/close-after-request.js';
import { connectionReset } from './iso/connection-reset.js';
import { duplicateResponse } from './iso/duplicate-response.js';
import { garbledResponse } from './iso/garbled-response.js';
import { hostDown } from './iso/host-down.js';
import { lateResponse } from './iso/late-response.js';
import { latency } from './iso/latency.js';
import { noResponse } from './iso/no-response.js';
import { slicedWrites } from './iso/sliced-writes.js';
import { truncatedResponse } from './iso/truncated-response.js';
import { wrongMti } from './iso/wrong-mti.js';
import { wrongStan } from './iso/wrong-stan.js';
import { type AnyFaultDefinition, registerFault } from './registry.js';

export const BUILTIN_FAULTS: readonly AnyFaultDefinition[] = [
  latency,
  noResponse,
  lateResponse,
  connectionReset,
  closeAfterRequest,
  garbledResponse,
  truncatedResponse,
  slicedWrites,
  bandwidthLimit,
  wrongStan,
  wrongMti,
  badMac,
  duplicateResponse,
  hostDown,
];

for (const def of BUILTIN_FAULTS) registerFault(def);

export { FaultSpecError, type FaultSpecErrorCode } from './errors.js';
export { type ActiveFaultInfo, IsoFaultSet, type IsoFaultSetOptions } from './iso-fault-set.js';
export type * from './iso-types.js';
export { createRandom, type Random } from './random.js';
export { type AnyFaultDefinition, getFault, listFaults, registerFault } from './registry.js';
export {
  assignFaultId,
  type ResolvedFault,
  type ResolveOptions,
  resolveFaultSpec,
  resolveFaultSpecs,
} from './resolve.js';
export { FaultScope, type ScopeDecision } from './scope.js';
export {
  defineFault,
  type FaultCheckProblem,
  type FaultDefinition,
  FaultScopeSchema,
  type FaultScopeSpec,
  type FaultSpec,
  FaultSpecSchema,
  type FaultTarget,
  type FaultTransport,
  type FiredFault,
  type ResolvedFaultSpec,
} from './types.js';

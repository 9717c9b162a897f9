// Public API of the fault registry shared by the mock hosts (ISO 8583 over TCP) and the mock
// gateways (REST over HTTP). Importing this module registers the built-in faults: a new fault is one
// file in iso/ or http/ plus one line in BUILTIN_FAULTS. A fault with both transports keeps its
// ISO implementation in iso/<name>.ts and is completed with its HTTP one in http/<name>.ts.

import { closeAfterRequest } from './http/close-after-request.js';
import { connectionReset } from './http/connection-reset.js';
import { hostDown } from './http/host-down.js';
import { httpError } from './http/http-error.js';
import { lateResponse } from './http/late-response.js';
import { latency } from './http/latency.js';
import { malformedJson } from './http/malformed-json.js';
import { noResponse } from './http/no-response.js';
import { rateLimit } from './http/rate-limit.js';
import { slowBody } from './http/slow-body.js';
import { truncatedBody } from './http/truncated-body.js';
import { badMac } from './iso/bad-mac.js';
import { bandwidthLimit } from './iso/bandwidth-limit.js';
import { duplicateResponse } from './iso/duplicate-response.js';
import { garbledResponse } from './iso/garbled-response.js';
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
  httpError,
  rateLimit,
  malformedJson,
  truncatedBody,
  slowBody,
];

for (const def of BUILTIN_FAULTS) registerFault(def);

export { FaultSpecError, type FaultSpecErrorCode } from './errors.js';
export type { AcceptContext, AcceptReport } from './fault-set-base.js';
export { HttpFaultSet, type HttpFaultSetOptions } from './http/fault-set.js';
export type * from './http/types.js';
export { type ActiveFaultInfo, IsoFaultSet, type IsoFaultSetOptions } from './iso-fault-set.js';
export type * from './iso-types.js';
export { createRandom, type Random } from './random.js';
export {
  type AnyFaultDefinition,
  faultTransports,
  getFault,
  isConnectionFault,
  listFaults,
  registerFault,
} from './registry.js';
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
  HTTP_SCOPE_KEYS,
  ISO_SCOPE_KEYS,
  type ResolvedFaultSpec,
} from './types.js';

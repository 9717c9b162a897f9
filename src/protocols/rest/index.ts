// Public API of the REST side of the protocols: API versions (OpenAPI 3.1 documents with their
// x-paymatrix binding), their request/response validators, masking, and the gateway client.

export {
  type Api,
  type ApiOperation,
  type ApiRegistry,
  type ApiVersion,
  builtinApisDir,
  compareApiVersions,
  ERROR_PLACEHOLDERS,
  loadApis,
  loadApiVersion,
  PAYMENT_PLACEHOLDERS,
  type RequestParts,
  type SecurityScheme,
  workspaceApis,
} from './api-loader.js';
export {
  type ApiBinding,
  ApiBindingSchema,
  type ApiDocument,
  ApiDocumentSchema,
  ERROR_KINDS,
  type ErrorKind,
  LIFECYCLE_ACTIONS,
  type LifecycleAction,
  PAYMENT_STATES,
  type PaymentState,
  type RequestMapping,
} from './api-schema.js';
export {
  type CallOptions,
  createGatewayClient,
  type GatewayClient,
  GatewayClientError,
  type GatewayClientOptions,
  type GatewayErrorCode,
  type GatewayResponse,
  type GatewayResult,
} from './gateway-client.js';
export { type JsonMaskRules, looksLikePan, maskHeaders, maskJson } from './mask.js';
export { requestSummary } from './summary.js';
export { type CompiledTemplate, compileTemplate, readPointer } from './template.js';
export { DocumentValidators, paramName, toViolations } from './validators.js';

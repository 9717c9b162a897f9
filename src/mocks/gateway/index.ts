// Public API of the mock REST payment gateways: start one at a version, drive its faults, read its
// journal and payments. Gateways and their versions are data (mocks/hosts/<gateway>.yaml with
// `kind: rest`; API versions in protocols/rest/<api>/<version>.yaml): docs/gateways.md.

export { type CardDecision, decideCard } from '../hosts/card-decision.js';
export { type TlsCredentials, testCertificate } from '../test-certificate.js';
export { declineCodeOf, errorAnswer, paymentAnswer, statusOf } from './answers.js';
export { type AuthResult, authenticate } from './auth.js';
export { DOCS_PATH, docsDocument, registerDocsPage } from './docs-page.js';
export {
  GatewayVersionSchema,
  type GatewayVersionSpec,
  type IdempotencyProfile,
  IdempotencyProfileSchema,
} from './gateway-schema.js';
export { type GatewayVersion, resolveGatewayVersion } from './gateway-version.js';
export { fingerprintOf, type IdempotencyBegin, IdempotencyStore, type StoredAnswer } from './idempotency.js';
export { type ActionRequest, type ActionResult, runAction } from './lifecycle.js';
export { type Payment, PaymentStore, type PaymentTotals, paymentTotals } from './payments.js';
export {
  type GatewayStores,
  gatewayStores,
  type MockGateway,
  type StartGatewayOptions,
  startGateway,
} from './start-gateway.js';

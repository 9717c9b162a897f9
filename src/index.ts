// paymatrix library API: everything the CLI does is available here, typed.
export { DataFileError } from './data/data-file-error.js';
export {
  type AdminApi,
  type AdminApiOptions,
  buildAdminApp,
  startAdminApi,
} from './mocks/admin/admin-api.js';
export { METRIC_NAMES, MockMetrics } from './mocks/admin/metrics.js';
export type { Exchange, Violation } from './mocks/exchange.js';
export * from './mocks/faults/index.js';
export * from './mocks/hosts/host-loader.js';
export { Ledger } from './mocks/iso-host/ledger.js';
export { type IsoHost, type StartIsoHostOptions, startIsoHost } from './mocks/iso-host/start-iso-host.js';
export { Journal } from './mocks/journal.js';
export * from './protocols/iso8583/index.js';

// paymatrix library API: everything the CLI does is available here, typed.
export { DataFileError } from './data/data-file-error.js';
export * from './matrix/fleet.js';
export * from './matrix/fleet-impact.js';
export * from './matrix/gate.js';
export * from './matrix/gate-policy.js';
export * from './matrix/gate-run.js';
export { renderGateText } from './matrix/gate-text.js';
export * from './matrix/index.js';
export type { MockHost } from './mocks/admin/admin-api.js';
export {
  type AdminApi,
  type AdminApiOptions,
  buildAdminApp,
  startAdminApi,
} from './mocks/admin/admin-api.js';
export { METRIC_NAMES, MockMetrics } from './mocks/admin/metrics.js';
export type { Exchange, Violation } from './mocks/exchange.js';
export * from './mocks/faults/index.js';
export * from './mocks/gateway/index.js';
export * from './mocks/hosts/host-loader.js';
export { DuplicateWindow, type DuplicateWindowStats } from './mocks/iso-host/duplicate-window.js';
export { Ledger, type LedgerOptions } from './mocks/iso-host/ledger.js';
export { type IsoHost, type StartIsoHostOptions, startIsoHost } from './mocks/iso-host/start-iso-host.js';
export { JOURNAL_BYTES, Journal, type JournalPage } from './mocks/journal.js';
export { JournalFile } from './mocks/journal-file.js';
export { type JournalFilter, journalFilter } from './mocks/journal-filter.js';
export * from './protocols/iso8583/index.js';
export * from './protocols/rest/index.js';
export * from './report/compare.js';
export * from './report/html/index.js';
export * from './report/index.js';
export * from './report/report-run.js';
export * from './report/run-folder.js';
export { renderSummaryMd, SUMMARY_FILE, type SummaryInput, writeSummaryMd } from './report/summary-md.js';
export * from './suites/index.js';
export * from './terminals/index.js';

// The HTML report: its data model, the page, and the catalogue names it adds.
export {
  type CatalogueMeta,
  catalogueMeta,
  type FieldName,
  fieldNames,
  loadCatalogueMeta,
  type MetaSources,
} from './catalogue-meta.js';
export { escapeHtml, HTML_FILE, renderHtml, scriptSafeJson } from './render-html.js';
export {
  buildReportData,
  CELL,
  CELL_STRIDE,
  REPORT_FORMAT,
  type ReportData,
  type ReportDetail,
  type ReportInput,
  type ReportReason,
} from './report-data.js';

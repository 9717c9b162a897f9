// Reports of a run: console table, matrix.json, junit.xml, progress.
export { cellText, renderFindings, renderMatrixTable } from './console-table.js';
export { renderJunit } from './junit-xml.js';
export { MATRIX_FORMAT, type MatrixJson, renderMatrixJson } from './matrix-json.js';
export { consoleProgress, type ProgressSink, silentProgress } from './progress.js';
export { JUNIT_FILE, MATRIX_FILE, removeReports, writeReports } from './write-reports.js';

export {
  EXPORT_FORMATS,
  JSON_EXPORT_CLOSE,
  exportedRun,
  importResultItem,
  jsonExportOpen,
  parseStepwiseExport,
  planImport,
} from './stepwise-export.js';
export type { ExportFormat, ExportedRun, ExportedTrace, ImportPlan } from './stepwise-export.js';
export { CSV_EVENT_COLUMNS, CSV_RESULT_COLUMNS, CSV_ROW_KINDS, csvField, csvHeader, csvLine, csvRows, parseCsv } from './csv.js';
export type { CsvColumn, CsvRowKind, EventRow } from './csv.js';
export { OTLP_EXPORT_CLOSE, OTLP_EXPORT_OPEN, otlpTraceId, traceToOtlp } from './otlp.js';
export type { OtlpExportAttribute, OtlpExportResourceSpans, OtlpExportSpan } from './otlp.js';

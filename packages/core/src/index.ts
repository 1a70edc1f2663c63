// The public surface of @stepwise/core. Every export is named on purpose: adding one is a decision.

export { STEPWISE_ERROR_CODES, StepwiseError, isStepwiseErrorCode } from './errors.js';

// access: roles and the permission table the server enforces
export { PERMISSIONS, PERMISSION_LABELS, PERMISSION_NAMES, ROLES, can, canGrant, describeRole, isRole } from './access/roles.js';
export type { Permission, Role } from './access/roles.js';
export type { StepwiseErrorCode, ValidationIssue } from './errors.js';

export {
  AgentResponseEvent,
  CustomEvent,
  EVENT_TYPES,
  EmbeddedTrace,
  Id,
  IsoTimestamp,
  MetadataEvent,
  Rejection,
  ResultItem,
  SYNC_SOURCES,
  SyncEnvelope,
  SyncReply,
  SyncRequest,
  SyncSource,
  SyncWarning,
  TokenCounts,
  ToolCallEvent,
  ToolCalled,
  ToolErrorEvent,
  Trace,
  TraceEvent,
  UserInputEvent,
} from './trace/schema.js';
export type { AgentReasoningEvent, EventType } from './trace/schema.js';
export { validate } from './trace/validate.js';
export type { Validated } from './trace/validate.js';
export { checkEventOrder, jsonEqual, normalizeResult } from './trace/normalize.js';
export type { NormalizeContext, Normalized, NormalizedResult } from './trace/normalize.js';
export { collapseToolPath, elapsedTimes, formatElapsed, formatToolPath, toolPath } from './trace/timeline.js';
export { eventSearchText, highlightTerms, matchSnippet, parseSearchTerms } from './trace/search-text.js';
export { formatJsonPath, joinJsonPath } from './trace/json-path.js';
export { traceFormatJsonSchema } from './trace/json-schema.js';
export type { RunSummary, TraceDetail, TraceSummary, Verdict } from './trace/summaries.js';

// privacy: redaction of PII and secrets, truncation of oversized events, accuracy harness
export {
  AllowlistEntry,
  CustomRule,
  DEFAULT_MAX_EVENT_BYTES,
  DEFAULT_PRIVACY_SETTINGS,
  FAMILY_LABELS,
  PrivacySettings,
  RULE_FAMILIES,
  createRedactor,
  formatScoreTable,
  isPlaceholder,
  presidioTexts,
  redactTrace,
  redactValue,
  scorePresidio,
  scoreProjectCorpus,
  truncateTrace,
  validatePrivacySettings,
} from './privacy/index.js';
export type {
  EntityScore,
  PrivacySettingsInput,
  RedactionReport,
  Redactor,
  RedactorOptions,
  RegexEngine,
  RuleFamily,
  TruncatedEvent,
  TruncationMark,
  TruncationReport,
} from './privacy/index.js';

// analysis: expectation checks, failure patterns, verdicts, cost
export {
  ANALYZER_VERSION,
  CHECK_KINDS,
  DEFAULT_ANALYSIS_OPTIONS,
  DETECTORS,
  Expectations,
  ExpectedTool,
  FAILURE_CATEGORIES,
  FINDING_PATTERNS,
  FINDING_VERDICTS,
  OrderMode,
  PRICE_TABLE,
  PRICE_TABLE_DATE,
  WorkspacePrices,
  overridePriceOf,
  priceSourceLabel,
  ParameterMatchMode,
  canonicalModelId,
  FINDING_BASES,
  checkExpectations,
  detectForbiddenToolAttempt,
  detectGaveUp,
  detectHallucination,
  detectIgnoredToolError,
  detectLoops,
  detectMissingToolCall,
  detectStepBudget,
  detectToolMisuse,
  detectUnsupportedSuccessClaim,
  detectorTable,
  estimateCost,
  evaluateTrace,
  failsRun,
  forbiddenToolAttemptDetector,
  gaveUpDetector,
  hallucinationDetector,
  ignoredToolErrorDetector,
  loopDetector,
  matchParameters,
  missingToolCallDetector,
  stepBudgetDetector,
  toolMisuseDetector,
  unsupportedSuccessClaimDetector,
  findingKey,
  orderFindings,
} from './analysis/index.js';
export type {
  AnalysisOptions,
  Check,
  CheckKind,
  CostEstimate,
  CostOptions,
  PriceOverride,
  PriceSource,
  Detect,
  DetectorDescriptor,
  EvaluateInput,
  Evaluation,
  EventComment,
  FailureCategory,
  Finding,
  FindingBasis,
  FindingFeedback,
  FindingPattern,
  FindingVerdict,
  ModelPrice,
  Severity,
  TraceFeedback,
} from './analysis/index.js';

// import: converters from other log formats into traces
export { importOpenAIMessages, importSweAgent, importToolBench } from './import/index.js';
export type { ImportOptions } from './import/index.js';
export {
  IMPORT_FORMATS,
  detectFormat,
  importAnthropicMessages,
  importLangChain,
  importLog,
  importOpenAIResponses,
  importVercelAi,
} from './import/index.js';
export type { ImportFormat, ImportedLog, ImportWarning } from './import/index.js';
export { mapOtlpTrace, readOtlpTraces, stepwiseTraceIdOf } from './import/index.js';
export type { OtlpRead, OtlpResult, OtlpSpan, OtlpTraceMapping } from './import/index.js';

// compare: trace alignment, divergence, deltas, run comparison, scenario history
export {
  DEFAULT_IGNORED_KEYS,
  alignTraces,
  compareRuns,
  diffFields,
  findingsDelta,
  flakiness,
  flakinessOf,
  flipRate,
  formatAlignmentSideBySide,
  normalizePlaceholders,
  passRate,
  scenarioHistory,
  textSimilarity,
  traceDeltas,
} from './compare/index.js';
export type {
  AlignOptions,
  AlignmentRow,
  AlignmentRowKind,
  Divergence,
  DivergenceReason,
  FieldChange,
  HistoryItem,
  NumberDelta,
  ResultChange,
  ResultComparison,
  RunComparison,
  RunResultSummary,
  ScenarioHistory,
  TraceAlignment,
  TraceDeltas,
} from './compare/index.js';

// ci: the gate of `stepwise check`, JUnit XML and the Markdown summary
export { FAIL_ON_POLICIES, decideGate, formatCheckSummary, formatJunitXml, toCiRun } from './ci/index.js';
export type { CiReport, CiResult, CiRun, FailOnPolicy, GateOutcome } from './ci/index.js';

// notify: the regression webhook's payloads (generic JSON, Slack-compatible text)
export { regressionNoticeJson, regressionNoticeSlack, regressionReason } from './notify/index.js';
export type { RegressionNoticeInput } from './notify/index.js';

// export: Stepwise JSON/JSONL, CSV and OTLP JSON converters (streamed by the server, one trace at a time)
export {
  CSV_EVENT_COLUMNS,
  CSV_RESULT_COLUMNS,
  CSV_ROW_KINDS,
  EXPORT_FORMATS,
  JSON_EXPORT_CLOSE,
  OTLP_EXPORT_CLOSE,
  OTLP_EXPORT_OPEN,
  csvField,
  csvHeader,
  csvLine,
  csvRows,
  exportedRun,
  importResultItem,
  jsonExportOpen,
  otlpTraceId,
  parseCsv,
  parseStepwiseExport,
  planImport,
  traceToOtlp,
} from './export/index.js';
export type {
  CsvColumn,
  CsvRowKind,
  EventRow,
  ExportFormat,
  ExportedRun,
  ExportedTrace,
  ImportPlan,
  OtlpExportAttribute,
  OtlpExportResourceSpans,
  OtlpExportSpan,
} from './export/index.js';

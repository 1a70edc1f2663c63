export { ANALYZER_VERSION, DETECTORS, detectStepBudget, evaluateTrace } from './evaluate-trace.js';
export type { Detector, EvaluateInput } from './evaluate-trace.js';
export { checkExpectations, countSteps } from './check-expectations.js';
export { matchParameters } from './parameter-match.js';
export type { ParameterMismatch } from './parameter-match.js';
export { canonicalJson } from './canonical-json.js';
export { classifyResult, decodeResult } from './result-outcome.js';
export type { ResultOutcome } from './result-outcome.js';
export { buildDetectorContext } from './detector-context.js';
export type { DetectorContext, ToolStep } from './detector-context.js';
export { detectHallucination } from './detect-hallucination.js';
export { detectToolMisuse } from './detect-tool-misuse.js';
export { detectMissingToolCall } from './detect-missing-tool-call.js';
export { detectLoops } from './detect-loops.js';
export { detectIgnoredToolError } from './detect-ignored-tool-error.js';
export { detectUnsupportedSuccessClaim } from './detect-unsupported-success-claim.js';
export { detectGaveUp } from './detect-gave-up.js';
export { PRICE_TABLE, PRICE_TABLE_DATE, canonicalModelId, estimateCost } from './cost.js';
export type { CostEstimate, ModelPrice } from './cost.js';
export { CHECK_KINDS, DEFAULT_ANALYSIS_OPTIONS, FAILURE_CATEGORIES, FINDING_PATTERNS } from './types.js';
export type {
  AnalysisOptions,
  Check,
  CheckKind,
  Evaluation,
  FailureCategory,
  Finding,
  FindingPattern,
  Severity,
} from './types.js';
export { Expectations, ExpectedTool, OrderMode, ParameterMatchMode } from './expectations-schema.js';

export { ANALYZER_VERSION, evaluateTrace, failsRun } from './evaluate-trace.js';
export { DETECTORS, FINDING_PATTERNS, detectorTable } from './detectors.js';
export type { Detect, DetectorDescriptor } from './detector.js';
export { detectStepBudget, stepBudgetDetector } from './detect-step-budget.js';
export { detectForbiddenToolAttempt, forbiddenToolAttemptDetector } from './detect-forbidden-tool-attempt.js';
export type { Detector, EvaluateInput } from './evaluate-trace.js';
export { checkExpectations, countSteps } from './check-expectations.js';
export { matchParameters } from './parameter-match.js';
export type { ParameterMismatch } from './parameter-match.js';
export { canonicalJson } from './canonical-json.js';
export { classifyResult, decodeResult } from './result-outcome.js';
export type { ResultOutcome } from './result-outcome.js';
export { buildDetectorContext } from './detector-context.js';
export type { DetectorContext, ToolStep } from './detector-context.js';
export { detectHallucination, hallucinationDetector } from './detect-hallucination.js';
export { detectToolMisuse, toolMisuseDetector } from './detect-tool-misuse.js';
export { detectMissingToolCall, missingToolCallDetector } from './detect-missing-tool-call.js';
export { detectLoops, loopDetector } from './detect-loops.js';
export { detectIgnoredToolError, ignoredToolErrorDetector } from './detect-ignored-tool-error.js';
export { detectUnsupportedSuccessClaim, unsupportedSuccessClaimDetector } from './detect-unsupported-success-claim.js';
export { detectGaveUp, gaveUpDetector } from './detect-gave-up.js';
export {
  PRICE_TABLE,
  PRICE_TABLE_DATE,
  WorkspacePrices,
  canonicalModelId,
  estimateCost,
  overridePriceOf,
  priceSourceLabel,
} from './cost.js';
export type { CostEstimate, CostOptions, ModelPrice, PriceOverride, PriceSource } from './cost.js';
export { CHECK_KINDS, DEFAULT_ANALYSIS_OPTIONS, FAILURE_CATEGORIES, FINDING_BASES } from './types.js';
export type {
  AnalysisOptions,
  Check,
  CheckKind,
  Evaluation,
  FailureCategory,
  Finding,
  FindingBasis,
  FindingPattern,
  Severity,
} from './types.js';
export { Expectations, ExpectedTool, OrderMode, ParameterMatchMode } from './expectations-schema.js';
export { FINDING_VERDICTS, findingKey } from './feedback.js';
export type { EventComment, FindingFeedback, FindingVerdict, TraceFeedback } from './feedback.js';
export { orderFindings } from './order-findings.js';

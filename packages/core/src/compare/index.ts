// Comparison of two traces (alignment, divergence, deltas) and of two runs.

export { alignTraces } from './align-traces.js';
export type { AlignOptions, AlignmentRow, AlignmentRowKind, AlignmentStats, TraceAlignment } from './align-traces.js';
export { describeDivergence, summarizeResult } from './divergence.js';
export type { Divergence, DivergenceReason } from './divergence.js';
export { DEFAULT_IGNORED_KEYS, normalizePlaceholders } from './event-signature.js';
export { abbreviateValue, diffFields } from './field-diff.js';
export type { FieldChange } from './field-diff.js';
export { textSimilarity } from './text-similarity.js';
export { findingsDelta, traceDeltas } from './trace-deltas.js';
export type { EvaluationLike, FindingsDelta, NumberDelta, PatternCount, TraceDeltas, VerdictDelta } from './trace-deltas.js';
export { compareRuns, passRate } from './compare-runs.js';
export type { CountMismatch, PatternDelta, ResultChange, ResultComparison, RunComparison, RunResultSummary } from './compare-runs.js';
export { flakiness, flakinessOf, flipRate, scenarioHistory } from './scenario-history.js';
export type { HistoryItem, ScenarioHistory, ToolPathCount } from './scenario-history.js';
export { describeEvent, formatAlignmentSideBySide } from './format-side-by-side.js';
export type { SideBySideOptions } from './format-side-by-side.js';

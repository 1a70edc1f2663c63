/** The nine-category agent failure taxonomy every finding maps to. */
export const FAILURE_CATEGORIES = [
  'knowledge_failure',
  'reasoning_failure',
  'context_failure',
  'instruction_failure',
  'tool_usage_failure',
  'safety_failure',
  'communication_failure',
  'operational_failure',
  'coordination_failure',
] as const;
export type FailureCategory = (typeof FAILURE_CATEGORIES)[number];

export type Severity = 'low' | 'medium' | 'high';

/**
 * Every pattern a finding can have. The runtime list, `FINDING_PATTERNS`, is derived from the
 * detector registry (`detectors.ts`); a test keeps the two equal.
 */
export type FindingPattern =
  | 'hallucination'
  | 'tool_misuse'
  | 'missing_tool_call'
  | 'loop'
  | 'ignored_tool_error'
  | 'unsupported_success_claim'
  | 'gave_up'
  | 'forbidden_tool_attempt'
  | 'step_budget_exceeded'
  | 'passing_failure';

/**
 * What a finding rests on. `expectation`: a failed check of what the user declared. `evidence`:
 * mechanical facts (the same failing call repeated, a tool error followed by a claim of success, an
 * action claimed with no call that could do it). `heuristic`: a reading of the wording. Only
 * expectation and evidence findings can fail a run; heuristic ones are hints.
 */
export const FINDING_BASES = ['expectation', 'evidence', 'heuristic'] as const;
export type FindingBasis = (typeof FINDING_BASES)[number];

/** One failure pattern found in a trace, pinned to the events that show it. */
export interface Finding {
  pattern: FindingPattern;
  category: FailureCategory;
  severity: Severity;
  /** What the finding rests on; only `expectation` and `evidence` findings at `high` severity fail a run. */
  basis: FindingBasis;
  /** Indexes into `trace.events`, ascending. */
  event_indexes: number[];
  /** One plain sentence naming the tool, the key parameter and what happened. */
  summary: string;
}

export const CHECK_KINDS = [
  'missing_tool',
  'extra_tool',
  'reordered_tools',
  'wrong_parameters',
  'forbidden_tool',
  'step_budget_exceeded',
  'tool_budget_exceeded',
  'response_missing_text',
  'response_forbidden_text',
] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

/** A failed expectation. Only failures are reported, so `passed` is always `false`. */
export interface Check {
  kind: CheckKind;
  passed: false;
  /** Indexes into `trace.events` that show the failure (empty when the failure is an absence). */
  event_indexes: number[];
  message: string;
  details?: Record<string, unknown>;
}

/** Tunable thresholds of the detectors. Every field has a documented default. */
export interface AnalysisOptions {
  /** Identical consecutive calls that count as a loop. Default 3. */
  loopMinRepeats?: number;
  /** Full A-B cycles that count as an alternation loop. Default 2 (A B A B). */
  alternationMinCycles?: number;
}

export interface ResolvedAnalysisOptions {
  loopMinRepeats: number;
  alternationMinCycles: number;
}

export const DEFAULT_ANALYSIS_OPTIONS: ResolvedAnalysisOptions = {
  loopMinRepeats: 3,
  alternationMinCycles: 2,
};

/** The stored analysis of one trace (DESIGN §3.3). */
export interface Evaluation {
  verdict: 'passed' | 'failed';
  reported_passed?: boolean;
  analyzer_version: string;
  checks: Check[];
  findings: Finding[];
}

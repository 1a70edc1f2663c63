// Wire shapes of the Stepwise REST API (v1), as the dashboard reads them.
import type {
  AlignmentRow,
  AlignmentRowKind,
  Divergence,
  EventComment,
  EventType,
  FindingFeedback,
  TraceFeedback,
  FieldChange,
  NumberDelta,
  ResultChange,
  ResultComparison,
  RunResultSummary,
  RunSummary,
  SyncWarning,
  TraceDetail as CoreTraceDetail,
  TraceSummary,
  TraceAlignment,
  TraceDeltas,
  Verdict,
} from '@stepwise/core';

export type { EventComment, FindingFeedback, RunSummary, SyncWarning, TraceFeedback, TraceSummary, Verdict };

export type { EventType };
export type Severity = 'low' | 'medium' | 'high';

export interface TraceEvent {
  type: EventType;
  timestamp: string;
  data: Record<string, unknown>;
  id?: string;
  parent_id?: string;
  truncated?: { original_bytes: number; paths: string[] };
}

export interface Finding {
  pattern: string;
  category: string;
  severity: Severity;
  /** What the finding rests on; absent on evaluations stored before findings had one. */
  basis?: 'expectation' | 'evidence' | 'heuristic';
  event_indexes: number[];
  summary: string;
}

export interface Check {
  kind: string;
  passed: boolean;
  event_indexes: number[];
  message: string;
}

export interface Evaluation {
  verdict: Verdict;
  reported_passed?: boolean;
  analyzer_version: string;
  checks: Check[];
  findings: Finding[];
}

export interface TraceHeader {
  trace_id: string;
  scenario_id: string;
  agent_name: string;
  timestamp: string;
  duration_ms?: number;
  run_id?: string;
  metadata?: Record<string, unknown>;
  /** Present unless the server was asked to leave the events out. */
  events?: TraceEvent[];
}

/** `GET /api/v1/traces/:id`, declared once in core; narrowed here to what the dashboard reads. */
export type TraceDetail = CoreTraceDetail<TraceHeader, Evaluation | null, RedactionReport | null>;
/** A mark on a finding with the trace it belongs to, as the disputed-findings list shows it. */
export interface FindingFeedbackItem extends FindingFeedback {
  scenario_id: string;
  agent_name: string;
  run_id: string | null;
}

export interface RedactionReport {
  counts?: Record<string, number>;
  [key: string]: unknown;
}

export interface RunsPage {
  runs: RunSummary[];
  total: number;
  limit: number;
  offset: number;
}

export interface RunDetail {
  run: RunSummary;
  results: TraceSummary[];
  total: number;
}

export interface TracesPage {
  traces: TraceSummary[];
  next_cursor: string | null;
}

// ---- comparison: the shapes come from core, which computes them ----

export type {
  AlignmentRow,
  AlignmentRowKind,
  Divergence,
  FieldChange,
  NumberDelta,
  ResultChange,
  ResultComparison,
  TraceAlignment,
  TraceDeltas,
};
export type RunResultSide = RunResultSummary;

export interface CompareTraces {
  a: TraceSummary;
  b: TraceSummary;
  same_scenario?: boolean;
  alignment: TraceAlignment;
}

export interface CompareRuns {
  base?: RunSummary;
  head?: RunSummary;
  results: ResultComparison[];
  counts: Partial<Record<ResultChange, number>>;
  pass_rate: NumberDelta;
  patterns: { pattern: string; base: number; head: number; delta: number }[];
  count_mismatches?: { scenario_id: string; base: number; head: number }[];
}

export interface ToolPathCount {
  path: string[];
  count: number;
  passed?: number;
  failed?: number;
}

/** What the dashboard shows of a scenario's history (normalized from the API's reply). */
export interface ScenarioHistory {
  scenario_id: string;
  /** Newest first: one page of them. */
  traces: TraceSummary[];
  /** The next (older) page, or null when this is the last. */
  next_cursor: string | null;
  /** Every trace of the scenario (the summary counts them all). */
  total: number;
  flakiness: number;
  tool_paths: ToolPathCount[];
}

/** GET /api/v1/scenarios/:id/traces as the server sends it. */
export interface ScenarioHistoryReply {
  scenario_id: string;
  traces: TraceSummary[];
  next_cursor?: string | null;
  total?: number;
  flakiness: number;
  history?: { results: number; flakiness: number; tool_paths: { tool_path: string[]; count: number; passed: number; failed: number }[] };
  tool_paths?: ToolPathCount[];
}

/** GET /api/v1/compare/runs as the server sends it. */
export interface CompareRunsReply {
  base: RunSummary;
  head: RunSummary;
  comparison: Omit<CompareRuns, 'base' | 'head'>;
}

// ---- access (issue 3) ----

export type Role = 'owner' | 'admin' | 'member' | 'viewer';

export interface Session {
  /** Null when the caller is an API key rather than a person. */
  user: { id: string; name: string; email?: string | null } | null;
  workspace: { id: string; name: string };
  role: Role;
  via?: string;
  csrf_token: string | null;
}

export interface CustomRule {
  name: string;
  pattern: string;
  flags?: string;
  label: string;
}

/** A value never redacted (compared without case), or a pattern of such values. */
export type AllowlistEntry = { value: string } | { pattern: string; flags?: string };

export interface PrivacySettings {
  /** Built-in rule families (email, phone, card, …), each on or off. */
  rules: Record<string, boolean>;
  custom_rules: CustomRule[];
  allowlist: AllowlistEntry[];
  max_event_bytes: number;
}

export interface PrivacyPreview {
  redacted: unknown;
  report: unknown;
}

export interface Member {
  user_id: string;
  name: string;
  email?: string | null;
  role: Role;
  created_at?: string;
}

export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  /** `sw_AbCd…wxyz`: enough to recognise a key, never enough to use it. */
  display?: string;
  created_at: string;
  created_by?: string | null;
  last_used_at?: string | null;
  revoked_at?: string | null;
}

/** The workspace's regression webhook; the URL comes masked (its path is often a secret). */
/** A workspace's own model prices (USD per 1M input/output tokens) for estimated costs; set_at null when none. */
export interface PriceSettings {
  prices: Record<string, { input: number; output: number }>;
  set_at: string | null;
}

export interface WebhookSettings {
  url: string;
  format: 'json' | 'slack';
  created_at: string;
  updated_at: string;
}

export interface WebhookDelivery {
  id: string;
  run_id: string;
  baseline_run_id: string | null;
  format: 'json' | 'slack';
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  reason: string;
  created_at: string;
  updated_at: string;
}

/** One stored version of a scenario's expectations. */
export interface ScenarioVersion {
  scenario_id: string;
  version: number;
  expectations: unknown;
  created_by: string | null;
  created_at: string;
}

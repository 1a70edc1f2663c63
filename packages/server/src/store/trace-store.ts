import type {
  EventComment,
  FindingFeedback,
  FindingVerdict,
  RunResultSummary,
  RunSummary,
  SyncSource,
  SyncWarning,
  TraceFeedback,
  TraceSummary,
  Verdict,
} from '@stepwise/core';

export type { EventComment, FindingFeedback, RunSummary, TraceFeedback, TraceSummary, Verdict };

/** The most items one page of a list holds, through any door. */
export const MAX_PAGE_SIZE = 500;

/** The default workspace every row belongs to until workspaces are managed. */
export const DEFAULT_WORKSPACE_ID = 'ws_default';

/** A trace ready to be written: validated, normalized and serialized by the ingest pipeline. */
export interface TraceRecord {
  id: string;
  /** The run the trace belongs to (it must exist, or be the batch's new run), or null. */
  runId: string | null;
  /** For results without a client trace id: a hash of run + content, so a re-send is a duplicate. */
  dedupeKey: string | null;
  scenarioId: string;
  agentName: string;
  startedAt: string;
  startedMs: number;
  durationMs: number | null;
  toolPath: string[];
  reportedPassed: boolean | null;
  verdict: Verdict | null;
  patterns: string[];
  model: string | null;
  tokensTotal: number | null;
  costUsd: number | null;
  /** The cost was estimated from the price table (PRICE_TABLE_DATE), not reported by the client. */
  costEstimated?: boolean;
  /** When the workspace's prices used for the estimate were set; absent when the table was used. */
  costPricesSetAt?: string | null;
  /** False when the result carried no time: event times are placeholders. */
  timingsKnown?: boolean;
  userMessage: string | null;
  response: string | null;
  notes: string | null;
  warnings: SyncWarning[];
  /** JSON of the trace without its events (keeps every top-level field the client sent). */
  headerJson: string;
  /** JSON of each event, in the order given. */
  eventsJson: string[];
  eventTypes: string[];
  /** The searchable text of each event (`eventSearchText`); computed from `eventsJson` when absent. */
  eventsText?: string[];
  eventTimestamps: string[];
  expectedJson: string | null;
  evaluationJson: string | null;
  redactionJson: string | null;
  isDemo: boolean;
}

export interface NewRun {
  id: string;
  agentName: string;
  name: string | null;
  source: SyncSource | null;
  /** Where the run was made (optional: sync request fields `branch`, `commit`, `ci_url`). */
  branch?: string | null;
  commit?: string | null;
  ciUrl?: string | null;
  isDemo: boolean;
}

export interface IngestBatch {
  workspaceId: string;
  /**
   * A run this request starts. It is created only if at least one record is stored (or the batch has
   * no records, as a streaming sync's `create_empty` does): re-sending a batch adds nothing.
   */
  newRun?: NewRun;
  records: TraceRecord[];
  now: string;
}

export interface IngestOutcome {
  /** The new run's id, or, when all records were duplicates, the run holding the first of them. */
  runId: string | null;
  /** Per record, in order: stored, or a duplicate of an existing trace (with its id). */
  results: Array<{ status: 'stored' | 'duplicate'; traceId: string; runId: string | null }>;
}

/** Events per page when a whole trace is read page by page. */
export const EVENT_PAGE_SIZE = 1000;

export interface StoredTrace {
  summary: TraceSummary;
  /** The trace as stored: header fields plus events in order. */
  trace: Record<string, unknown> & { events: unknown[] };
  notes: string | null;
  expected: unknown;
  evaluation: unknown;
  redaction: unknown;
}

export interface RunFilter {
  agent?: string;
  /** Exact run name. */
  name?: string;
  branch?: string;
  status?: 'passed' | 'failed' | 'empty';
  source?: string;
  since?: string;
  until?: string;
  limit: number;
  offset: number;
}

export interface TraceFilter {
  agent?: string;
  scenario?: string;
  run?: string;
  verdict?: Verdict;
  pattern?: string;
  /** A tool the trace called. */
  tool?: string;
  model?: string;
  /** Only traces that belong to no run (synced without one, imported, posted to /traces). */
  noRun?: boolean;
  /** Full-text search over the events' messages and tool data (words, "quoted phrases"). */
  text?: string;
  since?: string;
  until?: string;
  limit: number;
  cursor?: string;
}

export interface NewFindingFeedback {
  traceId: string;
  findingKey: string;
  pattern: string;
  verdict: FindingVerdict;
  reason: string | null;
  analyzerVersion: string | null;
  actor: string;
  now: string;
}

export interface NewEventComment {
  id: string;
  traceId: string;
  eventIndex: number;
  body: string;
  actor: string;
  now: string;
}

export interface FeedbackFilter {
  verdict?: FindingVerdict;
  pattern?: string;
  run?: string;
  agent?: string;
  limit: number;
  offset: number;
}

/** A finding's feedback with what a list of disputed findings shows beside it. */
export interface FindingFeedbackItem extends FindingFeedback {
  scenario_id: string;
  agent_name: string;
  run_id: string | null;
}

export interface Page<T> {
  items: T[];
  total?: number;
  next_cursor?: string | null;
}

/** One distinct tool path of a scenario, counted in the store. */
export interface ScenarioToolPath {
  tool_path: string[];
  count: number;
  passed: number;
  failed: number;
  /** Position, oldest first (by start time, then id), of the first and last trace that took this path. */
  first_seen: number;
  last_seen: number;
}

/** A scenario's whole history, counted without reading its traces out. */
export interface ScenarioSummary {
  results: number;
  passed: number;
  failed: number;
  /** Of consecutive judged results (oldest first), how many steps there are and how many changed verdict. */
  flip_steps: number;
  flips: number;
  /** In no particular order. */
  tool_paths: ScenarioToolPath[];
}

export interface RunResultsFilter {
  status?: 'passed' | 'failed';
  limit: number;
  offset: number;
}

/**
 * Where traces live. Every method is async and workspace-scoped so that a PostgreSQL (or columnar)
 * backend can satisfy it without changing callers. One contract suite tests every implementation.
 */
export interface ScenarioExpectations {
  scenario_id: string;
  version: number;
  expectations: unknown;
  created_by: string | null;
  created_at: string;
}

export interface EvaluationUpdate {
  verdict: Verdict | null;
  patterns: string[];
  evaluationJson: string;
  costUsd?: number | null;
  /** With an estimated costUsd: when the workspace prices it used were set, or null for the table. */
  costPricesSetAt?: string | null;
}

export interface TraceStore {
  /** Creates the workspace row if it does not exist. */
  ensureWorkspace(workspaceId: string, name: string): Promise<void>;
  /** Writes a whole ingest request in one transaction; duplicates are skipped, not errors. */
  ingest(batch: IngestBatch): Promise<IngestOutcome>;
  getRun(workspaceId: string, runId: string): Promise<RunSummary | null>;
  listRuns(workspaceId: string, filter: RunFilter): Promise<Page<RunSummary>>;
  listRunResults(workspaceId: string, runId: string, filter: RunResultsFilter): Promise<Page<TraceSummary>>;
  /** Every result of a run in run order, with only what a run comparison reads (scenario, verdict, tool path, patterns). */
  runResultSummaries(workspaceId: string, runId: string): Promise<RunResultSummary[]>;
  /** A trace with its events, or with none when `withEvents` is false (long traces are read in slices). */
  getTrace(workspaceId: string, traceId: string, withEvents?: boolean): Promise<StoredTrace | null>;
  getTraceEvents(workspaceId: string, traceId: string, offset: number, limit: number): Promise<unknown[] | null>;
  /**
   * A trace's events as their stored JSON text, in order, in pages of at most `pageSize` read by key
   * (event index), so that reading a whole trace never holds more than one page. Nothing for a trace
   * that does not exist (check it with `getTrace(…, false)` first); no transaction is held between pages.
   */
  eventJsonPages(workspaceId: string, traceId: string, pageSize?: number): AsyncIterable<string[]>;
  listTraces(workspaceId: string, filter: TraceFilter): Promise<Page<TraceSummary>>;
  /** Counts of a scenario's traces by verdict and by tool path, aggregated in the database. */
  scenarioSummary(workspaceId: string, scenarioId: string): Promise<ScenarioSummary>;
  deleteTrace(workspaceId: string, traceId: string): Promise<boolean>;
  deleteRun(workspaceId: string, runId: string): Promise<{ deleted: boolean; traces: number }>;
  countTraces(workspaceId: string): Promise<number>;
  /** Replaces a trace's evaluation (after re-analysis) and recounts its run. */
  updateEvaluation(workspaceId: string, traceId: string, update: EvaluationUpdate): Promise<boolean>;
  /** Stores a new version of a scenario's expectations and returns it. */
  putScenarioExpectations(
    workspaceId: string,
    scenarioId: string,
    expectationsJson: string,
    actor: string | null,
    now: string,
  ): Promise<ScenarioExpectations>;
  /** The latest version of a scenario's expectations, or null. */
  getScenarioExpectations(workspaceId: string, scenarioId: string): Promise<ScenarioExpectations | null>;
  listScenarioExpectationVersions(workspaceId: string, scenarioId: string): Promise<ScenarioExpectations[]>;
  /** Answers when the database does, in constant time whatever it holds (for `/healthz`). */
  ping(): Promise<void>;
  /** Ids of every trace of a run, in run order. */

  listRunTraceIds(workspaceId: string, runId: string): Promise<string[]>;
  /** Marks a finding right or wrong (replacing an earlier mark); null when the trace does not exist. */
  putFindingFeedback(workspaceId: string, feedback: NewFindingFeedback): Promise<FindingFeedback | null>;
  /** Removes the mark on a finding; false when there was none. */
  deleteFindingFeedback(workspaceId: string, traceId: string, findingKey: string): Promise<boolean>;
  /** Adds a comment on an event; null when the trace does not exist. */
  addEventComment(workspaceId: string, comment: NewEventComment): Promise<EventComment | null>;
  /** Deletes a comment of a trace and returns it; null when there is no such comment. */
  deleteEventComment(workspaceId: string, traceId: string, commentId: string): Promise<EventComment | null>;
  /** Every mark and comment on a trace, oldest first. */
  getTraceFeedback(workspaceId: string, traceId: string): Promise<TraceFeedback>;
  /** Marks across the workspace, newest first (verdict 'wrong': the disputed findings). */
  listFindingFeedback(workspaceId: string, filter: FeedbackFilter): Promise<Page<FindingFeedbackItem>>;
  close(): Promise<void>;
}

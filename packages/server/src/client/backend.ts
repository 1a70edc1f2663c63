import type { EventComment, FindingFeedback, FindingVerdict, SyncReply, TraceDetail } from '@stepwise/core';
import type { StoredEvaluation } from '../ingest/stages/analyze.js';
import type { TracesReply } from '../ingest/pipeline.js';
import type { RunsComparison, ScenarioHistoryPage, ScenarioHistoryReply, TraceComparison } from '../services/compare-service.js';
import type { ExportRequest } from '../services/export-service.js';
import type { ImportReply } from '../services/import-service.js';
import type { FeedbackFilter, FindingFeedbackItem, RunSummary, TraceSummary, Verdict } from '../store/trace-store.js';

export type {
  ExportRequest,
  ImportReply,
  RunsComparison,
  ScenarioHistoryPage,
  ScenarioHistoryReply,
  StoredEvaluation,
  TraceComparison,
  TraceDetail,
  TracesReply,
};

/** How far an export has got: traces written (from a database file) or bytes received (from a server). */
export interface ExportProgress {
  traces?: number;
  bytes?: number;
}

/** A sync request as tools and commands hand it over; `results` may still be a JSON-encoded string. */
export interface SyncArguments {
  agent_name: string;
  results: unknown[] | string;
  test_run_id?: string;
  name?: string;
  source?: 'mcp' | 'ci' | 'vscode' | 'cli' | 'api';
  create_empty?: boolean;
  branch?: string;
  commit?: string;
  ci_url?: string;
}

export interface RunListQuery {
  agent?: string;
  status?: 'passed' | 'failed' | 'empty';
  /** Exact run name. */
  name?: string;
  branch?: string;
  /** Only runs created before this time (ISO-8601). */
  until?: string;
  limit: number;
  offset: number;
}

export interface RunList {
  runs: RunSummary[];
  total: number | null;
  limit: number;
  offset: number;
}

export interface RunResultsQuery {
  status?: 'passed' | 'failed';
  limit: number;
  offset: number;
}

export interface RunDetail {
  run: RunSummary;
  results: TraceSummary[];
  total: number | null;
  limit: number;
  offset: number;
}

export interface TraceSearchQuery {
  agent?: string;
  scenario?: string;
  /** A test run id, or `none` for traces that belong to no run. */
  run?: string;
  pattern?: string;
  verdict?: Verdict;
  tool?: string;
  model?: string;
  /** Full-text search over messages and tool data. */
  q?: string;
  since?: string;
  until?: string;
  limit: number;
  cursor?: string;
}

export interface TraceSearchPage {
  traces: TraceSummary[];
  next_cursor: string | null;
}

export interface FeedbackList {
  feedback: FindingFeedbackItem[];
  total: number | null;
}

/**
 * What the CLI and the MCP tools need from Stepwise, already scoped to one workspace: the one
 * "local database file or running server" client. Two implementations: over a local runtime
 * (`--db`, and `/mcp` on the server) and over the REST API of a running server (`--url`).
 * Failures are thrown as `StepwiseError`s with a stable code.
 */
export interface StepwiseBackend {
  /** Where the data lives, for logs: `database ./data/stepwise.db`, `server http://…`. */
  readonly where: string;
  /** Link to a test run in the dashboard. */
  runUrl(runId: string): string;
  /** Base URL of the dashboard (no trailing slash), for links in reports. */
  dashboardUrl(): string;
  sync(request: SyncArguments): Promise<SyncReply>;
  /** A sync request as JSON text (a file or stdin), parsed with the server's limits. */
  syncText(bodyText: string): Promise<SyncReply>;
  /** `POST /api/v1/traces`: whole traces as JSON text (one trace, an array, or `{ traces }`). */
  postTraces(bodyText: string): Promise<TracesReply>;
  listRuns(query: RunListQuery): Promise<RunList>;
  getRun(runId: string, query: RunResultsQuery): Promise<RunDetail>;
  getTrace(traceId: string): Promise<TraceDetail>;
  searchTraces(query: TraceSearchQuery): Promise<TraceSearchPage>;
  /** The stored analysis of a trace (computed if missing), or a fresh one with `recompute`. */
  analyzeTrace(traceId: string, options: { recompute: boolean }): Promise<StoredEvaluation>;
  reanalyzeRun(runId: string): Promise<{ run_id: string; analyzed: number; failed: number; passed: number }>;
  compareTraces(a: string, b: string): Promise<TraceComparison>;
  compareRuns(base: string, head: string): Promise<RunsComparison>;
  /** One page of a scenario's traces (newest first) with the summary of its whole history. */
  scenarioHistory(scenarioId: string, page?: ScenarioHistoryPage): Promise<ScenarioHistoryReply>;
  /** Streams an export; `progress` is told what this backend can count. */
  exportChunks(request: ExportRequest, progress: (p: ExportProgress) => void): AsyncIterable<string | Uint8Array>;
  /** Imports a Stepwise export (JSON or JSONL text). */
  importExport(text: string): Promise<ImportReply>;
  /** Marks a finding (named by `findingKey`) right or wrong, replacing an earlier mark. */
  markFinding(traceId: string, input: { finding_key: string; verdict: FindingVerdict; reason?: string | null }): Promise<FindingFeedback>;
  commentOnEvent(traceId: string, input: { event_index: number; body: string }): Promise<EventComment>;
  clearFinding(traceId: string, findingKey: string): Promise<void>;
  listFeedback(query: FeedbackFilter): Promise<FeedbackList>;
  close(): Promise<void>;
}

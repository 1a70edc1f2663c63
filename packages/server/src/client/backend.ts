import type { SyncReply, TraceDetail } from '@stepwise/core';
import type { StoredEvaluation } from '../ingest/stages/analyze.js';
import type { TracesReply } from '../ingest/pipeline.js';
import type { RunsComparison, ScenarioHistoryReply, TraceComparison } from '../services/compare-service.js';
import type { RunSummary, TraceSummary, Verdict } from '../store/trace-store.js';

export type { RunsComparison, ScenarioHistoryReply, StoredEvaluation, TraceComparison, TraceDetail, TracesReply };

/** A sync request as tools and commands hand it over; `results` may still be a JSON-encoded string. */
export interface SyncArguments {
  agent_name: string;
  results: unknown[] | string;
  test_run_id?: string;
  name?: string;
  source?: 'mcp' | 'ci' | 'vscode' | 'cli' | 'api';
  create_empty?: boolean;
}

export interface RunListQuery {
  agent?: string;
  status?: 'passed' | 'failed' | 'empty';
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
  run?: string;
  pattern?: string;
  verdict?: Verdict;
  since?: string;
  until?: string;
  limit: number;
  cursor?: string;
}

export interface TraceSearchPage {
  traces: TraceSummary[];
  next_cursor: string | null;
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
  scenarioHistory(scenarioId: string): Promise<ScenarioHistoryReply>;
  close(): Promise<void>;
}

import type { SyncReply } from '@stepwise/core';
import type { StoredEvaluation } from '../ingest/stages/analyze.js';
import type { RunsComparison, ScenarioHistoryReply, TraceComparison } from '../services/compare-service.js';
import type { RunSummary, TraceSummary, Verdict } from '../store/trace-store.js';

export type { RunsComparison, ScenarioHistoryReply, StoredEvaluation, TraceComparison };

/** A sync request as the MCP tools accept it; `results` may still be a JSON-encoded string. */
export interface McpSyncRequest {
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

/** A stored trace with everything known about it, as `GET /api/v1/traces/:id` answers. */
export interface TraceDetail {
  trace: Record<string, unknown> & { events: unknown[] };
  summary: TraceSummary;
  notes: string | null;
  expected: unknown;
  evaluation: unknown;
  redaction: unknown;
}

/**
 * What the MCP tools need from Stepwise, already scoped to one workspace. Two implementations: over a
 * local runtime (`stepwise mcp --db`, and `/mcp` on the server) and over the REST API of a running
 * server (`stepwise mcp --url`). Failures are thrown as `StepwiseError`s with a stable code.
 */
export interface McpBackend {
  /** Where the data lives, for logs: `database ./data/stepwise.db`, `server http://…`. */
  readonly where: string;
  /** Link to a test run in the dashboard. */
  runUrl(runId: string): string;
  sync(request: McpSyncRequest): Promise<SyncReply>;
  listRuns(query: RunListQuery): Promise<RunList>;
  getRun(runId: string, query: RunResultsQuery): Promise<RunDetail>;
  getTrace(traceId: string): Promise<TraceDetail>;
  searchTraces(query: TraceSearchQuery): Promise<TraceSearchPage>;
  /** The stored analysis of a trace (computed if missing), or a fresh one with `recompute`. */
  analyzeTrace(traceId: string, options: { recompute: boolean }): Promise<StoredEvaluation>;
  compareTraces(a: string, b: string): Promise<TraceComparison>;
  compareRuns(base: string, head: string): Promise<RunsComparison>;
  scenarioHistory(scenarioId: string): Promise<ScenarioHistoryReply>;
  close(): Promise<void>;
}

import type { TraceFeedback } from '../analysis/feedback.js';
import type { SyncWarning } from './schema.js';

/** A result's verdict as counted: failed if the client or the analysis failed it. */
export type Verdict = 'passed' | 'failed';

/** A test run as lists show it (REST `GET /api/v1/runs`, the dashboard, MCP). */
export interface RunSummary {
  id: string;
  agent_name: string;
  name: string | null;
  source: string | null;
  /** Where the run was made, when the sync said so (CI sets these). */
  branch: string | null;
  commit: string | null;
  ci_url: string | null;
  created_at: string;
  updated_at: string;
  total: number;
  passed: number;
  failed: number;
  unknown: number;
  pass_rate: number | null;
  status: 'passed' | 'failed' | 'empty' | 'unknown';
  findings_by_pattern: Record<string, number>;
  /** When its first trace started and its last one ended (from the traces, not the sync time); null when empty. */
  started_at?: string | null;
  ended_at?: string | null;
  /** Per pattern, how many of this run's findings a member marked wrong. */
  disputed_by_pattern: Record<string, number>;
  is_demo: boolean;
}

/** A trace as lists show it: everything but its events. */
export interface TraceSummary {
  id: string;
  run_id: string | null;
  scenario_id: string;
  agent_name: string;
  timestamp: string;
  duration_ms: number | null;
  event_count: number;
  tool_path: string[];
  reported_passed: boolean | null;
  verdict: Verdict | null;
  patterns: string[];
  model: string | null;
  tokens_total: number | null;
  cost_usd: number | null;
  user_message: string | null;
  response: string | null;
  warnings: SyncWarning[];
  is_demo: boolean;
  created_at: string;
  /** The cost was estimated from the dated price table, not reported by the client. */
  cost_estimated?: boolean;
  /** Set when the estimate used the workspace's own prices: when they were set (instead of the table's date). */
  cost_prices_set_at?: string;
  /** False when the result carried no time: event times are placeholders, to be shown as unknown. */
  timings_known?: boolean;
  /** Kept by retention whatever its age. */
  pinned?: boolean;
  /** In a text search: the first event that matches, and the words around the match. */
  match?: { event_index: number; snippet: string };
}

/**
 * A stored trace with everything known about it, as `GET /api/v1/traces/:id` answers: the one
 * declaration the server, the CLI, MCP and the dashboard share. The dashboard narrows the
 * loosely typed parts through the parameters.
 */
export interface TraceDetail<Header = Record<string, unknown> & { events: unknown[] }, Evaluation = unknown, Redaction = unknown> {
  trace: Header;
  summary: TraceSummary;
  notes: string | null;
  expected: unknown;
  evaluation: Evaluation;
  redaction: Redaction;
  /** Marks on findings and comments on events (absent from servers older than feedback). */
  feedback?: TraceFeedback;
}

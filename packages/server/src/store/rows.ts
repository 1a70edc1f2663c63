import { StepwiseError, type RunResultSummary } from '@stepwise/core';
import type { RunSummary, ScenarioExpectations, ScenarioSummary, TraceSummary } from './trace-store.js';

/** Row shapes and mappers shared by the SQLite and PostgreSQL stores (both keep JSON as text and flags as 0/1). */

export interface RunRow {
  id: string;
  agent_name: string;
  name: string | null;
  source: string | null;
  branch: string | null;
  commit_sha: string | null;
  ci_url: string | null;
  created_at: string;
  updated_at: string;
  total: number;
  passed: number;
  failed: number;
  findings_json: string;
  is_demo: number;
  /** When the run's first trace started and its last one ended (epoch ms); null while it has none. */
  started_ms: number | null;
  ended_ms: number | null;
}

export interface TraceRow {
  id: string;
  run_id: string | null;
  scenario_id: string;
  agent_name: string;
  started_at: string;
  started_ms: number;
  duration_ms: number | null;
  event_count: number;
  tool_path_json: string;
  reported_passed: number | null;
  verdict: 'passed' | 'failed' | null;
  patterns_json: string;
  model: string | null;
  tokens_total: number | null;
  cost_usd: number | null;
  user_message: string | null;
  response: string | null;
  warnings_json: string;
  is_demo: number;
  created_at: string;
  pinned: number;
  cost_estimated: number;
  cost_prices_set_at: string | null;
  timings_known: number;
}

/** The columns a TraceSummary is built from. */
export const SUMMARY_COLUMNS = `id, run_id, scenario_id, agent_name, started_at, started_ms, duration_ms, event_count,
  tool_path_json, reported_passed, verdict, patterns_json, model, tokens_total, cost_usd, user_message, response,
  warnings_json, is_demo, created_at, pinned, cost_estimated, cost_prices_set_at, timings_known`;

/** SUMMARY_COLUMNS of the traces table aliased `t` (for queries that join another table with like-named columns). */
export const TRACE_SUMMARY_COLUMNS_OF_T = SUMMARY_COLUMNS.split(',')
  .map((column) => `t.${column.trim()}`)
  .join(', ');

/** Whether trace `t` has the pattern `param` names: one lookup on the pattern table's full key. */
export const PATTERN_OF_TRACE_SQL = (param: string) =>
  `SELECT 1 FROM trace_patterns p WHERE p.workspace_id = t.workspace_id AND p.pattern = ${param} AND p.started_ms = t.started_ms AND p.trace_id = t.id`;

/** The columns of a run's result that a run comparison reads. */
export const RUN_RESULT_COLUMNS = 'id, scenario_id, verdict, tool_path_json, patterns_json';

export interface RunResultRow {
  id: string;
  scenario_id: string;
  verdict: 'passed' | 'failed' | null;
  tool_path_json: string;
  patterns_json: string;
}

/** Maps a run's result rows; a run repeats few tool paths and pattern lists, so each distinct JSON text is parsed once. */
export function toRunResults(rows: RunResultRow[]): RunResultSummary[] {
  const parsed = new Map<string, readonly string[]>();
  const list = (text: string): readonly string[] => {
    let value = parsed.get(text);
    if (value === undefined) {
      value = JSON.parse(text) as string[];
      parsed.set(text, value);
    }
    return value;
  };
  return rows.map((row) => ({
    trace_id: row.id,
    scenario_id: row.scenario_id,
    verdict: row.verdict,
    tool_path: list(row.tool_path_json),
    patterns: list(row.patterns_json),
  }));
}

export interface ExpectationRow {
  scenario_id: string;
  version: number;
  expectations_json: string;
  created_by: string | null;
  created_at: string;
}

export function toExpectations(row: ExpectationRow): ScenarioExpectations {
  return {
    scenario_id: row.scenario_id,
    version: row.version,
    expectations: JSON.parse(row.expectations_json) as unknown,
    created_by: row.created_by,
    created_at: row.created_at,
  };
}

export function runNotFound(): StepwiseError {
  return new StepwiseError('not_found', 'test_run_id names no test run in this workspace; omit it to start a new run', {
    issues: [{ path: 'test_run_id', message: 'no such test run' }],
  });
}

export function parseOrNull(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}

export function toRunSummary(row: RunRow): RunSummary {
  const unknown = row.total - row.passed - row.failed;
  return {
    id: row.id,
    agent_name: row.agent_name,
    name: row.name,
    source: row.source,
    branch: row.branch,
    commit: row.commit_sha,
    ci_url: row.ci_url,
    created_at: row.created_at,
    updated_at: row.updated_at,
    total: row.total,
    passed: row.passed,
    failed: row.failed,
    unknown,
    pass_rate: row.passed + row.failed === 0 ? null : row.passed / (row.passed + row.failed),
    status: row.total === 0 ? 'empty' : row.failed > 0 ? 'failed' : unknown > 0 ? 'unknown' : 'passed',
    findings_by_pattern: JSON.parse(row.findings_json) as Record<string, number>,
    disputed_by_pattern: {},
    is_demo: row.is_demo === 1,
    started_at: row.started_ms === null ? null : new Date(row.started_ms).toISOString(),
    ended_at: row.ended_ms === null ? null : new Date(row.ended_ms).toISOString(),
  };
}

/** When the first of some traces started and the last one ended (epoch ms; null for none). */
export function spanOf(traces: Iterable<{ startedMs: number; durationMs: number | null }>): { first: number | null; last: number | null } {
  let first: number | null = null;
  let last: number | null = null;
  for (const t of traces) {
    const end = t.startedMs + (t.durationMs ?? 0);
    if (first === null || t.startedMs < first) first = t.startedMs;
    if (last === null || end > last) last = end;
  }
  return { first, last };
}

export function toTraceSummary(row: TraceRow): TraceSummary {
  return {
    id: row.id,
    run_id: row.run_id,
    scenario_id: row.scenario_id,
    agent_name: row.agent_name,
    timestamp: row.started_at,
    duration_ms: row.duration_ms,
    event_count: row.event_count,
    tool_path: JSON.parse(row.tool_path_json) as string[],
    reported_passed: row.reported_passed === null ? null : row.reported_passed === 1,
    verdict: row.verdict,
    patterns: JSON.parse(row.patterns_json) as string[],
    model: row.model,
    tokens_total: row.tokens_total,
    cost_usd: row.cost_usd,
    user_message: row.user_message,
    response: row.response,
    warnings: JSON.parse(row.warnings_json) as TraceSummary['warnings'],
    is_demo: row.is_demo === 1,
    created_at: row.created_at,
    pinned: row.pinned === 1,
    cost_estimated: row.cost_estimated === 1,
    ...(row.cost_estimated === 1 && row.cost_prices_set_at !== null ? { cost_prices_set_at: row.cost_prices_set_at } : {}),
    timings_known: row.timings_known === 1,
  };
}

/** One row of a scenario summary query (PostgreSQL answers the counts as bigint strings). */
export interface ScenarioPathRow {
  tool_path_json: string;
  n: number | string;
  passed: number | string;
  failed: number | string;
  first_seen: number | string;
  last_seen: number | string;
}

/**
 * Consecutive judged results of one scenario (oldest first) and how many changed verdict: the flip
 * rate's counts, computed in the database with LAG (the same SQL on SQLite and PostgreSQL).
 */
export const SCENARIO_FLIPS_SQL = (ws: string, scenario: string) => `SELECT COUNT(*) AS steps,
    COALESCE(SUM(CASE WHEN verdict <> previous THEN 1 ELSE 0 END), 0) AS flips
  FROM (
    SELECT verdict, LAG(verdict) OVER (ORDER BY started_ms, id) AS previous
    FROM traces WHERE workspace_id = ${ws} AND scenario_id = ${scenario} AND verdict IN ('passed', 'failed')
  ) AS judged
  WHERE previous IS NOT NULL`;

export interface ScenarioFlipsRow {
  steps: number | string;
  flips: number | string;
}

export function toScenarioSummary(rows: ScenarioPathRow[], flips: ScenarioFlipsRow | null | undefined): ScenarioSummary {
  const summary: ScenarioSummary = {
    results: 0,
    passed: 0,
    failed: 0,
    flip_steps: Number(flips?.steps ?? 0),
    flips: Number(flips?.flips ?? 0),
    tool_paths: [],
  };
  for (const row of rows) {
    const path = {
      tool_path: JSON.parse(row.tool_path_json) as string[],
      count: Number(row.n),
      passed: Number(row.passed),
      failed: Number(row.failed),
      first_seen: Number(row.first_seen),
      last_seen: Number(row.last_seen),
    };
    summary.results += path.count;
    summary.passed += path.passed;
    summary.failed += path.failed;
    summary.tool_paths.push(path);
  }
  return summary;
}

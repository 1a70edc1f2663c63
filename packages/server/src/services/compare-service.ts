import {
  StepwiseError,
  alignTraces,
  compareRuns,
  flakinessOf,
  type Evaluation,
  type RunComparison,
  type ScenarioHistory,
  type Trace,
  type TraceAlignment,
} from '@stepwise/core';
import type { RunSummary, TraceStore, TraceSummary } from '../store/trace-store.js';

export interface TraceComparison {
  a: TraceSummary;
  b: TraceSummary;
  same_scenario: boolean;
  alignment: TraceAlignment;
}

export interface RunsComparison {
  base: RunSummary;
  head: RunSummary;
  comparison: RunComparison;
}

export interface ScenarioHistoryReply {
  scenario_id: string;
  /** One page of the scenario's traces, newest first. */
  traces: TraceSummary[];
  /** Pass it as `cursor` for the next (older) page; null on the last page. */
  next_cursor: string | null;
  /** Every trace of the scenario, and how many passed and failed (the summary covers them all). */
  total: number;
  passed: number;
  failed: number;
  flakiness: number;
  history: ScenarioHistory;
}

export interface ScenarioHistoryPage {
  limit?: number;
  cursor?: string;
}

/** Traces in one page of a scenario's history unless the caller asks for another size. */
export const SCENARIO_HISTORY_PAGE = 50;

/** Reads what a comparison needs from the store and hands it to core's pure comparison functions. */
export class CompareService {
  constructor(private readonly store: TraceStore) {}

  async compareTraces(workspaceId: string, aId: string, bId: string): Promise<TraceComparison> {
    const [a, b] = await Promise.all([this.store.getTrace(workspaceId, aId), this.store.getTrace(workspaceId, bId)]);
    if (!a)
      throw new StepwiseError('not_found', 'trace a: no trace with this id in this workspace', {
        issues: [{ path: 'query.a', message: 'no such trace' }],
      });
    if (!b)
      throw new StepwiseError('not_found', 'trace b: no trace with this id in this workspace', {
        issues: [{ path: 'query.b', message: 'no such trace' }],
      });
    const evaluations: { a?: Evaluation; b?: Evaluation } = {};
    if (a.evaluation) evaluations.a = a.evaluation as Evaluation;
    if (b.evaluation) evaluations.b = b.evaluation as Evaluation;
    const alignment = alignTraces(a.trace as unknown as Trace, b.trace as unknown as Trace, { evaluations });
    // Traces rarely carry their cost; the stored (reported or estimated) cost fills the delta.
    const cost = alignment.deltas.cost_usd;
    if (cost.a === null && cost.b === null && (a.summary.cost_usd !== null || b.summary.cost_usd !== null)) {
      const ca = a.summary.cost_usd;
      const cb = b.summary.cost_usd;
      alignment.deltas.cost_usd = { a: ca, b: cb, delta: ca !== null && cb !== null ? cb - ca : null };
    }
    return { a: a.summary, b: b.summary, same_scenario: a.summary.scenario_id === b.summary.scenario_id, alignment };
  }

  async compareRuns(workspaceId: string, baseId: string, headId: string): Promise<RunsComparison> {
    // All four reads at once: on PostgreSQL each is a round trip, and a missing run only costs its empty result list.
    const [base, head, baseResults, headResults] = await Promise.all([
      this.store.getRun(workspaceId, baseId),
      this.store.getRun(workspaceId, headId),
      this.store.runResultSummaries(workspaceId, baseId),
      this.store.runResultSummaries(workspaceId, headId),
    ]);
    if (!base)
      throw new StepwiseError('not_found', 'base: no test run with this id in this workspace', {
        issues: [{ path: 'query.base', message: 'no such run' }],
      });
    if (!head)
      throw new StepwiseError('not_found', 'head: no test run with this id in this workspace', {
        issues: [{ path: 'query.head', message: 'no such run' }],
      });
    return { base, head, comparison: compareRuns(baseResults, headResults) };
  }

  /**
   * One page of a scenario's traces (newest first) with the summary of its whole history, counted
   * in the store: flakiness and tool paths never need every trace read out.
   */
  async scenarioHistory(workspaceId: string, scenarioId: string, page: ScenarioHistoryPage = {}): Promise<ScenarioHistoryReply> {
    const [summary, traces] = await Promise.all([
      this.store.scenarioSummary(workspaceId, scenarioId),
      this.store.listTraces(workspaceId, {
        scenario: scenarioId,
        limit: page.limit ?? SCENARIO_HISTORY_PAGE,
        ...(page.cursor ? { cursor: page.cursor } : {}),
      }),
    ]);
    if (summary.results === 0) throw new StepwiseError('not_found', 'no traces of this scenario in this workspace');
    const judged = summary.passed + summary.failed;
    const history: ScenarioHistory = {
      results: summary.results,
      flakiness: flakinessOf(summary.passed, judged),
      flip_rate: summary.flip_steps === 0 ? null : summary.flips / summary.flip_steps,
      // Most frequent first; ties: first seen first (as core's scenarioHistory orders them).
      tool_paths: [...summary.tool_paths].sort((x, y) => y.count - x.count || x.first_seen - y.first_seen),
    };
    return {
      scenario_id: scenarioId,
      traces: traces.items,
      next_cursor: traces.next_cursor ?? null,
      total: summary.results,
      passed: summary.passed,
      failed: summary.failed,
      flakiness: history.flakiness,
      history,
    };
  }
}

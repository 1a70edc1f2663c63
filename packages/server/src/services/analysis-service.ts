import { StepwiseError, type PriceOverride, type Trace } from '@stepwise/core';
import { estimateTraceCost, evaluateStored, expectationsFor, type StoredEvaluation } from '../ingest/stages/analyze.js';
import type { TraceStore } from '../store/trace-store.js';
import { effectiveVerdict } from '../ingest/pipeline.js';

/** Re-runs the analysis of stored traces (after expectations change, or a newer analyzer). */
export class AnalysisService {
  constructor(
    private readonly store: TraceStore,
    /** The workspace's price override for estimated costs (none: the built-in table). */
    private readonly overrideFor: (workspaceId: string) => Promise<PriceOverride | undefined> = async () => undefined,
  ) {}

  async analysis(workspaceId: string, traceId: string): Promise<StoredEvaluation> {
    const stored = await this.store.getTrace(workspaceId, traceId);
    if (!stored) throw new StepwiseError('not_found', 'no trace with this id in this workspace');
    if (stored.evaluation) return stored.evaluation as StoredEvaluation;
    return this.reanalyze(workspaceId, traceId);
  }

  async reanalyze(workspaceId: string, traceId: string): Promise<StoredEvaluation> {
    const stored = await this.store.getTrace(workspaceId, traceId);
    if (!stored) throw new StepwiseError('not_found', 'no trace with this id in this workspace');
    const trace = stored.trace as unknown as Trace;
    const { expectations, source } = await expectationsFor(this.store, workspaceId, trace.scenario_id, stored.expected);
    const evaluation = evaluateStored(trace, expectations, source, stored.summary.reported_passed);
    await this.store.updateEvaluation(workspaceId, traceId, {
      verdict: effectiveVerdict(stored.summary.reported_passed, evaluation.verdict),
      patterns: [...new Set(evaluation.findings.map((f) => f.pattern))],
      evaluationJson: JSON.stringify(evaluation),
      ...(await this.costUpdate(workspaceId, trace, stored.summary.cost_usd, stored.summary.cost_estimated === true)),
    });
    return evaluation;
  }

  // A reported cost stays; an estimated one (or none) is estimated again with the workspace's current prices.
  private async costUpdate(
    workspaceId: string,
    trace: Trace,
    costUsd: number | null,
    estimated: boolean,
  ): Promise<{ costUsd?: number | null; costPricesSetAt?: string | null }> {
    if (costUsd !== null && !estimated) return {};
    const estimate = estimateTraceCost(trace, await this.overrideFor(workspaceId));
    return estimate ? { costUsd: estimate.usd, costPricesSetAt: estimate.pricesSetAt } : {};
  }

  async reanalyzeRun(workspaceId: string, runId: string): Promise<{ run_id: string; analyzed: number; failed: number; passed: number }> {
    if (!(await this.store.getRun(workspaceId, runId))) throw new StepwiseError('not_found', 'no test run with this id in this workspace');
    let failed = 0;
    let passed = 0;
    const ids = await this.store.listRunTraceIds(workspaceId, runId);
    for (const id of ids) {
      const evaluation = await this.reanalyze(workspaceId, id);
      if (evaluation.verdict === 'failed' || evaluation.reported_passed === false) failed++;
      else passed++;
    }
    return { run_id: runId, analyzed: ids.length, failed, passed };
  }
}

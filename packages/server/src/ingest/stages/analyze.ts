import { Expectations, estimateCost, evaluateTrace, validate, type Evaluation, type PriceOverride, type Trace } from '@stepwise/core';
import type { TraceStore } from '../../store/trace-store.js';
import type { PipelineStage, WorkItem } from '../pipeline.js';

/** An evaluation as stored: the core Evaluation plus where its expectations came from. */
export type StoredEvaluation = Evaluation & { expectations_source: 'inline' | `scenario:v${number}` | 'none' };

/**
 * Finds the expectations that apply to a result: inline ones win for that result; otherwise the
 * latest version stored for the scenario; otherwise none.
 */
export async function expectationsFor(
  store: TraceStore,
  workspaceId: string,
  scenarioId: string,
  inline: unknown,
): Promise<{ expectations: Expectations | undefined; source: StoredEvaluation['expectations_source'] }> {
  if (inline !== null && inline !== undefined) {
    const parsed = validate(Expectations, inline);
    if (parsed.ok) return { expectations: parsed.value, source: 'inline' };
  }
  const stored = await store.getScenarioExpectations(workspaceId, scenarioId);
  if (stored) {
    const parsed = validate(Expectations, stored.expectations);
    if (parsed.ok) return { expectations: parsed.value, source: `scenario:v${stored.version}` };
  }
  return { expectations: undefined, source: 'none' };
}

export function evaluateStored(
  trace: Trace,
  expectations: Expectations | undefined,
  source: StoredEvaluation['expectations_source'],
  reportedPassed: boolean | null,
): StoredEvaluation {
  const evaluation = evaluateTrace(trace, {
    ...(expectations ? { expectations } : {}),
    ...(reportedPassed !== null ? { reportedPassed } : {}),
  });
  return { ...evaluation, expectations_source: source };
}

/** Runs the deterministic analysis on each trace at ingest; the verdict and findings are stored with it. */
export function analysisStage(
  store: TraceStore,
  overrideFor: (workspaceId: string) => Promise<PriceOverride | undefined> = async () => undefined,
): PipelineStage {
  return {
    name: 'analyze',
    async apply(item: WorkItem, ctx) {
      // A batch often holds many results of one scenario: its stored expectations are read once per request.
      const key = `expectations:${item.trace.scenario_id}`;
      let found = item.expected === null ? (ctx.request.get(key) as Awaited<ReturnType<typeof expectationsFor>> | undefined) : undefined;
      if (!found) {
        found = await expectationsFor(store, ctx.workspaceId, item.trace.scenario_id, item.expected);
        if (item.expected === null) ctx.request.set(key, found);
      }
      const { expectations, source } = found;
      item.evaluation = evaluateStored(item.trace, expectations, source, item.reportedPassed);
      // The workspace's prices are read once per request.
      let override = ctx.request.get('prices') as PriceOverride | null | undefined;
      if (override === undefined) {
        override = (await overrideFor(ctx.workspaceId)) ?? null;
        ctx.request.set('prices', override);
      }
      const estimate = estimateTraceCost(item.trace, override ?? undefined);
      item.costUsd = estimate?.usd ?? null;
      item.costPricesSetAt = estimate?.pricesSetAt ?? null;
    },
  };
}

/**
 * The estimated cost of a trace from its metadata events' model and token split (the workspace's
 * prices where it set them, else the dated price table in core); null when the model is unknown or
 * only a total is known — never a guessed number. `pricesSetAt` says when the workspace prices used
 * were set (null when only the table was used).
 */
export function estimateTraceCost(
  trace: Pick<Trace, 'events'>,
  override?: PriceOverride,
): { usd: number; pricesSetAt: string | null } | null {
  let model: string | undefined;
  let total = 0;
  let known = false;
  let pricesSetAt: string | null = null;
  for (const event of trace.events) {
    if (event.type !== 'metadata') continue;
    model = event.data.model ?? model;
    if (event.data.tokens && model) {
      const estimate = estimateCost(model, event.data.tokens, override ? { override } : {});
      if (estimate.usd === null) return null;
      total += estimate.usd;
      if (estimate.prices.source === 'workspace') pricesSetAt = estimate.prices.date;
      known = true;
    }
  }
  return known ? { usd: total, pricesSetAt } : null;
}

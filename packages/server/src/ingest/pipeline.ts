import {
  ResultItem,
  StepwiseError,
  SyncEnvelope,
  Trace,
  checkEventOrder,
  eventSearchText,
  normalizeResult,
  toolPath,
  validate,
  type Expectations,
  type Rejection,
  type SyncReply,
  type SyncWarning,
  type ValidationIssue,
} from '@stepwise/core';
import type { NewRun, RunSummary, TraceRecord, TraceStore, Verdict } from '../store/trace-store.js';
import { contentKey, newRunId, newTraceId } from './ids.js';
import { DEFAULT_PARSE_LIMITS, parseJsonWithLimits, type ParseLimits } from './parse.js';

/**
 * One trace on its way through the pipeline. Stages read and replace `trace` and fill in what they
 * learn; nothing is written until the store stage.
 */
export interface WorkItem {
  index: number;
  path: string;
  trace: Trace;
  reportedPassed: boolean | null;
  notes: string | null;
  expected: Expectations | null;
  warnings: SyncWarning[];
  /**
   * For results without a client trace id, what identifies a re-send of the same result: the run
   * and the result's own fields (its embedded trace is added from the serialized events at the end,
   * which are computed anyway, instead of serializing the whole result a second time).
   */
  dedupe: { runId: string; resultJson: string; hasTrace: boolean } | null;
  redaction: unknown;
  evaluation: { verdict: Verdict; findings: Array<{ pattern: string }> } | null;
  /** Cost from the metadata, or estimated from model and tokens by the analysis stage. */
  costUsd?: number | null;
  /** When the workspace prices of that estimate were set; null or absent when the table was used. */
  costPricesSetAt?: string | null;
  /** False when the result carried no time: its event times are placeholders (shown as unknown). */
  timingsKnown?: boolean;
  /**
   * `JSON.stringify` of each event of `events`, from the stage that last serialized them (truncation
   * measures events by their JSON). Storage and content hashing use it while `events` is still the
   * trace's event list, instead of serializing every event again.
   */
  serialized?: { events: readonly unknown[]; json: string[] };
}

export interface StageContext {
  workspaceId: string;
  /** Lives for one request: stages keep per-request lookups here (e.g. the workspace's redactor). */
  request: Map<string, unknown>;
}

/**
 * A step between normalization and storage. The order is the contract (DESIGN.md §1):
 * redact → truncate → analyze, so nothing raw is truncated into fragments or analyzed then stored.
 */
export interface PipelineStage {
  readonly name: string;
  apply(item: WorkItem, ctx: StageContext): void | Promise<void>;
}

export interface IngestOptions {
  store: TraceStore;
  /** Stages run in order on every trace, whichever door it came through. */
  stages?: PipelineStage[];
  limits?: ParseLimits;
  /** Most results (or traces) accepted in one request (default 1000); bigger batches answer 413. */
  maxBatchItems?: number;
  /** Base URL for the dashboard link in sync replies. */
  publicUrl?: string;
  clock?: () => Date;
  /**
   * Told when a run finishes: at the end of a batch sync that created it, or by `finishRun` at the
   * end of a streaming run. It must not block (the regression webhook queues its work).
   */
  onRunFinished?: (workspaceId: string, runId: string) => void;
}

export interface SyncContext {
  workspaceId: string;
  isDemo?: boolean;
  /** Import only: the id for the new run (an export's run keeps its id in the workspace it is imported into). */
  runId?: string;
  /**
   * Import only: each result's redaction report from the export, by result index. The data was
   * redacted before it was exported; when redacting it again finds nothing new, the original report
   * is kept instead of an empty one.
   */
  priorRedaction?: ReadonlyArray<unknown>;
  /** Import only: whether each exported result's times were known (a re-import keeps "unknown"). */
  priorTimingsKnown?: ReadonlyArray<boolean | undefined>;
}

export interface TracesReply {
  stored: number;
  duplicates: number;
  rejected: Rejection[];
  warnings: SyncWarning[];
  trace_ids: string[];
}

/**
 * The one ingest path: parse with limits → validate → normalize → stages (redact, truncate,
 * analyze) → store, in one transaction per request. REST, CLI, MCP and the demo data all call it.
 */
export class IngestPipeline {
  readonly store: TraceStore;
  readonly limits: ParseLimits;
  private readonly stages: PipelineStage[];
  private readonly maxBatchItems: number;
  /** Base URL of the dashboard, for links in replies; set once the server knows its port. */
  publicUrl: string;
  private readonly clock: () => Date;
  private readonly onRunFinished: (workspaceId: string, runId: string) => void;

  constructor(options: IngestOptions) {
    this.onRunFinished = options.onRunFinished ?? (() => {});
    this.store = options.store;
    this.stages = options.stages ?? [];
    this.limits = options.limits ?? DEFAULT_PARSE_LIMITS;
    this.maxBatchItems = options.maxBatchItems ?? 1000;
    this.publicUrl = (options.publicUrl ?? 'http://127.0.0.1:4319').replace(/\/$/, '');
    this.clock = options.clock ?? (() => new Date());
  }

  /** Parses raw JSON text with this pipeline's limits (size, depth, forbidden keys). */
  parse(text: string, where = 'body'): unknown {
    return parseJsonWithLimits(text, this.limits, where);
  }

  /** The `sync_results` door: batch, incremental (`test_run_id`) and streaming (`create_empty`). */
  async sync(body: unknown, ctx: SyncContext): Promise<SyncReply> {
    const envelope = validate(SyncEnvelope, body, '$');
    if (!envelope.ok) throw invalid('the sync request is malformed', envelope.errors);
    const request = envelope.value;
    const items = typeof request.results === 'string' ? this.parseResultsString(request.results) : request.results;
    this.checkBatchSize(items.length);
    const now = this.clock().toISOString();

    let runId: string;
    let newRun: NewRun | undefined;
    if (request.test_run_id !== undefined) {
      const run = await this.store.getRun(ctx.workspaceId, request.test_run_id);
      if (!run) {
        throw new StepwiseError('not_found', 'test_run_id names no test run in this workspace; omit it to start a new run', {
          issues: [{ path: 'test_run_id', message: 'no such test run' }],
        });
      }
      if (run.agent_name !== request.agent_name) {
        throw invalid('agent_name differs from the agent of the test run being appended to', [
          { path: 'agent_name', message: 'must equal the agent_name of the test run named by test_run_id' },
        ]);
      }
      runId = run.id;
    } else {
      if (items.length === 0 && request.create_empty !== true) {
        throw invalid('results is empty', [
          { path: 'results', message: 'expected at least one result (or create_empty: true to start a streaming run)' },
        ]);
      }
      runId = ctx.runId ?? newRunId();
      newRun = {
        id: runId,
        agentName: request.agent_name,
        name: request.name ?? null,
        source: request.source ?? null,
        branch: request.branch ?? null,
        commit: request.commit ?? null,
        ciUrl: request.ci_url ?? null,
        isDemo: ctx.isDemo === true,
      };
    }

    const rejected: Rejection[] = [];
    const work: WorkItem[] = [];
    for (let index = 0; index < items.length; index++) {
      const path = `results[${index}]`;
      const checked = validate(ResultItem, items[index], path);
      if (!checked.ok) {
        rejected.push({ index, errors: checked.errors });
        continue;
      }
      const normalized = normalizeResult(checked.value, { index, path, agentName: request.agent_name, runId, now });
      if (!normalized.ok) {
        rejected.push({ index, errors: normalized.errors });
        continue;
      }
      const { trace, warnings } = normalized.value;
      work.push({
        index,
        path,
        trace,
        reportedPassed: normalized.value.passed ?? null,
        notes: normalized.value.notes ?? null,
        expected: normalized.value.expected ?? null,
        warnings,
        timingsKnown: normalized.value.timingsKnown,
        dedupe:
          trace.trace_id === undefined
            ? {
                runId,
                resultJson: JSON.stringify({ ...(items[index] as object), trace: undefined }),
                hasTrace: checked.value.trace !== undefined,
              }
            : null,
        redaction: null,
        evaluation: null,
      });
    }
    if (items.length > 0 && work.length === 0) {
      throw new StepwiseError('validation_failed', 'every result was rejected; nothing was stored', { rejected });
    }

    await this.runStages(work, ctx);
    if (ctx.priorRedaction) keepPriorRedaction(work, ctx.priorRedaction);
    for (const item of work) if (ctx.priorTimingsKnown?.[item.index] === false) item.timingsKnown = false;
    const records = work.map((item) => toRecord(item, runId, ctx.isDemo === true));
    const outcome = await this.store.ingest({ workspaceId: ctx.workspaceId, newRun, records, now });
    const finalRunId = outcome.runId ?? runId;
    const synced = outcome.results.filter((r) => r.status === 'stored').length;
    // A batch sync is a whole run; a streaming run (create_empty) finishes with finishRun.
    if (newRun && request.create_empty !== true && synced > 0) this.onRunFinished(ctx.workspaceId, newRun.id);
    return {
      test_run_id: finalRunId,
      agent_name: request.agent_name,
      synced,
      duplicates: outcome.results.filter((r) => r.status === 'duplicate').length,
      rejected,
      warnings: work.flatMap((item) => item.warnings),
      trace_ids: outcome.results.map((r) => r.traceId),
      dashboard_url: `${this.publicUrl}/runs/${encodeURIComponent(finalRunId)}`,
    };
  }

  /** Marks the end of a streaming run (opened with create_empty): the regression webhook may fire. */
  async finishRun(workspaceId: string, runId: string): Promise<RunSummary> {
    const run = await this.store.getRun(workspaceId, runId);
    if (!run) throw new StepwiseError('not_found', 'no test run with this id in this workspace');
    this.onRunFinished(workspaceId, run.id);
    return run;
  }

  /** The traces door: one trace or an array of traces, each validated on its own. */
  async ingestTraces(body: unknown, ctx: SyncContext): Promise<TracesReply> {
    const list = Array.isArray(body) ? body : [body];
    const prefix = Array.isArray(body) ? (i: number) => `[${i}]` : () => '$';
    this.checkBatchSize(list.length);
    if (list.length === 0)
      throw invalid('no traces were sent', [{ path: '$', message: 'expected a trace or a non-empty array of traces' }]);
    const rejected: Rejection[] = [];
    const work: WorkItem[] = [];
    const knownRuns = new Map<string, boolean>();
    for (let index = 0; index < list.length; index++) {
      const path = prefix(index);
      const checked = validate(Trace, list[index], path);
      if (!checked.ok) {
        rejected.push({ index, errors: checked.errors });
        continue;
      }
      const trace = checked.value;
      if (trace.run_id !== undefined) {
        if (!knownRuns.has(trace.run_id)) knownRuns.set(trace.run_id, (await this.store.getRun(ctx.workspaceId, trace.run_id)) !== null);
        if (!knownRuns.get(trace.run_id)) {
          rejected.push({
            index,
            errors: [{ path: path === '$' ? 'run_id' : `${path}.run_id`, message: 'names no test run in this workspace' }],
          });
          continue;
        }
      }
      work.push({
        index,
        path,
        trace,
        reportedPassed: null,
        notes: null,
        expected: null,
        warnings: checkEventOrder(trace, index, path === '$' ? 'events' : `${path}.events`),
        dedupe: null,
        redaction: null,
        evaluation: null,
      });
    }
    if (work.length === 0) {
      throw new StepwiseError('validation_failed', 'every trace was rejected; nothing was stored', { rejected });
    }
    await this.runStages(work, ctx);
    const records = work.map((item) => toRecord(item, item.trace.run_id ?? null, ctx.isDemo === true));
    const outcome = await this.store.ingest({ workspaceId: ctx.workspaceId, records, now: this.clock().toISOString() });
    return {
      stored: outcome.results.filter((r) => r.status === 'stored').length,
      duplicates: outcome.results.filter((r) => r.status === 'duplicate').length,
      rejected,
      warnings: work.flatMap((item) => item.warnings),
      trace_ids: outcome.results.map((r) => r.traceId),
    };
  }

  private checkBatchSize(count: number): void {
    if (count > this.maxBatchItems) {
      throw new StepwiseError(
        'payload_too_large',
        `a request may carry at most ${this.maxBatchItems} results; this one has ${count} — split it (incremental sync with test_run_id appends to the same run)`,
      );
    }
  }

  private parseResultsString(text: string): unknown[] {
    let parsed: unknown;
    try {
      parsed = this.parse(text, 'results');
    } catch (error) {
      if (error instanceof StepwiseError && error.code === 'invalid_json') {
        throw invalid('results is a string but not valid JSON', [
          { path: 'results', message: 'expected an array of results, or a JSON-encoded array of results' },
        ]);
      }
      throw error;
    }
    if (!Array.isArray(parsed)) {
      throw invalid('results must be an array', [
        { path: 'results', message: 'expected an array of results, or a JSON-encoded array of results' },
      ]);
    }
    return parsed;
  }

  private async runStages(work: WorkItem[], ctx: SyncContext): Promise<void> {
    const stageContext: StageContext = { workspaceId: ctx.workspaceId, request: new Map() };
    for (const item of work) {
      for (const stage of this.stages) await stage.apply(item, stageContext);
    }
  }
}

function invalid(message: string, issues: ValidationIssue[]): StepwiseError {
  return new StepwiseError('invalid_request', message, { issues });
}

const PREVIEW_CHARS = 280;

function keepPriorRedaction(work: WorkItem[], prior: ReadonlyArray<unknown>): void {
  for (const item of work) {
    const before = prior[item.index];
    const now = item.redaction as { total?: number; truncated_events?: unknown[] } | null;
    const foundNothing = now === null || (now.total === 0 && now.truncated_events === undefined);
    if (before !== undefined && before !== null && foundNothing) item.redaction = before;
  }
}

function toRecord(item: WorkItem, runId: string | null, isDemo: boolean): TraceRecord {
  const { events, ...header } = item.trace;
  // Serialized before an id is generated, so a re-sent result without one hashes the same.
  const contentHeaderJson = item.dedupe?.hasTrace ? JSON.stringify(header) : '';
  const id = item.trace.trace_id ?? newTraceId();
  header.trace_id = id;
  if (runId !== null) header.run_id = runId;
  let userMessage: string | null = null;
  let response: string | null = null;
  let model: string | null = null;
  let tokensTotal: number | null = null;
  let costUsd: number | null = null;
  for (const event of events) {
    if (event.type === 'user_input' && userMessage === null) userMessage = event.data.message.slice(0, PREVIEW_CHARS);
    else if (event.type === 'agent_response') {
      response = event.data.message.slice(0, PREVIEW_CHARS);
      if (event.data.tokens_used !== undefined && tokensTotal === null) tokensTotal = event.data.tokens_used;
    } else if (event.type === 'metadata') {
      model = event.data.model ?? model;
      const t = event.data.tokens;
      if (t) tokensTotal = t.total ?? (t.input ?? 0) + (t.output ?? 0);
      if (event.data.cost_usd !== undefined) costUsd = event.data.cost_usd;
    }
  }
  // A cost the client reported wins; otherwise the analysis estimated it from the dated price table.
  const costEstimated = costUsd === null && item.costUsd !== undefined && item.costUsd !== null;
  if (costUsd === null && item.costUsd !== undefined) costUsd = item.costUsd;
  const verdict = effectiveVerdict(item.reportedPassed, item.evaluation?.verdict ?? null);
  const traceHeaderJson = JSON.stringify(header);
  const eventsJson = item.serialized?.events === events ? item.serialized.json : events.map((event) => JSON.stringify(event));
  const eventsText = events.map(eventSearchText);
  return {
    id,
    runId,
    dedupeKey: item.dedupe
      ? contentKey(item.dedupe.runId, item.dedupe.resultJson, item.dedupe.hasTrace ? [contentHeaderJson, ...eventsJson] : [])
      : null,
    scenarioId: item.trace.scenario_id,
    agentName: item.trace.agent_name,
    startedAt: item.trace.timestamp,
    startedMs: Date.parse(item.trace.timestamp),
    durationMs: item.trace.duration_ms ?? null,
    toolPath: toolPath(events),
    reportedPassed: item.reportedPassed,
    verdict,
    patterns: [...new Set(item.evaluation?.findings.map((f) => f.pattern) ?? [])],
    model,
    tokensTotal,
    costUsd,
    costEstimated,
    costPricesSetAt: costEstimated ? (item.costPricesSetAt ?? null) : null,
    timingsKnown: item.timingsKnown ?? true,
    userMessage,
    response,
    notes: item.notes,
    warnings: item.warnings,
    headerJson: traceHeaderJson,
    eventsJson,
    eventsText,
    eventTypes: events.map((event) => event.type),
    eventTimestamps: events.map((event) => event.timestamp),
    expectedJson: item.expected === null ? null : JSON.stringify(item.expected),
    evaluationJson: item.evaluation === null ? null : JSON.stringify(item.evaluation),
    redactionJson: item.redaction === null ? null : JSON.stringify(item.redaction),
    isDemo,
  };
}

/**
 * The verdict a result is counted under: failed when the client reported a failure (its harness may
 * know things the trace does not) or when the analysis failed it; otherwise passed when either says
 * so; null when neither has an opinion.
 */
export function effectiveVerdict(reportedPassed: boolean | null, evaluated: Verdict | null): Verdict | null {
  if (reportedPassed === false || evaluated === 'failed') return 'failed';
  if (reportedPassed === true || evaluated === 'passed') return 'passed';
  return null;
}

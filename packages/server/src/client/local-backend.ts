import { checkShape } from '../ingest/parse.js';
import { StepwiseError, type EventComment, type FindingFeedback, type FindingVerdict, type SyncReply } from '@stepwise/core';
import type { FeedbackService } from '../services/feedback-service.js';
import type { IngestPipeline, TracesReply } from '../ingest/pipeline.js';
import { AnalysisService } from '../services/analysis-service.js';
import { CompareService } from '../services/compare-service.js';
import { ExportService } from '../services/export-service.js';
import { ImportService } from '../services/import-service.js';
import type { FeedbackFilter, TraceStore } from '../store/trace-store.js';
import type {
  FeedbackList,
  StepwiseBackend,
  RunsComparison,
  ScenarioHistoryPage,
  ScenarioHistoryReply,
  StoredEvaluation,
  TraceComparison,
  SyncArguments,
  RunDetail,
  RunList,
  RunListQuery,
  RunResultsQuery,
  TraceDetail,
  TraceSearchPage,
  TraceSearchQuery,
  ExportProgress,
  ExportRequest,
  ImportReply,
} from './backend.js';

export interface LocalBackendOptions {
  store: TraceStore;
  pipeline: IngestPipeline;
  workspaceId: string;
  /** Defaults to services over `store`; a runtime passes its own. */
  analysis?: AnalysisService;
  compare?: CompareService;
  /** Feedback on findings and comments; without it those tools answer that the server does not offer them. */
  feedback?: FeedbackService;
  /** Who acts, for the audit log (`key:<id>` on /mcp, `local` over stdio). */
  actor?: string;
  /** For logs; e.g. `database ./data/stepwise.db`. */
  where?: string;
  /** Called by `close()`; the `/mcp` route shares the server's runtime and passes nothing. */
  onClose?: () => Promise<void>;
}

/**
 * The Stepwise backend over a store and the ingest pipeline, scoped to one workspace.
 *
 * @example
 * const runtime = openRuntime({ dbPath: './data/stepwise.db' });
 * const backend = new LocalBackend({ ...runtime, workspaceId: DEFAULT_WORKSPACE_ID, onClose: runtime.close });
 */
export class LocalBackend implements StepwiseBackend {
  readonly where: string;
  private readonly store: TraceStore;
  private readonly pipeline: IngestPipeline;
  private readonly workspaceId: string;
  private readonly analysis: AnalysisService;
  private readonly compare: CompareService;
  private readonly feedback: FeedbackService | undefined;
  private readonly actor: string;
  private readonly onClose: (() => Promise<void>) | undefined;

  constructor(options: LocalBackendOptions) {
    this.store = options.store;
    this.pipeline = options.pipeline;
    this.workspaceId = options.workspaceId;
    this.analysis = options.analysis ?? new AnalysisService(options.store);
    this.compare = options.compare ?? new CompareService(options.store);
    this.feedback = options.feedback;
    this.actor = options.actor ?? 'local';
    this.where = options.where ?? `workspace ${options.workspaceId}`;
    this.onClose = options.onClose;
  }

  runUrl(runId: string): string {
    return `${this.pipeline.publicUrl}/runs/${encodeURIComponent(runId)}`;
  }

  dashboardUrl(): string {
    return this.pipeline.publicUrl;
  }

  async *exportChunks(request: ExportRequest, progress: (p: ExportProgress) => void): AsyncIterable<string> {
    const exports = new ExportService(this.store);
    await exports.check(this.workspaceId, request.selection);
    let traces = 0;
    yield* exports.chunks(this.workspaceId, request, () => progress({ traces: ++traces }));
  }

  importExport(text: string): Promise<ImportReply> {
    return new ImportService(this.pipeline).importText(this.workspaceId, text);
  }

  async sync(request: SyncArguments): Promise<SyncReply> {
    // The SDK parsed the tool arguments without Stepwise's limits; going through the pipeline's
    // parser again applies the same size, depth and forbidden-key rules as every other door.
    // The depth is checked first, iteratively: serializing absurdly deep arguments would overflow the stack.
    checkShape(request, this.pipeline.limits.maxDepth, 'arguments');
    const body = this.pipeline.parse(JSON.stringify(request), 'arguments');
    return this.pipeline.sync(body, { workspaceId: this.workspaceId });
  }

  async syncText(bodyText: string): Promise<SyncReply> {
    return this.pipeline.sync(this.pipeline.parse(bodyText), { workspaceId: this.workspaceId });
  }

  async postTraces(bodyText: string): Promise<TracesReply> {
    return this.pipeline.ingestTraces(this.pipeline.parse(bodyText), { workspaceId: this.workspaceId });
  }

  reanalyzeRun(runId: string) {
    return this.analysis.reanalyzeRun(this.workspaceId, runId);
  }

  async listRuns(query: RunListQuery): Promise<RunList> {
    const page = await this.store.listRuns(this.workspaceId, query);
    return { runs: page.items, total: page.total ?? null, limit: query.limit, offset: query.offset };
  }

  async getRun(runId: string, query: RunResultsQuery): Promise<RunDetail> {
    const run = await this.store.getRun(this.workspaceId, runId);
    if (!run) throw runNotFound();
    const page = await this.store.listRunResults(this.workspaceId, run.id, query);
    return { run, results: page.items, total: page.total ?? null, limit: query.limit, offset: query.offset };
  }

  async getTrace(traceId: string): Promise<TraceDetail> {
    const stored = await this.store.getTrace(this.workspaceId, traceId);
    if (!stored) throw traceNotFound();
    return {
      trace: stored.trace,
      summary: stored.summary,
      notes: stored.notes,
      expected: stored.expected,
      evaluation: stored.evaluation,
      redaction: stored.redaction,
      ...(this.feedback ? { feedback: await this.feedback.traceFeedback(this.workspaceId, traceId) } : {}),
    };
  }

  async searchTraces({ run, q, ...query }: TraceSearchQuery): Promise<TraceSearchPage> {
    const page = await this.store.listTraces(this.workspaceId, {
      ...query,
      ...(run === 'none' ? { noRun: true } : run !== undefined ? { run } : {}),
      ...(q !== undefined ? { text: q } : {}),
    });
    return { traces: page.items, next_cursor: page.next_cursor ?? null };
  }

  analyzeTrace(traceId: string, options: { recompute: boolean }): Promise<StoredEvaluation> {
    return options.recompute ? this.analysis.reanalyze(this.workspaceId, traceId) : this.analysis.analysis(this.workspaceId, traceId);
  }

  compareTraces(a: string, b: string): Promise<TraceComparison> {
    return this.compare.compareTraces(this.workspaceId, a, b);
  }

  compareRuns(base: string, head: string): Promise<RunsComparison> {
    return this.compare.compareRuns(this.workspaceId, base, head);
  }

  scenarioHistory(scenarioId: string, page: ScenarioHistoryPage = {}): Promise<ScenarioHistoryReply> {
    return this.compare.scenarioHistory(this.workspaceId, scenarioId, page);
  }

  markFinding(traceId: string, input: { finding_key: string; verdict: FindingVerdict; reason?: string | null }): Promise<FindingFeedback> {
    return this.feedbackService().markFinding(this.who(), traceId, input);
  }

  commentOnEvent(traceId: string, input: { event_index: number; body: string }): Promise<EventComment> {
    return this.feedbackService().comment(this.who(), traceId, input);
  }

  clearFinding(traceId: string, findingKey: string): Promise<void> {
    return this.feedbackService().clearFinding(this.who(), traceId, findingKey);
  }

  async listFeedback(query: FeedbackFilter): Promise<FeedbackList> {
    const page = await this.feedbackService().list(this.workspaceId, query);
    return { feedback: page.items, total: page.total ?? null };
  }

  async close(): Promise<void> {
    await this.onClose?.();
  }

  private who(): { workspaceId: string; actor: string } {
    return { workspaceId: this.workspaceId, actor: this.actor };
  }

  private feedbackService(): FeedbackService {
    if (!this.feedback) throw new StepwiseError('internal', 'this Stepwise backend was opened without feedback support');
    return this.feedback;
  }
}

export function runNotFound(): StepwiseError {
  return new StepwiseError('not_found', 'no test run with this id in this workspace');
}

export function traceNotFound(): StepwiseError {
  return new StepwiseError('not_found', 'no trace with this id in this workspace');
}

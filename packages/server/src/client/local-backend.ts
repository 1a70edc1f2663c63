import { checkShape } from '../ingest/parse.js';
import { StepwiseError, type SyncReply } from '@stepwise/core';
import type { IngestPipeline, TracesReply } from '../ingest/pipeline.js';
import { AnalysisService } from '../services/analysis-service.js';
import { CompareService } from '../services/compare-service.js';
import type { TraceStore } from '../store/trace-store.js';
import { ExportService } from '../services/export-service.js';
import { ImportService } from '../services/import-service.js';
import type {
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
  private readonly onClose: (() => Promise<void>) | undefined;

  constructor(options: LocalBackendOptions) {
    this.store = options.store;
    this.pipeline = options.pipeline;
    this.workspaceId = options.workspaceId;
    this.analysis = options.analysis ?? new AnalysisService(options.store);
    this.compare = options.compare ?? new CompareService(options.store);
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
    };
  }

  async searchTraces(query: TraceSearchQuery): Promise<TraceSearchPage> {
    const page = await this.store.listTraces(this.workspaceId, query);
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

  async close(): Promise<void> {
    await this.onClose?.();
  }
}

export function runNotFound(): StepwiseError {
  return new StepwiseError('not_found', 'no test run with this id in this workspace');
}

export function traceNotFound(): StepwiseError {
  return new StepwiseError('not_found', 'no trace with this id in this workspace');
}

import { StepwiseError, type SyncReply } from '@stepwise/core';
import type { StoredEvaluation } from '../ingest/stages/analyze.js';
import type { RunsComparison, ScenarioHistoryReply, TraceComparison } from '../services/compare-service.js';
import { openRuntime, type Runtime } from '../runtime.js';
import type { TracesReply } from '../ingest/pipeline.js';
import { DEFAULT_WORKSPACE_ID, type Page, type RunSummary, type TraceSummary } from '../store/trace-store.js';

export interface TraceDetail {
  trace: Record<string, unknown> & { events: unknown[] };
  summary: TraceSummary;
  notes: string | null;
  expected: unknown;
  evaluation: unknown;
  redaction: unknown;
}

export interface RunDetail {
  run: RunSummary;
  results: TraceSummary[];
  total?: number;
}

/** What the CLI needs from Stepwise, either straight from a database file or from a running server. */
export interface StepwiseClient {
  sync(bodyText: string): Promise<SyncReply>;
  postTraces(bodyText: string): Promise<TracesReply>;
  getTrace(id: string): Promise<TraceDetail>;
  listRuns(query: { agent?: string; status?: 'passed' | 'failed' | 'empty'; limit: number; offset: number }): Promise<Page<RunSummary>>;
  getRun(id: string, query: { status?: 'passed' | 'failed'; limit: number; offset: number }): Promise<RunDetail>;
  analysis(traceId: string): Promise<StoredEvaluation>;
  reanalyzeRun(runId: string): Promise<{ run_id: string; analyzed: number; failed: number; passed: number }>;
  compareTraces(a: string, b: string): Promise<TraceComparison>;
  compareRuns(base: string, head: string): Promise<RunsComparison>;
  scenarioHistory(scenarioId: string): Promise<ScenarioHistoryReply>;
  close(): Promise<void>;
}

export class LocalClient implements StepwiseClient {
  readonly runtime: Runtime;
  private readonly ws = DEFAULT_WORKSPACE_ID;

  constructor(dbPath: string) {
    this.runtime = openRuntime({ dbPath });
  }

  async sync(bodyText: string): Promise<SyncReply> {
    return this.runtime.pipeline.sync(this.runtime.pipeline.parse(bodyText), { workspaceId: this.ws });
  }

  async postTraces(bodyText: string): Promise<TracesReply> {
    return this.runtime.pipeline.ingestTraces(this.runtime.pipeline.parse(bodyText), { workspaceId: this.ws });
  }

  async getTrace(id: string): Promise<TraceDetail> {
    const stored = await this.runtime.store.getTrace(this.ws, id);
    if (!stored) throw new StepwiseError('not_found', `no trace with id ${id} in this workspace`);
    return stored;
  }

  async listRuns(query: { agent?: string; status?: 'passed' | 'failed' | 'empty'; limit: number; offset: number }) {
    return this.runtime.store.listRuns(this.ws, query);
  }

  async getRun(id: string, query: { status?: 'passed' | 'failed'; limit: number; offset: number }): Promise<RunDetail> {
    const run = await this.runtime.store.getRun(this.ws, id);
    if (!run) throw new StepwiseError('not_found', `no test run with id ${id} in this workspace`);
    const page = await this.runtime.store.listRunResults(this.ws, id, query);
    return { run, results: page.items, ...(page.total !== undefined ? { total: page.total } : {}) };
  }

  analysis(traceId: string): Promise<StoredEvaluation> {
    return this.runtime.analysis.analysis(this.ws, traceId);
  }

  reanalyzeRun(runId: string) {
    return this.runtime.analysis.reanalyzeRun(this.ws, runId);
  }

  compareTraces(a: string, b: string): Promise<TraceComparison> {
    return this.runtime.compare.compareTraces(this.ws, a, b);
  }

  compareRuns(base: string, head: string): Promise<RunsComparison> {
    return this.runtime.compare.compareRuns(this.ws, base, head);
  }

  scenarioHistory(scenarioId: string): Promise<ScenarioHistoryReply> {
    return this.runtime.compare.scenarioHistory(this.ws, scenarioId);
  }

  close(): Promise<void> {
    return this.runtime.close();
  }
}

export class HttpClient implements StepwiseClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey?: string,
  ) {}

  sync(bodyText: string): Promise<SyncReply> {
    return this.request<SyncReply>('POST', '/api/v1/sync', bodyText);
  }

  postTraces(bodyText: string): Promise<TracesReply> {
    return this.request<TracesReply>('POST', '/api/v1/traces', bodyText);
  }

  getTrace(id: string): Promise<TraceDetail> {
    return this.request<TraceDetail>('GET', `/api/v1/traces/${encodeURIComponent(id)}`);
  }

  async listRuns(query: Record<string, string | number | undefined>): Promise<Page<RunSummary>> {
    const reply = await this.request<{ runs: RunSummary[]; total: number }>('GET', `/api/v1/runs${qs(query)}`);
    return { items: reply.runs, total: reply.total };
  }

  getRun(id: string, query: Record<string, string | number | undefined>): Promise<RunDetail> {
    return this.request<RunDetail>('GET', `/api/v1/runs/${encodeURIComponent(id)}${qs(query)}`);
  }

  analysis(traceId: string): Promise<StoredEvaluation> {
    return this.request<StoredEvaluation>('GET', `/api/v1/traces/${encodeURIComponent(traceId)}/analysis`);
  }

  reanalyzeRun(runId: string) {
    return this.request<{ run_id: string; analyzed: number; failed: number; passed: number }>(
      'POST',
      `/api/v1/runs/${encodeURIComponent(runId)}/analyze`,
      '{}',
    );
  }

  compareTraces(a: string, b: string): Promise<TraceComparison> {
    return this.request<TraceComparison>('GET', `/api/v1/compare/traces${qs({ a, b })}`);
  }

  compareRuns(base: string, head: string): Promise<RunsComparison> {
    return this.request<RunsComparison>('GET', `/api/v1/compare/runs${qs({ base, head })}`);
  }

  scenarioHistory(scenarioId: string): Promise<ScenarioHistoryReply> {
    return this.request<ScenarioHistoryReply>('GET', `/api/v1/scenarios/${encodeURIComponent(scenarioId)}/traces`);
  }

  async close(): Promise<void> {}

  private async request<T>(method: string, path: string, body?: string): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), { method, headers, ...(body !== undefined ? { body } : {}) });
    } catch {
      throw new StepwiseError('internal', `could not reach the Stepwise server at ${this.baseUrl}; is it running?`);
    }
    const payload = (await response.json().catch(() => null)) as unknown;
    if (!response.ok) {
      const error = (payload as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
      throw new StepwiseError(
        (error?.code as StepwiseError['code'] | undefined) ?? 'internal',
        error?.message ?? `the server answered ${response.status}`,
        error?.details,
      );
    }
    return payload as T;
  }
}

function qs(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

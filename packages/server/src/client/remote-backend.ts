import {
  StepwiseError,
  isStepwiseErrorCode,
  type EventComment,
  type FindingFeedback,
  type FindingVerdict,
  type StepwiseErrorCode,
  type SyncReply,
} from '@stepwise/core';
import type { FeedbackFilter } from '../store/trace-store.js';
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
  TracesReply,
  ExportProgress,
  ExportRequest,
  ImportReply,
} from './backend.js';

export interface RemoteBackendOptions {
  /** Base URL of a running Stepwise server, e.g. `http://127.0.0.1:4319`. */
  url: string;
  /** An API key (`sw_…`), sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** Defaults to the global `fetch`; tests pass an app's `request`. */
  fetch?: typeof fetch;
}

/**
 * The Stepwise backend over the REST API of a running server: `--url URL --api-key KEY` of the CLI and `stepwise mcp`.
 * The server scopes every call to the key's workspace and enforces its role.
 *
 * @example
 * const backend = new RemoteBackend({ url: 'http://127.0.0.1:4319', apiKey: process.env.STEPWISE_API_KEY });
 */
export class RemoteBackend implements StepwiseBackend {
  readonly where: string;
  private readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(options: RemoteBackendOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.where = `server ${this.baseUrl}`;
  }

  runUrl(runId: string): string {
    return `${this.baseUrl}/runs/${encodeURIComponent(runId)}`;
  }

  dashboardUrl(): string {
    return this.baseUrl;
  }

  async *exportChunks(request: ExportRequest, progress: (p: ExportProgress) => void): AsyncIterable<Uint8Array> {
    const query = {
      format: request.format,
      rows: request.rows,
      ...('trace' in request.selection ? { trace: request.selection.trace } : request.selection.filter),
    };
    const response = await this.send('GET', `/api/v1/export${queryString(query)}`);
    if (!response.body) return;
    let bytes = 0;
    for await (const chunk of response.body) {
      bytes += chunk.byteLength;
      progress({ bytes });
      yield chunk;
    }
  }

  importExport(text: string): Promise<ImportReply> {
    // One JSON document starts with "{" and is not one trace a line.
    const jsonl = !text.trimStart().startsWith('{') || /^\s*\{[^\n]*\}\s*\n\s*\{/.test(text);
    return this.request<ImportReply>('POST', '/api/v1/import', text, jsonl ? 'application/x-ndjson' : 'application/json');
  }

  sync(request: SyncArguments): Promise<SyncReply> {
    return this.request<SyncReply>('POST', '/api/v1/sync', JSON.stringify(request));
  }

  syncText(bodyText: string): Promise<SyncReply> {
    return this.request<SyncReply>('POST', '/api/v1/sync', bodyText);
  }

  postTraces(bodyText: string): Promise<TracesReply> {
    return this.request<TracesReply>('POST', '/api/v1/traces', bodyText);
  }

  reanalyzeRun(runId: string) {
    return this.request<{ run_id: string; analyzed: number; failed: number; passed: number }>(
      'POST',
      `/api/v1/runs/${encodeURIComponent(runId)}/analyze`,
      '{}',
    );
  }

  async listRuns(query: RunListQuery): Promise<RunList> {
    const reply = await this.request<{ runs: RunList['runs']; total?: number; limit?: number; offset?: number }>(
      'GET',
      `/api/v1/runs${queryString({ ...query })}`,
    );
    return { runs: reply.runs, total: reply.total ?? null, limit: query.limit, offset: query.offset };
  }

  async getRun(runId: string, query: RunResultsQuery): Promise<RunDetail> {
    const reply = await this.request<{ run: RunDetail['run']; results: RunDetail['results']; total?: number }>(
      'GET',
      `/api/v1/runs/${encodeURIComponent(runId)}${queryString({ ...query })}`,
    );
    return { run: reply.run, results: reply.results, total: reply.total ?? null, limit: query.limit, offset: query.offset };
  }

  getTrace(traceId: string): Promise<TraceDetail> {
    return this.request<TraceDetail>('GET', `/api/v1/traces/${encodeURIComponent(traceId)}`);
  }

  async searchTraces(query: TraceSearchQuery): Promise<TraceSearchPage> {
    const reply = await this.request<{ traces: TraceSearchPage['traces']; next_cursor?: string | null }>(
      'GET',
      `/api/v1/traces${queryString({ ...query })}`,
    );
    return { traces: reply.traces, next_cursor: reply.next_cursor ?? null };
  }

  analyzeTrace(traceId: string, options: { recompute: boolean }): Promise<StoredEvaluation> {
    const path = `/api/v1/traces/${encodeURIComponent(traceId)}`;
    return options.recompute
      ? this.request<StoredEvaluation>('POST', `${path}/analyze`, '{}')
      : this.request<StoredEvaluation>('GET', `${path}/analysis`);
  }

  compareTraces(a: string, b: string): Promise<TraceComparison> {
    return this.request<TraceComparison>('GET', `/api/v1/compare/traces${queryString({ a, b })}`);
  }

  compareRuns(base: string, head: string): Promise<RunsComparison> {
    return this.request<RunsComparison>('GET', `/api/v1/compare/runs${queryString({ base, head })}`);
  }

  scenarioHistory(scenarioId: string, page: ScenarioHistoryPage = {}): Promise<ScenarioHistoryReply> {
    return this.request<ScenarioHistoryReply>(
      'GET',
      `/api/v1/scenarios/${encodeURIComponent(scenarioId)}/traces${queryString({ limit: page.limit, cursor: page.cursor })}`,
    );
  }

  async markFinding(
    traceId: string,
    input: { finding_key: string; verdict: FindingVerdict; reason?: string | null },
  ): Promise<FindingFeedback> {
    const path = `/api/v1/traces/${encodeURIComponent(traceId)}/findings/${encodeURIComponent(input.finding_key)}/feedback`;
    const body = JSON.stringify({ verdict: input.verdict, reason: input.reason ?? null });
    return (await this.request<{ feedback: FindingFeedback }>('PUT', path, body)).feedback;
  }

  async commentOnEvent(traceId: string, input: { event_index: number; body: string }): Promise<EventComment> {
    const path = `/api/v1/traces/${encodeURIComponent(traceId)}/comments`;
    return (await this.request<{ comment: EventComment }>('POST', path, JSON.stringify(input))).comment;
  }

  async clearFinding(traceId: string, findingKey: string): Promise<void> {
    await this.request('DELETE', `/api/v1/traces/${encodeURIComponent(traceId)}/findings/${encodeURIComponent(findingKey)}/feedback`);
  }

  async listFeedback(query: FeedbackFilter): Promise<FeedbackList> {
    const reply = await this.request<{ feedback: FeedbackList['feedback']; total?: number | null }>(
      'GET',
      `/api/v1/feedback${queryString({ ...query })}`,
    );
    return { feedback: reply.feedback, total: reply.total ?? null };
  }

  async close(): Promise<void> {}

  /** Sends a request; an error answer is thrown as the server's StepwiseError. */
  private async send(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: string,
    contentType = 'application/json',
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = contentType;
    if (this.apiKey !== undefined && this.apiKey !== '') headers.authorization = `Bearer ${this.apiKey}`;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    } catch {
      throw new StepwiseError(
        'internal',
        `could not reach the Stepwise server at ${this.baseUrl}; check that it is running and that --url is right`,
      );
    }
    if (!response.ok) throw errorFromReply(response.status, (await response.json().catch(() => null)) as unknown);
    return response;
  }

  private async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: string,
    contentType = 'application/json',
  ): Promise<T> {
    const response = await this.send(method, path, body, contentType);
    const payload = (await response.json().catch(() => null)) as unknown;
    if (payload === null || typeof payload !== 'object') {
      throw new StepwiseError(
        'internal',
        `the server at ${this.baseUrl} answered ${method} ${path.split('?')[0]} with something other than JSON`,
      );
    }
    return payload as T;
  }
}

/** Turns the server's `{ error: { code, message, details } }` envelope back into a `StepwiseError`. */
function errorFromReply(status: number, payload: unknown): StepwiseError {
  const error = (payload as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  const code: StepwiseErrorCode = isStepwiseErrorCode(error?.code) ? error.code : codeOfStatus(status);
  const message = typeof error?.message === 'string' ? error.message : `the server answered HTTP ${status}`;
  return new StepwiseError(code, message, error?.details);
}

function codeOfStatus(status: number): StepwiseErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 413) return 'payload_too_large';
  if (status === 429) return 'rate_limited';
  if (status >= 400 && status < 500) return 'invalid_request';
  return 'internal';
}

function queryString(query: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

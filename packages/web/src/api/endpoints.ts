import { ApiError, download, query, request, saveJson } from './client';
import type {
  ApiKey,
  PriceSettings,
  WebhookDelivery,
  WebhookSettings,
  CompareRuns,
  CompareRunsReply,
  CompareTraces,
  EventComment,
  Evaluation,
  FindingFeedback,
  FindingFeedbackItem,
  Member,
  PrivacyPreview,
  PrivacySettings,
  Role,
  RunDetail,
  RunsPage,
  ScenarioHistory,
  ScenarioHistoryReply,
  ScenarioVersion,
  Session,
  TraceDetail,
  TraceEvent,
  TraceFeedback,
  TracesPage,
} from './types';

const V1 = '/api/v1';
const enc = encodeURIComponent;

export interface RunsFilter {
  agent?: string;
  status?: string;
  source?: string;
  since?: string;
  until?: string;
  limit?: number;
  offset?: number;
}

export const api = {
  listRuns: (filter: RunsFilter, signal?: AbortSignal) =>
    request<RunsPage>('GET', `${V1}/runs${query({ ...filter })}`, signal ? { signal } : {}),
  getRun: (id: string, params: { status?: string; limit?: number; offset?: number } = {}) =>
    request<RunDetail>('GET', `${V1}/runs/${enc(id)}${query(params)}`),
  deleteRun: (id: string) => request<{ deleted: boolean }>('DELETE', `${V1}/runs/${enc(id)}`),

  listTraces: (params: Record<string, string | number | undefined>) => request<TracesPage>('GET', `${V1}/traces${query(params)}`),
  /**
   * The trace without its events (`events=none`): the timeline loads events in windows. A server that
   * ignores the parameter answers with every event, which the timeline then uses as they are.
   */
  getTrace: (id: string) => request<TraceDetail>('GET', `${V1}/traces/${enc(id)}?events=none`),
  getTraceEvents: (id: string, offset: number, limit: number, signal?: AbortSignal) =>
    request<{ events: TraceEvent[]; offset: number }>(
      'GET',
      `${V1}/traces/${enc(id)}/events${query({ offset, limit })}`,
      signal ? { signal } : {},
    ),
  getAnalysis: (id: string) => request<Evaluation>('GET', `${V1}/traces/${enc(id)}/analysis`),
  deleteTrace: (id: string) => request<{ deleted: boolean }>('DELETE', `${V1}/traces/${enc(id)}`),
  pinTrace: (id: string, pinned: boolean) => request<{ pinned: boolean }>('PUT', `${V1}/traces/${enc(id)}/pin`, { body: { pinned } }),

  getFeedback: (id: string) => request<TraceFeedback>('GET', `${V1}/traces/${enc(id)}/feedback`),
  markFinding: (id: string, key: string, verdict: 'right' | 'wrong', reason: string | null) =>
    request<{ feedback: FindingFeedback }>('PUT', `${V1}/traces/${enc(id)}/findings/${enc(key)}/feedback`, { body: { verdict, reason } }),
  unmarkFinding: (id: string, key: string) => request<unknown>('DELETE', `${V1}/traces/${enc(id)}/findings/${enc(key)}/feedback`),
  addComment: (id: string, event_index: number, body: string) =>
    request<{ comment: EventComment }>('POST', `${V1}/traces/${enc(id)}/comments`, { body: { event_index, body } }),
  deleteComment: (id: string, commentId: string) => request<unknown>('DELETE', `${V1}/traces/${enc(id)}/comments/${enc(commentId)}`),
  listFeedback: (params: { verdict?: string; pattern?: string; limit?: number; offset?: number }) =>
    request<{ feedback: FindingFeedbackItem[]; total: number }>('GET', `${V1}/feedback${query(params)}`),

  getScenario: (id: string) =>
    request<{ scenario_id: string; expectations: ScenarioVersion | null; versions: ScenarioVersion[] }>(
      'GET',
      `${V1}/scenarios/${enc(id)}`,
    ),
  putScenario: (id: string, expectations: unknown) =>
    request<ScenarioVersion>('PUT', `${V1}/scenarios/${enc(id)}`, { body: { expectations } }),
  compareTraces: (a: string, b: string) => request<CompareTraces>('GET', `${V1}/compare/traces${query({ a, b })}`),
  compareRuns: async (base: string, head: string): Promise<CompareRuns> => {
    const reply = await request<CompareRunsReply | CompareRuns>('GET', `${V1}/compare/runs${query({ base, head })}`);
    return 'comparison' in reply ? { ...reply.comparison, base: reply.base, head: reply.head } : reply;
  },
  /** One page of a scenario's traces (newest first; `cursor` for older ones) and the summary of its whole history. */
  scenarioHistory: async (id: string, cursor?: string): Promise<ScenarioHistory> => {
    const reply = await request<ScenarioHistoryReply>('GET', `${V1}/scenarios/${enc(id)}/traces${query({ cursor })}`);
    const tool_paths =
      reply.tool_paths ??
      (reply.history?.tool_paths ?? []).map((t) => ({ path: t.tool_path, count: t.count, passed: t.passed, failed: t.failed }));
    return {
      scenario_id: reply.scenario_id,
      traces: reply.traces,
      next_cursor: reply.next_cursor ?? null,
      total: reply.total ?? reply.traces.length,
      flakiness: reply.flakiness,
      tool_paths,
    };
  },

  session: () => request<Session>('GET', `${V1}/session`, { quiet401: true }),
  logout: () => request<unknown>('POST', `${V1}/session/logout`),
  getPrivacy: () => request<PrivacySettings>('GET', `${V1}/settings/privacy`),
  putPrivacy: (settings: PrivacySettings) => request<PrivacySettings>('PUT', `${V1}/settings/privacy`, { body: settings }),
  previewPrivacy: (payload: unknown, settings: PrivacySettings) =>
    request<PrivacyPreview>('POST', `${V1}/privacy/preview`, { body: { payload, settings } }),
  getPrices: () => request<PriceSettings>('GET', `${V1}/settings/prices`),
  putPrices: (prices: PriceSettings['prices']) => request<PriceSettings>('PUT', `${V1}/settings/prices`, { body: { prices } }),
  getRetention: () => request<{ retention_days: number | null }>('GET', `${V1}/settings/retention`),
  putRetention: (retention_days: number) =>
    request<{ retention_days: number | null }>('PUT', `${V1}/settings/retention`, { body: { retention_days } }),
  listMembers: () => request<{ members: Member[] }>('GET', `${V1}/members`),
  addMember: (body: { name: string; role: Role; email?: string; password?: string }) =>
    request<{ member: Member }>('POST', `${V1}/members`, { body }),
  setMemberRole: (userId: string, role: Role) => request<{ member: Member }>('PATCH', `${V1}/members/${enc(userId)}`, { body: { role } }),
  listKeys: () => request<{ keys: ApiKey[] }>('GET', `${V1}/keys`),
  createKey: (name: string, role: Role) => request<ApiKey & { key: string }>('POST', `${V1}/keys`, { body: { name, role } }),
  revokeKey: (id: string) => request<unknown>('DELETE', `${V1}/keys/${enc(id)}`),
  getWebhook: () => request<{ webhook: WebhookSettings | null }>('GET', `${V1}/settings/webhook`),
  putWebhook: (url: string, format: 'json' | 'slack') =>
    request<{ webhook: WebhookSettings }>('PUT', `${V1}/settings/webhook`, { body: { url, format } }),
  deleteWebhook: () => request<{ removed: boolean }>('DELETE', `${V1}/settings/webhook`),
  listWebhookDeliveries: () => request<{ deliveries: WebhookDelivery[] }>('GET', `${V1}/settings/webhook/deliveries`),
};

/** Downloads a trace as JSON; without the export endpoint, the trace as the API returns it. */
export async function exportTrace(id: string): Promise<void> {
  try {
    await download(`${V1}/export${query({ trace: id })}`, `${id}.json`);
  } catch (error) {
    if (!(error instanceof ApiError && error.isMissingRoute)) throw error;
    saveJson(await request<unknown>('GET', `${V1}/traces/${enc(id)}`), `${id}.json`);
  }
}

/** Downloads a run (its summary and every trace) as JSON. */
export async function exportRun(id: string): Promise<void> {
  try {
    await download(`${V1}/export${query({ run: id })}`, `${id}.json`);
  } catch (error) {
    if (!(error instanceof ApiError && error.isMissingRoute)) throw error;
    const detail = await api.getRun(id, { limit: 500 });
    const traces = [];
    for (const result of detail.results) traces.push((await request<{ trace: unknown }>('GET', `${V1}/traces/${enc(result.id)}`)).trace);
    saveJson({ run: detail.run, traces }, `${id}.json`);
  }
}

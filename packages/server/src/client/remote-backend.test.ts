import { StepwiseError } from '@stepwise/core';
import { describe, expect, it } from 'vitest';
import { RemoteBackend } from './remote-backend.js';

interface Seen {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function fakeServer(status: number, payload: unknown) {
  const seen: Seen[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    seen.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: init?.headers as Record<string, string>,
      body: init?.body as string | undefined,
    });
    return new Response(JSON.stringify(payload), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { seen, fetchImpl };
}

describe('RemoteBackend', () => {
  it('sends the API key as a bearer token and the sync request as JSON', async () => {
    const reply = {
      test_run_id: 'run_1',
      agent_name: 'a',
      synced: 1,
      duplicates: 0,
      rejected: [],
      warnings: [],
      trace_ids: ['tr_1'],
      dashboard_url: 'x',
    };
    const { seen, fetchImpl } = fakeServer(201, reply);
    const backend = new RemoteBackend({ url: 'http://stepwise.test/', apiKey: 'sw_abc', fetch: fetchImpl });
    expect(await backend.sync({ agent_name: 'a', results: '[]', create_empty: true })).toEqual(reply);
    expect(seen[0]).toMatchObject({
      url: 'http://stepwise.test/api/v1/sync',
      method: 'POST',
      headers: { authorization: 'Bearer sw_abc', 'content-type': 'application/json' },
    });
    expect(JSON.parse(seen[0]!.body!)).toEqual({ agent_name: 'a', results: '[]', create_empty: true });
    expect(backend.runUrl('run_1')).toBe('http://stepwise.test/runs/run_1');
  });

  it('puts only the given filters in the query string', async () => {
    const { seen, fetchImpl } = fakeServer(200, { traces: [], next_cursor: null });
    const backend = new RemoteBackend({ url: 'http://stepwise.test', fetch: fetchImpl });
    await backend.searchTraces({ scenario: 'sc 1', verdict: 'failed', limit: 5 });
    expect(seen[0]!.url).toBe('http://stepwise.test/api/v1/traces?scenario=sc+1&verdict=failed&limit=5');
    expect(seen[0]!.headers.authorization).toBeUndefined();
  });

  it('reads analysis, comparisons and history from their REST routes', async () => {
    const { seen, fetchImpl } = fakeServer(200, {});
    const backend = new RemoteBackend({ url: 'http://stepwise.test', apiKey: 'sw_abc', fetch: fetchImpl });
    await backend.analyzeTrace('tr_1', { recompute: false });
    await backend.analyzeTrace('tr_1', { recompute: true });
    await backend.compareTraces('tr_1', 'tr 2');
    await backend.compareRuns('run_1', 'run_2');
    await backend.scenarioHistory('sc/1');
    expect(seen.map((s) => `${s.method} ${s.url.replace('http://stepwise.test', '')}`)).toEqual([
      'GET /api/v1/traces/tr_1/analysis',
      'POST /api/v1/traces/tr_1/analyze',
      'GET /api/v1/compare/traces?a=tr_1&b=tr+2',
      'GET /api/v1/compare/runs?base=run_1&head=run_2',
      'GET /api/v1/scenarios/sc%2F1/traces',
    ]);
  });

  it("turns the server's error envelope back into a StepwiseError with its code and details", async () => {
    const { fetchImpl } = fakeServer(400, {
      error: { code: 'invalid_request', message: 'results is empty', details: { issues: [{ path: 'results', message: 'x' }] } },
    });
    const backend = new RemoteBackend({ url: 'http://stepwise.test', fetch: fetchImpl });
    const error = await backend.getTrace('tr_1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepwiseError);
    expect(error).toMatchObject({ code: 'invalid_request', message: 'results is empty', details: { issues: [{ path: 'results' }] } });
  });

  it('falls back to the HTTP status when the body is not the envelope', async () => {
    const { fetchImpl } = fakeServer(403, { nope: true });
    const error = await new RemoteBackend({ url: 'http://stepwise.test', fetch: fetchImpl })
      .listRuns({ limit: 1, offset: 0 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'forbidden', message: 'the server answered HTTP 403' });
  });
});

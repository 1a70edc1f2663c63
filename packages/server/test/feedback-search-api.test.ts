import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedDemoData } from '../src/demo/demo-data.js';
import { makeTestApp, type TestApp } from './support/app.js';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(async () => {
  await t.close();
});

async function json(response: Response | Promise<Response>): Promise<any> {
  return (await response).json();
}

function put(path: string, body: unknown, key = t.ownerKey): Promise<Response> {
  return Promise.resolve(
    t.app.request(path, {
      method: 'PUT',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  );
}

const looseTrace = {
  trace_id: 'tr_loose',
  scenario_id: 'sc_warranty_lookup',
  agent_name: 'support-bot',
  timestamp: '2026-03-13T14:30:00Z',
  events: [
    { type: 'user_input', timestamp: '2026-03-13T14:30:00Z', data: { message: 'How long am I covered? Mail me at ann@example.com' } },
    {
      type: 'tool_call',
      timestamp: '2026-03-13T14:30:01Z',
      data: { tool: 'lookup_policy', parameters: { sku: 'X200' }, result: { text: 'The X200 carries a 3-year warranty on parts' } },
    },
    { type: 'agent_response', timestamp: '2026-03-13T14:30:02Z', data: { message: 'You are covered.' } },
  ],
  metadata: { model: 'gpt-4o' },
};

describe('GET /api/v1/traces: text search and the new filters', () => {
  it('finds a trace posted without a run by a word of its tool result and points at that event', async () => {
    await seedDemoData(t.runtime.pipeline, 'ws_default');
    expect((await t.post('/api/v1/traces', looseTrace)).status).toBe(201);
    const found = await json(t.get('/api/v1/traces?q=warranty%20parts'));
    expect(found.traces.map((x: any) => x.id)).toEqual(['tr_loose']);
    expect(found.traces[0].match).toEqual({ event_index: 1, snippet: expect.stringContaining('3-year warranty on parts') });
    expect((await json(t.get('/api/v1/traces?run=none'))).traces.map((x: any) => x.id)).toEqual(['tr_loose']);
    expect((await json(t.get('/api/v1/traces?tool=lookup_policy'))).traces.map((x: any) => x.id)).toEqual(['tr_loose']);
    expect((await json(t.get('/api/v1/traces?q=warranty&run=none&tool=lookup_policy'))).traces).toHaveLength(1);
    expect((await json(t.get('/api/v1/traces?q=warranty&tool=search_knowledge_base'))).traces.map((x: any) => x.id)).not.toContain(
      'tr_loose',
    );
  });

  it('indexes only redacted text: the e-mail address is not searchable, its placeholder is', async () => {
    await t.post('/api/v1/traces', looseTrace);
    expect((await json(t.get('/api/v1/traces?q=ann%40example.com'))).traces).toEqual([]);
    expect((await json(t.get('/api/v1/traces?q=example'))).traces).toEqual([]);
    expect((await json(t.get('/api/v1/traces?q=EMAIL_1'))).traces.map((x: any) => x.id)).toEqual(['tr_loose']);
  });

  it('answers 400 naming the parameter when q is empty', async () => {
    const reply = await t.get('/api/v1/traces?q=');
    expect(reply.status).toBe(400);
    expect(JSON.stringify(await reply.json())).toContain('query.q');
  });
});

describe('feedback on findings and comments on events', () => {
  async function failingTrace(): Promise<{ traceId: string; runId: string; key: string }> {
    const [, latest] = (await seedDemoData(t.runtime.pipeline, 'ws_default')) as [string, string];
    const run = await json(t.get(`/api/v1/runs/${latest}`));
    const trace = run.results.find((r: any) => r.scenario_id === 'sc_warranty_hardware');
    const analysis = await json(t.get(`/api/v1/traces/${trace.id}/analysis`));
    const finding = analysis.findings.find((f: any) => f.pattern === 'hallucination');
    return { traceId: trace.id, runId: latest, key: `${finding.pattern}@${finding.event_indexes.join(',')}` };
  }

  it('marks a finding wrong: shown with the trace, counted in the runs list, listed as disputed, audited', async () => {
    const { traceId, runId, key } = await failingTrace();
    const before = await json(t.get('/api/v1/runs'));
    expect(before.runs.find((r: any) => r.id === runId).disputed_by_pattern).toEqual({});

    const marked = await put(`/api/v1/traces/${traceId}/findings/${encodeURIComponent(key)}/feedback`, {
      verdict: 'wrong',
      reason: 'The article exists; the search index was stale',
    });
    expect(marked.status).toBe(200);
    expect((await marked.json()).feedback).toMatchObject({ finding_key: key, pattern: 'hallucination', verdict: 'wrong' });

    const detail = await json(t.get(`/api/v1/traces/${traceId}`));
    expect(detail.feedback.findings).toMatchObject([
      { finding_key: key, verdict: 'wrong', reason: 'The article exists; the search index was stale' },
    ]);
    const runs = await json(t.get('/api/v1/runs'));
    expect(runs.runs.find((r: any) => r.id === runId).disputed_by_pattern).toEqual({ hallucination: 1 });
    const disputed = await json(t.get('/api/v1/feedback?verdict=wrong'));
    expect(disputed.feedback).toMatchObject([{ trace_id: traceId, finding_key: key, scenario_id: 'sc_warranty_hardware', run_id: runId }]);
    const audit = await json(t.get('/api/v1/audit'));
    expect(audit.entries[0]).toMatchObject({ action: 'finding.mark', target_id: traceId, details: { finding_key: key, verdict: 'wrong' } });

    // Re-analysis that finds the same thing keeps the mark.
    expect((await t.post(`/api/v1/traces/${traceId}/analyze`, {})).status).toBe(200);
    expect((await json(t.get('/api/v1/runs'))).runs.find((r: any) => r.id === runId).disputed_by_pattern).toEqual({ hallucination: 1 });

    // Marking it right again takes it off the disputed list.
    await put(`/api/v1/traces/${traceId}/findings/${encodeURIComponent(key)}/feedback`, { verdict: 'right' });
    expect((await json(t.get('/api/v1/feedback?verdict=wrong'))).feedback).toEqual([]);
    expect((await json(t.get('/api/v1/feedback'))).feedback).toMatchObject([{ verdict: 'right' }]);
  });

  it("deleting a scenario's history removes the marks and comments on its traces and their events from search", async () => {
    const { traceId, key } = await failingTrace();
    await put(`/api/v1/traces/${traceId}/findings/${encodeURIComponent(key)}/feedback`, { verdict: 'wrong' });
    expect((await t.post(`/api/v1/traces/${traceId}/comments`, { event_index: 1, body: 'look here' })).status).toBe(201);
    const word = (await json(t.get(`/api/v1/traces/${traceId}`))).summary.user_message.split(/\s+/)[0];
    const searched = async () => (await json(t.get(`/api/v1/traces?q=${encodeURIComponent(word)}`))).traces.map((x: any) => x.id);
    expect(await searched()).toContain(traceId);

    expect((await t.del('/api/v1/scenarios/sc_warranty_hardware/traces')).status).toBe(200);
    expect((await json(t.get('/api/v1/feedback'))).feedback).toEqual([]);
    expect(await searched()).not.toContain(traceId);
    expect((await t.get(`/api/v1/traces/${traceId}/feedback`)).status).toBe(404);
    // Not merely hidden by the join with traces: the rows are gone.
    expect(await t.runtime.store.getTraceFeedback('ws_default', traceId)).toEqual({ findings: [], comments: [] });
  });

  it('deleting the workspace deletes the marks and comments of its traces', async () => {
    const { traceId, key } = await failingTrace();
    await put(`/api/v1/traces/${traceId}/findings/${encodeURIComponent(key)}/feedback`, { verdict: 'wrong' });
    expect((await t.post(`/api/v1/traces/${traceId}/comments`, { event_index: 1, body: 'look here' })).status).toBe(201);
    expect((await t.runtime.store.getTraceFeedback('ws_default', traceId)).findings).toHaveLength(1);
    expect((await t.del('/api/v1/workspace')).status).toBe(200);
    expect(await t.runtime.store.getTraceFeedback('ws_default', traceId)).toEqual({ findings: [], comments: [] });
  });

  it('refuses a finding the analysis does not have, naming the ones it has', async () => {
    const { traceId, key } = await failingTrace();
    const reply = await put(`/api/v1/traces/${traceId}/findings/loop@99/feedback`, { verdict: 'wrong' });
    expect(reply.status).toBe(404);
    expect((await reply.json()).error.message).toContain(key);
    const bad = await put(`/api/v1/traces/${traceId}/findings/${encodeURIComponent(key)}/feedback`, { verdict: 'maybe' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('verdict');
  });

  it('keeps comments on events, redacted, and audits them; a viewer may read but not comment', async () => {
    const { traceId } = await failingTrace();
    const added = await t.post(`/api/v1/traces/${traceId}/comments`, { event_index: 1, body: 'Ask ann@example.com why this was empty' });
    expect(added.status).toBe(201);
    const { comment } = await added.json();
    expect(comment.body).toBe('Ask <EMAIL_1> why this was empty');
    expect((await t.post(`/api/v1/traces/${traceId}/comments`, { event_index: 99, body: 'x' })).status).toBe(400);
    const detail = await json(t.get(`/api/v1/traces/${traceId}`));
    expect(detail.feedback.comments).toMatchObject([{ id: comment.id, event_index: 1 }]);
    const audit = await json(t.get('/api/v1/audit'));
    expect(audit.entries[0]).toMatchObject({ action: 'event.comment', target_id: traceId });
    expect(JSON.stringify(audit)).not.toContain('ann@example.com');

    const { key: viewerKey } = await t.runtime.access.createApiKey('ws_default', { name: 'viewer', role: 'viewer' }, 'test');
    const viewer = { authorization: `Bearer ${viewerKey}` };
    expect((await t.post(`/api/v1/traces/${traceId}/comments`, { event_index: 1, body: 'x' }, viewer)).status).toBe(403);
    expect((await t.get(`/api/v1/traces/${traceId}/feedback`, viewer)).status).toBe(200);

    expect((await t.del(`/api/v1/traces/${traceId}/comments/${comment.id}`)).status).toBe(200);
    expect((await json(t.get(`/api/v1/traces/${traceId}/feedback`))).comments).toEqual([]);
  });
});

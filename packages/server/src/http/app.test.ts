import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedExamples } from '../../../../test-support/fixtures.js';
import { makeTestApp, type TestApp } from '../../test/support/app.js';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp({ limits: { maxBytes: 256 * 1024, maxDepth: 64 } });
});
afterEach(async () => {
  await t.close();
});

const WS = 'ws_default';
const item = (scenario: string, extra: Record<string, unknown> = {}) => ({
  scenario_id: scenario,
  user_message: `question for ${scenario}`,
  agent_response: 'an answer',
  tools_called: [{ name: 'search_knowledge_base', parameters: { query: scenario } }],
  passed: true,
  ...extra,
});

async function json(response: Response): Promise<any> {
  return response.json();
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const body = await json(response);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  return body.error as { code: string; message: string; details?: any };
}

describe('POST /api/v1/traces', () => {
  it("round-trips the brief's example trace with every field and the events in order", async () => {
    const { trace } = seedExamples();
    const created = await t.post('/api/v1/traces', trace);
    expect(created.status).toBe(201);
    expect(await json(created)).toMatchObject({ stored: 1, duplicates: 0, trace_ids: ['tr_abc123'] });
    const read = await json(await t.get('/api/v1/traces/tr_abc123'));
    expect(read.trace).toEqual(trace);
    expect(read.summary).toMatchObject({ scenario_id: 'sc_xyz789', event_count: 3, tool_path: ['search_knowledge_base'] });
  });

  it('stores nothing new when the same trace id is sent again', async () => {
    const { trace } = seedExamples();
    await t.post('/api/v1/traces', trace);
    const again = await json(await t.post('/api/v1/traces', [trace, trace]));
    expect(again).toMatchObject({ stored: 0, duplicates: 2 });
    expect(await t.runtime.store.countTraces(WS)).toBe(1);
  });

  it('rejects an unknown event type, naming the path and suggesting custom', async () => {
    const trace = structuredClone(seedExamples().trace) as any;
    trace.events[1].type = 'thought';
    const error = await expectError(await t.post('/api/v1/traces', trace), 400, 'validation_failed');
    expect(error.details.rejected[0].errors[0].path).toBe('events[1].type');
    expect(error.details.rejected[0].errors[0].message).toContain('custom');
    expect(await t.runtime.store.countTraces(WS)).toBe(0);
  });

  it('accepts events out of time order, keeps their order and flags them', async () => {
    const trace = structuredClone(seedExamples().trace) as any;
    trace.events[1].timestamp = '2026-03-13T14:29:00.000Z';
    const reply = await json(await t.post('/api/v1/traces', trace));
    expect(reply.warnings).toEqual([expect.objectContaining({ code: 'events_out_of_order', path: 'events[1].timestamp' })]);
    const read = await json(await t.get('/api/v1/traces/tr_abc123'));
    expect(read.trace.events.map((e: any) => e.type)).toEqual(['user_input', 'tool_call', 'agent_response']);
    expect(read.summary.warnings[0].code).toBe('events_out_of_order');
  });

  it('rejects a trace whose run_id names no run', async () => {
    const trace = { ...(seedExamples().trace as object), run_id: 'run_nope' };
    const error = await expectError(await t.post('/api/v1/traces', trace), 400, 'validation_failed');
    expect(error.details.rejected[0].errors[0].path).toBe('run_id');
  });
});

describe('POST /api/v1/sync', () => {
  it('stores a batch as a new run and answers with counts and a dashboard link', async () => {
    const response = await t.post('/api/v1/sync', {
      agent_name: 'support',
      results: [item('a'), item('b', { passed: false })],
      source: 'ci',
      name: 'nightly',
    });
    expect(response.status).toBe(201);
    const reply = await json(response);
    expect(reply).toMatchObject({ agent_name: 'support', synced: 2, duplicates: 0, rejected: [], warnings: [] });
    expect(reply.dashboard_url).toMatch(new RegExp(`/runs/${reply.test_run_id}$`));
    const run = await json(await t.get(`/api/v1/runs/${reply.test_run_id}`));
    expect(run.run).toMatchObject({ total: 2, passed: 1, failed: 1, source: 'ci', name: 'nightly', agent_name: 'support' });
    expect(run.results.map((r: any) => r.scenario_id)).toEqual(['a', 'b']);
  });

  it('accepts results as a JSON-encoded array, as invarium_sync_results sends them', async () => {
    const reply = await json(await t.post('/api/v1/sync', { agent_name: 'support', results: JSON.stringify([seedExamples().result]) }));
    expect(reply.synced).toBe(1);
    const trace = await json(await t.get(`/api/v1/traces/${reply.trace_ids[0]}`));
    expect(trace.trace.events.map((e: any) => e.type)).toEqual(['user_input', 'tool_call', 'agent_response']);
    expect(trace.summary.reported_passed).toBe(true);
  });

  it('appends incrementally to a run by test_run_id, and a re-sent batch adds nothing', async () => {
    const first = await json(await t.post('/api/v1/sync', { agent_name: 'support', results: [item('a')] }));
    const second = await json(
      await t.post('/api/v1/sync', { agent_name: 'support', test_run_id: first.test_run_id, results: [item('b'), item('c')] }),
    );
    expect(second).toMatchObject({ test_run_id: first.test_run_id, synced: 2 });
    const resend = await json(
      await t.post('/api/v1/sync', { agent_name: 'support', test_run_id: first.test_run_id, results: [item('b'), item('c')] }),
    );
    expect(resend).toMatchObject({ synced: 0, duplicates: 2 });
    const run = await json(await t.get(`/api/v1/runs/${first.test_run_id}`));
    expect(run.run.total).toBe(3);
    expect(run.results.map((r: any) => r.scenario_id)).toEqual(['a', 'b', 'c']);
  });

  it('recognizes a re-sent result with an embedded trace but no trace id as a duplicate', async () => {
    const { trace_id: _drop, ...trace } = seedExamples().trace as Record<string, unknown>;
    const result = { ...(seedExamples().result as object), trace };
    const first = await json(await t.post('/api/v1/sync', { agent_name: 'support', results: [result] }));
    const again = await json(await t.post('/api/v1/sync', { agent_name: 'support', test_run_id: first.test_run_id, results: [result] }));
    expect(again).toMatchObject({ synced: 0, duplicates: 1, trace_ids: first.trace_ids });
    const changed = structuredClone(result) as any;
    changed.trace.events[1].data.result = { articles: [] };
    expect(
      await json(await t.post('/api/v1/sync', { agent_name: 'support', test_run_id: first.test_run_id, results: [changed] })),
    ).toMatchObject({ synced: 1 });
  });

  it('re-sending a batch with trace ids creates no second run', async () => {
    const batch = { agent_name: 'support', results: [item('a', { trace_id: 'tr_a1' }), item('b', { trace_id: 'tr_b1' })] };
    const first = await json(await t.post('/api/v1/sync', batch));
    const again = await t.post('/api/v1/sync', batch);
    expect(again.status).toBe(200);
    expect(await json(again)).toMatchObject({ test_run_id: first.test_run_id, synced: 0, duplicates: 2 });
    expect((await json(await t.get('/api/v1/runs'))).total).toBe(1);
  });

  it('streams: create_empty starts a run, results are appended as cases finish', async () => {
    const start = await json(await t.post('/api/v1/sync', { agent_name: 'support', results: [], create_empty: true, name: 'streaming' }));
    expect(start).toMatchObject({ synced: 0 });
    expect((await json(await t.get(`/api/v1/runs/${start.test_run_id}`))).run.status).toBe('empty');
    for (const s of ['a', 'b', 'c']) {
      await t.post('/api/v1/sync', { agent_name: 'support', test_run_id: start.test_run_id, results: [item(s)] });
    }
    const run = await json(await t.get(`/api/v1/runs/${start.test_run_id}`));
    expect(run.run).toMatchObject({ total: 3, passed: 3, status: 'passed' });
    expect((await json(await t.get('/api/v1/runs'))).total).toBe(1);
  });

  it('keeps every result of concurrent syncs into the same run, with the right counts', async () => {
    const start = await json(await t.post('/api/v1/sync', { agent_name: 'support', results: [], create_empty: true }));
    const sends = Array.from({ length: 20 }, (_, i) =>
      t.post('/api/v1/sync', { agent_name: 'support', test_run_id: start.test_run_id, results: [item(`s${i}`, { passed: i % 4 !== 0 })] }),
    );
    const replies = await Promise.all(sends);
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(201));
    const run = await json(await t.get(`/api/v1/runs/${start.test_run_id}?limit=100`));
    expect(run.run).toMatchObject({ total: 20, passed: 15, failed: 5 });
    expect(new Set(run.results.map((r: any) => r.scenario_id)).size).toBe(20);
  });

  it('stores the valid items of a batch and lists each invalid one with every failing path', async () => {
    const response = await t.post('/api/v1/sync', {
      agent_name: 'support',
      results: [
        item('ok'),
        { scenario_id: 7, tools_called: [{ parameters: [] }] },
        item('ok2', { trace: { events: [{ type: 'tool_call', timestamp: 'noon', data: { tool: 'x', parameters: {} } }] } }),
      ],
    });
    const reply = await json(response);
    expect(reply.synced).toBe(1);
    expect(reply.rejected.map((r: any) => r.index)).toEqual([1, 2]);
    expect(reply.rejected[0].errors.map((e: any) => e.path).sort()).toEqual([
      'results[1].agent_response',
      'results[1].scenario_id',
      'results[1].tools_called[0].name',
      'results[1].tools_called[0].parameters',
      'results[1].user_message',
    ]);
    expect(reply.rejected[1].errors.map((e: any) => e.path).sort()).toEqual([
      'results[2].trace.events[0].timestamp',
      'results[2].trace.timestamp',
    ]);
    expect(await t.runtime.store.countTraces(WS)).toBe(1);
  });

  it('answers 404 for a test_run_id that does not exist, storing nothing', async () => {
    const error = await expectError(
      await t.post('/api/v1/sync', { agent_name: 'support', test_run_id: 'run_missing', results: [item('a')] }),
      404,
      'not_found',
    );
    expect(error.details.issues[0].path).toBe('test_run_id');
    expect(await t.runtime.store.countTraces(WS)).toBe(0);
  });

  it('rejects a whole request without agent_name', async () => {
    const error = await expectError(await t.post('/api/v1/sync', { results: [item('a')] }), 400, 'invalid_request');
    expect(error.details.issues).toEqual([{ path: 'agent_name', message: 'is required (expected string)' }]);
    expect(await t.runtime.store.countTraces(WS)).toBe(0);
  });

  it('rejects results that are neither an array nor a JSON-encoded array', async () => {
    for (const results of [{ a: 1 }, 'not json', '{"a":1}', 5]) {
      const error = await expectError(await t.post('/api/v1/sync', { agent_name: 'support', results }), 400, 'invalid_request');
      expect(error.details.issues[0].path).toBe('results');
    }
    expect(await t.runtime.store.countTraces(WS)).toBe(0);
  });

  it('rejects an empty batch unless it starts a streaming run', async () => {
    const error = await expectError(await t.post('/api/v1/sync', { agent_name: 'support', results: [] }), 400, 'invalid_request');
    expect(error.details.issues[0].path).toBe('results');
  });

  it('rejects wrong types with the path and the expected type, never the value', async () => {
    const error = await expectError(
      await t.post('/api/v1/sync', { agent_name: 'support', results: [item('a', { passed: 'yes-secret-value' })] }),
      400,
      'validation_failed',
    );
    expect(error.details.rejected[0].errors).toEqual([{ path: 'results[0].passed', message: expect.stringContaining('expected boolean') }]);
    expect(JSON.stringify(error)).not.toContain('yes-secret-value');
  });
});

describe('request limits and malformed bodies', () => {
  it('rejects a body that is not JSON', async () => {
    await expectError(await t.post('/api/v1/sync', '{"agent_name": "x", results: ['), 400, 'invalid_json');
  });

  it('rejects an empty body', async () => {
    await expectError(await t.post('/api/v1/sync', ''), 400, 'invalid_json');
  });

  it('answers 415 for a body that is not declared as JSON', async () => {
    await expectError(await t.post('/api/v1/sync', '{}', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
  });

  it('answers 413 for a body over the size limit, storing nothing', async () => {
    const huge = 'x'.repeat(300 * 1024);
    await expectError(
      await t.post('/api/v1/sync', { agent_name: 'support', results: [item('a', { agent_response: huge })] }),
      413,
      'payload_too_large',
    );
    expect(await t.runtime.store.countTraces(WS)).toBe(0);
  });

  it('accepts a huge string under the body limit and truncates its event to 10 KB, marked with the original size', async () => {
    const big = 'y'.repeat(200 * 1024);
    const reply = await json(await t.post('/api/v1/sync', { agent_name: 'support', results: [item('a', { agent_response: big })] }));
    const trace = await json(await t.get(`/api/v1/traces/${reply.trace_ids[0]}`));
    const response = trace.trace.events.at(-1);
    expect(Buffer.byteLength(JSON.stringify(response.data))).toBeLessThanOrEqual(10 * 1024);
    expect(response.data.message).toMatch(/…\[truncated \d+ bytes\]$/);
    expect(response.truncated).toMatchObject({ original_bytes: expect.any(Number), paths: ['data.message'] });
    expect(response.truncated.original_bytes).toBeGreaterThan(200 * 1024);
  });

  it('rejects nesting deeper than the limit', async () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 70; i++) deep = { d: deep };
    await expectError(await t.post('/api/v1/sync', { agent_name: 'support', results: [item('a', { metadata: deep })] }), 400, 'too_deep');
  });

  it('refuses __proto__ keys, written plainly or escaped, without polluting any prototype', async () => {
    const plain =
      '{"agent_name":"s","results":[{"scenario_id":"a","user_message":"q","agent_response":"r","metadata":{"__proto__":{"polluted":true}}}]}';
    const escaped = plain.replace('__proto__', '\\u005f_proto__');
    for (const body of [plain, escaped]) {
      const error = await expectError(await t.post('/api/v1/sync', body), 400, 'forbidden_key');
      expect(error.details.issues[0].path).toBe('results[0].metadata.__proto__');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await t.runtime.store.countTraces(WS)).toBe(0);
  });

  it('keeps a constructor key as plain data', async () => {
    const body =
      '{"agent_name":"s","results":[{"scenario_id":"a","user_message":"q","agent_response":"r","metadata":{"constructor":{"prototype":{"polluted":true}}}}]}';
    const reply = await json(await t.post('/api/v1/sync', body));
    const trace = await json(await t.get(`/api/v1/traces/${reply.trace_ids[0]}`));
    expect(trace.trace.metadata).toEqual({ constructor: { prototype: { polluted: true } } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('caps page sizes and names the bad query parameter', async () => {
    const error = await expectError(await t.get('/api/v1/runs?limit=100000'), 400, 'invalid_request');
    expect(error.details.issues[0].path).toBe('query.limit');
    const bad = await expectError(await t.get('/api/v1/traces?since=yesterday'), 400, 'invalid_request');
    expect(bad.details.issues[0].path).toBe('query.since');
  });

  it('rejects a cursor it did not issue', async () => {
    await expectError(await t.get('/api/v1/traces?cursor=garbage'), 400, 'invalid_request');
  });
});

describe('reading and deleting', () => {
  it('answers 404 with the error envelope for unknown ids and routes', async () => {
    await expectError(await t.get('/api/v1/traces/tr_nope'), 404, 'not_found');
    await expectError(await t.get('/api/v1/runs/run_nope'), 404, 'not_found');
    await expectError(await t.get('/api/v1/nothing-here'), 404, 'not_found');
    await expectError(await t.del('/api/v1/traces/tr_nope'), 404, 'not_found');
  });

  it("filters a run's results by status and pages them", async () => {
    const reply = await json(
      await t.post('/api/v1/sync', { agent_name: 'support', results: [item('a'), item('b', { passed: false }), item('c')] }),
    );
    const failed = await json(await t.get(`/api/v1/runs/${reply.test_run_id}?status=failed`));
    expect(failed.results.map((r: any) => r.scenario_id)).toEqual(['b']);
    const page = await json(await t.get(`/api/v1/runs/${reply.test_run_id}?limit=1&offset=1`));
    expect(page.results.map((r: any) => r.scenario_id)).toEqual(['b']);
    expect(page.total).toBe(3);
  });

  it('streams a trace longer than one store page as one JSON document with every event in order', async () => {
    const start = Date.parse('2026-03-13T14:30:00.000Z');
    const events = Array.from({ length: 2_345 }, (_, i) => ({
      type: i === 0 ? 'user_input' : 'agent_reasoning',
      timestamp: new Date(start + i).toISOString(),
      data: i === 0 ? { message: 'reconcile the ledger' } : { text: `step ${i}` },
    }));
    const trace = { trace_id: 'tr_long', scenario_id: 'sc_long', agent_name: 'support', timestamp: new Date(start).toISOString(), events };
    expect((await t.runtime.pipeline.ingestTraces(trace, { workspaceId: WS })).stored).toBe(1);
    const response = await t.get('/api/v1/traces/tr_long');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    const read = JSON.parse(text);
    expect(text).toBe(JSON.stringify(read));
    expect(Object.keys(read)).toEqual(['trace', 'feedback', 'summary', 'notes', 'expected', 'evaluation', 'redaction']);
    expect(read.trace).toEqual(trace);
    expect(read.summary).toMatchObject({ id: 'tr_long', event_count: 2_345 });
    const header = await json(await t.get('/api/v1/traces/tr_long?events=none'));
    expect({ ...read, trace: { ...read.trace, events: [] } }).toEqual(header);
  });

  it('deletes a trace and a run', async () => {
    const reply = await json(await t.post('/api/v1/sync', { agent_name: 'support', results: [item('a'), item('b')] }));
    const del = await t.del(`/api/v1/traces/${reply.trace_ids[0]}`);
    expect(del.status).toBe(200);
    await expectError(await t.get(`/api/v1/traces/${reply.trace_ids[0]}`), 404, 'not_found');
    expect((await json(await t.get(`/api/v1/runs/${reply.test_run_id}`))).run.total).toBe(1);
    const delRun = await json(await t.del(`/api/v1/runs/${reply.test_run_id}`));
    expect(delRun).toEqual({ deleted: true, traces_deleted: 1 });
    expect(await t.runtime.store.countTraces(WS)).toBe(0);
  });

  it('serves a health check, the OpenAPI document and the JSON Schema', async () => {
    expect(await json(await t.get('/healthz'))).toEqual({ status: 'ok' });
    const openapi = await json(await t.get('/api/v1/openapi.json'));
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/v1/sync', '/api/v1/traces', '/api/v1/runs/{id}']));
    expect(openapi.components.schemas.SyncRequest).toBeDefined();
    // Every registered route is documented with the permission it needs.
    for (const route of t.app.routes) {
      const operation = openapi.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
      expect(operation?.['x-stepwise-permission'], `${route.method} ${route.path}`).toBe(route.access);
    }
    const schema = await json(await t.get('/api/v1/schema.json'));
    expect(schema.$defs.Trace).toBeDefined();
  });
});

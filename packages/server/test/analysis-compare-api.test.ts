import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scenarioHistory } from '@stepwise/core';
import { seedExamples } from '../../../test-support/fixtures.js';
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

const hallucinationVariant = () => {
  const trace = structuredClone(seedExamples().trace) as any;
  trace.trace_id = 'tr_hallucinated';
  trace.events[1].data.result = { articles: [] };
  return trace;
};

describe('analysis through the API', () => {
  it("stores a hallucination finding for the brief's empty-search variant and none for the original", async () => {
    await t.post('/api/v1/traces', [seedExamples().trace, hallucinationVariant()]);
    const clean = await json(t.get('/api/v1/traces/tr_abc123/analysis'));
    expect(clean).toMatchObject({ verdict: 'passed', findings: [], checks: [] });
    const bad = await json(t.get('/api/v1/traces/tr_hallucinated/analysis'));
    expect(bad.verdict).toBe('failed');
    expect(bad.findings[0]).toMatchObject({ pattern: 'hallucination', category: 'knowledge_failure', event_indexes: [1, 2] });
    expect(bad.findings[0].summary).toContain('search_knowledge_base');
    expect(bad.findings[0].summary).toContain('"refund policy digital products"');
    const filtered = await json(t.get('/api/v1/traces?pattern=hallucination'));
    expect(filtered.traces.map((x: any) => x.id)).toEqual(['tr_hallucinated']);
    expect((await json(t.get('/api/v1/traces?verdict=passed'))).traces.map((x: any) => x.id)).toEqual(['tr_abc123']);
  });

  it('flags a result reported passed that fails its inline expectations as a passing failure', async () => {
    const result = { ...(seedExamples().result as object), expected: { tools: ['lookup_order'] } };
    const reply = await json(t.post('/api/v1/sync', { agent_name: 'support', results: [result] }));
    const analysis = await json(t.get(`/api/v1/traces/${reply.trace_ids[0]}/analysis`));
    expect(analysis.reported_passed).toBe(true);
    expect(analysis.verdict).toBe('failed');
    expect(analysis.findings.map((f: any) => f.pattern)).toContain('passing_failure');
    expect(analysis.checks.map((c: any) => c.kind)).toContain('missing_tool');
    const run = await json(t.get(`/api/v1/runs/${reply.test_run_id}`));
    expect(run.run).toMatchObject({ failed: 1, passed: 0 });
    expect(run.run.findings_by_pattern.passing_failure).toBe(1);
  });

  it('versions scenario expectations and re-analyzes a run after they change', async () => {
    const reply = await json(t.post('/api/v1/sync', { agent_name: 'support', results: [seedExamples().result] }));
    expect((await json(t.get(`/api/v1/traces/${reply.trace_ids[0]}/analysis`))).verdict).toBe('passed');
    const v1 = await json(
      t.app.request('/api/v1/scenarios/sc_xyz789', {
        method: 'PUT',
        headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ expectations: { tools: ['search_knowledge_base'] } }),
      }),
    );
    const v2 = await json(
      t.app.request('/api/v1/scenarios/sc_xyz789', {
        method: 'PUT',
        headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ expectations: { tools: ['search_knowledge_base'], forbidden_tools: ['search_knowledge_base'] } }),
      }),
    );
    expect([v1.version, v2.version]).toEqual([1, 2]);
    const summary = await json(t.post(`/api/v1/runs/${reply.test_run_id}/analyze`, {}));
    expect(summary).toMatchObject({ analyzed: 1, failed: 1 });
    const analysis = await json(t.get(`/api/v1/traces/${reply.trace_ids[0]}/analysis`));
    expect(analysis.expectations_source).toBe('scenario:v2');
    expect(analysis.checks.map((c: any) => c.kind)).toEqual(['forbidden_tool']);
    expect((await json(t.get(`/api/v1/runs/${reply.test_run_id}`))).run.failed).toBe(1);
    const scenario = await json(t.get('/api/v1/scenarios/sc_xyz789'));
    expect(scenario.versions.map((v: any) => v.version)).toEqual([2, 1]);
  });

  it('rejects malformed expectations with the path', async () => {
    const response = await t.app.request('/api/v1/scenarios/sc_x', {
      method: 'PUT',
      headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ expectations: { order: 'sideways' } }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.details.issues[0].path).toBe('expectations.order');
  });

  it('estimates cost from the model and token split, and says nothing for an unknown model', async () => {
    const reply = await json(
      t.post('/api/v1/sync', {
        agent_name: 'support',
        results: [
          { scenario_id: 'a', user_message: 'q', agent_response: 'r', model: 'gpt-4o-2024-08-06', tokens: { input: 1000, output: 100 } },
          { scenario_id: 'b', user_message: 'q', agent_response: 'r', model: 'my-private-model', tokens: { input: 1000, output: 100 } },
        ],
      }),
    );
    const [known, unknown] = await Promise.all(
      reply.trace_ids.map(async (id: string) => (await json(t.get(`/api/v1/traces/${id}`))).summary.cost_usd),
    );
    expect(known).toBeGreaterThan(0);
    expect(unknown).toBeNull();
  });

  it('marks an estimated cost as such, and a reported one as reported', async () => {
    const reply = await json(
      t.post('/api/v1/sync', {
        agent_name: 'support',
        results: [
          { scenario_id: 'a', user_message: 'q', agent_response: 'r', model: 'gpt-4o', tokens: { input: 1000, output: 100 } },
          {
            scenario_id: 'b',
            user_message: 'q',
            agent_response: 'r',
            model: 'gpt-4o',
            tokens: { input: 1000, output: 100 },
            cost_usd: 0.5,
          },
        ],
      }),
    );
    const [estimated, reported] = await Promise.all(
      reply.trace_ids.map(async (id: string) => (await json(t.get(`/api/v1/traces/${id}`))).summary),
    );
    expect(estimated).toMatchObject({ cost_estimated: true });
    expect(estimated.cost_usd).toBeGreaterThan(0);
    expect(reported).toMatchObject({ cost_usd: 0.5, cost_estimated: false });
  });
});

describe('compare through the API', () => {
  it("finds the divergence of the refund example and its hallucination variant at the first tool call's result", async () => {
    await t.post('/api/v1/traces', [seedExamples().trace, hallucinationVariant()]);
    const comparison = await json(t.get('/api/v1/compare/traces?a=tr_abc123&b=tr_hallucinated'));
    expect(comparison.same_scenario).toBe(true);
    expect(comparison.alignment.divergence).toMatchObject({ a: 1, b: 1 });
    expect(comparison.alignment.divergence.sentence).toContain('search_knowledge_base');
    expect(comparison.alignment.deltas.findings.appeared.map((p: any) => p.pattern ?? p)).toContain('hallucination');
  });

  it('says when the traces are of different scenarios, compares empty traces, and answers 404 for a missing id', async () => {
    const empty = (id: string, scenario: string) => ({
      trace_id: id,
      scenario_id: scenario,
      agent_name: 'a',
      timestamp: '2026-03-13T14:30:00Z',
      events: [],
    });
    await t.post('/api/v1/traces', [empty('tr_e1', 'sc_1'), empty('tr_e2', 'sc_2')]);
    const comparison = await json(t.get('/api/v1/compare/traces?a=tr_e1&b=tr_e2'));
    expect(comparison.same_scenario).toBe(false);
    expect(comparison.alignment.warnings.join(' ')).toMatch(/scenario/);
    expect(comparison.alignment.rows).toEqual([]);
    expect(comparison.alignment.divergence).toBeNull();
    const missing = await t.get('/api/v1/compare/traces?a=tr_e1&b=tr_nope');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).error.details.issues[0].path).toBe('query.b');
  });

  it('shows a regression, a fix and a behavior drift between the two demo runs', async () => {
    const [baseline, latest] = await seedDemoData(t.runtime.pipeline, 'ws_default');
    const reply = await json(t.get(`/api/v1/compare/runs?base=${baseline}&head=${latest}`));
    expect(reply.comparison.counts.regression).toBeGreaterThanOrEqual(1);
    expect(reply.comparison.counts.fix).toBeGreaterThanOrEqual(1);
    expect(reply.comparison.counts.behavior_drift).toBeGreaterThanOrEqual(1);
    const byScenario = Object.fromEntries(reply.comparison.results.map((r: any) => [r.scenario_id, r.status]));
    expect(byScenario).toMatchObject({
      sc_warranty_hardware: 'regression',
      sc_order_status: 'fix',
      sc_cancel_order: 'behavior_drift',
      sc_refund_digital: 'still_passing',
    });
    expect(reply.comparison.pass_rate.delta).toBeLessThan(0);
    const warranty = reply.comparison.results.find((r: any) => r.scenario_id === 'sc_warranty_hardware');
    const traces = await json(t.get(`/api/v1/compare/traces?a=${warranty.base.trace_id}&b=${warranty.head.trace_id}`));
    expect(traces.alignment.deltas.cost_usd.a).toBeGreaterThan(0); // estimated from gpt-4o's price and the token split
    for (const [query, path] of [
      [`base=run_nope&head=${latest}`, 'query.base'],
      [`base=${baseline}&head=run_nope`, 'query.head'],
    ] as const) {
      const missing = await t.get(`/api/v1/compare/runs?${query}`);
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as any).error.details.issues[0].path).toBe(path);
    }
  });

  it("lists a scenario's history across runs with its flakiness and tool paths", async () => {
    await seedDemoData(t.runtime.pipeline, 'ws_default');
    const history = await json(t.get('/api/v1/scenarios/sc_warranty_hardware/traces'));
    expect(history.traces).toHaveLength(2);
    expect(history.traces.map((x: any) => x.verdict)).toEqual(['failed', 'passed']);
    expect(history.flakiness).toBe(1);
    expect(history.history.tool_paths).toHaveLength(1);
    expect((await t.get('/api/v1/scenarios/sc_nope/traces')).status).toBe(404);
  });

  it("pages a scenario's history with a cursor and summarizes all of it on every page", async () => {
    const tools = [['search'], ['search', 'lookup'], ['search'], [], ['search'], ['search', 'lookup'], ['search']];
    for (const [i, path] of tools.entries()) {
      const reply = await t.post('/api/v1/sync', {
        agent_name: 'support',
        results: [
          {
            scenario_id: 'sc_paged',
            user_message: `question ${i}`,
            agent_response: 'an answer',
            tools_called: path.map((name) => ({ name, parameters: { n: i } })),
            passed: i % 3 !== 1,
          },
          { scenario_id: 'sc_neighbour', user_message: 'q', agent_response: 'a', passed: true },
        ],
      });
      expect(reply.status).toBe(201);
    }
    const all = (await json(t.get('/api/v1/traces?scenario=sc_paged&limit=100'))).traces;
    expect(all).toHaveLength(7);
    const pages: any[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await json(
        t.get(`/api/v1/scenarios/sc_paged/traces?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
      );
      pages.push(page);
      cursor = page.next_cursor;
    } while (cursor);
    expect(pages.map((p) => p.traces.length)).toEqual([3, 3, 1]);
    expect(pages.flatMap((p) => p.traces.map((x: any) => x.id))).toEqual(all.map((x: any) => x.id));
    // Every page carries the summary of the whole history, the same as computed from every trace.
    const expected = scenarioHistory([...all].reverse().map((x: any) => ({ trace_id: x.id, verdict: x.verdict, tool_path: x.tool_path })));
    const passed = all.filter((x: any) => x.verdict === 'passed').length;
    const failed = all.filter((x: any) => x.verdict === 'failed').length;
    expect(passed + failed).toBe(7);
    for (const page of pages) {
      expect(page).toMatchObject({ scenario_id: 'sc_paged', total: 7, passed, failed, flakiness: expected.flakiness });
      expect(page.history).toEqual(expected);
    }
    expect(expected.tool_paths.map((p) => p.count)).toEqual([4, 2, 1]);
    const tooMany = await t.get('/api/v1/scenarios/sc_paged/traces?limit=501');
    expect(tooMany.status).toBe(400);
    expect((await json(tooMany)).error.details.issues[0].path).toBe('query.limit');
    expect((await t.get('/api/v1/scenarios/sc_paged/traces?cursor=not-a-cursor')).status).toBe(400);
  });

  it('exports a trace and a run as JSON downloads', async () => {
    const [baseline] = await seedDemoData(t.runtime.pipeline, 'ws_default');
    const run = await t.get(`/api/v1/export?run=${baseline}`);
    expect(run.headers.get('content-disposition')).toContain(`${baseline}.json`);
    const body = (await run.json()) as any;
    expect(body.format).toBe('stepwise.export.v1');
    expect(body.traces).toHaveLength(6);
    const trace = (await (await t.get(`/api/v1/export?trace=${body.traces[0].trace.trace_id}`)).json()) as any;
    expect(trace.trace.events.length).toBeGreaterThan(0);
  });
});

describe('demo data', () => {
  it('is marked as demo and shows every pattern the brief names', async () => {
    await seedDemoData(t.runtime.pipeline, 'ws_default');
    const runs = await json(t.get('/api/v1/runs'));
    expect(runs.runs.every((r: any) => r.is_demo)).toBe(true);
    const patterns = new Set<string>();
    for (const run of runs.runs) for (const p of Object.keys(run.findings_by_pattern)) patterns.add(p);
    expect([...patterns]).toEqual(expect.arrayContaining(['hallucination', 'tool_misuse', 'missing_tool_call', 'loop', 'passing_failure']));
  });
});

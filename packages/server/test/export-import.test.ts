import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CSV_EVENT_COLUMNS, CSV_RESULT_COLUMNS, parseCsv } from '@stepwise/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../src/demo/demo-data.js';
import { makeTestApp, type TestApp } from './support/app.js';

let t: TestApp;
let keyFor: (ws: string) => Promise<string>;
let traceIds: string[];

const longText = 'x'.repeat(30_000);

beforeAll(async () => {
  t = await makeTestApp();
  keyFor = async (ws) => {
    await t.runtime.store.ensureWorkspace(ws, ws);
    return (await t.runtime.access.createApiKey(ws, { name: 'import', role: 'member' }, 'test')).key;
  };
  await seedDemoData(t.runtime.pipeline, 'ws_default');
  // A run with CI fields, PII (redacted before export), notes, inline expectations and an oversized event.
  const sync = await t.post('/api/v1/sync', {
    agent_name: 'exporter',
    name: 'nightly 42',
    source: 'ci',
    branch: 'main',
    commit: 'c0ffee',
    ci_url: 'https://ci.example/jobs/42',
    results: [
      {
        scenario_id: 'sc_contact',
        user_message: 'Email me at ann.lee@example.com, please',
        agent_response: 'Done, I wrote to ann.lee@example.com.',
        tools_called: [{ name: 'send_email', parameters: { to: 'ann.lee@example.com', body: longText }, result: { sent: true } }],
        passed: true,
        notes: 'reported by ann.lee@example.com',
        expected: { tools: ['send_email'] },
      },
      { scenario_id: 'sc_other', user_message: 'hi', agent_response: 'hello', passed: false },
    ],
  });
  expect(sync.status).toBe(201);
  const posted = await t.post('/api/v1/traces', {
    trace_id: 'tr_runless',
    scenario_id: 'sc_loose',
    agent_name: 'exporter',
    timestamp: '2026-03-13T14:30:00Z',
    events: [
      { type: 'user_input', timestamp: '2026-03-13T14:30:00Z', data: { message: 'where is order 7?' } },
      {
        type: 'tool_call',
        timestamp: '2026-03-13T14:30:01Z',
        id: 'e1',
        data: { tool: 'lookup', parameters: { id: 7 }, result: { status: 'lost' }, duration_ms: 40 },
      },
      { type: 'agent_response', timestamp: '2026-03-13T14:30:02Z', data: { message: 'It is lost.' } },
    ],
  });
  expect(posted.status).toBe(201);
  traceIds = [];
  let cursor = '';
  do {
    const page = (await (await t.get(`/api/v1/traces?limit=100${cursor ? `&cursor=${cursor}` : ''}`)).json()) as {
      traces: Array<{ id: string }>;
      next_cursor: string | null;
    };
    traceIds.push(...page.traces.map((x) => x.id));
    cursor = page.next_cursor ?? '';
  } while (cursor);
});
afterAll(() => t.close());

async function exportText(query: string): Promise<{ text: string; response: Response }> {
  const response = await t.get(`/api/v1/export?${query}`);
  expect(response.status).toBe(200);
  return { text: await response.text(), response };
}

async function importInto(ws: string, text: string, type: string) {
  const key = await keyFor(ws);
  const response = await t.app.request('/api/v1/import', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': type },
    body: text,
  });
  expect(response.status).toBe(200);
  return {
    key,
    reply: (await response.json()) as { runs: Array<{ created: boolean; synced: number; duplicates: number }>; rejected: unknown[] },
  };
}

/** Everything stored about the workspace's traces and runs, minus the times of the import itself. */
async function snapshot(key: string) {
  const headers = { authorization: `Bearer ${key}` };
  const runs = ((await (await t.get('/api/v1/runs?limit=500', headers)).json()) as { runs: Array<Record<string, unknown>> }).runs
    .map(({ created_at: _c, updated_at: _u, ...run }) => run)
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
  const traces: Record<string, unknown> = {};
  for (const id of traceIds) {
    const { summary, ...rest } = (await (await t.get(`/api/v1/traces/${id}`, headers)).json()) as { summary: Record<string, unknown> };
    const { created_at: _c, ...kept } = summary;
    traces[id] = { ...rest, summary: kept };
  }
  return { runs, traces };
}

describe('export and import', () => {
  it('round-trips every run and trace through Stepwise JSON and JSONL into other workspaces, losing nothing', async () => {
    const original = await snapshot(t.ownerKey);
    expect(Object.keys(original.traces)).toHaveLength(traceIds.length);
    expect(traceIds.length).toBeGreaterThan(10);
    expect(JSON.stringify(original)).not.toContain('ann.lee@example.com');
    expect(JSON.stringify(original.traces)).toContain('truncated');

    const json = await exportText('format=json');
    expect(json.response.headers.get('content-type')).toContain('application/json');
    expect(json.response.headers.get('content-length')).toBeNull(); // streamed
    expect(JSON.parse(json.text)).toMatchObject({ format: 'stepwise.export.v1', traces: expect.any(Array) });
    const viaJson = await importInto('ws_json', json.text, 'application/json');
    expect(viaJson.reply.rejected).toEqual([]);
    expect(await snapshot(viaJson.key)).toEqual(original);

    const jsonl = await exportText('format=jsonl');
    expect(jsonl.text.trimEnd().split('\n')).toHaveLength(traceIds.length);
    const viaJsonl = await importInto('ws_jsonl', jsonl.text, 'application/x-ndjson');
    expect(await snapshot(viaJsonl.key)).toEqual(original);

    // Importing the same export again adds nothing.
    const again = await importInto('ws_jsonl', jsonl.text, 'application/x-ndjson');
    expect(again.reply.runs.every((r) => !r.created && r.synced === 0)).toBe(true);
    expect(await snapshot(viaJsonl.key)).toEqual(original);
  });

  it('exports a run, a filter or one trace; a missing run answers 404 before any byte', async () => {
    const runs = ((await (await t.get('/api/v1/runs?agent=exporter')).json()) as { runs: Array<{ id: string }> }).runs;
    const run = (await exportText(`run=${runs[0]!.id}&format=jsonl`)).text.trimEnd().split('\n');
    expect(run.map((line) => (JSON.parse(line) as { summary: { scenario_id: string } }).summary.scenario_id)).toEqual([
      'sc_contact',
      'sc_other',
    ]);
    const failed = (await exportText('verdict=failed&agent=exporter&format=jsonl')).text.trimEnd().split('\n');
    expect(failed.map((line) => (JSON.parse(line) as { summary: { verdict: string } }).summary.verdict)).toEqual(['failed']);
    const one = JSON.parse((await exportText('trace=tr_runless')).text) as { format: string; run: null; trace: { trace_id: string } };
    expect(one).toMatchObject({ format: 'stepwise.trace.v1', run: null, trace: { trace_id: 'tr_runless' } });
    const missing = await t.get('/api/v1/export?run=run_nope&format=csv');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('writes CSV that parses back: one row per result, or one per event, with documented columns', async () => {
    const results = parseCsv((await exportText('format=csv')).text);
    expect(results[0]).toEqual(CSV_RESULT_COLUMNS.map((c) => c.name));
    expect(
      results
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual([...traceIds].sort());
    const contact = results.find((r) => r[results[0]!.indexOf('scenario_id')] === 'sc_contact')!;
    const col = (name: string) => contact[results[0]!.indexOf(name)];
    expect(col('branch')).toBe('main');
    expect(col('tool_path')).toBe('send_email');
    expect(col('user_message')).toBe('Email me at <EMAIL_1>, please');

    const events = parseCsv((await exportText('format=csv&rows=events&trace=tr_runless')).text);
    expect(events[0]).toEqual(CSV_EVENT_COLUMNS.map((c) => c.name));
    expect(events).toHaveLength(4);
    const call = events[2]!;
    const at = (name: string) => call[events[0]!.indexOf(name)]!;
    expect(at('type')).toBe('tool_call');
    expect(at('tool')).toBe('lookup');
    expect(JSON.parse(at('parameters'))).toEqual({ id: 7 });
    expect(JSON.parse(at('result'))).toEqual({ status: 'lost' });

    const doc = readFileSync(resolve(import.meta.dirname, '../../../docs/export.md'), 'utf8');
    for (const c of [...CSV_RESULT_COLUMNS, ...CSV_EVENT_COLUMNS])
      expect(doc, c.name).toMatch(new RegExp(`^\\| \`${c.name}\` +\\| \\S`, 'm'));
  });

  it('writes OTLP JSON that parses back into GenAI spans, one trace per exported trace', async () => {
    const doc = JSON.parse((await exportText('format=otlp')).text) as {
      resourceSpans: Array<{
        scopeSpans: Array<{
          spans: Array<{
            traceId: string;
            spanId: string;
            parentSpanId?: string;
            name: string;
            startTimeUnixNano: string;
            endTimeUnixNano: string;
            attributes: Array<{ key: string; value: Record<string, unknown> }>;
          }>;
        }>;
      }>;
    };
    expect(doc.resourceSpans).toHaveLength(traceIds.length);
    const traceIdsSeen = new Set<string>();
    for (const rs of doc.resourceSpans) {
      const spans = rs.scopeSpans[0]!.spans;
      const [root, ...children] = spans;
      expect(root!.traceId).toMatch(/^[0-9a-f]{32}$/);
      traceIdsSeen.add(root!.traceId);
      for (const span of spans) {
        expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
        expect(span.startTimeUnixNano).toMatch(/^\d+$/);
        expect(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano)).toBe(true);
      }
      for (const child of children) {
        expect(child.parentSpanId).toBe(root!.spanId);
        expect(child.name).toMatch(/^execute_tool /);
        const attrs = Object.fromEntries(child.attributes.map((a) => [a.key, Object.values(a.value)[0]]));
        expect(attrs['gen_ai.operation.name']).toBe('execute_tool');
        expect(child.name).toBe(`execute_tool ${String(attrs['gen_ai.tool.name'])}`);
      }
    }
    expect(traceIdsSeen.size).toBe(traceIds.length);
    const loose = doc.resourceSpans.find((rs) =>
      rs.scopeSpans[0]!.spans[0]!.attributes.some((a) => a.key === 'stepwise.trace_id' && a.value.stringValue === 'tr_runless'),
    )!;
    const tool = loose.scopeSpans[0]!.spans[1]!;
    const attrs = Object.fromEntries(tool.attributes.map((a) => [a.key, Object.values(a.value)[0]]));
    expect(attrs).toMatchObject({ 'gen_ai.tool.name': 'lookup', 'gen_ai.tool.call.id': 'e1', 'gen_ai.tool.call.arguments': '{"id":7}' });
    expect(BigInt(tool.endTimeUnixNano) - BigInt(tool.startTimeUnixNano)).toBe(BigInt(40_000_000));

    // Stepwise's own OTLP receiver reads it back: the same tool calls, parameters and results.
    const key = await keyFor('ws_otlp');
    const posted = await t.app.request('/v1/traces', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [loose] }),
    });
    expect(posted.status).toBe(200);
    await t.app.otlp.flush();
    const headers = { authorization: `Bearer ${key}` };
    const back = (
      (await (await t.get('/api/v1/traces?scenario=sc_loose', headers)).json()) as {
        traces: Array<{ id: string; agent_name: string; tool_path: string[] }>;
      }
    ).traces;
    expect(back).toEqual([expect.objectContaining({ agent_name: 'exporter', tool_path: ['lookup'] })]);
    const events = (
      (await (await t.get(`/api/v1/traces/${back[0]!.id}`, headers)).json()) as {
        trace: { events: Array<{ type: string; data: Record<string, unknown> }> };
      }
    ).trace.events;
    expect(events.find((e) => e.type === 'tool_call')?.data).toMatchObject({
      tool: 'lookup',
      parameters: { id: 7 },
      result: { status: 'lost' },
    });
  });
});

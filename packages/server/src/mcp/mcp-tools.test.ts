import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedExamples } from '../../../../test-support/fixtures.js';
import { IngestPipeline, type PipelineStage } from '../ingest/pipeline.js';
import { SqliteTraceStore } from '../store/sqlite/sqlite-trace-store.js';
import { DEFAULT_WORKSPACE_ID } from '../store/trace-store.js';
import { LocalBackend } from '../client/local-backend.js';
import { createStepwiseMcpServer } from './mcp-server.js';
import type { WorkspaceRole } from './tool-context.js';

const WS = DEFAULT_WORKSPACE_ID;

/** Marks every trace whose response mentions "fabricated" as a hallucination at its last event. */
const fakeAnalysis: PipelineStage = {
  name: 'fake-analysis',
  apply(item) {
    const last = item.trace.events.length - 1;
    const response = item.trace.events[last];
    if (response?.type === 'agent_response' && response.data.message.includes('fabricated')) {
      item.evaluation = {
        verdict: 'failed',
        checks: [{ kind: 'missing_tool', passed: false, event_indexes: [], message: 'escalate_to_human was expected but never called.' }],
        findings: [
          {
            pattern: 'hallucination',
            category: 'knowledge_failure',
            severity: 'high',
            event_indexes: [1, last],
            summary: 'search_kb returned no results at event 1, yet the response at event 2 states a policy as fact.',
          },
        ],
      } as unknown as NonNullable<typeof item.evaluation>;
    }
  },
};

let dir: string;
let store: SqliteTraceStore;
let pipeline: IngestPipeline;
let client: Client;
let logs: string[];

async function connect(role: WorkspaceRole | null = null, workspaceId = WS): Promise<Client> {
  const backend = new LocalBackend({ store, pipeline, workspaceId });
  const server = createStepwiseMcpServer({ backend, role, log: (line) => logs.push(line) });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const c = new Client({ name: 'test', version: '1.0.0' });
  await c.connect(clientSide);
  return c;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-mcp-'));
  store = new SqliteTraceStore({ path: join(dir, 'stepwise.db') });
  pipeline = new IngestPipeline({ store, stages: [fakeAnalysis], publicUrl: 'http://stepwise.test' });
  logs = [];
  client = await connect();
});
afterEach(async () => {
  await client.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(name: string, args: Record<string, unknown>, c: Client = client): Promise<CallToolResult> {
  return (await c.callTool({ name, arguments: args })) as CallToolResult;
}

function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

function structured(result: CallToolResult): any {
  expect(result.isError ?? false).toBe(false);
  return result.structuredContent;
}

async function expectNothingStored() {
  expect(await store.countTraces(WS)).toBe(0);
  expect((await store.listRuns(WS, { limit: 10, offset: 0 })).items).toEqual([]);
}

const item = (scenario: string, extra: Record<string, unknown> = {}) => ({
  scenario_id: scenario,
  user_message: `question for ${scenario}`,
  agent_response: 'an answer',
  tools_called: [{ name: 'search_kb', parameters: { query: scenario }, result: { hits: 1 } }],
  passed: true,
  ...extra,
});

describe('the tool list', () => {
  it('offers the sync, read and analysis tools with descriptions and input schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        'analyze_trace',
        'comment_on_event',
        'compare_test_runs',
        'compare_traces',
        'get_scenario_history',
        'get_test_run',
        'get_trace',
        'invarium_sync_results',
        'list_finding_feedback',
        'list_test_runs',
        'mark_finding',
        'search_traces',
        'sync_results',
      ].sort(),
    );
    for (const tool of tools) expect(tool.description?.length).toBeGreaterThan(80);
    const invarium = tools.find((t) => t.name === 'invarium_sync_results')!;
    expect(Object.keys(invarium.inputSchema.properties ?? {}).sort()).toEqual(
      ['agent_name', 'branch', 'ci_url', 'commit', 'create_empty', 'name', 'results', 'source', 'test_run_id'].sort(),
    );
    expect(invarium.inputSchema.required).toEqual(['agent_name', 'results']);
    expect((invarium.inputSchema.properties as any).results.type).toBe('string');
    const sync = tools.find((t) => t.name === 'sync_results')!;
    // The result item's fields are documented for the model even though items are validated one by one.
    expect(JSON.stringify(sync.inputSchema)).toContain('tools_called');
    expect(tools.find((t) => t.name === 'get_trace')!.annotations?.readOnlyHint).toBe(true);
  });
});

describe('invarium_sync_results', () => {
  it("syncs the brief's example result sent as a JSON string, and get_trace reads it back", async () => {
    const { result, resultText } = seedExamples();
    // The brief's result, verbatim, as the one item of a JSON-encoded results array.
    const reply = await call('invarium_sync_results', { agent_name: 'customer-support-agent', results: `[${resultText}]` });
    const body = structured(reply);
    expect(body).toMatchObject({ agent_name: 'customer-support-agent', synced: 1, duplicates: 0, rejected: [] });
    expect(body.test_run_id).toMatch(/^run_/);
    expect(body.dashboard_url).toBe(`http://stepwise.test/runs/${body.test_run_id}`);
    expect(textOf(reply)).toContain(`Synced 1 result into test run ${body.test_run_id}`);
    expect(textOf(reply)).toContain(body.trace_ids[0]);
    expect((await store.getRun(WS, body.test_run_id))?.source).toBe('mcp');

    const trace = await call('get_trace', { trace_id: body.trace_ids[0] });
    const detail = structured(trace);
    expect(detail.trace.events.map((e: any) => e.type)).toEqual(['user_input', 'tool_call', 'agent_response']);
    expect(detail.trace.events[1].data).toEqual({ tool: 'search_knowledge_base', parameters: (result as any).tools_called[0].parameters });
    expect(detail.summary).toMatchObject({ scenario_id: 'sc_xyz789', reported_passed: true, run_id: body.test_run_id });
    const lines = textOf(trace).split('\n');
    expect(lines[0]).toContain('scenario sc_xyz789');
    expect(lines[0]).toContain('PASSED');
    expect(lines.find((l) => l.includes('tool_call'))).toContain('search_knowledge_base(query="refund policy digital products")');
    expect(lines.find((l) => l.includes('user_input'))).toContain('"What is your refund policy for digital products?"');
  });

  it('records the branch, commit and CI link of a new run, and names a bad ci_url', async () => {
    const { resultText } = seedExamples();
    const fields = { branch: 'main', commit: 'abc123', ci_url: 'https://ci.example/jobs/9' };
    const reply = await call('invarium_sync_results', { agent_name: 'customer-support-agent', results: `[${resultText}]`, ...fields });
    expect(await store.getRun(WS, structured(reply).test_run_id)).toMatchObject(fields);
    const before = await store.countTraces(WS);
    const bad = await call('sync_results', { agent_name: 'a', results: [JSON.parse(resultText)], ci_url: 'javascript:alert(1)' });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toContain('ci_url');
    expect(await store.countTraces(WS)).toBe(before);
  });

  it('refuses results that are not valid JSON, naming the parameter, and stores nothing', async () => {
    const reply = await call('invarium_sync_results', { agent_name: 'a', results: '[{"scenario_id": "x",' });
    expect(reply.isError).toBe(true);
    expect(textOf(reply)).toContain('results is a string but not valid JSON');
    expect(textOf(reply)).toContain('- results: expected an array of results, or a JSON-encoded array of results');
    await expectNothingStored();
  });

  it('refuses a JSON string that is not an array', async () => {
    const reply = await call('invarium_sync_results', { agent_name: 'a', results: '{"scenario_id": "x"}' });
    expect(reply.isError).toBe(true);
    expect(textOf(reply)).toContain('results must be an array');
    await expectNothingStored();
  });

  it('refuses a missing agent_name with what to send instead', async () => {
    const reply = await call('invarium_sync_results', { results: seedExamples().resultText });
    expect(reply.isError).toBe(true);
    expect(textOf(reply)).toContain('agent_name is required: the name of the agent under test');
    await expectNothingStored();
  });

  it('refuses results passed as an array, pointing to sync_results', async () => {
    const reply = await call('invarium_sync_results', { agent_name: 'a', results: [item('x')] });
    expect(reply.isError).toBe(true);
    expect(textOf(reply)).toContain('results must be a string holding the JSON-encoded array');
    expect(textOf(reply)).toContain('sync_results');
    await expectNothingStored();
  });

  it('refuses an unknown test_run_id and says to omit it for a new run', async () => {
    const reply = await call('invarium_sync_results', { agent_name: 'a', results: JSON.stringify([item('x')]), test_run_id: 'run_nope' });
    expect(reply.isError).toBe(true);
    expect(textOf(reply)).toContain('Error (not_found): test_run_id names no test run in this workspace; omit it to start a new run');
    expect(textOf(reply)).toContain('- test_run_id: no such test run');
    await expectNothingStored();
  });

  it("refuses a batch whose every result is invalid, listing each result's problems", async () => {
    const reply = await call('invarium_sync_results', {
      agent_name: 'a',
      results: JSON.stringify([
        { scenario_id: 'x', user_message: 'hi' },
        { user_message: 'hi', agent_response: 'yo' },
      ]),
    });
    expect(reply.isError).toBe(true);
    const text = textOf(reply);
    expect(text).toContain('every result was rejected; nothing was stored');
    expect(text).toContain('Result 0 was rejected:');
    expect(text).toContain('results[0].agent_response');
    expect(text).toContain('results[1].scenario_id');
    await expectNothingStored();
  });

  it('keeps a viewer from syncing', async () => {
    const viewer = await connect('viewer');
    const reply = await call('invarium_sync_results', { agent_name: 'a', results: JSON.stringify([item('x')]) }, viewer);
    expect(reply.isError).toBe(true);
    expect(textOf(reply)).toBe("your key's role (viewer) cannot sync; use a member key");
    const again = await call('sync_results', { agent_name: 'a', results: [item('x')] }, viewer);
    expect(textOf(again)).toBe("your key's role (viewer) cannot sync; use a member key");
    await expectNothingStored();
    // Reading stays allowed.
    expect(structured(await call('list_test_runs', {}, viewer)).runs).toEqual([]);
    await viewer.close();
  });
});

describe('sync_results', () => {
  it('stores the valid results of a batch and reports the rejected ones with their paths', async () => {
    const reply = await call('sync_results', {
      agent_name: 'bot',
      results: [item('sc_ok'), { scenario_id: 'sc_bad', user_message: 'hi', agent_response: 42 }],
    });
    const body = structured(reply);
    expect(body).toMatchObject({ synced: 1, rejected: [{ index: 1, errors: [{ path: 'results[1].agent_response' }] }] });
    expect(textOf(reply)).toContain('Result 1 was rejected:\n  - results[1].agent_response:');
    expect(await store.countTraces(WS)).toBe(1);
  });

  it('accepts results as a JSON string too', async () => {
    const body = structured(await call('sync_results', { agent_name: 'bot', results: JSON.stringify([item('a'), item('b')]) }));
    expect(body.synced).toBe(2);
  });

  it('streams: create_empty opens a run, then results are appended with test_run_id', async () => {
    const opened = structured(await call('sync_results', { agent_name: 'bot', create_empty: true, name: 'nightly' }));
    expect(opened).toMatchObject({ synced: 0, trace_ids: [] });
    const runId = opened.test_run_id;
    expect((await store.getRun(WS, runId))?.name).toBe('nightly');
    await call('sync_results', { agent_name: 'bot', test_run_id: runId, results: [item('a')] });
    const second = structured(
      await call('invarium_sync_results', { agent_name: 'bot', test_run_id: runId, results: JSON.stringify([item('b')]) }),
    );
    expect(second.test_run_id).toBe(runId);
    expect((await store.getRun(WS, runId))?.total).toBe(2);
  });

  it('treats a re-sent result in the same run as a duplicate', async () => {
    const first = structured(await call('sync_results', { agent_name: 'bot', results: [item('a')] }));
    const again = structured(await call('sync_results', { agent_name: 'bot', test_run_id: first.test_run_id, results: [item('a')] }));
    expect(again).toMatchObject({ synced: 0, duplicates: 1 });
  });

  it('refuses to append under another agent name', async () => {
    const first = structured(await call('sync_results', { agent_name: 'bot', results: [item('a')] }));
    const reply = await call('sync_results', { agent_name: 'other', test_run_id: first.test_run_id, results: [item('b')] });
    expect(reply.isError).toBe(true);
    expect(textOf(reply)).toContain('- agent_name: must equal the agent_name of the test run named by test_run_id');
    expect(await store.countTraces(WS)).toBe(1);
  });

  it('asks for results or create_empty when there are none', async () => {
    const reply = await call('sync_results', { agent_name: 'bot' });
    expect(reply.isError).toBe(true);
    expect(textOf(reply)).toContain('create_empty: true');
    await expectNothingStored();
  });

  it('refuses a results value that is neither an array nor a string', async () => {
    const reply = await call('sync_results', { agent_name: 'bot', results: { scenario_id: 'x' } });
    expect(reply.isError).toBe(true);
    expect(textOf(reply)).toContain('results must be an array of result objects, or a JSON-encoded string of that array');
    await expectNothingStored();
  });

  it("applies the pipeline's forbidden-key rule to arguments parsed by the SDK", async () => {
    const poisoned = JSON.parse('{"scenario_id":"x","user_message":"m","agent_response":"r","metadata":{"__proto__":{"polluted":true}}}');
    const reply = await call('sync_results', { agent_name: 'bot', results: [poisoned] });
    expect(reply.isError).toBe(true);
    expect(textOf(reply)).toMatch(/__proto__/);
    await expectNothingStored();
  });
});

describe('reading runs and traces', () => {
  async function seedRuns() {
    const a = structured(
      await call('sync_results', {
        agent_name: 'support-bot',
        name: 'first',
        results: [
          item('sc_refund'),
          item('sc_hours', {
            passed: false,
            agent_response: 'We are open 24/7 (fabricated)',
            tools_called: [{ name: 'search_kb', parameters: { query: 'hours' }, result: { hits: [] } }],
          }),
        ],
      }),
    );
    const b = structured(await call('sync_results', { agent_name: 'other-bot', results: [item('sc_refund')] }));
    return { a, b };
  }

  it('lists runs with counts, filtered by agent and status, with paging hints', async () => {
    const { a } = await seedRuns();
    const all = await call('list_test_runs', {});
    expect(structured(all).runs).toHaveLength(2);
    expect(structured(all).total).toBe(2);
    expect(textOf(all)).toContain('PASS RATE');
    const failed = structured(await call('list_test_runs', { status: 'failed' }));
    expect(failed.runs.map((r: any) => r.id)).toEqual([a.test_run_id]);
    expect(failed.runs[0]).toMatchObject({ total: 2, passed: 1, failed: 1 });
    const page = await call('list_test_runs', { limit: 1 });
    expect(textOf(page)).toContain('call again with offset 1 for more');
    expect(structured(await call('list_test_runs', { agent: 'nobody' })).runs).toEqual([]);
  });

  it('reads a run with its failing cases and their patterns', async () => {
    const { a } = await seedRuns();
    const reply = await call('get_test_run', { test_run_id: a.test_run_id, status: 'failed' });
    const body = structured(reply);
    expect(body.run.id).toBe(a.test_run_id);
    expect(body.results.map((r: any) => r.scenario_id)).toEqual(['sc_hours']);
    expect(body.results[0].patterns).toEqual(['hallucination']);
    expect(textOf(reply)).toContain('Findings by pattern: hallucination ×1');
    expect(textOf(reply)).toContain(`Dashboard: http://stepwise.test/runs/${a.test_run_id}`);
  });

  it('answers an unknown run id with a tool error that says how to find ids', async () => {
    const reply = await call('get_test_run', { test_run_id: 'run_missing' });
    expect(reply.isError).toBe(true);
    expect(textOf(reply)).toContain('Error (not_found): no test run with this id in this workspace.');
    expect(textOf(reply)).toContain('list_test_runs');
  });

  it('pins findings to their events in the timeline', async () => {
    const { a } = await seedRuns();
    const reply = await call('get_trace', { trace_id: a.trace_ids[1] });
    const text = textOf(reply);
    expect(text).toContain('FAILED (reported failed)');
    // These results carry no timestamps: their times show as unknown (?).
    const eventLines = text.split('\n').filter((l) => /^\s+\d+\s+(?:[+-]|\?)/.test(l));
    expect(eventLines).toHaveLength(3);
    expect(eventLines[1]).toContain('search_kb(query="hours") → {hits: []}');
    expect(eventLines[1]).toContain('⚠ hallucination');
    expect(eventLines[2]).toContain('⚠ hallucination');
    expect(text).toContain('Findings:\n- hallucination (high) [events 1, 2]: search_kb returned no results at event 1');
    expect(text).toContain('Failed checks against the expectations:\n- missing_tool: escalate_to_human was expected but never called.');
    expect(structured(reply).evaluation.findings[0].pattern).toBe('hallucination');
  });

  it('shows a long trace a window at a time and says how to read on', async () => {
    const calls = Array.from({ length: 30 }, (_, i) => ({ name: 'step', parameters: { i } }));
    const body = structured(await call('sync_results', { agent_name: 'bot', results: [item('long', { tools_called: calls })] }));
    const first = await call('get_trace', { trace_id: body.trace_ids[0], event_limit: 10 });
    expect(textOf(first)).toContain('(showing events 0–9 of 32; call get_trace with event_offset=10 for the next ones)');
    expect(structured(first).trace.events).toHaveLength(32);
    const last = textOf(await call('get_trace', { trace_id: body.trace_ids[0], event_offset: 30, event_limit: 10 }));
    expect(last).toContain('(showing events 30–31 of 32)');
    expect(last).toMatch(/\n\s+31\s+\S+\s+agent_response/);
  });

  it('answers an unknown trace id, or a bad window, with a tool error', async () => {
    const missing = await call('get_trace', { trace_id: 'tr_missing' });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toContain('no trace with this id in this workspace');
    const bad = await call('get_trace', { trace_id: 'tr_x', event_limit: 0 });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toContain('event_limit must be a whole number from 1 to 2000');
  });

  it('searches traces by scenario, verdict, pattern and time, paging with a cursor', async () => {
    await seedRuns();
    const refund = structured(await call('search_traces', { scenario: 'sc_refund' }));
    expect(refund.traces.map((t: any) => t.agent_name).sort()).toEqual(['other-bot', 'support-bot']);
    const failing = await call('search_traces', { verdict: 'failed' });
    expect(structured(failing).traces.map((t: any) => t.scenario_id)).toEqual(['sc_hours']);
    expect(textOf(failing)).toContain('hallucination');
    expect(structured(await call('search_traces', { pattern: 'hallucination', agent: 'support-bot' })).traces).toHaveLength(1);
    expect(structured(await call('search_traces', { since: '2999-01-01T00:00:00Z' })).traces).toEqual([]);

    const first = await call('search_traces', { limit: 2 });
    const page1 = structured(first);
    expect(page1.traces).toHaveLength(2);
    expect(textOf(first)).toContain(`cursor "${page1.next_cursor}"`);
    const page2 = structured(await call('search_traces', { limit: 2, cursor: page1.next_cursor }));
    expect(page2.traces).toHaveLength(1);
    expect(page2.next_cursor).toBeNull();
    const ids = [...page1.traces, ...page2.traces].map((t: any) => t.id);
    expect(new Set(ids).size).toBe(3);
  });

  it('explains bad search parameters: a malformed time and a foreign cursor', async () => {
    const badTime = await call('search_traces', { since: 'yesterday' });
    expect(badTime.isError).toBe(true);
    expect(textOf(badTime)).toContain('since must be an ISO-8601 date-time with a time zone');
    const badCursor = await call('search_traces', { cursor: 'not-a-cursor' });
    expect(badCursor.isError).toBe(true);
    expect(textOf(badCursor)).toContain('cursor is not one this server issued');
  });

  it('keeps each workspace to itself', async () => {
    const { a } = await seedRuns();
    const other = await connect('member', 'ws_other');
    const trace = await call('get_trace', { trace_id: a.trace_ids[0] }, other);
    expect(trace.isError).toBe(true);
    expect(textOf(trace)).toContain('no trace with this id in this workspace');
    expect((await call('get_test_run', { test_run_id: a.test_run_id }, other)).isError).toBe(true);
    expect(structured(await call('list_test_runs', {}, other)).runs).toEqual([]);
    expect(structured(await call('search_traces', {}, other)).traces).toEqual([]);
    await other.close();
  });
});

describe('resources', () => {
  it("serves the trace format's JSON Schema and the rich-traces guide", async () => {
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri).sort()).toEqual(['stepwise://guide/rich-traces', 'stepwise://schema/trace-format']);
    const schema = await client.readResource({ uri: 'stepwise://schema/trace-format' });
    const parsed = JSON.parse((schema.contents[0] as { text: string }).text);
    expect(Object.keys(parsed.$defs)).toEqual(expect.arrayContaining(['Trace', 'ResultItem', 'SyncRequest']));
    const guide = await client.readResource({ uri: 'stepwise://guide/rich-traces' });
    const text = (guide.contents[0] as { text: string }).text;
    expect(guide.contents[0]?.mimeType).toBe('text/markdown');
    for (const word of ['tools_called', '"result"', 'expected', 'trace']) expect(text).toContain(word);
  });
});

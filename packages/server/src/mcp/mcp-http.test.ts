import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedExamples } from '../../../../test-support/fixtures.js';
import { IngestPipeline } from '../ingest/pipeline.js';
import { SqliteTraceStore } from '../store/sqlite/sqlite-trace-store.js';
import { mountMcp, type McpCaller } from './mcp-http.js';

// Stand-ins for API keys until the server's own `authenticate` is wired; the shape is the real one.
// Workspace A is the default one (it exists in every database); B never needs a row: nothing is stored in it.
const WS_A = 'ws_default';
const KEYS: Record<string, McpCaller> = {
  sw_member_a: { workspaceId: WS_A, role: 'member' },
  sw_viewer_a: { workspaceId: WS_A, role: 'viewer' },
  sw_member_b: { workspaceId: 'ws_b', role: 'member' },
};
async function authenticate(request: Request): Promise<McpCaller | null> {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
  return match ? (KEYS[match[1]!] ?? null) : null;
}

const dir = mkdtempSync(join(tmpdir(), 'stepwise-mcp-http-'));
let store: SqliteTraceStore;
let server: ReturnType<typeof serve>;
let url: string;
const logs: string[] = [];

beforeAll(async () => {
  store = new SqliteTraceStore({ path: join(dir, 'stepwise.db') });
  const pipeline = new IngestPipeline({ store, publicUrl: 'http://stepwise.test' });
  const app = new Hono();
  mountMcp(app, { store, pipeline, authenticate, log: (line) => logs.push(line) });
  server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const opened: Client[] = [];
beforeEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
});

async function connect(key: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${key}` } } });
  const client = new Client({ name: 'http-test', version: '1.0.0' });
  await client.connect(transport);
  opened.push(client);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

const textOf = (result: CallToolResult) => result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
const exampleResults = () => `[${seedExamples().resultText}]`;
const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

async function countIn(workspaceId: string) {
  return {
    traces: await store.countTraces(workspaceId),
    runs: (await store.listRuns(workspaceId, { limit: 100, offset: 0 })).items.length,
  };
}

describe('/mcp over streamable HTTP', () => {
  it('refuses a request without an API key with a 401 JSON-RPC error', async () => {
    for (const headers of [{}, { authorization: 'Bearer sw_unknown' }, { authorization: 'Basic abc' }] as Array<Record<string, string>>) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: initialize,
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
      const body = (await response.json()) as { jsonrpc: string; error: { code: number; message: string }; id: null };
      expect(body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32001 } });
      expect(body.error.message).toContain('Authorization: Bearer sw_');
    }
    await expect(connect('sw_unknown')).rejects.toThrow();
  });

  it('answers GET with 405: the endpoint is stateless', async () => {
    const response = await fetch(url, { headers: { authorization: 'Bearer sw_member_a', accept: 'text/event-stream' } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it("syncs the brief's example with invarium_sync_results and reads it with get_trace", async () => {
    const client = await connect('sw_member_a');
    const sync = await call(client, 'invarium_sync_results', { agent_name: 'customer-support-agent', results: exampleResults() });
    expect(sync.isError ?? false, textOf(sync)).toBe(false);
    const reply = sync.structuredContent as { test_run_id: string; synced: number; trace_ids: string[] };
    expect(reply.synced).toBe(1);
    expect((await store.getRun(WS_A, reply.test_run_id))?.source).toBe('mcp');

    const trace = await call(client, 'get_trace', { trace_id: reply.trace_ids[0] });
    expect(textOf(trace)).toContain('search_knowledge_base(query="refund policy digital products")');
    expect((trace.structuredContent as { trace: { scenario_id: string } }).trace.scenario_id).toBe('sc_xyz789');

    // A key of another workspace sees none of it.
    const other = await connect('sw_member_b');
    const foreign = await call(other, 'get_trace', { trace_id: reply.trace_ids[0] });
    expect(foreign.isError).toBe(true);
    expect(textOf(foreign)).toContain('no trace with this id in this workspace');
    const append = await call(other, 'invarium_sync_results', {
      agent_name: 'customer-support-agent',
      results: exampleResults(),
      test_run_id: reply.test_run_id,
    });
    expect(append.isError).toBe(true);
    expect(textOf(append)).toContain('test_run_id names no test run in this workspace');
    expect(await countIn('ws_b')).toEqual({ traces: 0, runs: 0 });
    expect((await store.getRun(WS_A, reply.test_run_id))?.total).toBe(1);
  });

  it('keeps a viewer key to reading', async () => {
    const before = await countIn(WS_A);
    const viewer = await connect('sw_viewer_a');
    const sync = await call(viewer, 'invarium_sync_results', { agent_name: 'customer-support-agent', results: exampleResults() });
    expect(sync.isError).toBe(true);
    expect(textOf(sync)).toBe("your key's role (viewer) cannot sync; use a member key");
    expect(await countIn(WS_A)).toEqual(before);
    expect((await call(viewer, 'list_test_runs', {})).isError ?? false).toBe(false);
  });

  it('answers bad input with tool errors and stores nothing', async () => {
    const client = await connect('sw_member_b');
    const badJson = await call(client, 'invarium_sync_results', { agent_name: 'a', results: 'not json' });
    expect(badJson.isError).toBe(true);
    expect(textOf(badJson)).toContain('results is a string but not valid JSON');
    const noAgent = await call(client, 'invarium_sync_results', { results: exampleResults() });
    expect(noAgent.isError).toBe(true);
    expect(textOf(noAgent)).toContain('agent_name is required');
    const unknownRun = await call(client, 'invarium_sync_results', {
      agent_name: 'a',
      results: exampleResults(),
      test_run_id: 'run_unknown',
    });
    expect(unknownRun.isError).toBe(true);
    expect(textOf(unknownRun)).toContain('test_run_id names no test run in this workspace');
    expect(await countIn('ws_b')).toEqual({ traces: 0, runs: 0 });
    expect(logs).toEqual([]);
  });
});

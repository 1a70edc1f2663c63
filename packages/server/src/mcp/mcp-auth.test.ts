import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedExamples } from '../../../../test-support/fixtures.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { DEFAULT_WORKSPACE_ID } from '../store/trace-store.js';
import { bearerAuthenticator } from '../access/bearer-auth.js';
import { mountMcp } from './mcp-http.js';

// /mcp with real API keys from the access service, as the server wires it.
const dir = mkdtempSync(join(tmpdir(), 'stepwise-mcp-auth-'));
let runtime: Runtime;
let server: ReturnType<typeof serve>;
let url: string;
const keys: Record<'member' | 'viewer' | 'other' | 'revoked', string> = { member: '', viewer: '', other: '', revoked: '' };
let otherWorkspace = '';
let waits: number[] = [];

beforeAll(async () => {
  runtime = openRuntime({ dbPath: join(dir, 'stepwise.db'), secret: Buffer.alloc(32, 3) });
  const access = runtime.access;
  keys.member = (await access.createApiKey(DEFAULT_WORKSPACE_ID, { name: 'member', role: 'member' }, 'test')).key;
  keys.viewer = (await access.createApiKey(DEFAULT_WORKSPACE_ID, { name: 'viewer', role: 'viewer' }, 'test')).key;
  const revoked = await access.createApiKey(DEFAULT_WORKSPACE_ID, { name: 'revoked', role: 'member' }, 'test');
  keys.revoked = revoked.key;
  await access.revokeApiKey(DEFAULT_WORKSPACE_ID, revoked.record.id, 'test');
  otherWorkspace = (await access.createWorkspace('other team', null, 'test')).id;
  keys.other = (await access.createApiKey(otherWorkspace, { name: 'other', role: 'owner' }, 'test')).key;

  const app = new Hono();
  mountMcp(app, {
    store: runtime.store,
    pipeline: runtime.pipeline,
    authenticate: bearerAuthenticator(runtime.access),
    rateLimit: () => waits.shift() ?? 0,
    log: () => {},
  });
  server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await runtime.close();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(key: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${key}` } } });
  const client = new Client({ name: 'auth-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}
const call = async (client: Client, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult;
const textOf = (result: CallToolResult) => result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
const exampleResults = () => `[${seedExamples().resultText}]`;
const initialize = (key: string) =>
  fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });

describe('/mcp with API keys', () => {
  it('syncs with a member key, and a key of another workspace sees nothing of it', async () => {
    const member = await connect(keys.member);
    const sync = await call(member, 'invarium_sync_results', { agent_name: 'customer-support-agent', results: exampleResults() });
    expect(sync.isError ?? false, textOf(sync)).toBe(false);
    const reply = sync.structuredContent as { test_run_id: string; trace_ids: string[] };
    expect(textOf(await call(member, 'get_trace', { trace_id: reply.trace_ids[0] }))).toContain(
      'search_knowledge_base(query="refund policy digital products")',
    );

    const other = await connect(keys.other);
    for (const [tool, args] of [
      ['get_trace', { trace_id: reply.trace_ids[0] }],
      ['analyze_trace', { trace_id: reply.trace_ids[0] }],
      ['get_test_run', { test_run_id: reply.test_run_id }],
      ['invarium_sync_results', { agent_name: 'customer-support-agent', results: exampleResults(), test_run_id: reply.test_run_id }],
    ] as const) {
      const answer = await call(other, tool, args);
      expect(answer.isError, `${tool}: ${textOf(answer)}`).toBe(true);
      expect(textOf(answer)).toContain('in this workspace');
    }
    expect((await call(other, 'list_test_runs', {})).structuredContent).toMatchObject({ runs: [] });
    expect(await runtime.store.countTraces(otherWorkspace)).toBe(0);
    expect(await runtime.store.countTraces(DEFAULT_WORKSPACE_ID)).toBe(1);
    await Promise.all([member.close(), other.close()]);
  });

  it('keeps a viewer key to reading', async () => {
    const viewer = await connect(keys.viewer);
    const before = await runtime.store.countTraces(DEFAULT_WORKSPACE_ID);
    const sync = await call(viewer, 'sync_results', { agent_name: 'customer-support-agent', results: exampleResults() });
    expect(textOf(sync)).toBe("your key's role (viewer) cannot sync; use a member key");
    expect(await runtime.store.countTraces(DEFAULT_WORKSPACE_ID)).toBe(before);
    expect((await call(viewer, 'search_traces', {})).isError ?? false).toBe(false);
    await viewer.close();
  });

  it('refuses a revoked or made-up key with 401', async () => {
    for (const key of [keys.revoked, 'sw_made_up_key_000000000000000000000', 'not-a-key']) {
      const response = await initialize(key);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32001);
    }
  });

  it('answers 429 with Retry-After when the caller is over its rate limit', async () => {
    waits = [7];
    const response = await initialize(keys.member);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('retry in 7 s');
  });

  it('acts as the default workspace owner in auth mode none', async () => {
    const authenticate = bearerAuthenticator(runtime.access, 'none');
    expect(await authenticate(new Request('http://x/mcp', { method: 'POST' }))).toEqual({
      workspaceId: DEFAULT_WORKSPACE_ID,
      role: 'owner',
      actor: 'local',
    });
  });
});

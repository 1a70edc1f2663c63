import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedExamples } from '../../../test-support/fixtures.js';
import { defaultConfig } from '../src/config.js';
import { startServer, type RunningServer } from '../src/server.js';

const dir = mkdtempSync(join(tmpdir(), 'stepwise-e2e-mcp-'));
let server: RunningServer;
const clients: Client[] = [];

beforeAll(async () => {
  server = await startServer({ ...defaultConfig({}), port: 0, dbPath: join(dir, 'x.db'), demo: false }, () => {});
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(key: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${key}` } },
  });
  const client = new Client({ name: 'e2e', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const text = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

describe('MCP over streamable HTTP on the real server', () => {
  it("syncs the brief's example through invarium_sync_results, reads it as a timeline and analyzes it", async () => {
    const client = await connect(server.firstApiKey!);
    const { result } = seedExamples();
    const synced = (await client.callTool({
      name: 'invarium_sync_results',
      arguments: { agent_name: 'customer-support-agent', results: JSON.stringify([result]) },
    })) as CallToolResult;
    expect(synced.isError).toBeFalsy();
    const traceId = (synced.structuredContent as { trace_ids: string[] }).trace_ids[0]!;
    const trace = (await client.callTool({ name: 'get_trace', arguments: { trace_id: traceId } })) as CallToolResult;
    expect(text(trace)).toContain('search_knowledge_base');
    expect(text(trace)).toContain('refund policy digital products');
    const analysis = (await client.callTool({ name: 'analyze_trace', arguments: { trace_id: traceId } })) as CallToolResult;
    expect(analysis.isError).toBeFalsy();
    expect((analysis.structuredContent as { verdict: string }).verdict).toBe('passed');

    // The brief's hallucination variant: same search, no articles, the same confident answer.
    const variant = structuredClone(seedExamples().trace) as { trace_id: string; events: Array<{ data: Record<string, unknown> }> };
    variant.trace_id = 'tr_mcp_hallucinated';
    variant.events[1]!.data.result = { articles: [] };
    const bad = (await client.callTool({
      name: 'sync_results',
      arguments: {
        agent_name: 'customer-support-agent',
        results: [{ scenario_id: 'sc_xyz789', user_message: 'q', agent_response: 'a', trace: variant }],
      },
    })) as CallToolResult;
    expect(bad.isError).toBeFalsy();
    const findings = (await client.callTool({ name: 'analyze_trace', arguments: { trace_id: 'tr_mcp_hallucinated' } })) as CallToolResult;
    expect(text(findings)).toMatch(/hallucination/);
    expect(text(findings)).toContain('search_knowledge_base');
    const compared = (await client.callTool({
      name: 'compare_traces',
      arguments: { trace_a: traceId, trace_b: 'tr_mcp_hallucinated' },
    })) as CallToolResult;
    expect(compared.isError).toBeFalsy();
    expect(text(compared)).toMatch(/diverge/i);
  });

  it("refuses a key of another workspace for this workspace's trace, and a request without a key", async () => {
    const owner = await connect(server.firstApiKey!);
    const synced = (await owner.callTool({
      name: 'invarium_sync_results',
      arguments: { agent_name: 'a', results: JSON.stringify([seedExamples().result]) },
    })) as CallToolResult;
    const traceId = (synced.structuredContent as { trace_ids: string[] }).trace_ids[0]!;
    const { id } = await server.runtime.access.createWorkspace('Other', null, 'test');
    const { key } = await server.runtime.access.createApiKey(id, { name: 'other', role: 'owner' }, 'test');
    const stranger = await connect(key);
    const read = (await stranger.callTool({ name: 'get_trace', arguments: { trace_id: traceId } })) as CallToolResult;
    expect(read.isError).toBe(true);
    expect(text(read)).toMatch(/no trace|not found/i);
    const anonymous = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
    });
    expect(anonymous.status).toBe(401);
  });
});

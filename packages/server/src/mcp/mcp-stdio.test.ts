import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedExamples } from '../../../../test-support/fixtures.js';
import { defaultConfig } from '../config.js';
import { openRuntime } from '../runtime.js';
import { startServer, type RunningServer } from '../server.js';
import { DEFAULT_WORKSPACE_ID } from '../store/trace-store.js';

// `stepwise mcp` as a real child process over stdio, from the build (the root `npm test` builds
// first). Once the CLI registers the command, its bin is used; until then, the MCP entry alone.
const serverDir = resolve(import.meta.dirname, '../..');
const cliWired = readFileSync(join(serverDir, 'src/main.ts'), 'utf8').includes('registerMcpCommand');
const entry = cliWired ? [join(serverDir, 'dist/bin.js'), 'mcp'] : [join(serverDir, 'dist/mcp/stdio-main.js')];

const WS = DEFAULT_WORKSPACE_ID;
const dir = mkdtempSync(join(tmpdir(), 'stepwise-mcp-stdio-'));

interface Child {
  client: Client;
  stderr: () => string;
}

async function spawnMcp(args: string[]): Promise<Child> {
  if (!existsSync(entry[0]!)) throw new Error(`${entry[0]} is missing: build first with \`npx tsc -b packages/server\``);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('STEPWISE_')) env[key] = value;
  const transport = new StdioClientTransport({ command: process.execPath, args: [...entry, ...args], env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new Client({ name: 'stdio-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

const textOf = (result: CallToolResult) => result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
const exampleResults = () => `[${seedExamples().resultText}]`;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('stepwise mcp over stdio, on a database file', () => {
  it("syncs the brief's example with invarium_sync_results, reads it with get_trace, and keeps it in the file", async () => {
    const db = join(dir, 'local.db');
    const child = await spawnMcp(['--db', db]);
    const sync = await call(child.client, 'invarium_sync_results', { agent_name: 'customer-support-agent', results: exampleResults() });
    expect(sync.isError ?? false, textOf(sync)).toBe(false);
    const reply = sync.structuredContent as { test_run_id: string; synced: number; trace_ids: string[] };
    expect(reply.synced).toBe(1);

    const trace = await call(child.client, 'get_trace', { trace_id: reply.trace_ids[0] });
    expect(textOf(trace)).toContain('search_knowledge_base(query="refund policy digital products")');
    expect((trace.structuredContent as { trace: { events: unknown[] } }).trace.events).toHaveLength(3);
    await child.client.close();
    expect(child.stderr()).toContain(`stepwise mcp: serving database ${db} over stdio`);

    const runtime = openRuntime({ dbPath: db });
    try {
      expect((await runtime.store.getTrace(WS, reply.trace_ids[0]!))?.summary.run_id).toBe(reply.test_run_id);
    } finally {
      await runtime.close();
    }
  });

  it("takes a sync larger than the SDK's default 10 MB stdio line", async () => {
    const db = join(dir, 'large.db');
    const child = await spawnMcp(['--db', db]);
    const page = 'x'.repeat(100_000);
    const results = Array.from({ length: 110 }, (_, i) => ({
      scenario_id: `sc_${i}`,
      user_message: 'read the page',
      agent_response: 'done',
      tools_called: [{ name: 'fetch_page', parameters: { n: i }, result: { page } }],
    }));
    const sync = await call(child.client, 'sync_results', { agent_name: 'bot', results });
    expect(sync.isError ?? false, textOf(sync)).toBe(false);
    expect((sync.structuredContent as { synced: number }).synced).toBe(110);
    await child.client.close();
  });

  it('answers bad input with tool errors and stores nothing', async () => {
    const db = join(dir, 'bad-input.db');
    const child = await spawnMcp(['--db', db]);
    const badJson = await call(child.client, 'invarium_sync_results', { agent_name: 'a', results: '[{"scenario_id": ' });
    expect(badJson.isError).toBe(true);
    expect(textOf(badJson)).toContain('results is a string but not valid JSON');
    const noAgent = await call(child.client, 'invarium_sync_results', { results: exampleResults() });
    expect(noAgent.isError).toBe(true);
    expect(textOf(noAgent)).toContain('agent_name is required');
    const unknownRun = await call(child.client, 'invarium_sync_results', {
      agent_name: 'a',
      results: exampleResults(),
      test_run_id: 'run_unknown',
    });
    expect(unknownRun.isError).toBe(true);
    expect(textOf(unknownRun)).toContain('test_run_id names no test run in this workspace');
    // The process is still serving after the errors.
    expect((await call(child.client, 'list_test_runs', {})).isError ?? false).toBe(false);
    await child.client.close();

    const runtime = openRuntime({ dbPath: db });
    try {
      expect(await runtime.store.countTraces(WS)).toBe(0);
      expect((await runtime.store.listRuns(WS, { limit: 10, offset: 0 })).items).toEqual([]);
    } finally {
      await runtime.close();
    }
  });
});

describe('stepwise mcp over stdio, on a running server (--url)', () => {
  let server: RunningServer;
  let apiKey = 'sw_no_auth_yet';
  beforeAll(async () => {
    server = await startServer({ ...defaultConfig({}), host: '127.0.0.1', port: 0, dbPath: join(dir, 'server.db'), demo: false }, () => {});
    // A member key of the default workspace, once the server has API keys (DESIGN.md §6).
    const access = (
      server.runtime as {
        access?: { createApiKey: (ws: string, spec: { name: string; role: string }, actor: string) => Promise<{ key: string }> };
      }
    ).access;
    if (access) apiKey = (await access.createApiKey(WS, { name: 'mcp stdio test', role: 'member' }, 'test')).key;
  });
  afterAll(async () => {
    await server.close();
  });

  it("syncs and reads through the REST API, with the server's dashboard links", async () => {
    const child = await spawnMcp(['--url', server.url, '--api-key', apiKey]);
    const sync = await call(child.client, 'invarium_sync_results', { agent_name: 'customer-support-agent', results: exampleResults() });
    expect(sync.isError ?? false, textOf(sync)).toBe(false);
    const reply = sync.structuredContent as { test_run_id: string; trace_ids: string[]; dashboard_url: string };
    expect(reply.dashboard_url).toBe(`${server.url}/runs/${reply.test_run_id}`);
    expect(await server.runtime.store.countTraces(WS)).toBe(1);

    const trace = await call(child.client, 'get_trace', { trace_id: reply.trace_ids[0] });
    expect(textOf(trace)).toContain('search_knowledge_base(query="refund policy digital products")');
    const unknownRun = await call(child.client, 'invarium_sync_results', {
      agent_name: 'a',
      results: exampleResults(),
      test_run_id: 'run_unknown',
    });
    expect(unknownRun.isError).toBe(true);
    expect(textOf(unknownRun)).toContain('Error (not_found): test_run_id names no test run in this workspace');
    expect(await server.runtime.store.countTraces(WS)).toBe(1);

    // The analysis and comparison tools go through their REST routes.
    const analysis = await call(child.client, 'analyze_trace', { trace_id: reply.trace_ids[0] });
    expect(textOf(analysis)).toContain('Verdict: PASSED');
    const same = await call(child.client, 'compare_traces', { trace_a: reply.trace_ids[0], trace_b: reply.trace_ids[0] });
    expect(textOf(same)).toContain('No behavioral divergence');
    const history = await call(child.client, 'get_scenario_history', { scenario_id: 'sc_xyz789' });
    expect(textOf(history)).toContain('Scenario sc_xyz789: 1 result (1 passed, 0 failed)');
    const runs = await call(child.client, 'compare_test_runs', { base_run_id: reply.test_run_id, head_run_id: 'run_unknown' });
    expect(textOf(runs)).toContain('- head_run_id: no such run');
    await child.client.close();
    expect(child.stderr()).toContain(`serving server ${server.url} over stdio`);
  });

  it('says so when the server cannot be reached', async () => {
    const child = await spawnMcp(['--url', 'http://127.0.0.1:9']);
    const reply = await call(child.client, 'list_test_runs', {});
    expect(reply.isError).toBe(true);
    expect(textOf(reply)).toContain('could not reach the Stepwise server at http://127.0.0.1:9');
    await child.client.close();
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedDemoData } from '../demo/demo-data.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { DEFAULT_WORKSPACE_ID } from '../store/trace-store.js';
import { LocalBackend } from '../client/local-backend.js';
import { createStepwiseMcpServer } from './mcp-server.js';
import type { WorkspaceRole } from './tool-context.js';

const WS = DEFAULT_WORKSPACE_ID;
let dir: string;
let runtime: Runtime;

async function connect(role: WorkspaceRole | null = null): Promise<Client> {
  const backend = new LocalBackend({ ...runtime, workspaceId: WS, actor: 'key:agent' });
  const server = createStepwiseMcpServer({ backend, role, log: () => {} });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const c = new Client({ name: 'test', version: '1.0.0' });
  await c.connect(clientSide);
  return c;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-mcp-feedback-'));
  runtime = openRuntime({ dbPath: join(dir, 'stepwise.db'), secret: Buffer.alloc(32, 7) });
});
afterEach(async () => {
  await runtime.close();
  rmSync(dir, { recursive: true, force: true });
});

const textOf = (result: CallToolResult) => result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
const call = async (c: Client, name: string, args: Record<string, unknown>) =>
  (await c.callTool({ name, arguments: args })) as CallToolResult;

describe('MCP: search by text and feedback on findings', () => {
  it('search_traces finds by words of a tool result and names the matching event', async () => {
    await seedDemoData(runtime.pipeline, WS);
    const client = await connect();
    const result = await call(client, 'search_traces', { q: 'X200 warranty', verdict: 'failed' });
    expect(result.isError ?? false).toBe(false);
    const traces = (result.structuredContent as { traces: Array<{ scenario_id: string; match?: { event_index: number } }> }).traces;
    expect(traces.map((t) => t.scenario_id)).toContain('sc_warranty_hardware');
    expect(traces.every((t) => t.match !== undefined)).toBe(true);
    expect(textOf(result)).toMatch(/Matches:\n- tr_\w+ event \d+: .*X200/);
    await client.close();
  });

  it('mark_finding marks a finding wrong, list_finding_feedback lists it, and a viewer may not mark', async () => {
    const [, latest] = (await seedDemoData(runtime.pipeline, WS)) as [string, string];
    const run = await runtime.store.listRunResults(WS, latest, { limit: 50, offset: 0 });
    const trace = run.items.find((t) => t.scenario_id === 'sc_warranty_hardware')!;
    const client = await connect();
    const analysis = textOf(await call(client, 'analyze_trace', { trace_id: trace.id }));
    const key = /\(finding (hallucination@[\d,]+)\)/.exec(analysis)?.[1];
    expect(key, analysis).toBeDefined();

    const marked = await call(client, 'mark_finding', { trace_id: trace.id, finding_key: key, verdict: 'wrong', reason: 'stale index' });
    expect(textOf(marked)).toBe(`Marked ${key} of ${trace.id} as wrong: stale index.`);
    const listed = await call(client, 'list_finding_feedback', {});
    expect(textOf(listed)).toContain(key);
    expect(textOf(listed)).toContain('key:agent');
    expect((await runtime.access.store.listAudit(WS, 5))[0]).toMatchObject({ action: 'finding.mark', actor: 'key:agent' });
    const commented = await call(client, 'comment_on_event', { trace_id: trace.id, event_index: 1, body: 'empty result here' });
    expect(textOf(commented)).toMatch(/^Commented on event 1 of tr_/);
    await client.close();

    const viewer = await connect('viewer');
    const refused = await call(viewer, 'mark_finding', { trace_id: trace.id, finding_key: key, verdict: 'right' });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('cannot give feedback');
    await viewer.close();
  });
});

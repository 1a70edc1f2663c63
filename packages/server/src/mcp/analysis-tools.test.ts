import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRuntime, type Runtime } from '../runtime.js';
import { DEFAULT_WORKSPACE_ID } from '../store/trace-store.js';
import { LocalBackend } from '../client/local-backend.js';
import { createStepwiseMcpServer } from './mcp-server.js';
import type { WorkspaceRole } from './tool-context.js';

const WS = DEFAULT_WORKSPACE_ID;
let dir: string;
let runtime: Runtime;
let client: Client;

async function connect(role: WorkspaceRole | null = null): Promise<Client> {
  const backend = new LocalBackend({ ...runtime, workspaceId: WS });
  const server = createStepwiseMcpServer({ backend, role, log: () => {} });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const c = new Client({ name: 'test', version: '1.0.0' });
  await c.connect(clientSide);
  return c;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-mcp-analysis-'));
  runtime = openRuntime({ dbPath: join(dir, 'stepwise.db'), secret: Buffer.alloc(32, 7) });
  client = await connect();
});
afterEach(async () => {
  await client.close();
  await runtime.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(name: string, args: Record<string, unknown>, c: Client = client): Promise<CallToolResult> {
  return (await c.callTool({ name, arguments: args })) as CallToolResult;
}
const textOf = (result: CallToolResult) => result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
function structured(result: CallToolResult): any {
  expect(result.isError ?? false, textOf(result)).toBe(false);
  return result.structuredContent;
}

const question = 'What is your refund policy for digital products?';
const passing = {
  scenario_id: 'sc_refund',
  user_message: question,
  agent_response: 'Digital products can be refunded within 14 days of purchase.',
  tools_called: [
    {
      name: 'search_knowledge_base',
      parameters: { query: 'refund policy digital products' },
      result: { articles: [{ title: 'Refund Policy', content: 'Digital products are refundable within 14 days.' }] },
    },
  ],
  passed: true,
};
const hallucinating = {
  ...passing,
  tools_called: [{ name: 'search_knowledge_base', parameters: { query: 'refund policy digital products' }, result: { articles: [] } }],
  expected: { tools: ['search_knowledge_base', 'escalate_to_human'] },
};

async function twoRuns() {
  const base = structured(
    await call('sync_results', { agent_name: 'support-bot', name: 'base', results: [passing, { ...passing, scenario_id: 'sc_hours' }] }),
  );
  const head = structured(
    await call('sync_results', {
      agent_name: 'support-bot',
      name: 'head',
      results: [hallucinating, { ...passing, scenario_id: 'sc_hours' }],
    }),
  );
  return { base, head };
}

describe('analyze_trace', () => {
  it('explains a hallucination and a missing tool in sentences, with the events they point at', async () => {
    const { head } = await twoRuns();
    const reply = await call('analyze_trace', { trace_id: head.trace_ids[0] });
    const evaluation = structured(reply);
    expect(evaluation.verdict).toBe('failed');
    expect(evaluation.findings.map((f: any) => f.pattern)).toContain('hallucination');
    expect(evaluation.checks.map((c: any) => c.kind)).toContain('missing_tool');
    const text = textOf(reply);
    expect(text).toContain('Verdict: FAILED, client reported passed');
    expect(text).toMatch(
      /hallucination \(events 1, 2\): Called search_knowledge_base with query "refund policy digital products", got .+, then answered with "14 days" that no tool returned\./,
    );
    expect(text).toContain('✗ missing_tool:');
    expect(text).toContain('The events they point at:');
    expect(text).toMatch(/\n\s+1\s+tool_call\s+search_knowledge_base\(query="refund policy digital products"\) → \{articles: \[\]\}/);
  });

  it('re-runs the analysis on request, but not for a viewer', async () => {
    const { base } = await twoRuns();
    expect(structured(await call('analyze_trace', { trace_id: base.trace_ids[0], recompute: true })).verdict).toBe('passed');
    const viewer = await connect('viewer');
    const refused = await call('analyze_trace', { trace_id: base.trace_ids[0], recompute: true }, viewer);
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain("your key's role (viewer) cannot re-run the analysis");
    expect(structured(await call('analyze_trace', { trace_id: base.trace_ids[0] }, viewer)).verdict).toBe('passed');
    await viewer.close();
  });

  it('answers an unknown trace with a tool error', async () => {
    const reply = await call('analyze_trace', { trace_id: 'tr_nope' });
    expect(reply.isError).toBe(true);
    expect(textOf(reply)).toContain('no trace with this id in this workspace');
  });
});

describe('compare_traces', () => {
  it('names the divergence point and shows the steps side by side', async () => {
    const { base, head } = await twoRuns();
    const reply = await call('compare_traces', { trace_a: base.trace_ids[0], trace_b: head.trace_ids[0] });
    const body = structured(reply);
    expect(body.same_scenario).toBe(true);
    expect(body.alignment.divergence).not.toBeNull();
    const text = textOf(reply);
    expect(text).toContain(`Divergence: ${body.alignment.divergence.sentence}`);
    expect(body.alignment.divergence.sentence).toContain('search_knowledge_base');
    expect(text).toContain('verdict passed → failed');
    expect(text).toContain('new in B: hallucination');
    expect(text.split('\n').some((l) => l.startsWith('>>'))).toBe(true);
  });

  it('says so when two traces behaved the same', async () => {
    const { base, head } = await twoRuns();
    const text = textOf(await call('compare_traces', { trace_a: base.trace_ids[1], trace_b: head.trace_ids[1] }));
    expect(text).toContain('No behavioral divergence');
  });

  it('keeps a long comparison to the rows around the divergence', async () => {
    const steps = (changedAt: number) =>
      Array.from({ length: 300 }, (_, i) => ({ name: 'read_page', parameters: { page: i === changedAt ? -1 : i }, result: { ok: true } }));
    const a = structured(
      await call('sync_results', { agent_name: 'bot', results: [{ ...passing, scenario_id: 'sc_long', tools_called: steps(-1) }] }),
    );
    const b = structured(
      await call('sync_results', { agent_name: 'bot', results: [{ ...passing, scenario_id: 'sc_long', tools_called: steps(250) }] }),
    );
    const text = textOf(await call('compare_traces', { trace_a: a.trace_ids[0], trace_b: b.trace_ids[0] }));
    expect(text).toMatch(/… \d+ aligned lines before this point omitted …/);
    expect(text.split('\n').some((l) => l.startsWith('>>') && l.includes('page=-1'))).toBe(true);
    expect(text.split('\n').length).toBeLessThan(200);
  });

  it('names the tool parameter that holds an unknown trace', async () => {
    const { base } = await twoRuns();
    const reply = await call('compare_traces', { trace_a: base.trace_ids[0], trace_b: 'tr_nope' });
    expect(reply.isError).toBe(true);
    expect(textOf(reply)).toContain('trace_b: no trace with this id in this workspace');
    expect(textOf(reply)).toContain('- trace_b: no such trace');
  });
});

describe('compare_test_runs', () => {
  it('lists the regression first, with both trace ids', async () => {
    const { base, head } = await twoRuns();
    const reply = await call('compare_test_runs', { base_run_id: base.test_run_id, head_run_id: head.test_run_id });
    const body = structured(reply);
    expect(body.comparison.counts).toMatchObject({ regression: 1, still_passing: 1 });
    const text = textOf(reply);
    expect(text).toContain('Pass rate 100% → 50%');
    expect(text).toContain('1 regression(s)');
    const rows = text.split('\n').filter((l) => l.startsWith('sc_'));
    expect(rows[0]).toMatch(/^sc_refund\s+regression\s+passed\s+failed/);
    expect(rows[0]).toContain(head.trace_ids[0]);
  });

  it('names the tool parameter that holds an unknown run', async () => {
    const { base } = await twoRuns();
    const reply = await call('compare_test_runs', { base_run_id: base.test_run_id, head_run_id: 'run_nope' });
    expect(reply.isError).toBe(true);
    expect(textOf(reply)).toContain('- head_run_id: no such run');
  });
});

describe('get_scenario_history', () => {
  it('counts results, the flip rate and tool paths across runs', async () => {
    await twoRuns();
    const reply = await call('get_scenario_history', { scenario_id: 'sc_refund', limit: 1 });
    const body = structured(reply);
    expect(body.total).toBe(2);
    expect(body.traces).toHaveLength(1);
    expect(body.flakiness).toBe(1);
    expect(body.history.flip_rate).toBe(1);
    const text = textOf(reply);
    expect(text).toContain('Scenario sc_refund: 2 results (1 passed, 1 failed), verdict flipped between 100% of consecutive results.');
    expect(text).toContain('search_knowledge_base  ×2 (1 passed, 1 failed)');
    expect(text).toContain('(1 older traces not listed');
  });

  it('answers a scenario without traces with a tool error', async () => {
    const reply = await call('get_scenario_history', { scenario_id: 'sc_never' });
    expect(reply.isError).toBe(true);
    expect(textOf(reply)).toContain('no traces of this scenario in this workspace');
  });
});

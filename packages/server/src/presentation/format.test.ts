import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRuntime, type Runtime } from '../runtime.js';
import { DEFAULT_WORKSPACE_ID } from '../store/trace-store.js';
import { formatTimeline } from './format.js';

let dir: string;
let runtime: Runtime;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-format-'));
  runtime = openRuntime({ dbPath: join(dir, 'stepwise.db'), secret: Buffer.alloc(32, 1) });
});
afterEach(async () => {
  await runtime.close();
  rmSync(dir, { recursive: true, force: true });
});

async function shown(result: Record<string, unknown>): Promise<string> {
  const reply = await runtime.pipeline.sync({ agent_name: 'bot', results: [result] }, { workspaceId: DEFAULT_WORKSPACE_ID });
  const stored = await runtime.store.getTrace(DEFAULT_WORKSPACE_ID, reply.trace_ids[0]!);
  return formatTimeline(stored!, Number.POSITIVE_INFINITY);
}

describe('stepwise show timeline', () => {
  it('shows the times of a result synced without timestamps as unknown, not +0.000s or "took 0 ms"', async () => {
    const text = await shown({ scenario_id: 'sc', user_message: 'q', agent_response: 'a', tools_called: [{ name: 'lookup' }] });
    expect(text).toContain('times unknown (the result carried no timestamps)');
    expect(text).not.toContain('+0.000s');
    expect(text).not.toContain('took');
    expect(text).toMatch(/^\s+1\s+\?\s+tool_call\s+lookup/m);
  });

  it('keeps measured times when the result has them', async () => {
    const text = await shown({
      scenario_id: 'sc',
      user_message: 'q',
      agent_response: 'a',
      timestamp: '2026-03-13T14:30:00Z',
      tools_called: [{ name: 'lookup', duration_ms: 120 }],
    });
    expect(text).toContain('took 120 ms');
    expect(text).toContain('+0.000s');
  });
});

import { describe, expect, it } from 'vitest';
import { seedExamples } from '../../../../test-support/fixtures.js';
import { ResultItem, SyncRequest, Trace, TraceEvent } from './schema.js';
import { validate } from './validate.js';
import { traceFormatJsonSchema } from './json-schema.js';

describe('the trace format', () => {
  it("accepts the brief's example trace unchanged", () => {
    const { trace } = seedExamples();
    const parsed = Trace.parse(trace);
    expect(parsed).toEqual(trace);
  });

  it("accepts the brief's example synced result unchanged", () => {
    const { result } = seedExamples();
    expect(ResultItem.parse(result)).toEqual(result);
    expect(SyncRequest.parse({ agent_name: 'customer-support-agent', results: [result] }).results).toEqual([result]);
  });

  it('keeps fields it does not know at every level', () => {
    const event = { type: 'tool_call', timestamp: '2026-03-13T14:30:00Z', data: { tool: 't', parameters: {}, extra: 1 }, span: 'x' };
    expect(TraceEvent.parse(event)).toEqual(event);
  });

  it('accepts all seven event types, including custom', () => {
    const at = '2026-03-13T14:30:00.000+01:00';
    const events = [
      { type: 'user_input', timestamp: at, data: { message: 'hi' } },
      { type: 'agent_reasoning', timestamp: at, data: { text: 'think' } },
      { type: 'tool_call', timestamp: at, data: { tool: 'a', parameters: { q: 1 }, result: null } },
      { type: 'tool_error', timestamp: at, data: { tool: 'a', error_type: 'Timeout', message: 'took too long' } },
      { type: 'agent_response', timestamp: at, data: { message: 'ok', tokens_used: 3 } },
      { type: 'metadata', timestamp: at, data: { model: 'm', tokens: { input: 1, output: 2, total: 3 }, tools_offered: ['a'] } },
      { type: 'custom', timestamp: at, data: { name: 'guardrail_check', outcome: 'pass' } },
    ];
    const trace = { scenario_id: 's', agent_name: 'a', timestamp: at, events };
    expect(validate(Trace, trace).ok).toBe(true);
  });

  it('rejects an unknown event type, naming the path and suggesting custom', () => {
    const trace = {
      scenario_id: 's',
      agent_name: 'a',
      timestamp: '2026-03-13T14:30:00Z',
      events: [{ type: 'thought', timestamp: '2026-03-13T14:30:00Z', data: {} }],
    };
    const result = validate(Trace, trace);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([{ path: 'events[0].type', message: expect.stringContaining('"custom"') as string }]);
  });

  it('reports every failing path, with what was expected', () => {
    const result = validate(
      Trace,
      { scenario_id: 5, timestamp: 'yesterday', events: [{ type: 'tool_call', timestamp: '2026-03-13', data: {} }] },
      'results[3].trace',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.errors.map((e) => e.path).sort();
    expect(paths).toEqual([
      'results[3].trace.agent_name',
      'results[3].trace.events[0].data.parameters',
      'results[3].trace.events[0].data.tool',
      'results[3].trace.events[0].timestamp',
      'results[3].trace.scenario_id',
      'results[3].trace.timestamp',
    ]);
    expect(result.errors.find((e) => e.path.endsWith('.trace.timestamp'))?.message).toMatch(/ISO-8601/);
    expect(result.errors.find((e) => e.path.endsWith('agent_name'))?.message).toBe('is required (expected string)');
  });

  it('never echoes the offending value in an error', () => {
    const secret = 'hunter2-SECRET-VALUE';
    const result = validate(Trace, { scenario_id: 's', agent_name: 'a', timestamp: secret, events: secret });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(secret);
  });

  it('publishes a JSON Schema with every wire type', () => {
    const schema = traceFormatJsonSchema() as { $defs: Record<string, { properties?: Record<string, unknown> }> };
    expect(Object.keys(schema.$defs).sort()).toEqual(['Event', 'Expectations', 'ResultItem', 'SyncReply', 'SyncRequest', 'Trace']);
    expect(Object.keys(schema.$defs.Trace?.properties ?? {})).toEqual(
      expect.arrayContaining(['trace_id', 'scenario_id', 'agent_name', 'timestamp', 'duration_ms', 'run_id', 'events', 'metadata']),
    );
  });
});

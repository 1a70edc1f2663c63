import { Trace, validate } from '@stepwise/core';
import { describe, expect, it } from 'vitest';
import { startTrace } from './trace-builder.js';

function steppingClock(startMs = Date.parse('2026-03-13T14:30:00.000Z'), stepMs = 100) {
  let now = startMs - stepMs;
  return () => new Date((now += stepMs));
}

describe('TraceBuilder', () => {
  it('builds a trace the core validator accepts, with every event type', () => {
    const trace = startTrace({ scenarioId: 'sc_1', agentName: 'bot', traceId: 'tr_fixed', clock: steppingClock() })
      .metadata({ system_prompt: 'Be brief.' })
      .userInput('Refund?')
      .reasoning('Look it up first.')
      .toolCall('search_kb', { query: 'refund' }, { hits: 1 }, { durationMs: 12, callId: 'c1' })
      .toolError('send_email', new TypeError('smtp down'), { parameters: { to: 'x' } })
      .model('gpt-4o')
      .tokens({ input: 10, output: 5, total: 15 })
      .custom('cache_hit', { key: 'refund' })
      .response('Within 14 days.', { tokensUsed: 5 });
    const wire = trace.toTrace();
    expect(validate(Trace, { ...wire, agent_name: 'bot' })).toMatchObject({ ok: true });
    expect(wire).toMatchObject({
      trace_id: 'tr_fixed',
      scenario_id: 'sc_1',
      agent_name: 'bot',
      timestamp: '2026-03-13T14:30:00.000Z',
      duration_ms: 900,
    });
    expect(wire.events.map((e) => e.type)).toEqual([
      'metadata',
      'user_input',
      'agent_reasoning',
      'tool_call',
      'tool_error',
      'metadata',
      'metadata',
      'custom',
      'agent_response',
    ]);
    expect(wire.events[4]!.data).toEqual({ tool: 'send_email', parameters: { to: 'x' }, error_type: 'TypeError', message: 'smtp down' });
    expect(wire.events[7]!.data).toEqual({ name: 'cache_hit', key: 'refund' });
  });

  it('turns into a sync result whose message and response come from the events', () => {
    const result = startTrace({ scenarioId: 'sc_2' })
      .userInput('first')
      .userInput('second')
      .response('one')
      .response('two')
      .toResult({ passed: false, notes: 'wrong' });
    expect(result).toMatchObject({ scenario_id: 'sc_2', user_message: 'first', agent_response: 'two', passed: false, notes: 'wrong' });
    expect(result.trace_id).toBe(result.trace?.trace_id);
  });

  it('wrapTool records parameters, result and error of sync and async tools, returning and throwing what the tool does', async () => {
    const trace = startTrace({ scenarioId: 'tools' });
    const add = trace.wrapTool('add', (p: { a: number; b: number }) => p.a + p.b);
    const fetchDoc = trace.wrapTool('fetch_doc', async (id: string) => ({ id }));
    const fail = trace.wrapTool('fail', async () => {
      throw new RangeError('no such doc');
    });
    expect(add({ a: 1, b: 2 })).toBe(3);
    await expect(fetchDoc('d1')).resolves.toEqual({ id: 'd1' });
    await expect(fail()).rejects.toThrow('no such doc');
    const events = trace.events;
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['tool_call', { tool: 'add', parameters: { a: 1, b: 2 }, result: 3, duration_ms: expect.any(Number) }],
      ['tool_call', { tool: 'fetch_doc', parameters: { args: ['d1'] }, result: { id: 'd1' }, duration_ms: expect.any(Number) }],
      ['tool_error', { tool: 'fail', parameters: {}, error_type: 'RangeError', message: 'no such doc', duration_ms: expect.any(Number) }],
    ]);
  });

  it('completes a tool call the model requested instead of recording it twice', async () => {
    const trace = startTrace({ scenarioId: 'requested' });
    trace.requestToolCall('search_kb', { query: 'refund' }, 'call_1');
    expect(trace.isPending('call_1')).toBe(true);
    await trace.wrapTool('search_kb', async (_params: { query: string }) => ({ hits: 2 }))({ query: 'refund' });
    expect(trace.isPending('call_1')).toBe(false);
    expect(trace.events).toEqual([
      expect.objectContaining({ type: 'tool_call', data: expect.objectContaining({ call_id: 'call_1', result: { hits: 2 } }) }),
    ]);
    expect(trace.resolveToolCall('call_1', { result: 'again' })).toBe(false);
  });
});

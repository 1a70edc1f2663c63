import { describe, expect, it } from 'vitest';
import { evaluateTrace } from '../analysis/evaluate-trace.js';
import { Trace } from '../trace/schema.js';
import { importOpenAIMessages } from './openai-messages.js';

const opts = { scenario_id: 'refund', agent_name: 'support-bot', timestamp: '2026-03-13T14:30:00Z' };

describe('importOpenAIMessages', () => {
  it('turns a tool_calls log into user_input, reasoning, tool_call with result, and response', () => {
    const trace = importOpenAIMessages(
      [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: 'What is your refund policy for digital products?' },
        {
          role: 'assistant',
          content: 'Let me search.',
          tool_calls: [
            {
              id: 'c1',
              type: 'function',
              function: { name: 'search_knowledge_base', arguments: '{"query":"refund policy digital products"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: '{"articles":[{"title":"Refund Policy","content":"within 14 days"}]}' },
        { role: 'assistant', content: 'Refunds are possible within 14 days.' },
      ],
      { ...opts, tools_offered: ['search_knowledge_base'] },
    );
    expect(Trace.safeParse(trace).success).toBe(true);
    expect(trace.events.map((e) => e.type)).toEqual([
      'metadata',
      'user_input',
      'agent_reasoning',
      'tool_call',
      'agent_response',
      'metadata',
    ]);
    expect(trace.events[0]?.data).toEqual({ system_prompt: 'You are helpful.' });
    expect(trace.events[3]).toEqual({
      type: 'tool_call',
      timestamp: '2026-03-13T14:30:00.003Z',
      data: {
        tool: 'search_knowledge_base',
        parameters: { query: 'refund policy digital products' },
        call_id: 'c1',
        result: { articles: [{ title: 'Refund Policy', content: 'within 14 days' }] },
      },
    });
    expect(trace.events[5]?.data).toEqual({ tools_offered: ['search_knowledge_base'] });
    expect(evaluateTrace(trace).findings).toEqual([]);
  });

  it('keeps system and developer messages as the system prompt, a source a response may state', () => {
    const trace = importOpenAIMessages(
      [
        { role: 'system', content: 'Refunds are possible within 14 days.' },
        { role: 'developer', content: [{ type: 'text', text: 'Never promise more.' }] },
        { role: 'user', content: 'How long do I have for a refund?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'k', type: 'function', function: { name: 'search_kb', arguments: '{"query":"refund"}' } }],
        },
        { role: 'tool', tool_call_id: 'k', content: '[]' },
        { role: 'assistant', content: 'You have 14 days.' },
      ],
      opts,
    );
    expect(trace.events[0]).toMatchObject({
      type: 'metadata',
      data: { system_prompt: 'Refunds are possible within 14 days.\n\nNever promise more.' },
    });
    expect(evaluateTrace(trace).findings).toEqual([]);
  });

  it('matches parallel tool results by id, not by order', () => {
    const trace = importOpenAIMessages(
      [
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'a', type: 'function', function: { name: 'first', arguments: '{}' } },
            { id: 'b', type: 'function', function: { name: 'second', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'b', content: 'B' },
        { role: 'tool', tool_call_id: 'a', content: 'A' },
      ],
      opts,
    );
    expect(trace.events.map((e) => [e.data.tool, e.data.result])).toEqual([
      ['first', 'A'],
      ['second', 'B'],
    ]);
  });

  it('pairs legacy function_call and function messages by order, and makes a non-empty error a tool_error', () => {
    const trace = importOpenAIMessages(
      [
        { role: 'user', content: 'Track ABC456' },
        { role: 'assistant', content: null, function_call: { name: 'track', arguments: '{"reference": "ABC456"}' } },
        { role: 'function', name: 'track', content: '{"error": "Exceeded 30 redirects.", "response": ""}' },
        { role: 'assistant', content: null, function_call: { name: 'track', arguments: 'reference=ABC456' } },
        { role: 'function', name: 'track', content: '{"error": "", "response": "in transit"}' },
        { role: 'assistant', content: 'It is in transit.' },
      ],
      opts,
    );
    expect(trace.events[1]).toMatchObject({
      type: 'tool_error',
      data: { tool: 'track', parameters: { reference: 'ABC456' }, error_type: 'tool_error', message: 'Exceeded 30 redirects.' },
    });
    expect(trace.events[2]).toMatchObject({
      type: 'tool_call',
      data: { parameters: { _raw: 'reference=ABC456' }, result: { error: '', response: 'in transit' } },
    });
    expect(Trace.safeParse(trace).success).toBe(true);
  });

  it('keeps a result nobody asked for as a call of its own', () => {
    const trace = importOpenAIMessages([{ role: 'tool', tool_call_id: 'zz', name: 'lookup', content: 'x' }], opts);
    expect(trace.events).toMatchObject([{ type: 'tool_call', data: { tool: 'lookup', call_id: 'zz', result: 'x' } }]);
  });

  it('rejects a start time that is not a date', () => {
    expect(() => importOpenAIMessages([], { ...opts, timestamp: 'yesterday' })).toThrow(/ISO-8601/);
  });
});

import { describe, expect, it } from 'vitest';
import { readFixture } from '../../../../test-support/fixtures.js';
import { StepwiseError } from '../errors.js';
import { evaluateTrace } from '../analysis/evaluate-trace.js';
import { Trace } from '../trace/schema.js';
import { detectFormat, importLog, type ImportFormat } from './import-log.js';

const opts = { scenario_id: 'imported', agent_name: 'agent', timestamp: '2026-03-13T14:30:00Z' };
const log = (name: string) => JSON.parse(readFixture('import', name)) as unknown;
const kinds = (trace: Trace) => trace.events.map((e) => e.type);

function imported(name: string, format: ImportFormat) {
  expect(detectFormat(log(name))).toBe(format);
  const result = importLog(log(name), 'auto', opts);
  expect(result.format).toBe(format);
  expect(Trace.safeParse(result.trace).success).toBe(true);
  return result;
}

describe('importLog: each format to the right events, unmappable items as warnings', () => {
  it('reads OpenAI Responses API items: the function call with its output, reasoning, the answer, the developer prompt', () => {
    const { trace, warnings } = imported('openai-responses.json', 'openai-responses');
    expect(kinds(trace)).toEqual(['metadata', 'user_input', 'agent_reasoning', 'tool_call', 'agent_response', 'tool_call']);
    expect(trace.events[0]!.data.system_prompt).toContain('weather assistant');
    expect(trace.events[3]!.data).toMatchObject({
      tool: 'get_weather',
      parameters: { city: 'Paris', unit: 'celsius' },
      result: { temperature: 18, conditions: 'light rain' },
      call_id: 'call_4Xp9qZ2mT7',
    });
    expect(trace.events[4]!.data.message).toBe("It's 18 °C in Paris with light rain.");
    expect(trace.events[5]!.data.tool).toBe('image_generation');
    expect(warnings).toEqual([]);
    expect(evaluateTrace(trace).findings.map((f) => f.pattern)).not.toContain('hallucination');
  });

  it('reads Anthropic Messages: tool_use paired with tool_result, an is_error result as tool_error, thinking, system', () => {
    const { trace, warnings } = imported('anthropic-messages.json', 'anthropic-messages');
    expect(kinds(trace)).toEqual([
      'metadata',
      'user_input',
      'agent_reasoning',
      'agent_reasoning',
      'tool_call',
      'tool_error',
      'agent_response',
    ]);
    expect(trace.events[0]!.data.system_prompt).toBe('You are a support agent for Acme. Look orders up before answering.');
    expect(trace.events[4]!.data).toMatchObject({
      tool: 'get_order',
      parameters: { order_id: 'A-1042' },
      result: { status: 'in transit' },
    });
    expect(trace.events[5]!.data).toMatchObject({ tool: 'get_order', message: 'tracking service unavailable' });
    expect(trace.events.filter((e) => e.type === 'user_input')).toHaveLength(1); // tool results are not user turns
    expect(warnings).toEqual([{ path: 'messages[4].content[1]', message: 'a "image" block is not mapped; left out' }]);
    expect(trace.metadata?.import_warnings).toEqual(warnings);
  });

  it('reads Vercel AI SDK messages: tool-call and tool-result parts, an error-text output as tool_error', () => {
    const { trace, warnings } = imported('vercel-ai-messages.json', 'vercel-ai');
    expect(kinds(trace)).toEqual(['metadata', 'user_input', 'agent_reasoning', 'tool_call', 'tool_error', 'agent_response']);
    expect(trace.events[3]!.data).toMatchObject({ tool: 'searchHotels', result: { hotels: [{ name: 'Hotel Artemide', price_eur: 210 }] } });
    expect(trace.events[4]!.data).toMatchObject({ tool: 'bookHotel', message: 'payment declined' });
    expect(trace.events.some((e) => e.type === 'tool_call' && e.data.tool === 'unknown_tool')).toBe(false);
    expect(warnings.map((w) => w.path)).toEqual(['response.messages[4].content[1]']);
  });

  it('reads Vercel AI SDK steps: calls, results, the final text and token usage', () => {
    const { trace } = imported('vercel-ai-steps.json', 'vercel-ai');
    expect(kinds(trace)).toEqual(['user_input', 'tool_call', 'agent_response', 'metadata']);
    expect(trace.events[1]!.data).toMatchObject({ tool: 'calculator', parameters: { expression: '23*19' }, result: 437 });
    expect(trace.events[3]!.data).toMatchObject({ model: 'gpt-4o-mini', tokens: { input: 226, output: 39, total: 265 } });
  });

  it('reads LangGraph state in messages_to_dict form: tool_calls, the tool message, the answer; a chat message is a warning', () => {
    const { trace, warnings } = imported('langchain-messages.json', 'langchain');
    expect(kinds(trace)).toEqual(['metadata', 'user_input', 'tool_call', 'agent_response']);
    expect(trace.events[2]!.data).toMatchObject({
      tool: 'tavily_search',
      parameters: { query: '2022 Fields Medal winners' },
      call_id: 'call_Zk2',
    });
    expect(trace.events[2]!.data.result).toEqual([
      { title: 'Fields Medal 2022', content: 'Hugo Duminil-Copin, June Huh, James Maynard and Maryna Viazovska' },
    ]);
    expect(warnings).toEqual([{ path: 'messages[5]', message: 'a "chat" message is not mapped; left out' }]);
  });

  it('reads LangChain JS serialized messages: a ToolMessage with status error is a tool_error', () => {
    const { trace } = imported('langchain-js.json', 'langchain');
    expect(kinds(trace)).toEqual(['user_input', 'tool_error', 'agent_response']);
    expect(trace.events[1]!.data).toMatchObject({ tool: 'convert_currency', message: 'Error: rate service timeout' });
  });

  it('refuses a log that maps to no tool call and no response, and a shape it cannot tell', () => {
    expect(() => importLog(log('nothing-to-import.json'), 'auto', opts)).toThrow(StepwiseError);
    expect(() => importLog(log('nothing-to-import.json'), 'auto', opts)).toThrow(/no tool call and no response/);
    expect(() => importLog({ something: 'else' }, 'auto', opts)).toThrow(/could not tell the log's format/);
    // read with the wrong importer, a LangChain log maps to nothing: refused, not stored as a silent PASSED
    expect(() => importLog(log('langchain-messages.json'), 'openai-messages', opts)).toThrow(/no tool call and no response/);
  });

  it("warns about every part the OpenAI chat importer cannot read when given another SDK's log", () => {
    const { warnings } = importLog(log('anthropic-messages.json'), 'openai-messages', opts);
    expect(warnings.map((w) => w.path)).toEqual([
      'messages[1].content[0]',
      'messages[1].content[2]',
      'messages[2].content[0]',
      'messages[3].content[0]',
      'messages[4].content[0]',
      'messages[4].content[1]',
    ]);
    expect(warnings[1]!.message).toBe('a "tool_use" content part is not part of the OpenAI chat format; left out');
  });
});

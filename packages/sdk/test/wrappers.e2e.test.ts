import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepwiseClient, startTrace, wrapAnthropic, wrapOpenAI, type TraceBuilder } from '../src/index.js';
import { FINAL_TEXT, TOOL_ARGS, startFakeProvider, type FakeProvider } from './fake-providers.js';
import { startStepwise, type StepwiseForTest, type StoredRun, type StoredTrace } from './stepwise-server.js';

let stepwise: StepwiseForTest;
let provider: FakeProvider;

beforeAll(async () => {
  [stepwise, provider] = await Promise.all([startStepwise(), startFakeProvider()]);
});
afterAll(async () => {
  await Promise.all([stepwise.close(), provider.close()]);
});

const KB_RESULT = { articles: [{ id: 'kb-7', title: 'Refunds for digital products' }] };

async function syncAndRead(trace: TraceBuilder, agentName: string): Promise<StoredTrace> {
  const errors: unknown[] = [];
  const client = new StepwiseClient({
    agentName,
    url: stepwise.url,
    apiKey: stepwise.key,
    flushOnExit: false,
    onError: (e) => errors.push(e),
  });
  client.add(trace, { passed: true });
  await client.close();
  expect(errors).toEqual([]);
  const run = await stepwise.get<StoredRun>(`/api/v1/runs/${client.testRunId}`);
  expect(run.results.map((r) => r.tool_path)).toEqual([['search_kb']]); // the run in the dashboard shows the call
  return stepwise.get<StoredTrace>(`/api/v1/traces/${trace.traceId}`);
}

const openai = () => new OpenAI({ apiKey: 'sk-test', baseURL: `${provider.url}/v1`, maxRetries: 0 });
const anthropic = () => new Anthropic({ apiKey: 'sk-ant-test', baseURL: provider.url, maxRetries: 0 });

describe('wrapOpenAI with the official openai client', () => {
  it('records the tool call, its result, tokens and the answer, and the trace reads back from the server', async () => {
    const trace = startTrace({ scenarioId: 'refund-policy-openai' });
    const client = wrapOpenAI(openai(), { trace });
    const tools = [{ type: 'function' as const, function: { name: 'search_kb', parameters: { type: 'object' } } }];
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
      { role: 'system', content: 'You answer from the knowledge base only.' },
      { role: 'user', content: 'What is your refund policy for digital products?' },
    ];
    const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual(TOOL_ARGS);
    messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: JSON.stringify(KB_RESULT) });
    const second = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
    expect(second.choices[0]!.message.content).toBe(FINAL_TEXT);
    expect(second.usage?.total_tokens).toBe(66);

    const stored = await syncAndRead(trace, 'openai-agent');
    const events = stored.trace.events;
    expect(events.map((e) => e.type)).toEqual(['metadata', 'user_input', 'metadata', 'tool_call', 'metadata', 'agent_response']);
    expect(events[0]!.data).toEqual({ system_prompt: 'You answer from the knowledge base only.' });
    expect(events[3]!.data).toMatchObject({ tool: 'search_kb', parameters: TOOL_ARGS, result: KB_RESULT, call_id: 'call_abc123' });
    expect(events[2]!.data).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini-2024-07-18',
      tokens: { input: 52, output: 18, total: 70 },
      tools_offered: ['search_kb'],
    });
    expect(events[2]!.data.latency_ms).toEqual(expect.any(Number));
    expect(events[5]!.data).toMatchObject({ message: FINAL_TEXT, tokens_used: 14 });
  });

  it('returns what the unwrapped client returns, withResponse() included', async () => {
    const trace = startTrace({ scenarioId: 'same-values' });
    const params = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };
    const plain = await openai().chat.completions.create(params);
    const wrapped = await wrapOpenAI(openai(), { trace }).chat.completions.create(params);
    expect(wrapped).toEqual(plain);
    const { data, response, request_id } = await wrapOpenAI(openai(), { trace }).chat.completions.create(params).withResponse();
    expect(data).toEqual(plain);
    expect(response.status).toBe(200);
    expect(request_id).toBe('req_fake_1');
    expect(trace.events.filter((e) => e.type === 'tool_call')).toHaveLength(2);
  });

  it('passes a stream through chunk for chunk and records the tool call it spells', async () => {
    const trace = startTrace({ scenarioId: 'stream-openai' });
    const params = { model: 'gpt-4o-mini', stream: true as const, messages: [{ role: 'user' as const, content: 'refunds?' }] };
    const plainChunks: unknown[] = [];
    for await (const chunk of await openai().chat.completions.create(params)) plainChunks.push(chunk);
    const chunks: unknown[] = [];
    for await (const chunk of await wrapOpenAI(openai(), { trace }).chat.completions.create(params)) chunks.push(chunk);
    expect(chunks).toEqual(plainChunks);
    expect(trace.events.find((e) => e.type === 'tool_call')?.data).toMatchObject({
      tool: 'search_kb',
      parameters: TOOL_ARGS,
      call_id: 'call_s1',
    });
    expect(trace.events.find((e) => e.type === 'metadata')?.data).toMatchObject({ tokens: { input: 52, output: 18, total: 70 } });
  });

  it("records calls made by the client's own helpers: chat.completions.stream() and runTools()", async () => {
    const trace = startTrace({ scenarioId: 'helpers-openai' });
    const client = wrapOpenAI(openai(), { trace });
    const streamed = client.chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'refunds?' }] });
    const final = await streamed.finalChatCompletion();
    expect(final.choices[0]!.message.tool_calls?.[0]).toMatchObject({ id: 'call_s1', function: { name: 'search_kb' } });
    expect(trace.events.filter((e) => e.type === 'tool_call').map((e) => e.data.call_id)).toEqual(['call_s1']);

    const runner = client.chat.completions.runTools({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is your refund policy for digital products?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'search_kb',
            description: 'Searches the knowledge base',
            parameters: { type: 'object', properties: { query: { type: 'string' } } },
            function: () => KB_RESULT,
            parse: JSON.parse,
          },
        },
      ],
    });
    expect(await runner.finalContent()).toBe(FINAL_TEXT);
    const ran = trace.events.filter((e) => e.type === 'tool_call').at(-1)!;
    expect(ran.data).toMatchObject({ tool: 'search_kb', call_id: 'call_abc123', parameters: TOOL_ARGS, result: KB_RESULT });
    expect(trace.events.at(-1)).toMatchObject({ type: 'agent_response', data: { message: FINAL_TEXT } });
  });

  it('records the Responses API: function_call items completed by function_call_output, instructions, the answer', async () => {
    const trace = startTrace({ scenarioId: 'refund-policy-responses' });
    const client = wrapOpenAI(openai(), { trace });
    const tools = [{ type: 'function' as const, name: 'search_kb', parameters: { type: 'object' }, strict: false }];
    const base = { model: 'gpt-4.1-mini', instructions: 'Answer from the knowledge base only.', tools };
    const first = await client.responses.create({ ...base, input: 'What is your refund policy for digital products?' });
    const call = first.output.find((i) => i.type === 'function_call')!;
    const second = await client.responses.create({
      ...base,
      previous_response_id: first.id,
      input: [
        { type: 'function_call_output', call_id: call.type === 'function_call' ? call.call_id : '', output: JSON.stringify(KB_RESULT) },
      ],
    });
    expect(second.output_text).toBe(FINAL_TEXT);

    const stored = await syncAndRead(trace, 'responses-agent');
    const events = stored.trace.events;
    expect(events.map((e) => e.type)).toEqual(['metadata', 'user_input', 'metadata', 'tool_call', 'metadata', 'agent_response']);
    expect(events[0]!.data).toEqual({ system_prompt: 'Answer from the knowledge base only.' });
    expect(events[3]!.data).toMatchObject({ tool: 'search_kb', parameters: TOOL_ARGS, result: KB_RESULT, call_id: 'call_resp1' });
    expect(events[2]!.data).toMatchObject({
      model: 'gpt-4.1-mini-2025-04-14',
      tokens: { input: 40, output: 16, total: 56 },
      tools_offered: ['search_kb'],
    });
    expect(events[5]!.data).toMatchObject({ message: FINAL_TEXT, tokens_used: 12 });
  });

  it('passes a streamed Responses API call through and records it from the completed event', async () => {
    const trace = startTrace({ scenarioId: 'stream-responses' });
    const params = { model: 'gpt-4.1-mini', input: 'refunds?', stream: true as const };
    const plain: unknown[] = [];
    for await (const event of await openai().responses.create(params)) plain.push(event);
    const seen: unknown[] = [];
    for await (const event of await wrapOpenAI(openai(), { trace }).responses.create(params)) seen.push(event);
    expect(seen).toEqual(plain);
    expect(trace.events.find((e) => e.type === 'tool_call')?.data).toMatchObject({
      tool: 'search_kb',
      parameters: TOOL_ARGS,
      call_id: 'call_resp1',
    });
  });

  it('leaves the body to a caller who reads the raw response (asResponse)', async () => {
    const trace = startTrace({ scenarioId: 'raw-response' });
    const response = await wrapOpenAI(openai(), { trace })
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .asResponse();
    expect(((await response.json()) as { id: string }).id).toBe('chatcmpl-1');
    expect(trace.events.map((e) => e.type)).toEqual(['user_input']);
  });

  it('rethrows the client error unchanged and records the failed call', async () => {
    const trace = startTrace({ scenarioId: 'model-error' });
    const params = { model: 'no-such-model', messages: [{ role: 'user' as const, content: 'hi' }] };
    const plain = await openai()
      .chat.completions.create(params)
      .catch((e: unknown) => e);
    const wrapped = await wrapOpenAI(openai(), { trace })
      .chat.completions.create(params)
      .catch((e: unknown) => e);
    expect(wrapped).toBeInstanceOf(OpenAI.NotFoundError);
    expect((wrapped as Error).message).toBe((plain as Error).message);
    expect(trace.events.at(-1)).toMatchObject({ type: 'custom', data: { name: 'model_call_failed', status: 404, model: 'no-such-model' } });
  });

  it('records nothing and changes nothing when the trace function names no trace', async () => {
    const client = wrapOpenAI(openai(), { trace: () => undefined });
    const reply = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(reply.id).toBe('chatcmpl-1');
    expect(
      await client.models.list().then(
        () => 'listed',
        (e: { status?: number }) => e.status,
      ),
    ).toBe(404);
  });
});

describe('wrapAnthropic with the official @anthropic-ai/sdk client', () => {
  it('records tool_use as a tool call completed by its tool_result, and the answer, read back from the server', async () => {
    const trace = startTrace({ scenarioId: 'refund-policy-anthropic' });
    const client = wrapAnthropic(anthropic(), { trace });
    const tools = [{ name: 'search_kb', input_schema: { type: 'object' as const } }];
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'What is your refund policy for digital products?' }];
    const base = { model: 'claude-sonnet-4-6', max_tokens: 512, system: 'Answer from the knowledge base only.', tools };
    const first = await client.messages.create({ ...base, messages });
    const use = first.content.find((b) => b.type === 'tool_use')!;
    expect(use.type === 'tool_use' && use.input).toEqual(TOOL_ARGS);
    messages.push(
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: JSON.stringify(KB_RESULT) }] },
    );
    const second = await client.messages.create({ ...base, messages });
    expect(second.content[0]).toMatchObject({ type: 'text', text: FINAL_TEXT });

    const stored = await syncAndRead(trace, 'anthropic-agent');
    const events = stored.trace.events;
    expect(events.map((e) => e.type)).toEqual([
      'metadata',
      'user_input',
      'metadata',
      'agent_reasoning',
      'tool_call',
      'metadata',
      'agent_response',
    ]);
    expect(events[4]!.data).toMatchObject({ tool: 'search_kb', parameters: TOOL_ARGS, result: KB_RESULT, call_id: 'toolu_01A' });
    expect(events[2]!.data).toMatchObject({
      provider: 'anthropic',
      model: 'claude-sonnet-4-6',
      tokens: { input: 61, output: 25, total: 86 },
    });
    expect(events[6]!.data).toMatchObject({ message: FINAL_TEXT, tokens_used: 15 });
  });

  it('records a tool_result with is_error as a tool error', async () => {
    const trace = startTrace({ scenarioId: 'tool-error-anthropic' });
    const client = wrapAnthropic(anthropic(), { trace });
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'refunds?' }];
    const first = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 64, messages });
    const use = first.content.find((b) => b.type === 'tool_use')!;
    messages.push(
      { role: 'assistant', content: first.content },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: use.type === 'tool_use' ? use.id : '', content: 'knowledge base timed out', is_error: true },
        ],
      },
    );
    await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 64, messages });
    expect(trace.events.find((e) => e.type === 'tool_error')?.data).toMatchObject({
      tool: 'search_kb',
      parameters: TOOL_ARGS,
      message: 'knowledge base timed out',
    });
    expect(trace.events.some((e) => e.type === 'tool_call')).toBe(false);
  });

  it('passes a stream through event for event and records the tool input assembled from JSON fragments', async () => {
    const trace = startTrace({ scenarioId: 'stream-anthropic' });
    const params = {
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      stream: true as const,
      messages: [{ role: 'user' as const, content: 'refunds?' }],
    };
    const plain: unknown[] = [];
    for await (const event of await anthropic().messages.create(params)) plain.push(event);
    const seen: unknown[] = [];
    for await (const event of await wrapAnthropic(anthropic(), { trace }).messages.create(params)) seen.push(event);
    expect(seen).toEqual(plain);
    expect(trace.events.find((e) => e.type === 'tool_call')?.data).toMatchObject({
      tool: 'search_kb',
      parameters: TOOL_ARGS,
      call_id: 'toolu_s1',
    });
    expect(trace.events.find((e) => e.type === 'metadata')?.data).toMatchObject({ tokens: { input: 61, output: 25 } });
  });

  it('records the call made by messages.stream(), the helper that assembles a streamed message', async () => {
    const trace = startTrace({ scenarioId: 'helper-anthropic' });
    const stream = wrapAnthropic(anthropic(), { trace }).messages.stream({
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'refunds?' }],
    });
    const message = await stream.finalMessage();
    expect(message.content[0]).toMatchObject({ type: 'tool_use', id: 'toolu_s1', input: TOOL_ARGS });
    expect(trace.events.map((e) => e.type)).toEqual(['user_input', 'metadata', 'tool_call']);
    expect(trace.events[2]!.data).toMatchObject({ tool: 'search_kb', parameters: TOOL_ARGS, call_id: 'toolu_s1' });
  });

  it('rethrows the client error unchanged', async () => {
    const trace = startTrace({ scenarioId: 'anthropic-error' });
    const error = await wrapAnthropic(anthropic(), { trace })
      .messages.create({ model: 'no-such-model', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect(trace.events.at(-1)).toMatchObject({ type: 'custom', data: { name: 'model_call_failed', status: 404 } });
  });
});

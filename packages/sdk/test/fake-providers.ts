import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// The LLM provider is the one boundary these tests cannot reach, so this server speaks its wire
// format (OpenAI chat completions, Anthropic messages; JSON and server-sent events) with a fixed
// script: a user turn gets a tool call, a tool result gets the final answer.

export const TOOL_ARGS = { query: 'refund policy digital products' };
export const FINAL_TEXT = 'Digital products can be refunded within 14 days of purchase.';

export interface FakeProvider {
  url: string;
  requests: { path: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

function readBody(req: IncomingMessage): Promise<Json> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Json));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_fake_1' });
  res.end(JSON.stringify(body));
}

function sendEvents(res: ServerResponse, events: { event?: string; data: unknown }[], done: boolean): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_fake_1' });
  for (const e of events) res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${JSON.stringify(e.data)}\n\n`);
  if (done) res.write('data: [DONE]\n\n');
  res.end();
}

function lastMessage(body: Json): { role?: string; content?: unknown } {
  const messages = (body.messages ?? []) as { role?: string; content?: unknown }[];
  return messages.at(-1) ?? {};
}

function openaiReply(body: Json): Json {
  const wantsTool = lastMessage(body).role === 'user';
  const message = wantsTool
    ? {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_abc123', type: 'function', function: { name: 'search_kb', arguments: JSON.stringify(TOOL_ARGS) } }],
      }
    : { role: 'assistant', content: FINAL_TEXT };
  return {
    id: wantsTool ? 'chatcmpl-1' : 'chatcmpl-2',
    object: 'chat.completion',
    created: 1767225600,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message, finish_reason: wantsTool ? 'tool_calls' : 'stop', logprobs: null }],
    usage: { prompt_tokens: 52, completion_tokens: wantsTool ? 18 : 14, total_tokens: wantsTool ? 70 : 66 },
  };
}

function openaiChunks(body: Json): Json[] {
  const base = { id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 1767225600, model: 'gpt-4o-mini-2024-07-18' };
  const choice = (delta: Json, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });
  const usage = { ...base, choices: [], usage: { prompt_tokens: 52, completion_tokens: 18, total_tokens: 70 } };
  if (lastMessage(body).role === 'user') {
    const args = JSON.stringify(TOOL_ARGS);
    return [
      choice({
        role: 'assistant',
        content: null,
        tool_calls: [{ index: 0, id: 'call_s1', type: 'function', function: { name: 'search_kb', arguments: '' } }],
      }),
      choice({ tool_calls: [{ index: 0, function: { arguments: args.slice(0, 10) } }] }),
      choice({ tool_calls: [{ index: 0, function: { arguments: args.slice(10) } }] }),
      choice({}, 'tool_calls'),
      usage,
    ];
  }
  return [
    choice({ role: 'assistant', content: FINAL_TEXT.slice(0, 20) }),
    choice({ content: FINAL_TEXT.slice(20) }),
    choice({}, 'stop'),
    usage,
  ];
}

function anthropicWantsTool(body: Json): boolean {
  const last = lastMessage(body);
  return !(Array.isArray(last.content) && (last.content as { type?: string }[]).some((b) => b.type === 'tool_result'));
}

function anthropicReply(body: Json): Json {
  const wantsTool = anthropicWantsTool(body);
  const content = wantsTool
    ? [
        { type: 'text', text: 'Let me look that up.' },
        { type: 'tool_use', id: 'toolu_01A', name: 'search_kb', input: TOOL_ARGS },
      ]
    : [{ type: 'text', text: FINAL_TEXT }];
  return {
    id: wantsTool ? 'msg_01' : 'msg_02',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-6',
    content,
    stop_reason: wantsTool ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 61, output_tokens: wantsTool ? 25 : 15 },
  };
}

function anthropicEvents(body: Json): { event: string; data: Json }[] {
  const wantsTool = anthropicWantsTool(body);
  const message = {
    id: 'msg_s',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-6',
    content: [],
    stop_reason: null,
    stop_sequence: null,
  };
  const ev = (event: string, data: Json) => ({ event, data: { type: event, ...data } });
  const start = ev('message_start', { message: { ...message, usage: { input_tokens: 61, output_tokens: 1 } } });
  const end = [
    ev('message_delta', { delta: { stop_reason: wantsTool ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: 25 } }),
    ev('message_stop', {}),
  ];
  if (!wantsTool) {
    return [
      start,
      ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: FINAL_TEXT.slice(0, 20) } }),
      ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: FINAL_TEXT.slice(20) } }),
      ev('content_block_stop', { index: 0 }),
      ...end,
    ];
  }
  const args = JSON.stringify(TOOL_ARGS);
  return [
    start,
    ev('content_block_start', { index: 0, content_block: { type: 'tool_use', id: 'toolu_s1', name: 'search_kb', input: {} } }),
    ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: args.slice(0, 7) } }),
    ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: args.slice(7) } }),
    ev('content_block_stop', { index: 0 }),
    ...end,
  ];
}

function responsesReply(body: Json): Json {
  const input = Array.isArray(body.input) ? (body.input as { type?: string }[]) : [];
  const wantsTool = !input.some((i) => i.type === 'function_call_output');
  const output = wantsTool
    ? [
        {
          type: 'function_call',
          id: 'fc_1',
          call_id: 'call_resp1',
          name: 'search_kb',
          arguments: JSON.stringify(TOOL_ARGS),
          status: 'completed',
        },
      ]
    : [
        {
          type: 'message',
          id: 'msg_r2',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: FINAL_TEXT, annotations: [] }],
        },
      ];
  return {
    id: wantsTool ? 'resp_1' : 'resp_2',
    object: 'response',
    created_at: 1767225600,
    status: 'completed',
    model: 'gpt-4.1-mini-2025-04-14',
    output,
    usage: { input_tokens: 40, output_tokens: wantsTool ? 16 : 12, total_tokens: wantsTool ? 56 : 52 },
  };
}

function responsesEvents(body: Json): { event: string; data: Json }[] {
  const full = responsesReply(body);
  const started = { ...full, status: 'in_progress', output: [], usage: null };
  const item = (full.output as Json[])[0]!;
  return [
    { event: 'response.created', data: { type: 'response.created', sequence_number: 0, response: started } },
    { event: 'response.output_item.added', data: { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item } },
    { event: 'response.output_item.done', data: { type: 'response.output_item.done', sequence_number: 2, output_index: 0, item } },
    { event: 'response.completed', data: { type: 'response.completed', sequence_number: 3, response: full } },
  ];
}

async function handle(req: IncomingMessage, res: ServerResponse, requests: FakeProvider['requests']): Promise<void> {
  const body = await readBody(req);
  const path = req.url ?? '';
  requests.push({ path, body });
  if (body.model === 'no-such-model') {
    const error = path.endsWith('/messages')
      ? { type: 'error', error: { type: 'not_found_error', message: 'model: no-such-model' } }
      : { error: { message: 'The model `no-such-model` does not exist', type: 'invalid_request_error', code: 'model_not_found' } };
    return sendJson(res, 404, error);
  }
  if (path === '/v1/chat/completions') {
    if (body.stream)
      return sendEvents(
        res,
        openaiChunks(body).map((data) => ({ data })),
        true,
      );
    return sendJson(res, 200, openaiReply(body));
  }
  if (path === '/v1/responses') {
    if (body.stream) return sendEvents(res, responsesEvents(body), false);
    return sendJson(res, 200, responsesReply(body));
  }
  if (path === '/v1/messages') {
    if (body.stream) return sendEvents(res, anthropicEvents(body), false);
    return sendJson(res, 200, anthropicReply(body));
  }
  sendJson(res, 404, { error: { message: `no route ${path}` } });
}

export async function startFakeProvider(): Promise<FakeProvider> {
  const requests: FakeProvider['requests'] = [];
  const server: Server = createServer((req, res) => {
    handle(req, res, requests).catch((error: unknown) => sendJson(res, 500, { error: { message: String(error) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

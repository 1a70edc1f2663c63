import type { TraceBuilder } from '../trace-builder.js';
import { ConversationCursor, parseArguments, parseResult, recordCallFailed, recordingCreate } from './observe.js';
import type { WrapOptions } from './observe.js';

// The OpenAI Responses API (`responses.create`, what the OpenAI Agents SDK calls): input and
// output are lists of typed items rather than chat messages.

interface Item {
  type?: string;
  role?: string;
  content?: unknown;
  call_id?: string;
  name?: string;
  arguments?: string;
  output?: unknown;
  summary?: { text?: string }[];
}

interface Response {
  model?: string;
  output?: Item[];
  usage?: { input_tokens?: number; output_tokens?: number; total_tokens?: number } | null;
}

interface ResponseParams {
  model?: string;
  input?: string | Item[];
  instructions?: string | null;
  previous_response_id?: string | null;
  tools?: { type?: string; name?: string }[];
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as { type?: string; text?: string }[])
    .map((part) => (['input_text', 'output_text', 'text'].includes(part?.type ?? '') && typeof part.text === 'string' ? part.text : ''))
    .filter(Boolean)
    .join('\n');
}

function recordRequest(trace: TraceBuilder, cursor: ConversationCursor, params: ResponseParams): void {
  const instructions = params.instructions ?? '';
  if (instructions && cursor.firstPrompt(trace, instructions)) trace.metadata({ system_prompt: instructions });
  const input: Item[] = typeof params.input === 'string' ? [{ role: 'user', content: params.input }] : (params.input ?? []);
  for (const item of cursor.fresh(trace, input, Boolean(params.previous_response_id))) {
    const text = textOf(item.content);
    if ((item.role === 'system' || item.role === 'developer') && text && cursor.firstPrompt(trace, text))
      trace.metadata({ system_prompt: text });
    else if (item.role === 'user') trace.userInput(text);
    else if (item.type === 'function_call_output' && item.call_id)
      trace.resolveToolCall(item.call_id, { result: parseResult(item.output) });
  }
}

function recordResponse(trace: TraceBuilder, params: ResponseParams, response: Response, latencyMs: number): void {
  const usage = response.usage;
  const meta: Record<string, unknown> = { provider: 'openai', model: response.model ?? params.model, latency_ms: latencyMs };
  if (usage) meta.tokens = { input: usage.input_tokens, output: usage.output_tokens, total: usage.total_tokens };
  const offered = (params.tools ?? []).map((t) => t.name).filter((n): n is string => typeof n === 'string');
  if (offered.length > 0) meta.tools_offered = offered;
  trace.metadata(meta);
  const output = response.output ?? [];
  for (const item of output) {
    const summary = (item.summary ?? []).map((s) => s.text ?? '').join('\n');
    if (item.type === 'reasoning' && summary) trace.reasoning(summary);
  }
  const calls = output.filter((i) => i.type === 'function_call' && i.name);
  const text = output
    .filter((i) => i.type === 'message')
    .map((i) => textOf(i.content))
    .filter(Boolean)
    .join('\n');
  if (calls.length > 0 && text) trace.reasoning(text);
  for (const [i, call] of calls.entries()) trace.requestToolCall(call.name!, parseArguments(call.arguments), call.call_id ?? `call_${i}`);
  if (calls.length === 0) trace.response(text, usage?.output_tokens !== undefined ? { tokensUsed: usage.output_tokens } : {});
}

/** A streamed response ends with an event carrying the whole response (`response.completed`, `.incomplete`, `.failed`). */
function finalResponse(events: unknown[]): Response | undefined {
  for (const event of [...events].reverse()) {
    const e = event as { type?: string; response?: Response };
    if (e.response && /^response\.(completed|incomplete|failed)$/.test(e.type ?? '')) return e.response;
  }
  return undefined;
}

/** The replacement for `responses.create`. */
export function recordResponses(options: WrapOptions, cursor: ConversationCursor) {
  return recordingCreate<ResponseParams>(options, cursor, recordRequest, (trace, params) => ({
    result: (value, ms) => recordResponse(trace, params, value as Response, ms),
    stream: (events, ms) => {
      const response = finalResponse(events);
      if (response) recordResponse(trace, params, response, ms);
      else recordCallFailed(trace, 'openai', params?.model, new Error('the stream ended without a final response event'), ms);
    },
    error: (error, ms) => recordCallFailed(trace, 'openai', params?.model, error, ms),
  }));
}

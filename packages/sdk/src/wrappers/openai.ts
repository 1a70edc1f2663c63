import type { TraceBuilder } from '../trace-builder.js';
import { ConversationCursor, parseArguments, parseResult, recordCallFailed, recordingCreate, replaceMethods } from './observe.js';
import type { WrapOptions } from './observe.js';
import { recordResponses } from './openai-responses.js';

interface ChatMessage {
  role?: string;
  content?: unknown;
  tool_call_id?: string;
}

interface ToolCallOut {
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

interface Completion {
  model?: string;
  choices?: { message?: { content?: string | null; refusal?: string | null; tool_calls?: ToolCallOut[] } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | null;
}

interface CompletionChunk {
  model?: string;
  choices?: { delta?: { content?: string | null; refusal?: string | null; tool_calls?: (ToolCallOut & { index?: number })[] } }[];
  usage?: Completion['usage'];
}

interface ChatParams {
  model?: string;
  messages?: ChatMessage[];
  tools?: { function?: { name?: string } }[];
}

/** Text of a message's content: a string, or the text parts of a content array. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: { type?: string; text?: string }) => (part?.type === 'text' && typeof part.text === 'string' ? part.text : ''))
    .filter(Boolean)
    .join('\n');
}

function recordRequest(trace: TraceBuilder, cursor: ConversationCursor, params: ChatParams): void {
  for (const message of cursor.fresh(trace, params.messages ?? [])) {
    const text = textOf(message.content);
    if ((message.role === 'system' || message.role === 'developer') && text && cursor.firstPrompt(trace, text)) {
      trace.metadata({ system_prompt: text });
    } else if (message.role === 'user') {
      trace.userInput(text);
    } else if (message.role === 'tool' && message.tool_call_id) {
      trace.resolveToolCall(message.tool_call_id, { result: parseResult(typeof message.content === 'string' ? message.content : text) });
    }
  }
}

function recordCompletion(trace: TraceBuilder, params: ChatParams, completion: Completion, latencyMs: number): void {
  const message = completion.choices?.[0]?.message ?? {};
  const usage = completion.usage;
  const meta: Record<string, unknown> = { provider: 'openai', model: completion.model ?? params.model, latency_ms: latencyMs };
  if (usage) meta.tokens = { input: usage.prompt_tokens, output: usage.completion_tokens, total: usage.total_tokens };
  const offered = (params.tools ?? []).map((t) => t.function?.name).filter((n): n is string => typeof n === 'string');
  if (offered.length > 0) meta.tools_offered = offered;
  trace.metadata(meta);
  const calls = (message.tool_calls ?? []).filter((c) => c.function?.name);
  const text = message.content ?? message.refusal ?? '';
  if (calls.length > 0 && text) trace.reasoning(text);
  for (const [i, call] of calls.entries()) {
    trace.requestToolCall(call.function!.name!, parseArguments(call.function?.arguments), call.id ?? `call_${i}`);
  }
  if (calls.length === 0) trace.response(text, usage?.completion_tokens !== undefined ? { tokensUsed: usage.completion_tokens } : {});
}

/** Folds streamed chunks back into the completion they spell. */
function assemble(chunks: CompletionChunk[]): Completion {
  let content = '';
  let refusal = '';
  let model: string | undefined;
  let usage: Completion['usage'];
  const calls: ToolCallOut[] = [];
  for (const chunk of chunks) {
    model ??= chunk.model;
    if (chunk.usage) usage = chunk.usage;
    const delta = chunk.choices?.[0]?.delta;
    content += delta?.content ?? '';
    refusal += delta?.refusal ?? '';
    for (const part of delta?.tool_calls ?? []) {
      const call = (calls[part.index ?? calls.length] ??= { function: { name: '', arguments: '' } });
      if (part.id) call.id = part.id;
      call.function!.name += part.function?.name ?? '';
      call.function!.arguments += part.function?.arguments ?? '';
    }
  }
  const message = { content: content || null, refusal: refusal || null, tool_calls: calls.filter(Boolean) };
  return { ...(model ? { model } : {}), choices: [{ message }], usage };
}

/**
 * Records every `chat.completions.create` and `responses.create` call of an official `openai`
 * client into a trace: the user's messages, the model's tool calls (with their results once the
 * agent sends them back),
 * the response, model, token usage and latency. Return values, errors and streams are the
 * client's own, unchanged.
 *
 * @example
 * const trace = startTrace({ scenarioId: 'refund-policy' });
 * const openai = wrapOpenAI(new OpenAI(), { trace });
 */
export function wrapOpenAI<T extends object>(client: T, options: WrapOptions): T {
  const cursor = new ConversationCursor();
  const record = recordingCreate<ChatParams>(options, cursor, recordRequest, (trace, params) => ({
    result: (value, ms) => recordCompletion(trace, params, value as Completion, ms),
    stream: (chunks, ms) => recordCompletion(trace, params, assemble(chunks as CompletionChunk[]), ms),
    error: (error, ms) => recordCallFailed(trace, 'openai', params?.model, error, ms),
  }));
  return replaceMethods(client, [
    { path: ['chat', 'completions'], method: 'create', replacement: record },
    { path: ['responses'], method: 'create', replacement: recordResponses(options, cursor) },
  ]);
}

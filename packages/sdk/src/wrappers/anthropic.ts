import type { TraceBuilder } from '../trace-builder.js';
import { ConversationCursor, parseResult, recordCallFailed, recordingCreate, replaceMethods } from './observe.js';
import type { WrapOptions } from './observe.js';

interface Block {
  type?: string;
  text?: string;
  thinking?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
  is_error?: boolean;
}

interface Message {
  model?: string;
  content?: Block[];
  usage?: { input_tokens?: number; output_tokens?: number } | null;
}

interface StreamEvent {
  type?: string;
  index?: number;
  message?: Message;
  content_block?: Block;
  delta?: { type?: string; text?: string; partial_json?: string; thinking?: string };
  usage?: { input_tokens?: number; output_tokens?: number };
}

interface MessageParams {
  model?: string;
  system?: string | Block[];
  messages?: { role?: string; content?: string | Block[] }[];
  tools?: { name?: string }[];
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as Block[])
    .map((b) => (b?.type === 'text' && typeof b.text === 'string' ? b.text : ''))
    .filter(Boolean)
    .join('\n');
}

function recordToolResult(trace: TraceBuilder, block: Block): void {
  if (!block.tool_use_id) return;
  const value = typeof block.content === 'string' ? parseResult(block.content) : textOf(block.content) || block.content;
  if (block.is_error)
    trace.resolveToolCall(block.tool_use_id, {
      error: { type: 'tool_error', message: typeof value === 'string' ? value : JSON.stringify(value) },
    });
  else trace.resolveToolCall(block.tool_use_id, { result: value ?? null });
}

function recordRequest(trace: TraceBuilder, cursor: ConversationCursor, params: MessageParams): void {
  const system = textOf(params.system);
  if (system && cursor.firstPrompt(trace, system)) trace.metadata({ system_prompt: system });
  for (const message of cursor.fresh(trace, params.messages ?? [])) {
    if (message.role !== 'user') continue;
    if (Array.isArray(message.content))
      for (const block of message.content) if (block?.type === 'tool_result') recordToolResult(trace, block);
    const text = textOf(message.content);
    if (text) trace.userInput(text);
  }
}

function recordMessage(trace: TraceBuilder, params: MessageParams, message: Message, latencyMs: number): void {
  const usage = message.usage;
  const meta: Record<string, unknown> = { provider: 'anthropic', model: message.model ?? params.model, latency_ms: latencyMs };
  if (usage) {
    const total = (usage.input_tokens ?? 0) + (usage.output_tokens ?? 0);
    meta.tokens = { input: usage.input_tokens, output: usage.output_tokens, total };
  }
  const offered = (params.tools ?? []).map((t) => t.name).filter((n): n is string => typeof n === 'string');
  if (offered.length > 0) meta.tools_offered = offered;
  trace.metadata(meta);
  const blocks = message.content ?? [];
  const calls = blocks.filter((b) => b.type === 'tool_use' && b.name);
  for (const b of blocks) if (b.type === 'thinking' && b.thinking) trace.reasoning(b.thinking);
  const text = textOf(blocks);
  if (calls.length > 0 && text) trace.reasoning(text);
  for (const [i, call] of calls.entries()) {
    const input = typeof call.input === 'object' && call.input !== null ? (call.input as Record<string, unknown>) : {};
    trace.requestToolCall(call.name!, input, call.id ?? `toolu_${i}`);
  }
  if (calls.length === 0) trace.response(text, usage?.output_tokens !== undefined ? { tokensUsed: usage.output_tokens } : {});
}

/** Folds streamed events back into the message they spell (tool inputs arrive as JSON fragments). */
function assemble(events: StreamEvent[]): Message {
  const message: Message = { content: [] };
  const json: string[] = [];
  for (const event of events) {
    if (event.type === 'message_start' && event.message) {
      message.model = event.message.model;
      message.usage = { ...event.message.usage };
    } else if (event.type === 'content_block_start' && event.content_block) {
      message.content![event.index ?? message.content!.length] = { ...event.content_block };
    } else if (event.type === 'content_block_delta' && event.delta) {
      const i = event.index ?? 0;
      const block = (message.content![i] ??= { type: 'text', text: '' });
      if (event.delta.type === 'text_delta') block.text = (block.text ?? '') + (event.delta.text ?? '');
      if (event.delta.type === 'thinking_delta') block.thinking = (block.thinking ?? '') + (event.delta.thinking ?? '');
      if (event.delta.type === 'input_json_delta') json[i] = (json[i] ?? '') + (event.delta.partial_json ?? '');
    } else if (event.type === 'message_delta' && event.usage) {
      message.usage = { ...message.usage, ...event.usage };
    }
  }
  for (const [i, text] of json.entries()) {
    const block = message.content![i];
    if (block && text) block.input = parseResult(text);
  }
  message.content = message.content!.filter(Boolean);
  return message;
}

/**
 * Records every `messages.create` call of an official `@anthropic-ai/sdk` client into a trace:
 * the system prompt, user turns, `tool_use` blocks as tool calls (completed by the `tool_result`
 * the agent sends back, `is_error` as a tool error), the response, model, tokens and latency.
 * Return values, errors and streams (`stream: true`) are the client's own, unchanged.
 *
 * @example
 * const anthropic = wrapAnthropic(new Anthropic(), { trace: () => currentTrace });
 */
export function wrapAnthropic<T extends object>(client: T, options: WrapOptions): T {
  const record = recordingCreate<MessageParams>(options, new ConversationCursor(), recordRequest, (trace, params) => ({
    result: (value, ms) => recordMessage(trace, params, value as Message, ms),
    stream: (events, ms) => recordMessage(trace, params, assemble(events as StreamEvent[]), ms),
    error: (error, ms) => recordCallFailed(trace, 'anthropic', params?.model, error, ms),
  }));
  return replaceMethods(client, [{ path: ['messages'], method: 'create', replacement: record }]);
}

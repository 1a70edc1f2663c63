import type { Trace } from '../trace/schema.js';
import { contentText, isRecord, TraceBuilder, type ImportOptions } from './trace-builder.js';

const KIND: Record<string, 'human' | 'ai' | 'system' | 'tool'> = {
  human: 'human',
  HumanMessage: 'human',
  HumanMessageChunk: 'human',
  user: 'human',
  ai: 'ai',
  AIMessage: 'ai',
  AIMessageChunk: 'ai',
  assistant: 'ai',
  system: 'system',
  SystemMessage: 'system',
  tool: 'tool',
  ToolMessage: 'tool',
  function: 'tool',
  FunctionMessage: 'tool',
};

/**
 * Converts LangChain / LangGraph messages into a trace. Reads the three serialized shapes:
 * `messages_to_dict` (`{ type: 'ai', data: { content, tool_calls } }`), `dumpd` / LangChain JS
 * (`{ lc: 1, id: [..., 'AIMessage'], kwargs }`) and `model_dump` (`{ type: 'ai', content, tool_calls }`),
 * as an array or a LangGraph state `{ messages }`. `human` → `user_input`; `ai` → `agent_response`, or
 * `agent_reasoning` plus `tool_call`s (`tool_calls[].name/args/id`, or OpenAI-style
 * `additional_kwargs.tool_calls`); `tool` → the call's result by `tool_call_id` (`status: 'error'` →
 * `tool_error`); `system` → system prompt. Other message types are warnings.
 */
export function importLangChain(log: unknown, opts: ImportOptions): { trace: Trace; builder: TraceBuilder } {
  const builder = new TraceBuilder();
  const messages = Array.isArray(log) ? log : isRecord(log) && Array.isArray(log.messages) ? log.messages : [];
  const prefix = Array.isArray(log) ? '' : 'messages';
  messages.forEach((raw, index) => {
    const path = `${prefix}[${index}]`;
    const message = unwrap(raw);
    if (message === null) return builder.warn(path, 'not a LangChain message; left out');
    const kind = KIND[message.type];
    const text = typeof message.content === 'string' ? message.content : contentText(message.content);
    if (kind === 'system') builder.system(text);
    else if (kind === 'human') builder.user(text);
    else if (kind === 'ai') {
      const calls = toolCalls(message);
      if (calls.length === 0) builder.response(text);
      else {
        builder.reasoning(text);
        for (const call of calls) builder.call(call.name, call.args, call.id);
      }
    } else if (kind === 'tool') {
      const match = {
        ...(typeof message.fields.tool_call_id === 'string' ? { callId: message.fields.tool_call_id } : {}),
        ...(typeof message.fields.name === 'string' ? { name: message.fields.name } : {}),
      };
      if (message.fields.status === 'error') builder.failedResult(message.content, match);
      else builder.result(message.content, match);
    } else builder.warn(path, `a ${JSON.stringify(message.type).slice(0, 40)} message is not mapped; left out`);
  });
  return { trace: builder.build(opts, { import_format: 'langchain_messages' }), builder };
}

interface Unwrapped {
  type: string;
  content: unknown;
  fields: Record<string, unknown>;
}

function unwrap(raw: unknown): Unwrapped | null {
  if (!isRecord(raw)) return null;
  if (raw.lc === 1 && Array.isArray(raw.id) && isRecord(raw.kwargs)) {
    const type = String(raw.id[raw.id.length - 1]);
    return { type, content: raw.kwargs.content, fields: raw.kwargs };
  }
  if (typeof raw.type === 'string' && isRecord(raw.data)) return { type: raw.type, content: raw.data.content, fields: raw.data };
  if (typeof raw.type === 'string') return { type: raw.type, content: raw.content, fields: raw };
  if (typeof raw.role === 'string') return { type: raw.role, content: raw.content, fields: raw };
  return null;
}

function toolCalls(message: Unwrapped): Array<{ name: string | undefined; args: unknown; id: string | undefined }> {
  const direct = Array.isArray(message.fields.tool_calls) ? message.fields.tool_calls.filter(isRecord) : [];
  if (direct.length > 0) {
    return direct.map((c) => ({
      name: typeof c.name === 'string' ? c.name : isRecord(c.function) && typeof c.function.name === 'string' ? c.function.name : undefined,
      args: c.args ?? (isRecord(c.function) ? c.function.arguments : undefined),
      id: typeof c.id === 'string' ? c.id : undefined,
    }));
  }
  const extra =
    isRecord(message.fields.additional_kwargs) && Array.isArray(message.fields.additional_kwargs.tool_calls)
      ? message.fields.additional_kwargs.tool_calls.filter(isRecord)
      : [];
  return extra.map((c) => ({
    name: isRecord(c.function) && typeof c.function.name === 'string' ? c.function.name : undefined,
    args: isRecord(c.function) ? c.function.arguments : undefined,
    id: typeof c.id === 'string' ? c.id : undefined,
  }));
}

import type { Trace } from '../trace/schema.js';
import { contentText, isRecord, TraceBuilder, type ImportOptions } from './trace-builder.js';

/**
 * Converts an Anthropic Messages log (`{ system?, messages }` as sent to `POST /v1/messages`, with the
 * replies appended, or a bare message array) into a trace: `user` text → `user_input`; `assistant`
 * `text` → `agent_response` (or `agent_reasoning` beside `tool_use`); `thinking` → `agent_reasoning`;
 * `tool_use` → `tool_call`, with the `tool_result` block of a later user message paired by
 * `tool_use_id` (`is_error: true` → `tool_error`); `server_tool_use` with its `*_tool_result`; `system`
 * → system prompt. Images, documents and redacted thinking are warnings.
 */
export function importAnthropicMessages(log: unknown, opts: ImportOptions): { trace: Trace; builder: TraceBuilder } {
  const builder = new TraceBuilder();
  let messages: unknown[] = [];
  let prefix = '';
  if (Array.isArray(log)) messages = log;
  else if (isRecord(log)) {
    if (typeof log.system === 'string') builder.system(log.system);
    else if (Array.isArray(log.system)) builder.system(contentText(log.system));
    if (Array.isArray(log.messages)) {
      messages = log.messages;
      prefix = 'messages';
    }
    if (log.type === 'message' && log.role === 'assistant') messages = [log];
  }
  messages.forEach((message, index) => {
    const path = `${prefix}[${index}]`;
    if (!isRecord(message)) return builder.warn(path, 'not a message object; left out');
    if (message.role !== 'user' && message.role !== 'assistant') {
      return builder.warn(path, `a message with role ${JSON.stringify(String(message.role)).slice(0, 40)}; left out`);
    }
    if (typeof message.content === 'string') {
      if (message.role === 'user') builder.user(message.content);
      else builder.response(message.content);
      return;
    }
    if (!Array.isArray(message.content))
      return builder.warn(`${path}.content`, 'expected a string or an array of content blocks; left out');
    const blocks = message.content;
    const role = message.role;
    const hasToolUse = blocks.some((b) => isRecord(b) && (b.type === 'tool_use' || b.type === 'server_tool_use'));
    const texts: string[] = [];
    blocks.forEach((block, b) => {
      const at = `${path}.content[${b}]`;
      if (!isRecord(block)) return builder.warn(at, 'not a content block; left out');
      switch (block.type) {
        case 'text':
          if (typeof block.text === 'string') texts.push(block.text);
          return;
        case 'thinking':
          if (typeof block.thinking === 'string') builder.reasoning(block.thinking);
          return;
        case 'tool_use':
        case 'server_tool_use':
          flushText();
          builder.call(
            typeof block.name === 'string' ? block.name : undefined,
            block.input,
            typeof block.id === 'string' ? block.id : undefined,
          );
          return;
        case 'tool_result': {
          const match = typeof block.tool_use_id === 'string' ? { callId: block.tool_use_id } : {};
          const content =
            typeof block.content === 'string'
              ? block.content
              : Array.isArray(block.content)
                ? contentText(block.content)
                : (block.content ?? '');
          if (block.is_error === true) builder.failedResult(content, match);
          else builder.result(content, match);
          return;
        }
        default:
          if (typeof block.type === 'string' && block.type.endsWith('_tool_result') && typeof block.tool_use_id === 'string') {
            builder.result(block.content ?? null, { callId: block.tool_use_id });
            return;
          }
          builder.warn(at, `a ${JSON.stringify(String(block.type)).slice(0, 40)} block is not mapped; left out`);
      }
    });
    flushText();
    function flushText(): void {
      if (texts.length === 0) return;
      const text = texts.splice(0).join('\n');
      if (role === 'user') builder.user(text);
      else if (hasToolUse) builder.reasoning(text);
      else builder.response(text);
    }
  });
  return { trace: builder.build(opts, { import_format: 'anthropic_messages' }), builder };
}

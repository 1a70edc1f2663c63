import type { Trace } from '../trace/schema.js';
import { contentText, isRecord, TraceBuilder, type ImportOptions } from './trace-builder.js';

/** Hosted tools the Responses API runs itself: their items carry the call and its outcome together. */
const HOSTED_TOOLS: Record<string, string> = {
  web_search_call: 'web_search',
  file_search_call: 'file_search',
  code_interpreter_call: 'code_interpreter',
  image_generation_call: 'image_generation',
  computer_call: 'computer',
  local_shell_call: 'local_shell',
};

/**
 * Converts OpenAI Responses API items (what the OpenAI Agents SDK logs and `response.output` holds)
 * into a trace: `message` items by role (`user` → `user_input`, `system` / `developer` → system
 * prompt, `assistant` `output_text` → `agent_response`, or `agent_reasoning` when a function call
 * follows in the same turn), `function_call` → `tool_call` with its `function_call_output` paired by
 * `call_id`, `reasoning` summaries → `agent_reasoning`, `mcp_call` and hosted tool calls → `tool_call`.
 * Accepts an item array, `{ input, output }`, or a Response object (`output`). Other items are warnings.
 *
 * @example importOpenAIResponses(items, { scenario_id: 'refund', agent_name: 'bot', timestamp: '2026-03-13T14:30:00Z' })
 */
export function importOpenAIResponses(log: unknown, opts: ImportOptions): { trace: Trace; builder: TraceBuilder } {
  const builder = new TraceBuilder();
  const lists: Array<[string, unknown[]]> = [];
  if (Array.isArray(log)) lists.push(['', log]);
  else if (isRecord(log)) {
    if (typeof log.instructions === 'string') builder.system(log.instructions);
    if (typeof log.input === 'string') builder.user(log.input);
    else if (Array.isArray(log.input)) lists.push(['input', log.input]);
    if (Array.isArray(log.output)) lists.push(['output', log.output]);
  }
  for (const [prefix, items] of lists) addItems(builder, items, prefix);
  return { trace: builder.build(opts, { import_format: 'openai_responses' }), builder };
}

function addItems(builder: TraceBuilder, items: unknown[], prefix: string): void {
  items.forEach((item, index) => {
    const path = `${prefix}[${index}]`;
    if (!isRecord(item)) return builder.warn(path, 'not an item object; left out');
    const type = typeof item.type === 'string' ? item.type : item.role !== undefined ? 'message' : undefined;
    if (type === 'message') {
      const text = messageText(item.content);
      if (item.role === 'user') builder.user(text);
      else if (item.role === 'system' || item.role === 'developer') builder.system(text);
      else if (item.role === 'assistant') {
        const nextCall = items.slice(index + 1).find((n) => isRecord(n) && (n.type === 'function_call' || isMessage(n)));
        if (isRecord(nextCall) && nextCall.type === 'function_call') builder.reasoning(text);
        else builder.response(text);
      } else builder.warn(path, `a message with role ${JSON.stringify(String(item.role)).slice(0, 40)}; left out`);
    } else if (type === 'function_call' || type === 'custom_tool_call') {
      const callId = typeof item.call_id === 'string' ? item.call_id : undefined;
      builder.call(
        typeof item.name === 'string' ? item.name : undefined,
        type === 'custom_tool_call' ? { input: item.input } : item.arguments,
        callId,
      );
    } else if (type === 'function_call_output' || type === 'custom_tool_call_output') {
      const callId = typeof item.call_id === 'string' ? item.call_id : undefined;
      builder.result(
        typeof item.output === 'string' ? item.output : contentText(item.output) || item.output,
        callId !== undefined ? { callId } : {},
      );
    } else if (type === 'reasoning') {
      const summary = Array.isArray(item.summary) ? contentText(item.summary) : '';
      const content = Array.isArray(item.content) ? contentText(item.content) : '';
      if (summary !== '' || content !== '') builder.reasoning(summary || content);
      else builder.warn(path, 'a reasoning item without summary text (encrypted reasoning); left out');
    } else if (type === 'mcp_call') {
      const name = typeof item.name === 'string' ? item.name : undefined;
      if (typeof item.error === 'string' && item.error !== '') {
        builder.call(name, item.arguments, undefined);
        builder.failedResult(item.error, { ...(name !== undefined ? { name } : {}) });
      } else builder.completedCall(name, item.arguments, item.output ?? null);
    } else if (type !== undefined && HOSTED_TOOLS[type] !== undefined) {
      const { type: _type, id: _id, status, ...rest } = item;
      builder.completedCall(
        HOSTED_TOOLS[type],
        { ...(isRecord(item.action) ? item.action : rest) },
        status === undefined ? null : { status },
      );
    } else if (type === 'item_reference' || type === 'mcp_list_tools') {
      builder.warn(path, `a ${type} item carries no step of the run; left out`);
    } else {
      builder.warn(path, `an item of type ${JSON.stringify(String(type)).slice(0, 60)} is not mapped; left out`);
    }
  });
}

function isMessage(item: Record<string, unknown>): boolean {
  return item.type === 'message' || (item.type === undefined && item.role !== undefined);
}

/** `input_text` / `output_text` / `refusal` parts, or a plain string. */
function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) =>
      isRecord(part) ? (typeof part.text === 'string' ? part.text : typeof part.refusal === 'string' ? part.refusal : '') : '',
    )
    .filter((t) => t !== '')
    .join('\n');
}

import type { Trace } from '../trace/schema.js';
import { contentText, isRecord, TraceBuilder, type ImportOptions } from './trace-builder.js';

/** Content parts that carry text; others (images, audio, other SDKs' tool parts) are reported. */
const TEXT_PARTS = new Set(['text', 'input_text', 'output_text', 'refusal']);

/** A function call as found on an assistant message. */
interface LoggedCall {
  id?: string;
  name?: string;
  arguments: unknown;
}

export interface MessageImportHooks {
  /** Leave `system` / `developer` messages out (ToolBench's are its harness's boilerplate, not the agent's policy). */
  leaveSystemOut?: boolean;
  /** A call to this function is the agent's final answer (ToolBench's `Finish`), not a tool call. */
  finishTool?: string;
  /** Turns the finish call's arguments into the response text. */
  finishText?: (args: Record<string, unknown>) => string;
}

/**
 * Converts an OpenAI chat-format message log into a trace:
 * `user` → `user_input`; `assistant` with `tool_calls` (or legacy `function_call`) → `agent_reasoning`
 * (when it has content) plus one `tool_call` per call, whose `result` is filled from the matching
 * `tool` message (by `tool_call_id`) or legacy `function` message (by order); a result whose content
 * is JSON with a non-empty `error` field makes the call a `tool_error`; an `assistant` message without
 * calls → `agent_response`. `system` and `developer` messages become `system_prompt` on a first
 * `metadata` event (the policy a response may state without a tool returning it). Arguments that are not a JSON object are
 * kept as `{ _raw }`. The log has no clock: event `i` is stamped `opts.timestamp + i` ms.
 *
 * @example importOpenAIMessages(messages, { scenario_id: 'refund', agent_name: 'bot', timestamp: '2026-03-13T14:30:00Z' })
 */
export function importOpenAIMessages(messages: readonly unknown[], opts: ImportOptions): Trace {
  const builder = new TraceBuilder();
  addMessages(builder, messages);
  return builder.build(opts, { import_format: 'openai_messages' });
}

/** Adds a message log to a builder; shared by the ToolBench and SWE-agent importers. */
export function addMessages(builder: TraceBuilder, messages: readonly unknown[], hooks: MessageImportHooks = {}, prefix = ''): void {
  messages.forEach((message, index) => {
    const path = `${prefix}[${index}]`;
    if (!isRecord(message)) return builder.warn(path, 'not a message object; left out');
    const role = message.role;
    const text = contentText(message.content);
    if (Array.isArray(message.content)) {
      message.content.forEach((part, p) => {
        const type = isRecord(part) ? part.type : undefined;
        if (typeof part === 'string' || (typeof type === 'string' && TEXT_PARTS.has(type))) return;
        builder.warn(
          `${path}.content[${p}]`,
          `a ${JSON.stringify(String(type)).slice(0, 40)} content part is not part of the OpenAI chat format; left out`,
        );
      });
    }
    if (role === 'system' || role === 'developer') {
      if (hooks.leaveSystemOut !== true) builder.system(text);
    } else if (role === 'user') {
      builder.user(text);
    } else if (role === 'assistant') {
      const calls = callsOf(message);
      const finish = hooks.finishTool === undefined ? undefined : calls.find((c) => c.name === hooks.finishTool);
      if (calls.length === 0) {
        builder.response(text);
        return;
      }
      builder.reasoning(text);
      for (const call of calls) {
        if (call === finish) continue;
        builder.call(call.name, call.arguments, call.id);
      }
      if (finish) builder.response(finishText(finish.arguments, hooks));
    } else if (role === 'tool') {
      const ids = Array.isArray(message.tool_call_ids) ? message.tool_call_ids : [];
      const callId = typeof message.tool_call_id === 'string' ? message.tool_call_id : typeof ids[0] === 'string' ? ids[0] : undefined;
      const match: { callId?: string; name?: string } = {};
      if (callId !== undefined) match.callId = callId;
      if (typeof message.name === 'string') match.name = message.name;
      builder.result(message.content, match);
    } else if (role === 'function') {
      if (typeof message.name === 'string' && message.name === hooks.finishTool) return;
      builder.result(message.content, typeof message.name === 'string' ? { name: message.name } : {});
    } else {
      builder.warn(path, `a message with role ${JSON.stringify(String(role)).slice(0, 40)} is not an OpenAI chat role; left out`);
    }
  });
}

function callsOf(message: Record<string, unknown>): LoggedCall[] {
  const out: LoggedCall[] = [];
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (!isRecord(call)) continue;
      const fn = isRecord(call.function) ? call.function : {};
      const logged: LoggedCall = { arguments: fn.arguments };
      if (typeof call.id === 'string') logged.id = call.id;
      if (typeof fn.name === 'string') logged.name = fn.name;
      out.push(logged);
    }
  }
  if (out.length === 0 && isRecord(message.function_call)) {
    const fn = message.function_call;
    const logged: LoggedCall = { arguments: fn.arguments };
    if (typeof fn.name === 'string') logged.name = fn.name;
    out.push(logged);
  }
  return out;
}

function finishText(args: unknown, hooks: MessageImportHooks): string {
  let parsed: Record<string, unknown> = {};
  if (isRecord(args)) parsed = args;
  else if (typeof args === 'string') {
    try {
      const value = JSON.parse(args) as unknown;
      if (isRecord(value)) parsed = value;
    } catch {
      return args;
    }
  }
  return hooks.finishText ? hooks.finishText(parsed) : typeof parsed.final_answer === 'string' ? parsed.final_answer : '';
}

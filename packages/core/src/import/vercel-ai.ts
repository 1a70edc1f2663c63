import type { Trace } from '../trace/schema.js';
import { contentText, isRecord, TraceBuilder, type ImportOptions } from './trace-builder.js';

/**
 * Converts Vercel AI SDK logs into a trace: `ModelMessage`s (`response.messages`, or the
 * `messages` sent) with `text`, `reasoning`, `tool-call` and `tool-result` parts (AI SDK 5 `input` /
 * `output`, AI SDK 4 `args` / `result`), or a `generateText` result's `steps` (`text`, `reasoning`,
 * `toolCalls`, `toolResults`, `usage`). A `tool-result` whose output is `error-text` / `error-json`
 * (or `isError`) becomes a `tool_error`. Images and files are warnings.
 */
export function importVercelAi(log: unknown, opts: ImportOptions): { trace: Trace; builder: TraceBuilder } {
  const builder = new TraceBuilder();
  if (isRecord(log) && Array.isArray(log.steps)) {
    if (typeof log.system === 'string') builder.system(log.system);
    if (typeof log.prompt === 'string') builder.user(log.prompt);
    if (Array.isArray(log.messages)) addMessages(builder, log.messages, 'messages');
    addSteps(builder, log.steps);
    return { trace: builder.build(opts, { import_format: 'vercel_ai_steps' }), builder };
  }
  if (isRecord(log) && typeof log.system === 'string') builder.system(log.system);
  if (isRecord(log) && typeof log.prompt === 'string') builder.user(log.prompt);
  const messages = Array.isArray(log) ? log : isRecord(log) && Array.isArray(log.messages) ? log.messages : [];
  addMessages(builder, messages, Array.isArray(log) ? '' : 'messages');
  if (isRecord(log) && isRecord(log.response) && Array.isArray(log.response.messages))
    addMessages(builder, log.response.messages, 'response.messages');
  return { trace: builder.build(opts, { import_format: 'vercel_ai_messages' }), builder };
}

function addMessages(builder: TraceBuilder, messages: unknown[], prefix: string): void {
  messages.forEach((message, index) => {
    const path = `${prefix}[${index}]`;
    if (!isRecord(message)) return builder.warn(path, 'not a message object; left out');
    const role = message.role;
    if (role === 'system') return builder.system(typeof message.content === 'string' ? message.content : contentText(message.content));
    if (typeof message.content === 'string') {
      if (role === 'user') builder.user(message.content);
      else if (role === 'assistant') builder.response(message.content);
      else builder.warn(path, `a ${JSON.stringify(String(role)).slice(0, 40)} message with text content; left out`);
      return;
    }
    if (!Array.isArray(message.content)) return builder.warn(`${path}.content`, 'expected a string or an array of parts; left out');
    const parts = message.content;
    const hasCalls = parts.some((p) => isRecord(p) && p.type === 'tool-call');
    const texts: string[] = [];
    const flush = () => {
      if (texts.length === 0) return;
      const text = texts.splice(0).join('\n');
      if (role === 'user') builder.user(text);
      else if (hasCalls) builder.reasoning(text);
      else builder.response(text);
    };
    parts.forEach((part, p) => {
      const at = `${path}.content[${p}]`;
      if (!isRecord(part)) return builder.warn(at, 'not a part object; left out');
      if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
      else if (part.type === 'reasoning' && typeof part.text === 'string') builder.reasoning(part.text);
      else if (part.type === 'tool-call') {
        flush();
        builder.call(str(part.toolName), part.input ?? part.args, str(part.toolCallId));
      } else if (part.type === 'tool-result') addResult(builder, part);
      else builder.warn(at, `a ${JSON.stringify(String(part.type)).slice(0, 40)} part is not mapped; left out`);
    });
    flush();
  });
}

function addSteps(builder: TraceBuilder, steps: unknown[]): void {
  let input = 0;
  let output = 0;
  let model: string | undefined;
  steps.forEach((step, index) => {
    const path = `steps[${index}]`;
    if (!isRecord(step)) return builder.warn(path, 'not a step object; left out');
    const calls = Array.isArray(step.toolCalls) ? step.toolCalls.filter(isRecord) : [];
    const reasoning =
      typeof step.reasoningText === 'string' ? step.reasoningText : typeof step.reasoning === 'string' ? step.reasoning : '';
    if (reasoning !== '') builder.reasoning(reasoning);
    const text = typeof step.text === 'string' ? step.text : '';
    if (calls.length > 0) builder.reasoning(text);
    for (const call of calls) builder.call(str(call.toolName), call.input ?? call.args, str(call.toolCallId));
    for (const result of Array.isArray(step.toolResults) ? step.toolResults.filter(isRecord) : []) addResult(builder, result);
    if (calls.length === 0 && text !== '') builder.response(text);
    if (isRecord(step.usage)) {
      input += num(step.usage.inputTokens) ?? num(step.usage.promptTokens) ?? 0;
      output += num(step.usage.outputTokens) ?? num(step.usage.completionTokens) ?? 0;
    }
    if (isRecord(step.response) && typeof step.response.modelId === 'string') model = step.response.modelId;
  });
  if (input + output > 0 || model !== undefined) {
    builder.metadata({
      ...(model !== undefined ? { model } : {}),
      ...(input + output > 0 ? { tokens: { input, output, total: input + output } } : {}),
    });
  }
}

/** AI SDK 5 `output: { type: 'text' | 'json' | 'error-text' | 'error-json', value }`, AI SDK 4 `result` (+ `isError`). */
function addResult(builder: TraceBuilder, part: Record<string, unknown>): void {
  const match = {
    ...(str(part.toolCallId) !== undefined ? { callId: str(part.toolCallId)! } : {}),
    ...(str(part.toolName) !== undefined ? { name: str(part.toolName)! } : {}),
  };
  const output = part.output;
  if (isRecord(output) && typeof output.type === 'string' && 'value' in output) {
    if (output.type === 'error-text' || output.type === 'error-json') return builder.failedResult(output.value, match);
    return builder.result(output.value, match);
  }
  const value = output !== undefined ? output : part.result;
  if (part.isError === true) builder.failedResult(value, match);
  else builder.result(value, match);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

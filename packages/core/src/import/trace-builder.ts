import { StepwiseError } from '../errors.js';
import type { Trace, TraceEvent } from '../trace/schema.js';

/** What every importer needs to make a trace out of a log that carries no such fields. */
export interface ImportOptions {
  scenario_id: string;
  agent_name: string;
  /** Trace start. Logs carry no clock, so event `i` is stamped `timestamp + i` milliseconds. */
  timestamp: string;
  /** Names of the tools the agent could call; stored in a `metadata` event. */
  tools_offered?: string[];
  trace_id?: string;
  run_id?: string;
}

type Data = Record<string, unknown>;

export interface ImportWarning {
  /** JSON path of the item in the log, e.g. `[4]` or `messages[2].content[1]`. */
  path: string;
  message: string;
}
interface MutableEvent {
  type: TraceEvent['type'];
  data: Data;
}

const UNKNOWN_TOOL = 'unknown_tool';

/**
 * Accumulates events in log order and pairs tool results with their calls: by call id, or for
 * legacy `function` messages by order (first unanswered call of that name, else first unanswered).
 */
export class TraceBuilder {
  private readonly events: MutableEvent[] = [];
  private systemPrompt: string[] = [];
  /** Items of the log that could not be mapped, each with its JSON path: reported, never dropped silently. */
  readonly warnings: ImportWarning[] = [];
  private readonly pendingById = new Map<string, MutableEvent>();
  private readonly pendingInOrder: MutableEvent[] = [];

  /** A system prompt (or developer instructions); several are joined. Stored as `system_prompt` on the first `metadata` event. */
  system(text: string): void {
    if (text.trim() !== '') this.systemPrompt.push(text);
  }

  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }

  /** A tool call whose result is already known (e.g. a logged server-side tool run). */
  completedCall(name: string | undefined, args: unknown, result: unknown, callId?: string): void {
    this.call(name, args, callId);
    this.result(result, callId !== undefined ? { callId } : { name: name ?? UNKNOWN_TOOL });
  }

  /** A failed tool call: the result text is the error message. */
  failedResult(content: unknown, match: { callId?: string; name?: string }, errorType = 'tool_error'): void {
    this.result(content, match);
    const event = [...this.events]
      .reverse()
      .find((e) => (match.callId !== undefined ? e.data.call_id === match.callId : e.data.tool === match.name));
    if (!event || event.type === 'tool_error') return;
    event.type = 'tool_error';
    event.data.error_type = errorType;
    event.data.message = typeof content === 'string' ? content : contentText(content) || JSON.stringify(content ?? null);
  }

  user(text: string): void {
    this.events.push({ type: 'user_input', data: { message: text } });
  }

  reasoning(text: string): void {
    if (text.trim() !== '') this.events.push({ type: 'agent_reasoning', data: { text } });
  }

  response(text: string): void {
    this.events.push({ type: 'agent_response', data: { message: text } });
  }

  metadata(data: Data): void {
    this.events.push({ type: 'metadata', data });
  }

  /** A tool call whose result arrives later; `args` is the raw arguments (JSON string or object). */
  call(name: string | undefined, args: unknown, callId?: string): void {
    const data: Data = { tool: name && name.trim() !== '' ? name : UNKNOWN_TOOL, parameters: parseArguments(args) };
    if (callId !== undefined) data.call_id = callId;
    const event: MutableEvent = { type: 'tool_call', data };
    this.events.push(event);
    if (callId !== undefined) this.pendingById.set(callId, event);
    this.pendingInOrder.push(event);
  }

  /** Whether a call is still waiting for its result. */
  hasPending(): boolean {
    return this.pendingInOrder.length > 0;
  }

  /**
   * The result of a call. Content that is JSON with a non-empty `error` field turns the call into a
   * `tool_error` (the rest of the content is kept as `result`). A result nobody asked for becomes a
   * call of its own, so no output is lost.
   */
  result(content: unknown, match: { callId?: string; name?: string }): void {
    let event: MutableEvent | undefined;
    if (match.callId !== undefined) event = this.pendingById.get(match.callId);
    if (!event && match.callId === undefined) {
      event = this.pendingInOrder.find((e) => e.data.tool === match.name) ?? this.pendingInOrder[0];
    }
    if (!event) {
      this.call(match.name, {}, match.callId);
      event = this.events[this.events.length - 1]!;
    }
    this.settle(event);
    const value = parseContent(content);
    const error = errorOf(value);
    if (error) {
      event.type = 'tool_error';
      event.data.error_type = error.type;
      event.data.message = error.message;
      event.data.result = value;
    } else {
      event.data.result = value;
    }
  }

  build(opts: ImportOptions, traceMetadata: Data): Trace {
    const start = Date.parse(opts.timestamp);
    if (Number.isNaN(start)) {
      throw new StepwiseError('invalid_request', 'timestamp must be an ISO-8601 date-time, e.g. 2026-03-13T14:30:00Z');
    }
    // The system prompt goes on a metadata event at the start, the first one, where the analysis reads it.
    if (this.systemPrompt.length > 0) this.events.unshift({ type: 'metadata', data: { system_prompt: this.systemPrompt.join('\n\n') } });
    if (opts.tools_offered && opts.tools_offered.length > 0) this.metadata({ tools_offered: opts.tools_offered });
    const events = this.events.map((e, i) => ({
      type: e.type,
      timestamp: new Date(start + i).toISOString(),
      data: e.data,
    })) as TraceEvent[];
    const trace: Trace = {
      scenario_id: opts.scenario_id,
      agent_name: opts.agent_name,
      timestamp: new Date(start).toISOString(),
      events,
      metadata: traceMetadata,
    };
    if (opts.trace_id !== undefined) trace.trace_id = opts.trace_id;
    if (opts.run_id !== undefined) trace.run_id = opts.run_id;
    return trace;
  }

  private settle(event: MutableEvent): void {
    const at = this.pendingInOrder.indexOf(event);
    if (at >= 0) this.pendingInOrder.splice(at, 1);
    const id = event.data.call_id;
    if (typeof id === 'string' && this.pendingById.get(id) === event) this.pendingById.delete(id);
  }
}

/** Arguments as logged: a JSON string of an object, or already an object. Anything else is kept as `{ _raw }`. */
export function parseArguments(args: unknown): Record<string, unknown> {
  if (args === undefined || args === null || args === '') return {};
  if (isRecord(args)) return args;
  if (typeof args === 'string') {
    try {
      const parsed = JSON.parse(args) as unknown;
      if (isRecord(parsed)) return parsed;
    } catch {
      // not JSON: kept raw below
    }
    return { _raw: args };
  }
  return { _raw: JSON.stringify(args) ?? String(args) };
}

/** Message content as text: strings as is, OpenAI content parts joined, null as empty. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : typeof part === 'string' ? part : ''))
      .filter((t) => t !== '')
      .join('\n');
  }
  return '';
}

function parseContent(content: unknown): unknown {
  const text = typeof content === 'string' ? content : Array.isArray(content) ? contentText(content) : content;
  if (typeof text !== 'string') return text ?? null;
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function errorOf(value: unknown): { type: string; message: string } | undefined {
  if (!isRecord(value) || !Object.hasOwn(value, 'error')) return undefined;
  const error = value.error;
  if (error === null || error === undefined || error === false || error === '') return undefined;
  if (typeof error === 'string') return error.trim() === '' ? undefined : { type: 'tool_error', message: error };
  if (isRecord(error)) {
    if (Object.keys(error).length === 0) return undefined;
    const type = typeof error.type === 'string' ? error.type : typeof error.code === 'string' ? error.code : 'tool_error';
    const message = typeof error.message === 'string' ? error.message : JSON.stringify(error);
    return { type, message };
  }
  return { type: 'tool_error', message: JSON.stringify(error) ?? 'error' };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

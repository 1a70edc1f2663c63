import type { EmbeddedTrace, ResultItem, TokenCounts, TraceEvent } from '@stepwise/core';

type JsonObject = Record<string, unknown>;

export interface TraceOptions {
  /** The test scenario this trace belongs to (`scenario_id` on the wire). */
  scenarioId: string;
  /** The agent's name; the sync client's `agentName` is used when absent. */
  agentName?: string;
  /** A stable id makes a re-sent trace a duplicate instead of a second copy; generated when absent. */
  traceId?: string;
  metadata?: JsonObject;
  /** Where timestamps come from (tests pin it). */
  clock?: () => Date;
}

export interface ToolCallOptions {
  durationMs?: number;
  /** The provider's id for this call (OpenAI `tool_calls[].id`, Anthropic `tool_use.id`). */
  callId?: string;
}

export interface ToolErrorOptions extends ToolCallOptions {
  parameters?: JsonObject;
  /** A short class of error, e.g. `timeout`; the error's name is used when absent. */
  errorType?: string;
}

export interface ResultOptions {
  passed?: boolean;
  notes?: string;
  expected?: ResultItem['expected'];
}

/** How a tool call that the model asked for ended: with a result or with an error. */
export type ToolOutcome = { result: unknown } | { error: { type?: string; message: string } };

let counter = 0;

/** A URL-safe id that is unique enough for one process (time, a counter and randomness). */
export function newTraceId(): string {
  counter = (counter + 1) % 1_000_000;
  return `tr_${Date.now().toString(36)}${counter.toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}

function errorParts(error: unknown): { type: string; message: string } {
  if (error instanceof Error) return { type: error.name || 'Error', message: error.message };
  if (error && typeof error === 'object' && 'message' in error) {
    const e = error as { message: unknown; type?: unknown };
    return { type: typeof e.type === 'string' ? e.type : 'Error', message: String(e.message) };
  }
  return { type: 'Error', message: String(error) };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Records what an agent did, step by step, in the Stepwise trace format.
 *
 * @example
 * const trace = startTrace({ scenarioId: 'refund-policy' });
 * trace.userInput('What is your refund policy?');
 * trace.toolCall('search_kb', { query: 'refund policy' }, { articles: 1 });
 * trace.response('Refunds within 14 days.');
 * client.add(trace.toResult({ passed: true }));
 */
export class TraceBuilder {
  readonly scenarioId: string;
  readonly traceId: string;
  agentName: string | undefined;
  private readonly clock: () => Date;
  private readonly started: Date;
  private readonly recorded: TraceEvent[] = [];
  private readonly pending = new Map<string, { index: number; at: number }>();
  private readonly meta: JsonObject;

  constructor(options: TraceOptions) {
    this.scenarioId = options.scenarioId;
    this.agentName = options.agentName;
    this.traceId = options.traceId ?? newTraceId();
    this.clock = options.clock ?? (() => new Date());
    this.started = this.clock();
    this.meta = { ...options.metadata };
  }

  /** The events recorded so far (a copy). */
  get events(): TraceEvent[] {
    return this.recorded.map((e) => ({ ...e, data: { ...e.data } }) as TraceEvent);
  }

  userInput(message: string): this {
    return this.push({ type: 'user_input', data: { message } });
  }

  reasoning(text: string): this {
    return this.push({ type: 'agent_reasoning', data: { text } });
  }

  /** A tool call with its parameters and, when known, its raw result. */
  toolCall(tool: string, parameters: JsonObject = {}, result?: unknown, options: ToolCallOptions = {}): this {
    const data: JsonObject = { tool, parameters };
    if (result !== undefined) data.result = result;
    if (options.durationMs !== undefined) data.duration_ms = options.durationMs;
    if (options.callId !== undefined) data.call_id = options.callId;
    return this.push({ type: 'tool_call', data } as TraceEvent);
  }

  /** A tool call that failed; `error` may be an Error, `{ type?, message }` or a string. */
  toolError(tool: string, error: unknown, options: ToolErrorOptions = {}): this {
    const parts = errorParts(error);
    const data: JsonObject = { tool, error_type: options.errorType ?? parts.type, message: parts.message };
    if (options.parameters !== undefined) data.parameters = options.parameters;
    if (options.durationMs !== undefined) data.duration_ms = options.durationMs;
    if (options.callId !== undefined) data.call_id = options.callId;
    return this.push({ type: 'tool_error', data } as TraceEvent);
  }

  response(message: string, options: { tokensUsed?: number } = {}): this {
    const data: JsonObject = { message };
    if (options.tokensUsed !== undefined) data.tokens_used = options.tokensUsed;
    return this.push({ type: 'agent_response', data } as TraceEvent);
  }

  /** A user-defined event: `custom('cache_hit', { key })`. */
  custom(name: string, data: JsonObject = {}): this {
    return this.push({ type: 'custom', data: { ...data, name } });
  }

  /** A metadata event (model, tokens, latency, tools offered, system prompt, …). */
  metadata(data: JsonObject): this {
    return this.push({ type: 'metadata', data });
  }

  model(name: string): this {
    return this.metadata({ model: name });
  }

  tokens(tokens: TokenCounts): this {
    return this.metadata({ tokens });
  }

  /** Sets a key of the trace's own `metadata` object (not an event). */
  setMetadata(key: string, value: unknown): this {
    this.meta[key] = value;
    return this;
  }

  /**
   * A model asked for a tool call that has not run yet: recorded now, its result filled in by
   * `resolveToolCall` when the agent sends the result back.
   */
  requestToolCall(tool: string, parameters: JsonObject, callId: string): this {
    this.toolCall(tool, parameters, undefined, { callId });
    this.pending.set(callId, { index: this.recorded.length - 1, at: this.clock().getTime() });
    return this;
  }

  /** Whether `callId` names a requested tool call still waiting for its outcome. */
  isPending(callId: string): boolean {
    return this.pending.has(callId);
  }

  /** Fills in the outcome of a requested call; an error turns the event into a `tool_error`. */
  resolveToolCall(callId: string, outcome: ToolOutcome): boolean {
    const waiting = this.pending.get(callId);
    const event = waiting && this.recorded[waiting.index];
    if (!waiting || !event || event.type !== 'tool_call') return false;
    this.pending.delete(callId);
    const duration = Math.max(0, this.clock().getTime() - waiting.at);
    const { tool, parameters } = event.data;
    if ('error' in outcome) {
      const data = { tool, parameters, error_type: outcome.error.type ?? 'tool_error', message: outcome.error.message, call_id: callId };
      this.recorded[waiting.index] = { ...event, type: 'tool_error', data: { ...data, duration_ms: duration } } as TraceEvent;
    } else {
      this.recorded[waiting.index] = { ...event, data: { ...event.data, result: outcome.result, duration_ms: duration } };
    }
    return true;
  }

  /**
   * Wraps a tool function so each call is recorded with its parameters, result or error and
   * duration. Errors are recorded and rethrown unchanged; the return value is the function's own.
   *
   * @example const search = trace.wrapTool('search_kb', searchKb); await search({ query: 'refund' });
   */
  wrapTool<A extends unknown[], R>(tool: string, fn: (...args: A) => R): (...args: A) => R {
    return (...args: A): R => {
      const parameters = toParameters(args);
      const start = this.clock().getTime();
      const took = () => Math.max(0, this.clock().getTime() - start);
      const ok = (result: unknown) => this.recordOutcome(tool, parameters, { result }, took());
      const failed = (error: unknown) => this.recordOutcome(tool, parameters, { error: errorParts(error) }, took());
      let value: R;
      try {
        value = fn(...args);
      } catch (error) {
        failed(error);
        throw error;
      }
      if (isThenable(value)) value.then(ok, failed);
      else ok(value);
      return value;
    };
  }

  /** A call the model requested for this tool is completed in place; otherwise a new event. */
  private recordOutcome(tool: string, parameters: JsonObject, outcome: ToolOutcome, durationMs: number): void {
    for (const [callId, waiting] of this.pending) {
      const event = this.recorded[waiting.index];
      if (event?.type === 'tool_call' && event.data.tool === tool) {
        this.resolveToolCall(callId, outcome);
        return;
      }
    }
    if ('error' in outcome) this.toolError(tool, outcome.error, { parameters, durationMs, errorType: outcome.error.type ?? 'Error' });
    else this.toolCall(tool, parameters, outcome.result, { durationMs });
  }

  /** The trace as the wire format's embedded trace (scenario and agent filled in when known). */
  toTrace(): EmbeddedTrace {
    const events = this.events;
    const last = events.at(-1);
    const trace: EmbeddedTrace = {
      trace_id: this.traceId,
      scenario_id: this.scenarioId,
      timestamp: this.started.toISOString(),
      events,
    };
    if (this.agentName !== undefined) trace.agent_name = this.agentName;
    if (last) trace.duration_ms = Math.max(0, Date.parse(last.timestamp) - this.started.getTime());
    if (Object.keys(this.meta).length > 0) trace.metadata = { ...this.meta };
    return trace;
  }

  /** One sync result carrying this trace: user message and response are taken from its events. */
  toResult(options: ResultOptions = {}): ResultItem {
    const trace = this.toTrace();
    const firstInput = this.recorded.find((e) => e.type === 'user_input');
    const lastResponse = this.recorded.findLast((e) => e.type === 'agent_response');
    const result: ResultItem = {
      scenario_id: this.scenarioId,
      user_message: firstInput?.type === 'user_input' ? firstInput.data.message : '',
      agent_response: lastResponse?.type === 'agent_response' ? lastResponse.data.message : '',
      trace_id: this.traceId,
      trace,
    };
    if (options.passed !== undefined) result.passed = options.passed;
    if (options.notes !== undefined) result.notes = options.notes;
    if (options.expected !== undefined) result.expected = options.expected;
    if (trace.duration_ms !== undefined) result.duration_ms = trace.duration_ms;
    return result;
  }

  private push(event: Omit<TraceEvent, 'timestamp'>): this {
    this.recorded.push({ ...event, timestamp: this.clock().toISOString() } as TraceEvent);
    return this;
  }
}

/** A tool's single object argument is its parameters; other shapes are kept as `args`. */
function toParameters(args: unknown[]): JsonObject {
  const [first] = args;
  if (args.length === 1 && first !== null && typeof first === 'object' && !Array.isArray(first)) return { ...(first as JsonObject) };
  return args.length === 0 ? {} : { args };
}

/**
 * Starts recording a trace.
 *
 * @example const trace = startTrace({ scenarioId: 'refund-policy', agentName: 'support-bot' });
 */
export function startTrace(options: TraceOptions): TraceBuilder {
  return new TraceBuilder(options);
}

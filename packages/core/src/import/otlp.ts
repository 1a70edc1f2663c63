import type { TraceEvent } from '../trace/schema.js';
import type { OtlpSpan } from './otlp-read.js';

export type { OtlpRead, OtlpSpan } from './otlp-read.js';
export { readOtlpTraces } from './otlp-read.js';

/** A result item (as `sync_results` takes it) made of one OpenTelemetry trace. */
export interface OtlpResult {
  scenario_id: string;
  user_message: string;
  agent_response: string;
  passed?: boolean;
  timestamp: string;
  duration_ms: number;
  trace_id: string;
  trace: {
    trace_id: string;
    timestamp: string;
    duration_ms: number;
    events: TraceEvent[];
    metadata: Record<string, unknown>;
  };
}

export interface OtlpTraceMapping {
  /** `stepwise.agent_name`, else the resource's `service.name`, else `otel-agent`. */
  agent_name: string;
  /** `stepwise.test_run_id` from the resource or a span, or null (the receiver picks a run). */
  run_label: string | null;
  result: OtlpResult;
  /** How many spans became events, and how many were left out as not GenAI / OpenInference spans. */
  mapped_spans: number;
  skipped_spans: number;
}

type Obj = Record<string, unknown>;
type Emitted = { ts: number; order: number; event: TraceEvent };

interface ToolCallRef {
  id?: string;
  name: string;
  arguments: unknown;
}
interface Message {
  role: string;
  text: string;
  toolCalls: ToolCallRef[];
  /** For `tool` messages: the call answered. */
  toolCallId?: string;
}

const LLM_OPERATIONS = new Set(['chat', 'text_completion', 'generate_content', 'completion']);
const AGENT_OPERATIONS = new Set(['invoke_agent', 'create_agent']);

/** The Stepwise trace id of an OpenTelemetry trace: stable, so a re-send replaces rather than duplicates. */
export function stepwiseTraceIdOf(otelTraceId: string): string {
  return `otel-${otelTraceId}`;
}

/**
 * Maps the spans of one OpenTelemetry trace to a Stepwise result: GenAI semantic conventions
 * (`gen_ai.operation.name`, `gen_ai.tool.*`, `gen_ai.input.messages` / `gen_ai.output.messages`,
 * token usage, and the older `gen_ai.prompt.N` / `gen_ai.completion.N`) and OpenInference
 * (`openinference.span.kind`, `llm.input_messages.*`, `tool.name`, `input.value` / `output.value`).
 * Returns null when no span is a GenAI or OpenInference span: there is nothing true to store.
 *
 * @example
 * const mapping = mapOtlpTrace(spans.filter((s) => s.traceId === id));
 */
export function mapOtlpTrace(spansIn: OtlpSpan[]): OtlpTraceMapping | null {
  if (spansIn.length === 0) return null;
  const spans = [...spansIn].sort((a, b) => a.startMs - b.startMs || depth(a, spansIn) - depth(b, spansIn));
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const kinds = new Map(spans.map((s) => [s.spanId, kindOf(s)]));
  if (![...kinds.values()].some((k) => k !== 'other')) return null;
  const hasToolSpans = [...kinds.values()].includes('tool');

  const emitted: Emitted[] = [];
  const eventIdOfSpan = new Map<string, string>();
  let order = 0;
  const emit = (ts: number, event: TraceEvent) => emitted.push({ ts, order: order++, event });
  const parentEventId = (span: OtlpSpan): string | undefined => {
    let parent = span.parentSpanId !== undefined ? byId.get(span.parentSpanId) : undefined;
    while (parent) {
      const id = eventIdOfSpan.get(parent.spanId);
      if (id !== undefined) return id;
      parent = parent.parentSpanId !== undefined ? byId.get(parent.parentSpanId) : undefined;
    }
    return undefined;
  };
  const withIds = (event: TraceEvent, id: string | undefined, parent: string | undefined): TraceEvent => ({
    ...event,
    ...(id !== undefined ? { id } : {}),
    ...(parent !== undefined ? { parent_id: parent } : {}),
  });

  let systemPrompt: string | undefined;
  let userSeen = 0;
  let firstMetadata: TraceEvent | undefined;
  const pendingCalls = new Map<string, TraceEvent>();
  let mapped = 0;

  for (const span of spans) {
    const kind = kinds.get(span.spanId)!;
    const a = span.attributes;
    if (kind === 'llm') {
      mapped++;
      const parent = parentEventId(span);
      eventIdOfSpan.set(span.spanId, span.spanId);
      const input = inputMessages(a);
      const output = outputMessages(a);
      systemPrompt ??= systemInstructions(a) ?? input.find((m) => m.role === 'system')?.text;
      const metadata: Obj = {};
      const model = str(a['gen_ai.response.model']) ?? str(a['gen_ai.request.model']) ?? str(a['llm.model_name']);
      if (model !== undefined) metadata.model = model;
      const tokens = tokenCounts(a);
      if (tokens !== undefined) metadata.tokens = tokens;
      metadata.latency_ms = round(span.endMs - span.startMs);
      const provider = str(a['gen_ai.provider.name']) ?? str(a['gen_ai.system']) ?? str(a['llm.provider']) ?? str(a['llm.system']);
      if (provider !== undefined) metadata.provider = provider;
      const metadataEvent = withIds({ type: 'metadata', timestamp: iso(span.startMs), data: metadata } as TraceEvent, span.spanId, parent);
      firstMetadata ??= metadataEvent;
      emit(span.startMs, metadataEvent);
      let n = 0;
      const users = input.filter((m) => m.role === 'user' || m.role === 'human');
      for (const message of users.slice(userSeen)) {
        if (message.text === '') continue;
        emit(
          span.startMs,
          withIds(
            { type: 'user_input', timestamp: iso(span.startMs), data: { message: message.text } },
            `${span.spanId}.${++n}`,
            span.spanId,
          ),
        );
      }
      userSeen = Math.max(userSeen, users.length);
      if (!hasToolSpans) {
        for (const message of input) {
          if (message.role !== 'tool' || message.toolCallId === undefined) continue;
          const call = pendingCalls.get(message.toolCallId);
          if (call && call.type === 'tool_call') {
            call.data.result = parseMaybeJson(message.text);
            pendingCalls.delete(message.toolCallId);
          }
        }
      }
      for (const message of output) {
        if (message.role !== 'assistant' && message.role !== 'ai' && message.role !== 'model') continue;
        if (message.toolCalls.length > 0) {
          if (message.text !== '') {
            emit(
              span.endMs,
              withIds(
                { type: 'agent_reasoning', timestamp: iso(span.endMs), data: { text: message.text } },
                `${span.spanId}.${++n}`,
                span.spanId,
              ),
            );
          }
          if (hasToolSpans) continue; // the tool spans carry the calls, with their results and timing
          for (const call of message.toolCalls) {
            const event = withIds(
              {
                type: 'tool_call',
                timestamp: iso(span.endMs),
                data: { tool: call.name, parameters: asParameters(call.arguments), ...(call.id !== undefined ? { call_id: call.id } : {}) },
              },
              `${span.spanId}.${++n}`,
              span.spanId,
            );
            if (call.id !== undefined) pendingCalls.set(call.id, event);
            emit(span.endMs, event);
          }
        } else if (message.text !== '') {
          emit(
            span.endMs,
            withIds(
              { type: 'agent_response', timestamp: iso(span.endMs), data: { message: message.text } },
              `${span.spanId}.${++n}`,
              span.spanId,
            ),
          );
        }
      }
    } else if (kind === 'tool') {
      mapped++;
      const parent = parentEventId(span);
      eventIdOfSpan.set(span.spanId, span.spanId);
      const tool = str(a['gen_ai.tool.name']) ?? str(a['tool.name']) ?? (span.name.replace(/^execute_tool\s+/, '') || 'unknown_tool');
      const args = a['gen_ai.tool.call.arguments'] ?? a['tool.parameters'] ?? a['input.value'];
      const parameters = asParameters(args);
      const callId = str(a['gen_ai.tool.call.id']) ?? str(a['tool_call.id']);
      const duration = round(span.endMs - span.startMs);
      if (span.status.code === 2) {
        const exception = span.events.find((e) => e.name === 'exception')?.attributes ?? {};
        emit(
          span.startMs,
          withIds(
            {
              type: 'tool_error',
              timestamp: iso(span.startMs),
              data: {
                tool,
                parameters,
                error_type: str(exception['exception.type']) ?? str(a['error.type']) ?? 'error',
                message: span.status.message ?? str(exception['exception.message']) ?? 'the tool span ended with an error status',
                duration_ms: duration,
                ...(callId !== undefined ? { call_id: callId } : {}),
              },
            },
            span.spanId,
            parent,
          ),
        );
      } else {
        const resultRaw = a['gen_ai.tool.call.result'] ?? a['output.value'];
        emit(
          span.startMs,
          withIds(
            {
              type: 'tool_call',
              timestamp: iso(span.startMs),
              data: {
                tool,
                parameters,
                ...(resultRaw !== undefined ? { result: parseMaybeJson(resultRaw) } : {}),
                duration_ms: duration,
                ...(callId !== undefined ? { call_id: callId } : {}),
              },
            },
            span.spanId,
            parent,
          ),
        );
      }
    } else if (kind === 'agent') {
      mapped++;
    }
  }

  emitted.sort((x, y) => x.ts - y.ts || x.order - y.order);
  const events = emitted.map((e) => e.event);

  // An agent or chain span's input and output stand in when no model span said what the user asked or the agent answered.
  const roots = spans.filter((s) => s.parentSpanId === undefined || !byId.has(s.parentSpanId));
  const top = roots.find((s) => kinds.get(s.spanId) === 'agent') ?? spans.find((s) => kinds.get(s.spanId) === 'agent');
  const first = spans[0]!;
  const start = Math.min(...spans.map((s) => s.startMs));
  const end = Math.max(...spans.map((s) => s.endMs));
  if (top !== undefined) {
    const input = str(top.attributes['input.value']) ?? agentText(inputMessages(top.attributes), 'user');
    const output = str(top.attributes['output.value']) ?? agentText(outputMessages(top.attributes), 'assistant');
    if (input !== undefined && !events.some((e) => e.type === 'user_input')) {
      events.unshift({ type: 'user_input', timestamp: iso(top.startMs), data: { message: input }, id: top.spanId });
    }
    if (output !== undefined && !events.some((e) => e.type === 'agent_response')) {
      events.push({ type: 'agent_response', timestamp: iso(top.endMs), data: { message: output }, id: `${top.spanId}.out` });
    }
  }
  if (firstMetadata !== undefined && systemPrompt !== undefined) firstMetadata.data.system_prompt = systemPrompt;
  else if (systemPrompt !== undefined) events.unshift({ type: 'metadata', timestamp: iso(start), data: { system_prompt: systemPrompt } });

  const attr = (key: string): unknown => {
    for (const s of roots) if (s.attributes[key] !== undefined) return s.attributes[key];
    for (const s of spans) if (s.attributes[key] !== undefined) return s.attributes[key];
    return first.resource[key];
  };
  const passedRaw = attr('stepwise.passed');
  const passed =
    typeof passedRaw === 'boolean'
      ? passedRaw
      : passedRaw === 'true'
        ? true
        : passedRaw === 'false'
          ? false
          : roots.some((s) => s.status.code === 2)
            ? false
            : undefined;
  const root = roots[0] ?? first;
  const scenario = str(attr('stepwise.scenario_id')) ?? (top !== undefined ? top.name : root.name);
  const runLabel = str(attr('stepwise.test_run_id')) ?? null;
  const agent = str(attr('stepwise.agent_name')) ?? str(first.resource['service.name']) ?? 'otel-agent';
  const traceId = stepwiseTraceIdOf(first.traceId);
  const timestamp = iso(start);
  const duration = round(end - start);
  const userMessage = events.find((e) => e.type === 'user_input')?.data.message;
  const response = [...events].reverse().find((e) => e.type === 'agent_response')?.data.message;
  return {
    agent_name: agent,
    run_label: runLabel,
    mapped_spans: mapped,
    skipped_spans: spans.length - mapped,
    result: {
      scenario_id: scenario.slice(0, 500) || 'otel-trace',
      user_message: typeof userMessage === 'string' ? userMessage : '',
      agent_response: typeof response === 'string' ? response : '',
      ...(passed !== undefined ? { passed } : {}),
      timestamp,
      duration_ms: duration,
      trace_id: traceId,
      trace: {
        trace_id: traceId,
        timestamp,
        duration_ms: duration,
        events,
        metadata: {
          otel: {
            trace_id: first.traceId,
            ...(str(first.resource['service.name']) !== undefined ? { service_name: first.resource['service.name'] } : {}),
            ...(first.scope?.name !== undefined ? { scope: first.scope.name } : {}),
            spans: spans.length,
          },
        },
      },
    },
  };
}

type SpanKind = 'llm' | 'tool' | 'agent' | 'other';

function kindOf(span: OtlpSpan): SpanKind {
  const a = span.attributes;
  const op = str(a['gen_ai.operation.name']);
  const oi = str(a['openinference.span.kind'])?.toUpperCase();
  if (op === 'execute_tool' || oi === 'TOOL') return 'tool';
  if ((op !== undefined && LLM_OPERATIONS.has(op)) || oi === 'LLM') return 'llm';
  if ((op !== undefined && AGENT_OPERATIONS.has(op)) || oi === 'AGENT' || oi === 'CHAIN') return 'agent';
  if (a['gen_ai.tool.name'] !== undefined || (a['tool.name'] !== undefined && oi === undefined)) return 'tool';
  if (
    Object.keys(a).some((k) => k.startsWith('gen_ai.prompt.') || k.startsWith('gen_ai.completion.') || k.startsWith('llm.input_messages.'))
  ) {
    return 'llm';
  }
  if (a['gen_ai.input.messages'] !== undefined || a['gen_ai.output.messages'] !== undefined) return 'llm';
  return 'other';
}

function depth(span: OtlpSpan, all: OtlpSpan[]): number {
  let d = 0;
  let parent = span.parentSpanId;
  while (parent !== undefined && d < 1000) {
    const next = all.find((s) => s.spanId === parent);
    if (!next) break;
    d++;
    parent = next.parentSpanId;
  }
  return d;
}

function inputMessages(a: Obj): Message[] {
  const structured = structuredMessages(a['gen_ai.input.messages']);
  if (structured.length > 0) return structured;
  const prompt = indexed(a, 'gen_ai.prompt.');
  if (prompt.length > 0) return prompt.map(flatMessage);
  return indexed(a, 'llm.input_messages.').map((m) => openInferenceMessage(m));
}

function outputMessages(a: Obj): Message[] {
  const structured = structuredMessages(a['gen_ai.output.messages']);
  if (structured.length > 0) return structured;
  const completion = indexed(a, 'gen_ai.completion.');
  if (completion.length > 0) return completion.map((m) => ({ ...flatMessage(m), role: str(m.role) ?? 'assistant' }));
  return indexed(a, 'llm.output_messages.').map((m) => openInferenceMessage(m));
}

function systemInstructions(a: Obj): string | undefined {
  const raw = parseMaybeJson(a['gen_ai.system_instructions']);
  if (typeof raw === 'string' && raw !== '') return raw;
  if (Array.isArray(raw)) {
    const text = raw.map((p) => (isObj(p) ? (str(p.content) ?? '') : typeof p === 'string' ? p : '')).join('\n');
    return text === '' ? undefined : text;
  }
  return undefined;
}

/** `gen_ai.input.messages` / `gen_ai.output.messages`: `[{ role, parts: [{ type, content | id, name, arguments | response }] }]`. */
function structuredMessages(raw: unknown): Message[] {
  const list = parseMaybeJson(raw);
  if (!Array.isArray(list)) return [];
  return list.filter(isObj).map((m) => {
    const message: Message = { role: str(m.role) ?? 'user', text: '', toolCalls: [] };
    const texts: string[] = [];
    if (typeof m.content === 'string') texts.push(m.content);
    for (const part of Array.isArray(m.parts) ? m.parts.filter(isObj) : []) {
      if (part.type === 'text' && typeof part.content === 'string') texts.push(part.content);
      else if (part.type === 'tool_call') {
        message.toolCalls.push({
          name: str(part.name) ?? 'unknown_tool',
          arguments: part.arguments,
          ...(str(part.id) !== undefined ? { id: str(part.id)! } : {}),
        });
      } else if (part.type === 'tool_call_response') {
        message.role = 'tool';
        if (str(part.id) !== undefined) message.toolCallId = str(part.id)!;
        texts.push(typeof part.response === 'string' ? part.response : JSON.stringify(part.response ?? null));
      }
    }
    message.text = texts.join('\n');
    return message;
  });
}

/** `gen_ai.prompt.N.*` / `gen_ai.completion.N.*` (OpenLLMetry): role, content, tool_calls.M.{id,name,arguments}, tool_call_id. */
function flatMessage(m: Obj): Message {
  const calls = indexed(m, 'tool_calls.').map((c) => ({
    name: str(c.name) ?? 'unknown_tool',
    arguments: c.arguments,
    ...(str(c.id) !== undefined ? { id: str(c.id)! } : {}),
  }));
  return {
    role: str(m.role) ?? 'user',
    text: typeof m.content === 'string' ? m.content : m.content === undefined ? '' : JSON.stringify(m.content),
    toolCalls: calls,
    ...(str(m.tool_call_id) !== undefined ? { toolCallId: str(m.tool_call_id)! } : {}),
  };
}

/** OpenInference `llm.input_messages.N.message.*`: role, content, contents.M.message_content.text, tool_calls.M.tool_call.*. */
function openInferenceMessage(m: Obj): Message {
  const role = str(m['message.role']) ?? 'user';
  let text = str(m['message.content']) ?? '';
  if (text === '') {
    text = indexed(m, 'message.contents.')
      .map((c) => str(c['message_content.text']) ?? '')
      .filter((t) => t !== '')
      .join('\n');
  }
  const calls = indexed(m, 'message.tool_calls.').map((c) => ({
    name: str(c['tool_call.function.name']) ?? 'unknown_tool',
    arguments: c['tool_call.function.arguments'],
    ...(str(c['tool_call.id']) !== undefined ? { id: str(c['tool_call.id'])! } : {}),
  }));
  const callId = str(m['message.tool_call_id']);
  return { role, text, toolCalls: calls, ...(callId !== undefined ? { toolCallId: callId } : {}) };
}

/** Groups `prefix.N.rest` keys into an array of `{ rest: value }` records, by N. */
function indexed(a: Obj, prefix: string): Obj[] {
  const out: Obj[] = [];
  for (const [key, value] of Object.entries(a)) {
    if (!key.startsWith(prefix)) continue;
    const match = /^(\d+)\.(.+)$/.exec(key.slice(prefix.length));
    if (!match) continue;
    const i = Number(match[1]);
    if (i > 10_000) continue;
    (out[i] ??= {})[match[2]!] = value;
  }
  return out.filter((m) => m !== undefined);
}

function agentText(messages: Message[], role: string): string | undefined {
  const match = messages.filter((m) => m.role === role && m.text !== '');
  return match.length > 0 ? match[match.length - 1]!.text : undefined;
}

function tokenCounts(a: Obj): Obj | undefined {
  const input = num(a['gen_ai.usage.input_tokens']) ?? num(a['gen_ai.usage.prompt_tokens']) ?? num(a['llm.token_count.prompt']);
  const output = num(a['gen_ai.usage.output_tokens']) ?? num(a['gen_ai.usage.completion_tokens']) ?? num(a['llm.token_count.completion']);
  const total =
    num(a['llm.token_count.total']) ??
    num(a['llm.usage.total_tokens']) ??
    (input !== undefined && output !== undefined ? input + output : undefined);
  if (input === undefined && output === undefined && total === undefined) return undefined;
  return {
    ...(input !== undefined ? { input } : {}),
    ...(output !== undefined ? { output } : {}),
    ...(total !== undefined ? { total } : {}),
  };
}

function asParameters(raw: unknown): Obj {
  const value = parseMaybeJson(raw);
  if (isObj(value)) return value;
  if (value === undefined || value === null || value === '') return {};
  return { input: value };
}

function parseMaybeJson(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const t = raw.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return raw;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return raw;
  }
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
const round = (ms: number) => Math.max(0, Math.round(ms * 1000) / 1000);
const iso = (ms: number) => new Date(Math.floor(ms)).toISOString();

import type { ExportedTrace } from './stepwise-export.js';

/**
 * OTLP JSON (the protobuf JSON mapping of `ExportTraceServiceRequest`) with span names and
 * attributes from the OpenTelemetry GenAI semantic conventions: one `invoke_agent` root span per
 * trace, one `execute_tool` child span per tool call or tool error (`gen_ai.tool.name`,
 * `gen_ai.tool.call.id`, `gen_ai.tool.call.arguments`, `gen_ai.tool.call.result`), messages and
 * reasoning as span events. Ids are derived from the trace id, so a re-export gives the same ids.
 */

type AnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };
export interface OtlpExportAttribute {
  key: string;
  value: AnyValue;
}
export interface OtlpExportSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpExportAttribute[];
  events: Array<{ timeUnixNano: string; name: string; attributes: OtlpExportAttribute[] }>;
  status: { code: number; message?: string };
}
export interface OtlpExportResourceSpans {
  resource: { attributes: OtlpExportAttribute[] };
  scopeSpans: Array<{ scope: { name: string; version: string }; spans: OtlpExportSpan[] }>;
}

const SPAN_KIND_INTERNAL = 1;
const SPAN_KIND_CLIENT = 3;
const STATUS_UNSET = 0;
const STATUS_ERROR = 2;

/** The opening and closing of an OTLP JSON document; resource spans go between, comma-separated. */
export const OTLP_EXPORT_OPEN = '{"resourceSpans":[\n';
export const OTLP_EXPORT_CLOSE = '\n]}\n';

// 64-bit FNV-1a, as hex: enough to derive stable span and trace ids without node:crypto.
function fnv64(text: string, seed: number): string {
  let h = BigInt('0xcbf29ce484222325') ^ BigInt(seed);
  const prime = BigInt(0x100000001b3);
  const mask = (BigInt(1) << BigInt(64)) - BigInt(1);
  for (let i = 0; i < text.length; i++) h = ((h ^ BigInt(text.charCodeAt(i))) * prime) & mask;
  const hex = h.toString(16).padStart(16, '0');
  return hex === '0000000000000000' ? '0000000000000001' : hex;
}

export function otlpTraceId(traceId: string): string {
  return fnv64(traceId, 1) + fnv64(traceId, 2);
}
function spanId(traceId: string, part: string): string {
  return fnv64(`${traceId}/${part}`, 3);
}

// OTLP JSON encodes int64 as decimal strings.
function nanos(ms: number): string {
  return (BigInt(Math.round(ms)) * BigInt(1_000_000)).toString();
}

function attr(key: string, value: unknown): OtlpExportAttribute | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return { key, value: { stringValue: value } };
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  if (typeof value === 'number')
    return Number.isInteger(value) ? { key, value: { intValue: String(value) } } : { key, value: { doubleValue: value } };
  return { key, value: { stringValue: JSON.stringify(value) } };
}
const attrs = (pairs: Array<[string, unknown]>) => pairs.map(([k, v]) => attr(k, v)).filter((a): a is OtlpExportAttribute => a !== null);

interface Ev {
  type?: string;
  timestamp?: string;
  id?: string;
  parent_id?: string;
  data?: Record<string, unknown>;
}

const MESSAGE_EVENTS: Record<string, [string, string]> = {
  user_input: ['gen_ai.user.message', 'message'],
  agent_response: ['gen_ai.assistant.message', 'message'],
  agent_reasoning: ['stepwise.agent_reasoning', 'text'],
};

/** One trace as OTLP resource spans. */
export function traceToOtlp(t: ExportedTrace): OtlpExportResourceSpans {
  const id = t.summary.id;
  const traceId = otlpTraceId(id);
  const rootId = spanId(id, 'root');
  const events = t.trace.events as Ev[];
  const startMs = Date.parse(t.summary.timestamp);
  const times = events.map((e) => (e.timestamp ? Date.parse(e.timestamp) : Number.NaN)).filter((n) => Number.isFinite(n));
  const endMs = Math.max(startMs + (t.summary.duration_ms ?? 0), ...times);
  const eventSpanIds = new Map<string, string>();
  events.forEach((e, i) => {
    if (e.id && (e.type === 'tool_call' || e.type === 'tool_error')) eventSpanIds.set(e.id, spanId(id, `event/${i}`));
  });
  const meta = events.find((e) => e.type === 'metadata')?.data ?? {};
  const tokens = (meta.tokens ?? {}) as { input?: number; output?: number };
  const root: OtlpExportSpan = {
    traceId,
    spanId: rootId,
    name: `invoke_agent ${t.summary.agent_name}`,
    kind: SPAN_KIND_INTERNAL,
    startTimeUnixNano: nanos(startMs),
    endTimeUnixNano: nanos(endMs),
    attributes: attrs([
      ['gen_ai.operation.name', 'invoke_agent'],
      ['gen_ai.agent.name', t.summary.agent_name],
      ['gen_ai.request.model', t.summary.model],
      ['gen_ai.usage.input_tokens', tokens.input],
      ['gen_ai.usage.output_tokens', tokens.output],
      ['stepwise.trace_id', id],
      ['stepwise.test_run_id', t.summary.run_id],
      ['stepwise.agent_name', t.summary.agent_name],
      ['stepwise.scenario_id', t.summary.scenario_id],
      ['stepwise.verdict', t.summary.verdict],
      ['stepwise.patterns', t.summary.patterns.length > 0 ? t.summary.patterns.join(',') : null],
    ]),
    events: [],
    status: t.summary.verdict === 'failed' ? { code: STATUS_ERROR, message: 'the case failed' } : { code: STATUS_UNSET },
  };
  const spans: OtlpExportSpan[] = [root];
  events.forEach((e, i) => {
    const at = e.timestamp ? Date.parse(e.timestamp) : startMs;
    const d = e.data ?? {};
    if (e.type === 'tool_call' || e.type === 'tool_error') {
      const duration = typeof d.duration_ms === 'number' ? d.duration_ms : 0;
      const parent = (e.parent_id && eventSpanIds.get(e.parent_id)) || rootId;
      const isError = e.type === 'tool_error';
      spans.push({
        traceId,
        spanId: spanId(id, `event/${i}`),
        parentSpanId: parent,
        name: `execute_tool ${String(d.tool)}`,
        kind: SPAN_KIND_CLIENT,
        startTimeUnixNano: nanos(at),
        endTimeUnixNano: nanos(at + duration),
        attributes: attrs([
          ['gen_ai.operation.name', 'execute_tool'],
          ['gen_ai.tool.name', d.tool],
          ['gen_ai.tool.type', 'function'],
          ['gen_ai.tool.call.id', d.call_id ?? e.id],
          ['gen_ai.tool.call.arguments', d.parameters === undefined ? null : JSON.stringify(d.parameters)],
          ['gen_ai.tool.call.result', d.result === undefined ? null : JSON.stringify(d.result)],
          ['error.type', isError ? d.error_type : null],
          ['stepwise.event_index', i],
        ]),
        events: [],
        status: isError ? { code: STATUS_ERROR, message: String(d.message ?? '') } : { code: STATUS_UNSET },
      });
      return;
    }
    const message = e.type ? MESSAGE_EVENTS[e.type] : undefined;
    const name = message?.[0] ?? `stepwise.${e.type ?? 'event'}`;
    const content = message ? d[message[1]] : undefined;
    root.events.push({
      timeUnixNano: nanos(at),
      name,
      attributes: attrs([
        ['stepwise.event_index', i],
        ...(content !== undefined
          ? ([['gen_ai.message.content', content]] as Array<[string, unknown]>)
          : [['stepwise.data', d] as [string, unknown]]),
      ]),
    });
  });
  return {
    resource: { attributes: attrs([['service.name', t.summary.agent_name]]) },
    scopeSpans: [{ scope: { name: 'stepwise', version: '1' }, spans }],
  };
}

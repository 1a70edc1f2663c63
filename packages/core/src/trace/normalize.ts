import type { ValidationIssue } from '../errors.js';
import type { Expectations } from '../analysis/expectations-schema.js';
import type { ResultItem, SyncWarning, ToolCalled, Trace, TraceEvent } from './schema.js';

/** A synced result turned into a trace, plus the result fields that are not part of the trace. */
export interface NormalizedResult {
  trace: Trace;
  passed?: boolean;
  notes?: string;
  expected?: Expectations;
  /** Problems that did not stop the result from being stored (reported back to the client). */
  warnings: SyncWarning[];
  /**
   * False when the result carried no time at all (no timestamp, no tool timestamps, no durations):
   * its event times are the sync time, placeholders that must be shown as unknown, not as `+0.000s`.
   */
  timingsKnown: boolean;
}

export interface NormalizeContext {
  /** Index of the item in its batch, for warnings and errors. */
  index: number;
  /** JSON path of the item, e.g. `results[3]`. */
  path: string;
  agentName: string;
  runId?: string;
  /** Used as the trace start when the result carries no timestamp of its own. */
  now: string;
}

export type Normalized = { ok: true; value: NormalizedResult } | { ok: false; errors: ValidationIssue[] };

/**
 * Turns a validated result into a trace. Without `trace`, the events are built from the result:
 * `user_input` → one `tool_call`/`tool_error` per `tools_called` entry → `agent_response`
 * (→ `metadata` when model, tokens or cost are given). With `trace`, its events win and
 * `tools_called` is checked against its tool calls; mismatches come back as warnings.
 *
 * @example normalizeResult(item, { index: 0, path: 'results[0]', agentName: 'bot', now: new Date().toISOString() })
 */
export function normalizeResult(item: ResultItem, ctx: NormalizeContext): Normalized {
  const warnings: SyncWarning[] = [];
  let trace: Trace;
  if (item.trace) {
    const errors: ValidationIssue[] = [];
    const embedded = item.trace;
    if (embedded.scenario_id !== undefined && embedded.scenario_id !== item.scenario_id) {
      errors.push({ path: `${ctx.path}.trace.scenario_id`, message: `must equal ${ctx.path}.scenario_id` });
    }
    if (embedded.trace_id !== undefined && item.trace_id !== undefined && embedded.trace_id !== item.trace_id) {
      errors.push({ path: `${ctx.path}.trace.trace_id`, message: `must equal ${ctx.path}.trace_id` });
    }
    if (embedded.run_id !== undefined && ctx.runId !== undefined && embedded.run_id !== ctx.runId) {
      errors.push({ path: `${ctx.path}.trace.run_id`, message: 'must equal the test_run_id of the sync' });
    }
    if (errors.length > 0) return { ok: false, errors };
    trace = {
      ...embedded,
      scenario_id: item.scenario_id,
      agent_name: embedded.agent_name ?? ctx.agentName,
      trace_id: embedded.trace_id ?? item.trace_id,
      metadata: mergeMetadata(item.metadata, embedded.metadata),
    };
    if (item.tools_called) warnings.push(...compareToolsCalled(item.tools_called, embedded.events, ctx));
  } else {
    trace = buildTrace(item, ctx);
  }
  if (ctx.runId !== undefined) trace.run_id = ctx.runId;
  if (trace.metadata === undefined) delete trace.metadata;
  if (trace.trace_id === undefined) delete trace.trace_id;
  warnings.push(...checkEventOrder(trace, ctx.index, item.trace ? `${ctx.path}.trace.events` : `${ctx.path}.tools_called`));

  const value: NormalizedResult = { trace, warnings, timingsKnown: item.trace !== undefined || hasTimings(item) };
  if (item.passed !== undefined) value.passed = item.passed;
  if (item.notes !== undefined) value.notes = item.notes;
  if (item.expected !== undefined) value.expected = item.expected;
  return { ok: true, value };
}

function mergeMetadata(
  fromItem: Record<string, unknown> | undefined,
  fromTrace: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (!fromItem) return fromTrace;
  if (!fromTrace) return fromItem;
  return { ...fromItem, ...fromTrace };
}

/** Whether a result without an embedded trace says anything about time. */
function hasTimings(item: ResultItem): boolean {
  if (item.timestamp !== undefined || item.duration_ms !== undefined) return true;
  return (item.tools_called ?? []).some((call) => call.timestamp !== undefined || call.duration_ms !== undefined);
}

function buildTrace(item: ResultItem, ctx: NormalizeContext): Trace {
  const startIso = item.timestamp ?? ctx.now;
  const start = Date.parse(startIso);
  const events: TraceEvent[] = [{ type: 'user_input', timestamp: startIso, data: { message: item.user_message } }];
  let cursor = start;
  for (const call of item.tools_called ?? []) {
    const at = call.timestamp ? Date.parse(call.timestamp) : cursor;
    events.push(toolEvent(call, call.timestamp ?? new Date(at).toISOString()));
    cursor = Math.max(cursor, at + (call.duration_ms ?? 0));
  }
  const end = item.duration_ms !== undefined ? Math.max(cursor, start + item.duration_ms) : cursor;
  const endIso = new Date(end).toISOString();
  const tokensUsed = typeof item.tokens === 'number' ? item.tokens : item.tokens?.total;
  events.push({
    type: 'agent_response',
    timestamp: endIso,
    data: tokensUsed === undefined ? { message: item.agent_response } : { message: item.agent_response, tokens_used: tokensUsed },
  });
  if (item.model !== undefined || item.tokens !== undefined || item.cost_usd !== undefined) {
    const data: Record<string, unknown> = {};
    if (item.model !== undefined) data.model = item.model;
    if (item.tokens !== undefined) data.tokens = typeof item.tokens === 'number' ? { total: item.tokens } : item.tokens;
    if (item.cost_usd !== undefined) data.cost_usd = item.cost_usd;
    if (item.duration_ms !== undefined) data.latency_ms = item.duration_ms;
    events.push({ type: 'metadata', timestamp: endIso, data });
  }
  const trace: Trace = {
    scenario_id: item.scenario_id,
    agent_name: ctx.agentName,
    timestamp: startIso,
    events,
  };
  // Without any time in the result, a duration of 0 would be invented: leave it unknown.
  if (hasTimings(item)) trace.duration_ms = item.duration_ms ?? end - start;
  if (item.trace_id !== undefined) trace.trace_id = item.trace_id;
  if (item.metadata !== undefined) trace.metadata = item.metadata;
  return trace;
}

function toolEvent(call: ToolCalled, timestamp: string): TraceEvent {
  const { name, parameters, result, error, duration_ms, timestamp: _ts, ...extra } = call;
  if (error) {
    const data: Record<string, unknown> & { tool: string; error_type: string; message: string } = {
      ...extra,
      tool: name,
      error_type: error.type ?? 'error',
      message: error.message,
    };
    if (parameters !== undefined) data.parameters = parameters;
    if (result !== undefined) data.result = result;
    if (duration_ms !== undefined) data.duration_ms = duration_ms;
    return { type: 'tool_error', timestamp, data };
  }
  const data: Record<string, unknown> & { tool: string; parameters: Record<string, unknown> } = {
    ...extra,
    tool: name,
    parameters: parameters ?? {},
  };
  if (result !== undefined) data.result = result;
  if (duration_ms !== undefined) data.duration_ms = duration_ms;
  return { type: 'tool_call', timestamp, data };
}

function compareToolsCalled(called: ToolCalled[], events: TraceEvent[], ctx: NormalizeContext): SyncWarning[] {
  const calls = events.filter((e) => e.type === 'tool_call' || e.type === 'tool_error');
  const warnings: SyncWarning[] = [];
  const n = Math.max(called.length, calls.length);
  for (let i = 0; i < n; i++) {
    const listed = called[i];
    const event = calls[i];
    const path = `${ctx.path}.tools_called[${i}]`;
    if (!listed && event) {
      warnings.push({
        index: ctx.index,
        path: `${ctx.path}.tools_called`,
        code: 'tools_called_mismatch',
        message: `the trace has a call to ${event.data.tool} (tool call ${i + 1}) that tools_called does not list`,
      });
    } else if (listed && !event) {
      warnings.push({
        index: ctx.index,
        path,
        code: 'tools_called_mismatch',
        message: `tools_called lists ${listed.name} but the trace has no tool call ${i + 1}`,
      });
    } else if (listed && event) {
      if (listed.name !== event.data.tool) {
        warnings.push({
          index: ctx.index,
          path: `${path}.name`,
          code: 'tools_called_mismatch',
          message: `tools_called lists ${listed.name} where the trace called ${event.data.tool} (tool call ${i + 1})`,
        });
      } else if (listed.parameters !== undefined && !jsonEqual(listed.parameters, event.data.parameters ?? {})) {
        warnings.push({
          index: ctx.index,
          path: `${path}.parameters`,
          code: 'tools_called_mismatch',
          message: `parameters of ${listed.name} differ from the trace's tool call ${i + 1}`,
        });
      }
    }
  }
  return warnings;
}

/**
 * Events out of time order are accepted and kept in the order given, but flagged: a trace's order is
 * the agent's order, and clocks across processes disagree.
 */
export function checkEventOrder(trace: Trace, index: number, eventsPath: string): SyncWarning[] {
  let previous = Date.parse(trace.timestamp);
  for (let i = 0; i < trace.events.length; i++) {
    const at = Date.parse(trace.events[i]!.timestamp);
    if (at < previous) {
      return [
        {
          index,
          path: eventsPath.endsWith('tools_called') ? eventsPath : `${eventsPath}[${i}].timestamp`,
          code: 'events_out_of_order',
          message: `event ${i} is earlier than the ${i === 0 ? 'trace start' : 'event before it'}; events are kept in the order given`,
        },
      ];
    }
    previous = at;
  }
  return [];
}

/** Structural equality of JSON values; numbers compare by value, key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao);
  if (keys.length !== Object.keys(bo).length) return false;
  return keys.every((k) => Object.hasOwn(bo, k) && jsonEqual(ao[k], bo[k]));
}

import type { Trace, TraceEvent } from '../trace/schema.js';
import type { AlignmentRow } from './align-traces.js';
import { abbreviateText, abbreviateValue } from './field-diff.js';

export type DivergenceReason =
  'different_tool' | 'parameters' | 'outcome' | 'result' | 'count' | 'order' | 'extra_step' | 'missing_step' | 'response' | 'custom';

/** Where the two runs' behavior first differs, in one plain sentence. */
export interface Divergence {
  /** Index into `rows`. */
  row: number;
  /** Event index in trace A at the divergence, or `null` when A has no event there. */
  a: number | null;
  /** Event index in trace B at the divergence, or `null` when B has no event there. */
  b: number | null;
  reason: DivergenceReason;
  sentence: string;
}

/**
 * The divergence is the first row that differs in tool-level behavior (a step taken, skipped,
 * reordered or repeated a different number of times; other parameters, results or errors). A
 * response whose text differs in substance is the divergence only when no such row exists.
 */
export function describeDivergence(rows: readonly AlignmentRow[], a: Trace, b: Trace): Divergence | null {
  let responseRow = -1;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (!row.behavior) continue;
    if (row.kind === 'changed' && row.event_type === 'agent_response') {
      if (responseRow < 0) responseRow = r;
      continue;
    }
    return divergenceAt(rows, r, a, b);
  }
  return responseRow < 0 ? null : divergenceAt(rows, responseRow, a, b);
}

function divergenceAt(rows: readonly AlignmentRow[], r: number, a: Trace, b: Trace): Divergence {
  const row = rows[r]!;
  if (row.kind === 'changed') return changedDivergence(r, row, a, b);
  return onlyDivergence(rows, r, a, b);
}

function changedDivergence(r: number, row: AlignmentRow, a: Trace, b: Trace): Divergence {
  const ia = row.changed_at?.a ?? row.a[0] ?? null;
  const ib = row.changed_at?.b ?? row.b[0] ?? null;
  const at = `(event ${ia} vs event ${ib})`;
  const base = { row: r, a: ia, b: ib };
  const ea = ia === null ? undefined : a.events[ia];
  const eb = ib === null ? undefined : b.events[ib];

  if (row.event_type === 'agent_response') {
    return {
      ...base,
      reason: 'response',
      sentence: `Run B's response differs in substance from run A's, after the same tool calls and results ${at}.`,
    };
  }
  if (row.event_type === 'custom') {
    const name = ea?.type === 'custom' ? ea.data.name : 'custom';
    const path = row.changes[0]?.path ?? 'its data';
    return { ...base, reason: 'custom', sentence: `Run B's ${name} event differs from run A's at ${path} ${at}.` };
  }

  const tool = row.tool ?? 'the tool';
  if (!row.changed_at || !ea || !eb) {
    return {
      row: r,
      a: row.a[0] ?? null,
      b: row.b[0] ?? null,
      reason: 'count',
      sentence: `Run B called ${tool} ${times(row.count_b)} where run A called it ${times(row.count_a)} (${eventList(row.a)} vs ${eventList(row.b)}).`,
    };
  }

  const param = row.changes.find((c) => c.path.startsWith('parameters.') || c.path.startsWith('parameters['));
  if (param) {
    const name = param.path.slice('parameters'.length).replace(/^\./, '');
    let sentence: string;
    if (param.b === null) sentence = `Run B called ${tool} without ${name}, which run A set to ${param.a}`;
    else if (param.a === null) sentence = `Run B called ${tool} with ${name} ${param.b}, which run A did not set`;
    else sentence = `Run B called ${tool} with ${name} ${param.b} where run A used ${param.a}`;
    return { ...base, reason: 'parameters', sentence: `${sentence} ${at}.` };
  }

  if (ea.type !== eb.type) {
    const sentence =
      eb.type === 'tool_error'
        ? `Run B got an error (${errorLabel(eb)}) from ${tool} where run A got ${summarizeResult(resultOf(ea))} ${at}.`
        : `Run B got ${summarizeResult(resultOf(eb))} from ${tool} where run A got an error (${errorLabel(ea)}) ${at}.`;
    return { ...base, reason: 'outcome', sentence };
  }
  if (ea.type === 'tool_error' && eb.type === 'tool_error') {
    return {
      ...base,
      reason: 'outcome',
      sentence: `Run B got a different error from ${tool} (${errorLabel(eb)}) where run A got ${errorLabel(ea)} ${at}.`,
    };
  }

  const first = row.changes.find((c) => c.path !== 'count');
  const sa = summarizeResult(resultOf(ea));
  const sb = summarizeResult(resultOf(eb));
  if (first && first.path.startsWith('result')) {
    const sentence =
      sa !== sb
        ? `Run B got ${sb} from ${tool} where run A got ${sa} ${at}.`
        : `Run B got a different result from ${tool} than run A: ${first.path} is ${first.b ?? 'absent'} instead of ${first.a ?? 'absent'} ${at}.`;
    return { ...base, reason: 'result', sentence };
  }
  const path = first?.path ?? 'its data';
  return { ...base, reason: 'result', sentence: `Run B's call to ${tool} differs from run A's at ${path} ${at}.` };
}

function onlyDivergence(rows: readonly AlignmentRow[], r: number, a: Trace, b: Trace): Divergence {
  const row = rows[r]!;
  const inA = row.kind === 'only_a';
  const index = (inA ? row.a[0] : row.b[0]) ?? null;
  const event = index === null ? undefined : (inA ? a.events : b.events)[index];
  const tool = row.tool;

  if (row.counterpart !== undefined && tool !== undefined) {
    const other = rows[row.counterpart]!;
    const ia = inA ? index : (other.a[0] ?? null);
    const ib = inA ? (other.b[0] ?? null) : index;
    const when = inA ? 'later' : 'earlier';
    return { row: r, a: ia, b: ib, reason: 'order', sentence: `Run B called ${tool} ${when} than run A did (event ${ia} vs event ${ib}).` };
  }

  if (tool !== undefined) {
    const opposite = oppositeToolInGap(rows, r);
    if (opposite) {
      const ia = inA ? index : (opposite.a[0] ?? null);
      const ib = inA ? (opposite.b[0] ?? null) : index;
      const toolA = inA ? tool : opposite.tool;
      const toolB = inA ? opposite.tool : tool;
      return {
        row: r,
        a: ia,
        b: ib,
        reason: 'different_tool',
        sentence: `Run B called ${toolB} where run A called ${toolA} (event ${ia} vs event ${ib}).`,
      };
    }
    const count = inA ? row.count_a : row.count_b;
    const sentence = inA
      ? `Run B did not call ${tool}, which run A called${count > 1 ? ` ${times(count)}` : ''} (${eventList(row.a)} in run A).`
      : `Run B called ${tool}${count > 1 ? ` ${times(count)}` : ''} where run A made no such call (${eventList(row.b)} in run B).`;
    return { row: r, a: inA ? index : null, b: inA ? null : index, reason: inA ? 'missing_step' : 'extra_step', sentence };
  }

  if (event?.type === 'agent_response') {
    const sentence = inA
      ? rows.slice(r + 1).some((other) => other.b.length > 0)
        ? `Run B gave no response where run A responded (event ${index} in run A).`
        : `Run B ended without a final response; run A responded at event ${index}.`
      : `Run B responded where run A did not (event ${index} in run B).`;
    return { row: r, a: inA ? index : null, b: inA ? null : index, reason: inA ? 'missing_step' : 'extra_step', sentence };
  }

  const name = event?.type === 'custom' ? event.data.name : (event?.type ?? 'event');
  const sentence = inA
    ? `Run B did not record the ${name} event that run A recorded (event ${index} in run A).`
    : `Run B recorded a ${name} event that run A did not (event ${index} in run B).`;
  return { row: r, a: inA ? index : null, b: inA ? null : index, reason: 'custom', sentence };
}

/** The first tool row on the other side within the same stretch of unmatched rows. */
function oppositeToolInGap(rows: readonly AlignmentRow[], r: number): (AlignmentRow & { tool: string }) | null {
  const side = rows[r]!.kind;
  for (let k = r + 1; k < rows.length; k++) {
    const other = rows[k]!;
    if (other.kind !== 'only_a' && other.kind !== 'only_b') return null;
    if (other.kind !== side && other.tool !== undefined && other.counterpart === undefined) return other as AlignmentRow & { tool: string };
  }
  return null;
}

function resultOf(event: TraceEvent): unknown {
  return event.type === 'tool_call' ? event.data.result : undefined;
}

function errorLabel(event: TraceEvent): string {
  if (event.type !== 'tool_error') return 'error';
  return abbreviateText(`${event.data.error_type}: ${event.data.message}`, 80);
}

function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
}

function eventList(indexes: readonly number[]): string {
  if (indexes.length === 1) return `event ${indexes[0]}`;
  return `events ${indexes[0]}–${indexes[indexes.length - 1]}`;
}

/**
 * Describes a tool result as a person would: `an empty result`, `1 article`, `3 items`.
 *
 * @example summarizeResult({ articles: [] }) // 'an empty result'
 */
export function summarizeResult(value: unknown): string {
  if (value === undefined) return 'no result';
  if (isEmpty(value)) return 'an empty result';
  if (Array.isArray(value)) return `${value.length} ${value.length === 1 ? 'item' : 'items'}`;
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (Array.isArray(item)) return `${item.length} ${noun(key, item.length)}`;
    }
    return 'a result';
  }
  if (typeof value === 'string') return `the text ${abbreviateValue(value, 40)}`;
  return `the value ${String(value)}`;
}

/** Nothing came back: null, '', [], {}, or an object whose fields are all empty (`{ articles: [], total: 0 }`). */
function isEmpty(value: unknown, nested = false): boolean {
  if (value === null || value === '') return true;
  if (nested && (value === 0 || value === false)) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.values(value as Record<string, unknown>).every((item) => isEmpty(item, true));
  return false;
}

function noun(key: string, n: number): string {
  const words = key.replace(/_/g, ' ');
  if (n !== 1) return words.endsWith('s') ? words : `${words}s`;
  if (words.endsWith('ies')) return `${words.slice(0, -3)}y`;
  if (words.endsWith('s') && !words.endsWith('ss')) return words.slice(0, -1);
  return words;
}

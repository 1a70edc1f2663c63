import type { Trace, TraceEvent } from '../trace/schema.js';
import type { AlignmentRow, TraceAlignment } from './align-traces.js';
import { summarizeResult } from './divergence.js';
import { abbreviateText, abbreviateValue } from './field-diff.js';
import type { NumberDelta } from './trace-deltas.js';

export interface SideBySideOptions {
  /** Total line width in characters. Default 100, at least 40. */
  width?: number;
  /** Field changes shown under a changed row. Default 3. */
  changesPerRow?: number;
}

const ROW_MARK: Record<AlignmentRow['kind'], string> = { same: '=', changed: '~', only_a: '-', only_b: '+' };

/**
 * Renders an alignment as two columns for the terminal (`stepwise diff`). The divergence row is
 * marked `>>`; `=` same, `~` changed, `-` only in A, `+` only in B.
 *
 * @example console.log(formatAlignmentSideBySide(alignTraces(a, b), a, b, { width: process.stdout.columns }))
 */
export function formatAlignmentSideBySide(alignment: TraceAlignment, a: Trace, b: Trace, opts: SideBySideOptions = {}): string {
  const width = Math.max(40, Math.floor(opts.width ?? 100));
  const changesPerRow = opts.changesPerRow ?? 3;
  const column = Math.floor((width - 8) / 2);
  const lines: string[] = [];
  const line = (mark: string, kind: string, left: string, right: string): void => {
    const l = abbreviateText(left, column).padEnd(column);
    const r = abbreviateText(right, column);
    lines.push(`${mark} ${kind} ${l} | ${r}`.trimEnd());
  };

  line('  ', ' ', `A: ${traceLabel(a)}`, `B: ${traceLabel(b)}`);
  lines.push('-'.repeat(width));
  const divergenceRow = alignment.divergence?.row ?? -1;
  alignment.rows.forEach((row, r) => {
    const mark = r === divergenceRow ? '>>' : '  ';
    line(mark, ROW_MARK[row.kind], cell(row.a, a.events, column), cell(row.b, b.events, column));
    if (row.kind !== 'changed') return;
    for (const change of row.changes.slice(0, changesPerRow)) {
      const room = Math.max(8, Math.floor((width - change.path.length - 13) / 2));
      const before = abbreviateText(change.a ?? '(absent)', room);
      const after = abbreviateText(change.b ?? '(absent)', room);
      lines.push(abbreviateText(`       ${change.path}: ${before} -> ${after}`, width));
    }
    if (row.changes.length > changesPerRow) lines.push(`       … ${row.changes.length - changesPerRow} more`);
  });
  if (alignment.rows.length === 0) lines.push('  (both traces have no events)');
  lines.push('-'.repeat(width));

  for (const warning of alignment.warnings) lines.push(`! ${warning}`);
  lines.push(alignment.divergence ? `Divergence: ${alignment.divergence.sentence}` : 'No behavior difference.');
  const { deltas } = alignment;
  const figures = [
    deltaText('duration', deltas.duration_ms, ' ms'),
    deltaText('tokens', deltas.tokens, ''),
    deltaText('cost', deltas.cost_usd, ' USD'),
  ].filter((text): text is string => text !== null);
  if (figures.length > 0) lines.push(figures.join(' · '));
  if (deltas.verdict?.changed) lines.push(`Verdict: ${deltas.verdict.a ?? 'none'} -> ${deltas.verdict.b ?? 'none'}`);
  if (deltas.findings && (deltas.findings.appeared.length > 0 || deltas.findings.disappeared.length > 0)) {
    const parts: string[] = [];
    if (deltas.findings.appeared.length > 0) parts.push(`new in B: ${deltas.findings.appeared.join(', ')}`);
    if (deltas.findings.disappeared.length > 0) parts.push(`gone in B: ${deltas.findings.disappeared.join(', ')}`);
    lines.push(`Findings: ${parts.join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function traceLabel(trace: Trace): string {
  return `${trace.trace_id ?? '(no id)'} · ${trace.scenario_id}`;
}

function cell(indexes: readonly number[], events: readonly TraceEvent[], column: number): string {
  const first = indexes[0];
  if (first === undefined) return '';
  const event = events[first];
  if (!event) return '';
  const where = indexes.length === 1 ? `${first}` : `${first}-${indexes[indexes.length - 1]}`;
  const repeat = indexes.length > 1 ? ` x${indexes.length}` : '';
  const prefix = `${where.padStart(3)} `;
  return `${prefix}${describeEvent(event, column - prefix.length - repeat.length)}${repeat}`;
}

/**
 * One short line for an event, at most `maxChars` long where it can be: for tool calls the
 * parameters shrink first, so the outcome stays visible.
 *
 * @example describeEvent(call) // 'search_kb(query="refund") -> 1 article'
 */
export function describeEvent(event: TraceEvent, maxChars = 100): string {
  switch (event.type) {
    case 'user_input':
      return `user: ${abbreviateValue(event.data.message, 60)}`;
    case 'agent_reasoning':
      return `thinks: ${abbreviateValue(event.data.text, 60)}`;
    case 'tool_call':
      return toolText(event.data.tool, event.data.parameters, `-> ${summarizeResult(event.data.result)}`, maxChars);
    case 'tool_error':
      return toolText(event.data.tool, event.data.parameters ?? {}, `failed: ${event.data.error_type}`, maxChars);
    case 'agent_response':
      return `responds: ${abbreviateValue(event.data.message, 60)}`;
    case 'metadata':
      return `metadata${event.data.model ? ` ${event.data.model}` : ''}`;
    case 'custom':
      return `custom ${event.data.name}`;
  }
}

function toolText(tool: string, parameters: Record<string, unknown>, outcome: string, maxChars: number): string {
  const room = Math.max(1, maxChars - tool.length - outcome.length - 3);
  return `${tool}(${abbreviateText(parameterText(parameters), room)}) ${outcome}`;
}

function parameterText(parameters: Record<string, unknown>): string {
  return Object.entries(parameters)
    .map(([key, value]) => `${key}=${abbreviateValue(value, 30)}`)
    .join(', ');
}

function deltaText(label: string, delta: NumberDelta, unit: string): string | null {
  if (delta.a === null && delta.b === null) return null;
  const show = (n: number | null): string => (n === null ? '?' : `${n}${unit}`);
  const change = delta.delta === null ? '' : ` (${delta.delta >= 0 ? '+' : ''}${delta.delta}${unit})`;
  return `${label} ${show(delta.a)} -> ${show(delta.b)}${change}`;
}

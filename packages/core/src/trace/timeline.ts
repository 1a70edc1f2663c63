import type { Trace, TraceEvent } from './schema.js';

/** Milliseconds from the trace start to each event, in event order (negative if a clock ran back). */
export function elapsedTimes(trace: Pick<Trace, 'timestamp' | 'events'>): number[] {
  const start = Date.parse(trace.timestamp);
  return trace.events.map((event) => Date.parse(event.timestamp) - start);
}

/** Tool names in call order (calls and errors), the "tool path" of a trace. */
export function toolPath(events: readonly TraceEvent[]): string[] {
  const path: string[] = [];
  for (const event of events) {
    if (event.type === 'tool_call' || event.type === 'tool_error') path.push(event.data.tool);
  }
  return path;
}

/** Formats milliseconds as people read them on a timeline: `+0.450s`, `+1m02.3s`. */
export function formatElapsed(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const abs = Math.abs(ms);
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(3)}s`;
  const minutes = Math.floor(abs / 60_000);
  const seconds = (abs % 60_000) / 1000;
  return `${sign}${minutes}m${seconds.toFixed(1).padStart(4, '0')}s`;
}

/**
 * A tool path with consecutive repeats folded into one step with a count, so a path of twenty
 * calls reads in a line: `get_reservation_details ×7 → cancel_reservation`.
 *
 * @example collapseToolPath(['a', 'a', 'b']) // [{ tool: 'a', count: 2 }, { tool: 'b', count: 1 }]
 */
export function collapseToolPath(path: readonly string[]): Array<{ tool: string; count: number }> {
  const steps: Array<{ tool: string; count: number }> = [];
  for (const tool of path) {
    const last = steps[steps.length - 1];
    if (last && last.tool === tool) last.count++;
    else steps.push({ tool, count: 1 });
  }
  return steps;
}

/** A collapsed tool path as text: `search ×2 → answer`; `(no tools)` when empty. */
export function formatToolPath(path: readonly string[]): string {
  if (path.length === 0) return '(no tools)';
  return collapseToolPath(path)
    .map((s) => (s.count > 1 ? `${s.tool} ×${s.count}` : s.tool))
    .join(' → ');
}

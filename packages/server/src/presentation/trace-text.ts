import { elapsedTimes, findingKey, formatElapsed } from '@stepwise/core';
import { describeEvent, formatDuration } from './format.js';
import type { TraceDetail } from '@stepwise/core';

interface LooseEvent {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

interface LooseFinding {
  pattern?: unknown;
  severity?: unknown;
  basis?: unknown;
  event_indexes?: unknown;
  summary?: unknown;
}

export interface TimelineWindow {
  /** First event shown (0-based). */
  offset: number;
  /** Most events shown. */
  limit: number;
  /** Lines are clipped to this many characters. */
  width: number;
}

const TYPE_WIDTH = 15;

/**
 * A trace as a model reads it best: a header, then one line per event with its index, the elapsed
 * time from the start, the type and a short description (tool, key parameters, abbreviated result),
 * then the findings of the analysis with the events they point at. Long traces are shown a window
 * at a time; the text says how to ask for the next one.
 */
export function formatTraceForModel(detail: TraceDetail, window: TimelineWindow): string {
  const trace = detail.trace as { timestamp: string; duration_ms?: number; events: LooseEvent[] };
  const s = detail.summary;
  const events = trace.events;
  const lines: string[] = [];
  const verdict = s.verdict === null ? 'no verdict' : s.verdict.toUpperCase();
  const reported = s.reported_passed === null ? '' : ` (reported ${s.reported_passed ? 'passed' : 'failed'})`;
  lines.push(`Trace ${s.id} · scenario ${s.scenario_id} · agent ${s.agent_name} · ${verdict}${reported}`);
  const timed = s.timings_known !== false;
  const facts = [timed ? `started ${trace.timestamp}` : 'times unknown (the result carried no timestamps)'];
  if (timed && trace.duration_ms !== undefined) facts.push(`took ${formatDuration(trace.duration_ms)}`);
  facts.push(`${events.length} event${events.length === 1 ? '' : 's'}`);
  if (s.model) facts.push(`model ${s.model}`);
  if (s.tokens_total !== null) facts.push(`${s.tokens_total} tokens`);
  if (s.run_id) facts.push(`run ${s.run_id}`);
  lines.push(facts.join(' · '));
  if (detail.notes) lines.push(`notes: ${oneLine(detail.notes)}`);

  const findings = findingsOf(detail.evaluation);
  const checks = failedChecksOf(detail.evaluation);
  const flagged = new Map<number, string[]>();
  const flag = (index: number, label: string) => {
    const labels = flagged.get(index) ?? [];
    if (!labels.includes(label)) flagged.set(index, [...labels, label]);
  };
  for (const finding of findings) for (const index of finding.events) flag(index, finding.pattern);
  for (const check of checks) for (const index of check.events) flag(index, check.kind);

  lines.push('');
  const elapsed = elapsedTimes({ timestamp: trace.timestamp, events: events as never });
  const end = Math.min(events.length, window.offset + window.limit);
  for (let i = window.offset; i < end; i++) {
    const event = events[i];
    if (!event) continue;
    const marks = flagged.get(i);
    const mark = marks ? `  ⚠ ${marks.join(', ')}` : '';
    const at = timed ? formatElapsed(elapsed[i] ?? 0) : '?';
    const line = `${String(i).padStart(3)}  ${at.padStart(9)}  ${event.type.padEnd(TYPE_WIDTH)} ${describeEvent(event)}`;
    lines.push(`${clip(line, window.width - mark.length)}${mark}`);
  }
  if (events.length === 0) lines.push('(no events)');
  else if (window.offset >= events.length) lines.push(`(no events from index ${window.offset}; the trace has ${events.length})`);
  else if (window.offset > 0 || end < events.length) {
    const more = end < events.length ? `; call get_trace with event_offset=${end} for the next ones` : '';
    lines.push(`(showing events ${window.offset}–${end - 1} of ${events.length}${more})`);
  }

  if (findings.length > 0) {
    lines.push('', 'Findings:');
    for (const f of findings) {
      const where = f.events.length > 0 ? ` [event${f.events.length === 1 ? '' : 's'} ${f.events.join(', ')}]` : '';
      const rating = [f.severity, f.basis === 'heuristic' ? 'heuristic hint' : f.basis].filter((x) => x !== null).join(', ');
      const key = findingKey({ pattern: f.pattern, event_indexes: f.events });
      lines.push(`- ${f.pattern}${rating ? ` (${rating})` : ''}${where}: ${f.summary} (finding ${key})`);
    }
  }
  if (checks.length > 0) {
    lines.push('', 'Failed checks against the expectations:');
    for (const c of checks) {
      const where = c.events.length > 0 ? ` [event${c.events.length === 1 ? '' : 's'} ${c.events.join(', ')}]` : '';
      lines.push(`- ${c.kind}${where}: ${c.message}`);
    }
  }
  for (const warning of s.warnings) lines.push(`note: ${warning.message}`);
  return lines.join('\n');
}

interface FailedCheck {
  kind: string;
  events: number[];
  message: string;
}

/** Reads the failed expectation checks of a stored evaluation, defensively like `findingsOf`. */
export function failedChecksOf(evaluation: unknown): FailedCheck[] {
  const list = (evaluation as { checks?: unknown } | null)?.checks;
  if (!Array.isArray(list)) return [];
  return list
    .filter((raw: { passed?: unknown }) => raw.passed !== true)
    .map((raw: { kind?: unknown; event_indexes?: unknown; message?: unknown }) => ({
      kind: typeof raw.kind === 'string' ? raw.kind : 'check',
      events: indexes(raw.event_indexes),
      message: typeof raw.message === 'string' ? raw.message : '',
    }));
}

function indexes(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((n): n is number => typeof n === 'number') : [];
}

interface Finding {
  pattern: string;
  severity: string | null;
  /** expectation, evidence or heuristic (a hint); null for evaluations stored before findings had one. */
  basis: string | null;
  events: number[];
  summary: string;
}

/** Reads findings from a stored evaluation without trusting its shape (it may predate analysis). */
export function findingsOf(evaluation: unknown): Finding[] {
  const list = (evaluation as { findings?: unknown } | null)?.findings;
  if (!Array.isArray(list)) return [];
  return list.map((raw: LooseFinding) => ({
    pattern: typeof raw.pattern === 'string' ? raw.pattern : 'finding',
    severity: typeof raw.severity === 'string' ? raw.severity : null,
    basis: typeof raw.basis === 'string' ? raw.basis : null,
    events: indexes(raw.event_indexes),
    summary: typeof raw.summary === 'string' ? raw.summary : '',
  }));
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function clip(line: string, width: number): string {
  return line.length > width ? `${line.slice(0, Math.max(1, width - 1))}…` : line;
}

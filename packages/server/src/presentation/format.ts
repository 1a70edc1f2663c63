import { elapsedTimes, findingKey, formatElapsed, orderFindings, type ValidationIssue } from '@stepwise/core';
import type { RunSummary, TraceSummary } from '../store/trace-store.js';
import type { TraceDetail } from '@stepwise/core';

interface LooseEvent {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

const TYPE_WIDTH = 16;

/** A trace as a terminal timeline: one readable line per event, elapsed time from the start. */
export function formatTimeline(detail: TraceDetail, width = 120): string {
  const trace = detail.trace as {
    trace_id?: string;
    scenario_id: string;
    agent_name: string;
    timestamp: string;
    duration_ms?: number;
    events: LooseEvent[];
  };
  const s = detail.summary;
  const lines: string[] = [];
  const verdict = s.verdict === null ? 'no verdict' : s.verdict.toUpperCase();
  lines.push(`Trace ${s.id}  ·  scenario ${s.scenario_id}  ·  agent ${s.agent_name}  ·  ${verdict}`);
  const timed = s.timings_known !== false;
  const facts = [timed ? `started ${trace.timestamp}` : 'times unknown (the result carried no timestamps)'];
  if (timed && trace.duration_ms !== undefined) facts.push(`took ${formatDuration(trace.duration_ms)}`);
  facts.push(`${trace.events.length} event${trace.events.length === 1 ? '' : 's'}`);
  if (s.model) facts.push(`model ${s.model}`);
  if (s.tokens_total !== null) facts.push(`${s.tokens_total} tokens`);
  if (s.run_id) facts.push(`run ${s.run_id}`);
  lines.push(facts.join('  ·  '));
  lines.push('');
  const verdictBasis = verdictBasisOf(detail);
  const elapsed = elapsedTimes({ timestamp: trace.timestamp, events: trace.events as never });
  trace.events.forEach((event, i) => {
    const at = timed ? formatElapsed(elapsed[i] ?? 0) : '?';
    const prefix = `${String(i).padStart(3)}  ${at.padStart(9)}  ${event.type.padEnd(TYPE_WIDTH)}`;
    const labels = verdictBasis.flags.get(i);
    const mark = labels ? `  ⚠ ${labels.join(', ')}` : '';
    lines.push(`${clip(`${prefix}${describeEvent(event)}`, width - mark.length)}${mark}`);
  });
  if (verdictBasis.lines.length > 0) lines.push('', ...verdictBasis.lines);
  for (const warning of s.warnings) lines.push(`\nnote: ${warning.message}`);
  return lines.join('\n');
}

interface LooseCheck {
  kind?: string;
  passed?: boolean;
  message?: string;
  event_indexes?: number[];
}

interface LooseFinding {
  pattern?: string;
  severity?: string;
  basis?: string;
  summary?: string;
  event_indexes?: number[];
}

/**
 * What a trace's verdict rests on, for the end of `stepwise show`: the failed checks, then the
 * findings (by basis, else severity) with their feedback; and which events each one points at.
 */
export function verdictBasisOf(detail: Pick<TraceDetail, 'evaluation' | 'feedback'>): { lines: string[]; flags: Map<number, string[]> } {
  const evaluation = (detail.evaluation ?? {}) as { checks?: LooseCheck[]; findings?: LooseFinding[] };
  const checks = (Array.isArray(evaluation.checks) ? evaluation.checks : []).filter((c) => c.passed !== true);
  const findings = orderFindings(Array.isArray(evaluation.findings) ? evaluation.findings : []);
  const flags = new Map<number, string[]>();
  const flag = (indexes: number[] | undefined, label: string) => {
    for (const i of indexes ?? []) if (!flags.get(i)?.includes(label)) flags.set(i, [...(flags.get(i) ?? []), label]);
  };
  const where = (indexes: number[] | undefined) =>
    indexes && indexes.length > 0 ? ` [event${indexes.length === 1 ? '' : 's'} ${indexes.join(', ')}]` : '';
  const lines: string[] = [];
  if (checks.length > 0) {
    lines.push('Failed checks against the expectations:');
    for (const c of checks) {
      flag(c.event_indexes, c.kind ?? 'check');
      lines.push(`  ✗ ${c.kind ?? 'check'}${where(c.event_indexes)}: ${c.message ?? ''}`);
    }
  }
  const marks = new Map((detail.feedback?.findings ?? []).map((f) => [f.finding_key, f]));
  if (findings.length > 0) {
    lines.push('Findings:');
    for (const f of findings) {
      const pattern = f.pattern ?? 'finding';
      const key = findingKey({ pattern, event_indexes: f.event_indexes ?? [] });
      const mark = marks.get(key);
      const marked = mark ? `  — marked ${mark.verdict} by ${mark.actor}${mark.reason ? `: ${mark.reason}` : ''}` : '';
      flag(f.event_indexes, pattern);
      lines.push(`  • [${f.severity ?? '?'}] ${pattern}${where(f.event_indexes)}: ${f.summary ?? ''} (finding ${key})${marked}`);
    }
  }
  const comments = detail.feedback?.comments ?? [];
  if (comments.length > 0) {
    lines.push('Comments:');
    for (const c of comments) {
      flag([c.event_index], 'comment');
      lines.push(`  event ${c.event_index} · ${c.actor}: ${c.body}`);
    }
  }
  return { lines, flags };
}

export function describeEvent(event: LooseEvent): string {
  const d = event.data;
  switch (event.type) {
    case 'user_input':
    case 'agent_response':
      return quote(String(d.message ?? ''));
    case 'agent_reasoning':
      return quote(String(d.text ?? ''));
    case 'tool_call': {
      const duration = typeof d.duration_ms === 'number' ? `  (${formatDuration(d.duration_ms)})` : '';
      const result = 'result' in d ? ` → ${abbreviate(d.result)}` : '';
      return `${String(d.tool)}(${formatParams(d.parameters)})${result}${duration}`;
    }
    case 'tool_error':
      return `${String(d.tool)}(${formatParams(d.parameters)}) ✗ ${String(d.error_type)}: ${String(d.message)}`;
    case 'metadata': {
      const parts: string[] = [];
      if (d.model) parts.push(`model ${String(d.model)}`);
      const tokens = d.tokens as { input?: number; output?: number; total?: number } | undefined;
      if (tokens) parts.push(`tokens in ${tokens.input ?? '?'} / out ${tokens.output ?? '?'} / total ${tokens.total ?? '?'}`);
      if (typeof d.latency_ms === 'number') parts.push(`latency ${formatDuration(d.latency_ms)}`);
      if (typeof d.cost_usd === 'number') parts.push(`$${d.cost_usd.toFixed(4)}`);
      return parts.join(', ') || abbreviate(d);
    }
    case 'custom':
      return `${String(d.name)} ${abbreviate(Object.fromEntries(Object.entries(d).filter(([k]) => k !== 'name')))}`;
    default:
      return abbreviate(d);
  }
}

function formatParams(params: unknown): string {
  if (params === null || typeof params !== 'object') return '';
  return Object.entries(params as Record<string, unknown>)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : abbreviate(v)}`)
    .join(', ');
}

/** A short human reading of a JSON value: `{articles: 1 item}`, `[]`, `"text…"`. */
export function abbreviate(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}…` : value);
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `[${value.length} item${value.length === 1 ? '' : 's'}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  if (depth > 0) return `{${entries.length} key${entries.length === 1 ? '' : 's'}}`;
  const shown = entries.slice(0, 4).map(([k, v]) => `${k}: ${abbreviate(v, depth + 1)}`);
  return `{${shown.join(', ')}${entries.length > 4 ? ', …' : ''}}`;
}

function quote(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return `"${oneLine}"`;
}

function clip(line: string, width: number): string {
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** A plain table: columns padded to their widest cell. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatRuns(runs: RunSummary[]): string {
  if (runs.length === 0) return 'No test runs yet. Sync results with `stepwise sync FILE`.';
  return formatTable(
    ['RUN', 'AGENT', 'NAME', 'CREATED', 'SOURCE', 'TESTS', 'PASSED', 'FAILED', 'PASS RATE'],
    runs.map((r) => [
      r.id,
      r.agent_name,
      r.name ?? '',
      r.created_at.slice(0, 16).replace('T', ' '),
      r.source ?? '',
      String(r.total),
      String(r.passed),
      String(r.failed),
      r.pass_rate === null ? '-' : `${Math.round(r.pass_rate * 100)}%`,
    ]),
  );
}

export function formatResults(results: TraceSummary[]): string {
  return formatTable(
    ['TRACE', 'SCENARIO', 'VERDICT', 'REPORTED', 'TOOLS'],
    results.map((r) => [
      r.id,
      r.scenario_id,
      r.verdict ?? '-',
      r.reported_passed === null ? '-' : r.reported_passed ? 'passed' : 'failed',
      r.tool_path.join(' → ') || '(none)',
    ]),
  );
}

export function formatIssues(issues: ValidationIssue[]): string {
  return issues.map((i) => `  ${i.path}: ${i.message}`).join('\n');
}

import type { ExportedTrace } from './stepwise-export.js';

/** A CSV column: its name, what it holds (docs/export.md lists these), and how to read it from a row. */
export interface CsvColumn<Row> {
  name: string;
  description: string;
  value: (row: Row) => string | number | boolean | null | undefined;
}

export const CSV_ROW_KINDS = ['results', 'events'] as const;
export type CsvRowKind = (typeof CSV_ROW_KINDS)[number];

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

interface Finding {
  pattern?: string;
}
const findingsOf = (t: ExportedTrace) => ((t.evaluation as { findings?: Finding[] } | null)?.findings ?? []) as Finding[];
const checksOf = (t: ExportedTrace) => ((t.evaluation as { checks?: unknown[] } | null)?.checks ?? []) as unknown[];

/** One row per result (trace). */
export const CSV_RESULT_COLUMNS: ReadonlyArray<CsvColumn<ExportedTrace>> = [
  { name: 'trace_id', description: 'Trace id (`tr_…`).', value: (t) => t.summary.id },
  { name: 'run_id', description: 'Test run id, empty for a trace without a run.', value: (t) => t.summary.run_id },
  { name: 'run_name', description: 'The run’s label.', value: (t) => t.run?.name },
  { name: 'branch', description: 'The run’s branch.', value: (t) => t.run?.branch },
  { name: 'commit', description: 'The run’s commit.', value: (t) => t.run?.commit },
  { name: 'scenario_id', description: 'Scenario id.', value: (t) => t.summary.scenario_id },
  { name: 'agent_name', description: 'Agent name.', value: (t) => t.summary.agent_name },
  { name: 'timestamp', description: 'Start of the trace (ISO-8601).', value: (t) => t.summary.timestamp },
  { name: 'duration_ms', description: 'Duration in milliseconds, empty when unknown.', value: (t) => t.summary.duration_ms },
  { name: 'verdict', description: '`passed`, `failed`, or empty when there is no verdict.', value: (t) => t.summary.verdict },
  { name: 'reported_passed', description: 'The client’s own verdict: `true`, `false` or empty.', value: (t) => t.summary.reported_passed },
  { name: 'patterns', description: 'Failure patterns found, separated by `;`.', value: (t) => t.summary.patterns.join(';') },
  { name: 'findings', description: 'Number of findings.', value: (t) => findingsOf(t).length },
  { name: 'failed_checks', description: 'Number of failed expectation checks.', value: (t) => checksOf(t).length },
  { name: 'tool_path', description: 'Tools called, in order, separated by ` > `.', value: (t) => t.summary.tool_path.join(' > ') },
  { name: 'event_count', description: 'Number of events.', value: (t) => t.summary.event_count },
  { name: 'model', description: 'Model, when the trace says.', value: (t) => t.summary.model },
  { name: 'tokens_total', description: 'Total tokens, when known.', value: (t) => t.summary.tokens_total },
  { name: 'cost_usd', description: 'Cost in US dollars (reported, or estimated from the price table).', value: (t) => t.summary.cost_usd },
  { name: 'user_message', description: 'The first user message (redacted).', value: (t) => t.summary.user_message },
  { name: 'response', description: 'The final response (redacted).', value: (t) => t.summary.response },
  { name: 'notes', description: 'Notes sent with the result.', value: (t) => t.notes },
];

/** An event with the trace it belongs to. */
export interface EventRow {
  trace: ExportedTrace;
  index: number;
  event: { type?: string; timestamp?: string; id?: string; parent_id?: string; data?: Record<string, unknown> };
}

const data = (r: EventRow) => r.event.data ?? {};
const text = (r: EventRow) => {
  const d = data(r);
  const value = d.message ?? d.text;
  return typeof value === 'string' ? value : null;
};

/** One row per event. */
export const CSV_EVENT_COLUMNS: ReadonlyArray<CsvColumn<EventRow>> = [
  { name: 'trace_id', description: 'Trace id.', value: (r) => r.trace.summary.id },
  { name: 'run_id', description: 'Test run id, empty for a trace without a run.', value: (r) => r.trace.summary.run_id },
  { name: 'scenario_id', description: 'Scenario id.', value: (r) => r.trace.summary.scenario_id },
  { name: 'event_index', description: 'Position of the event in the trace, from 0.', value: (r) => r.index },
  { name: 'event_id', description: 'The event’s own id, when it has one.', value: (r) => r.event.id },
  { name: 'parent_id', description: 'Id of the parent event, when nested.', value: (r) => r.event.parent_id },
  {
    name: 'type',
    description: '`user_input`, `agent_reasoning`, `tool_call`, `tool_error`, `agent_response`, `metadata` or `custom`.',
    value: (r) => r.event.type,
  },
  { name: 'timestamp', description: 'When the event happened (ISO-8601).', value: (r) => r.event.timestamp },
  { name: 'tool', description: 'Tool name (tool_call, tool_error).', value: (r) => data(r).tool as string | undefined },
  { name: 'parameters', description: 'Tool parameters as JSON.', value: (r) => json(data(r).parameters) },
  { name: 'result', description: 'Tool result as JSON (tool_call).', value: (r) => json(data(r).result) },
  { name: 'error_type', description: 'Error type (tool_error).', value: (r) => data(r).error_type as string | undefined },
  { name: 'text', description: 'Message or reasoning text (user_input, agent_reasoning, agent_response, tool_error).', value: text },
  {
    name: 'duration_ms',
    description: 'Duration of the call in milliseconds, when known.',
    value: (r) => data(r).duration_ms as number | undefined,
  },
  { name: 'data', description: 'The whole event data as JSON.', value: (r) => json(r.event.data) },
];

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled; lines end with CRLF. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

export function csvHeader(kind: CsvRowKind): string {
  return csvLine((kind === 'results' ? CSV_RESULT_COLUMNS : CSV_EVENT_COLUMNS).map((c) => c.name));
}

/** The CSV lines of one exported trace: one line, or one per event. */
export function csvRows(kind: CsvRowKind, trace: ExportedTrace): string {
  if (kind === 'results') return csvLine(CSV_RESULT_COLUMNS.map((c) => c.value(trace)));
  return trace.trace.events
    .map((event, index) => {
      const row: EventRow = { trace, index, event: event as EventRow['event'] };
      return csvLine(CSV_EVENT_COLUMNS.map((c) => c.value(row)));
    })
    .join('');
}

/**
 * Parses CSV text (RFC 4180, as written here) into rows of cells; for reading exports back.
 *
 * @example
 * parseCsv('a,b\r\n"x,1",2\r\n') // [['a','b'],['x,1','2']]
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
      if (ch === '\r') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell.length > 0 || row.length > 0) rows.push([...row, cell]);
  return rows;
}

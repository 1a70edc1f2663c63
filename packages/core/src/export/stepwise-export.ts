import { StepwiseError } from '../errors.js';
import type { RunSummary, TraceSummary } from '../trace/summaries.js';

/**
 * Stepwise's own export format: one object per trace, with everything stored about it, so that an
 * import into another workspace loses nothing. JSONL holds one per line; JSON wraps them as
 * `{ format: 'stepwise.export.v1', traces: [...] }`.
 */
export const EXPORT_FORMATS = ['json', 'jsonl', 'csv', 'otlp'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The run a trace belongs to, as far as an import needs it to recreate the run. */
export interface ExportedRun {
  id: string;
  agent_name: string;
  name: string | null;
  source: string | null;
  branch: string | null;
  commit: string | null;
  ci_url: string | null;
  created_at: string;
  /** Demo data stays marked as demo in the workspace it is imported into. */
  is_demo: boolean;
}

export interface ExportedTrace {
  format: 'stepwise.trace.v1';
  trace: Record<string, unknown> & { events: unknown[] };
  summary: TraceSummary;
  run: ExportedRun | null;
  notes: string | null;
  expected: unknown;
  evaluation: unknown;
  redaction: unknown;
}

export function exportedRun(run: RunSummary): ExportedRun {
  const { id, agent_name, name, source, branch, commit, ci_url, created_at, is_demo } = run;
  return { id, agent_name, name, source, branch, commit, ci_url, created_at, is_demo };
}

/** The opening of a JSON export; traces follow, comma-separated, then `JSON_EXPORT_CLOSE`. */
export function jsonExportOpen(filter: Record<string, unknown>): string {
  return `{"format":"stepwise.export.v1","filter":${JSON.stringify(filter)},"traces":[\n`;
}
export const JSON_EXPORT_CLOSE = '\n]}\n';

/**
 * Reads a Stepwise export back: JSON (`stepwise.export.v1`, or a single `stepwise.trace.v1`) or
 * JSONL. Errors name the line (JSONL) or the path (JSON).
 *
 * @example
 * parseStepwiseExport(text).length // traces in the export
 */
export function parseStepwiseExport(text: string, parse: (text: string, where: string) => unknown = (t) => JSON.parse(t)): ExportedTrace[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') && !looksLikeJsonl(trimmed)) {
    const value = parse(trimmed, 'body') as { format?: string; traces?: unknown };
    if (value.format === 'stepwise.export.v1' && Array.isArray(value.traces)) return value.traces.map((t, i) => checked(t, `traces[${i}]`));
    return [checked(value, '$')];
  }
  return text
    .split('\n')
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line.length > 0)
    .map(([line, n]) => {
      try {
        return checked(parse(line, `line ${n}`), `line ${n}`);
      } catch (error) {
        if (error instanceof StepwiseError) throw error;
        throw new StepwiseError('invalid_request', `line ${n} is not valid JSON`, { issues: [{ path: `line ${n}`, message: 'not JSON' }] });
      }
    });
}

function looksLikeJsonl(text: string): boolean {
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n')).trim();
  if (!firstLine.endsWith('}')) return false;
  try {
    return (JSON.parse(firstLine) as { format?: string }).format === 'stepwise.trace.v1';
  } catch {
    return false;
  }
}

function checked(value: unknown, where: string): ExportedTrace {
  const v = value as Partial<ExportedTrace> | null;
  if (!v || v.format !== 'stepwise.trace.v1' || !v.trace || !Array.isArray(v.trace.events)) {
    throw new StepwiseError('invalid_request', `${where} is not a Stepwise trace export (format "stepwise.trace.v1" with a trace)`, {
      issues: [{ path: where, message: 'expected { format: "stepwise.trace.v1", trace: { events: [...] } }' }],
    });
  }
  return v as ExportedTrace;
}

/** What an import sends: per run, a sync of its results (the run's id kept); traces without a run on their own. */
export interface ImportPlan {
  runs: Array<{ run: ExportedRun; traces: ExportedTrace[] }>;
  runless: ExportedTrace[];
}

export function planImport(traces: readonly ExportedTrace[]): ImportPlan {
  const runs = new Map<string, { run: ExportedRun; traces: ExportedTrace[] }>();
  const runless: ExportedTrace[] = [];
  for (const t of traces) {
    if (!t.run) {
      runless.push(t);
      continue;
    }
    const group = runs.get(t.run.id) ?? { run: t.run, traces: [] };
    group.traces.push(t);
    runs.set(t.run.id, group);
  }
  return { runs: [...runs.values()], runless };
}

/** A result item that recreates an exported trace through the sync door (its events win). */
export function importResultItem(t: ExportedTrace): Record<string, unknown> {
  return {
    scenario_id: t.summary.scenario_id,
    user_message: t.summary.user_message ?? '',
    agent_response: t.summary.response ?? '',
    trace: t.trace,
    ...(t.summary.reported_passed !== null ? { passed: t.summary.reported_passed } : {}),
    ...(t.notes !== null ? { notes: t.notes } : {}),
    ...(t.expected !== null && t.expected !== undefined ? { expected: t.expected } : {}),
  };
}

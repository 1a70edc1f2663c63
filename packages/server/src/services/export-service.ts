import {
  JSON_EXPORT_CLOSE,
  OTLP_EXPORT_CLOSE,
  OTLP_EXPORT_OPEN,
  StepwiseError,
  csvHeader,
  csvRows,
  exportedRun,
  jsonExportOpen,
  traceToOtlp,
  type CsvRowKind,
  type ExportFormat,
  type ExportedRun,
  type ExportedTrace,
} from '@stepwise/core';
import type { TraceFilter, TraceStore } from '../store/trace-store.js';

/** What to export: one trace, or every trace matching a trace-list filter (a run is `{ run }`). */
export type ExportSelection = { trace: string } | { filter: Omit<TraceFilter, 'limit' | 'cursor'> };

export interface ExportRequest {
  format: ExportFormat;
  /** CSV only: one row per result (default) or per event. */
  rows?: CsvRowKind;
  selection: ExportSelection;
}

const PAGE = 200;

/**
 * Streams exports: traces are read one at a time and turned into text by core's converters, so an
 * export of any size holds one trace in memory, never the whole export.
 */
export class ExportService {
  constructor(private readonly store: TraceStore) {}

  /** Fails before any byte is sent when the named trace or run does not exist (a 404, not a broken download). */
  async check(workspaceId: string, selection: ExportSelection): Promise<void> {
    if ('trace' in selection) {
      if (!(await this.store.getTrace(workspaceId, selection.trace, false)))
        throw new StepwiseError('not_found', 'no trace with this id in this workspace');
    } else if (selection.filter.run !== undefined && !(await this.store.getRun(workspaceId, selection.filter.run))) {
      throw new StepwiseError('not_found', 'no test run with this id in this workspace');
    }
  }

  /** The export as text chunks; `onTrace` is told after each trace (for progress). */
  async *chunks(workspaceId: string, request: ExportRequest, onTrace: () => void = () => {}): AsyncGenerator<string> {
    const single = 'trace' in request.selection;
    const { open, close, separator } = framing(request, single);
    yield open;
    let first = true;
    for await (const trace of this.traces(workspaceId, request.selection)) {
      if (!first) yield separator;
      first = false;
      yield render(request, trace);
      onTrace();
    }
    yield close;
  }

  /** The exported traces, in run order for a run, newest first for other filters. */
  async *traces(workspaceId: string, selection: ExportSelection): AsyncGenerator<ExportedTrace> {
    const runs = new Map<string, ExportedRun | null>();
    const runOf = async (runId: string | null) => {
      if (runId === null) return null;
      if (!runs.has(runId)) {
        const run = await this.store.getRun(workspaceId, runId);
        runs.set(runId, run ? exportedRun(run) : null);
      }
      return runs.get(runId) ?? null;
    };
    for await (const id of this.ids(workspaceId, selection)) {
      const stored = await this.store.getTrace(workspaceId, id);
      if (!stored) continue; // deleted while the export ran
      yield {
        format: 'stepwise.trace.v1',
        trace: stored.trace,
        summary: stored.summary,
        run: await runOf(stored.summary.run_id),
        notes: stored.notes,
        expected: stored.expected,
        evaluation: stored.evaluation,
        redaction: stored.redaction,
      };
    }
  }

  private async *ids(workspaceId: string, selection: ExportSelection): AsyncGenerator<string> {
    if ('trace' in selection) {
      yield selection.trace;
      return;
    }
    const { filter } = selection;
    const onlyRun = filter.run !== undefined && Object.values({ ...filter, run: undefined }).every((v) => v === undefined);
    if (onlyRun) {
      yield* await this.store.listRunTraceIds(workspaceId, filter.run!);
      return;
    }
    let cursor: string | undefined;
    do {
      const page = await this.store.listTraces(workspaceId, { ...filter, limit: PAGE, ...(cursor ? { cursor } : {}) });
      for (const t of page.items) yield t.id;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }
}

function framing(request: ExportRequest, single: boolean): { open: string; close: string; separator: string } {
  switch (request.format) {
    case 'json':
      // One trace: the trace object itself; otherwise the traces wrapped with the filter that chose them.
      return single
        ? { open: '', close: '\n', separator: '' }
        : {
            open: jsonExportOpen('filter' in request.selection ? request.selection.filter : {}),
            close: JSON_EXPORT_CLOSE,
            separator: ',\n',
          };
    case 'jsonl':
      return { open: '', close: '', separator: '' };
    case 'csv':
      return { open: csvHeader(request.rows ?? 'results'), close: '', separator: '' };
    case 'otlp':
      return { open: OTLP_EXPORT_OPEN, close: OTLP_EXPORT_CLOSE, separator: ',\n' };
  }
}

function render(request: ExportRequest, trace: ExportedTrace): string {
  switch (request.format) {
    case 'json':
      return JSON.stringify(trace);
    case 'jsonl':
      return `${JSON.stringify(trace)}\n`;
    case 'csv':
      return csvRows(request.rows ?? 'results', trace);
    case 'otlp':
      return JSON.stringify(traceToOtlp(trace));
  }
}

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  json: 'application/json; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  otlp: 'application/json; charset=utf-8',
};

export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = { json: 'json', jsonl: 'jsonl', csv: 'csv', otlp: 'otlp.json' };

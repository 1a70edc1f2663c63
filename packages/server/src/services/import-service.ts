import { Id, importResultItem, parseStepwiseExport, planImport, validate, StepwiseError, type ExportedTrace } from '@stepwise/core';
import type { IngestPipeline } from '../ingest/pipeline.js';

export interface ImportReply {
  runs: Array<{ id: string; created: boolean; synced: number; duplicates: number }>;
  traces_without_run: { stored: number; duplicates: number };
  rejected: Array<{ trace_id: string | null; errors: Array<{ path: string; message: string }> }>;
}

const CHUNK = 500;

/**
 * Imports a Stepwise export (JSON or JSONL) through the ingest pipeline, like any other door: each
 * run is recreated with its id, name, source, branch, commit and CI link, its results with their
 * traces, notes, expectations and reported verdicts; re-importing adds nothing (trace ids are kept).
 */
export class ImportService {
  constructor(private readonly pipeline: IngestPipeline) {}

  async importText(workspaceId: string, text: string): Promise<ImportReply> {
    const traces = parseStepwiseExport(text, (t, where) => this.pipeline.parse(t, where));
    return this.importTraces(workspaceId, traces);
  }

  async importTraces(workspaceId: string, traces: readonly ExportedTrace[]): Promise<ImportReply> {
    const plan = planImport(traces);
    const reply: ImportReply = { runs: [], traces_without_run: { stored: 0, duplicates: 0 }, rejected: [] };
    for (const { run, traces: runTraces } of plan.runs) {
      if (!validate(Id, run.id).ok)
        throw new StepwiseError('invalid_request', `run id ${JSON.stringify(run.id.slice(0, 80))} is not a valid id`);
      const exists = (await this.pipeline.store.getRun(workspaceId, run.id)) !== null;
      const entry = { id: run.id, created: !exists, synced: 0, duplicates: 0 };
      for (let start = 0; start < runTraces.length; start += CHUNK) {
        const chunk = runTraces.slice(start, start + CHUNK);
        const appending = exists || start > 0;
        const body = {
          agent_name: run.agent_name,
          results: chunk.map(importResultItem),
          ...(appending ? { test_run_id: run.id } : runFields(run)),
        };
        const result = await this.pipeline.sync(body, {
          workspaceId,
          runId: run.id,
          priorRedaction: chunk.map((t) => t.redaction),
          priorTimingsKnown: chunk.map((t) => t.summary.timings_known),
          isDemo: run.is_demo === true,
        });
        entry.synced += result.synced;
        entry.duplicates += result.duplicates;
        for (const r of result.rejected) reply.rejected.push({ trace_id: chunk[r.index]?.summary.id ?? null, errors: r.errors });
      }
      reply.runs.push(entry);
    }
    for (const isDemo of [false, true]) {
      const runless = plan.runless.filter((t) => (t.summary.is_demo === true) === isDemo);
      for (let start = 0; start < runless.length; start += CHUNK)
        await this.importRunless(workspaceId, runless.slice(start, start + CHUNK), isDemo, reply);
    }
    return reply;
  }

  private async importRunless(workspaceId: string, chunk: ExportedTrace[], isDemo: boolean, reply: ImportReply): Promise<void> {
    const result = await this.pipeline.ingestTraces(
      chunk.map((t) => t.trace),
      { workspaceId, isDemo },
    );
    reply.traces_without_run.stored += result.stored;
    reply.traces_without_run.duplicates += result.duplicates;
    for (const r of result.rejected) reply.rejected.push({ trace_id: chunk[r.index]?.summary.id ?? null, errors: r.errors });
  }
}

function runFields(run: ExportedTrace['run'] & object): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (run.name !== null) fields.name = run.name;
  if (run.source !== null) fields.source = run.source;
  if (run.branch !== null) fields.branch = run.branch;
  if (run.commit !== null) fields.commit = run.commit;
  if (run.ci_url !== null) fields.ci_url = run.ci_url;
  return fields;
}

import { truncateTrace, type Expectations, type Redactor } from '@stepwise/core';
import type { PipelineStage, StageContext, WorkItem } from '../pipeline.js';

/** The workspace's redactor, looked up once per request and shared by both privacy stages. */
async function redactorOf(ctx: StageContext, redactorFor: (workspaceId: string) => Promise<Redactor>): Promise<Redactor> {
  let redactor = ctx.request.get('redactor') as Redactor | undefined;
  if (!redactor) {
    redactor = await redactorFor(ctx.workspaceId);
    ctx.request.set('redactor', redactor);
  }
  return redactor;
}

/** Reserved metadata key under which a result's own text rides through redaction with its trace. */
const CARRIER = '__stepwise_result__';

/**
 * Redaction: every string leaf of the trace — and the result's notes and inline expectations, so
 * an expected parameter gets the same placeholder as the actual one — is scanned with the
 * workspace's rules before anything is stored, analyzed or logged.
 */
export function redactionStage(redactorFor: (workspaceId: string) => Promise<Redactor>): PipelineStage {
  return {
    name: 'redact',
    async apply(item: WorkItem, ctx) {
      const redactor = await redactorOf(ctx, redactorFor);
      const carried = item.notes !== null || item.expected !== null;
      const input = carried
        ? { ...item.trace, metadata: { ...item.trace.metadata, [CARRIER]: { notes: item.notes, expected: item.expected } } }
        : item.trace;
      const { trace, report } = redactor.redactTrace(input);
      if (carried) {
        const { [CARRIER]: result, ...metadata } = trace.metadata ?? {};
        const { notes, expected } = result as { notes: string | null; expected: Expectations | null };
        item.notes = notes;
        item.expected = expected;
        if (Object.keys(metadata).length > 0 || item.trace.metadata !== undefined) trace.metadata = metadata;
        else delete trace.metadata;
      }
      item.trace = trace;
      item.redaction = report;
    },
  };
}

/** Truncation: events over the workspace's limit (default 10 KB) have their largest values cut. */
export function truncationStage(redactorFor: (workspaceId: string) => Promise<Redactor>): PipelineStage {
  return {
    name: 'truncate',
    async apply(item: WorkItem, ctx) {
      const { settings } = await redactorOf(ctx, redactorFor);
      const { trace, report, eventsJson } = truncateTrace(item.trace, { maxEventBytes: settings.max_event_bytes });
      item.trace = trace;
      item.serialized = { events: trace.events, json: eventsJson };
      if (report.events.length > 0) item.redaction = { ...(item.redaction as object | null), truncated_events: report.events };
    },
  };
}

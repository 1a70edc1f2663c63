import { z } from 'zod';
import { StepwiseError } from '@stepwise/core';
import { readJsonBody, workspaceOf, type AppDeps } from '../context.js';
import { MAX_PAGE_SIZE, isoParam, limitParam, parseQuery } from '../query.js';
import { param, principalOf, type Router } from '../router.js';
import { parseBody } from '../body.js';
import type { FeedbackService } from '../../services/feedback-service.js';

/** The trace-list filters; exports take the same ones. */
export const TracesQuery = z.object({
  agent: z.string().min(1).optional(),
  scenario: z.string().min(1).optional(),
  // run=none: traces that belong to no run (synced without one, imported, posted here).
  run: z.string().min(1).optional(),
  tool: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  q: z.string().min(1).max(500).optional(),
  verdict: z.enum(['passed', 'failed']).optional(),
  pattern: z.string().min(1).optional(),
  since: isoParam.optional(),
  until: isoParam.optional(),
  limit: limitParam(50),
  cursor: z.string().min(1).max(500).optional(),
});

const EventsQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE * 10)
    .default(1000),
});

const PinBody = z.object({ pinned: z.boolean() });
const TraceQuery = z.object({ events: z.enum(['all', 'none']).default('all') });

export function traceRoutes(r: Router, { store, access, pipeline, feedback }: AppDeps & { feedback: FeedbackService }): void {
  r.get('/api/v1/traces', 'read', async (c) => {
    const { run, q, ...query } = parseQuery(TracesQuery, c.req.query());
    const page = await store.listTraces(workspaceOf(c), {
      ...query,
      ...(run === 'none' ? { noRun: true } : run !== undefined ? { run } : {}),
      ...(q !== undefined ? { text: q } : {}),
    });
    return c.json({ traces: page.items, next_cursor: page.next_cursor ?? null });
  });

  r.get('/api/v1/traces/:id', 'read', async (c) => {
    const { events } = parseQuery(TraceQuery, c.req.query());
    const ws = workspaceOf(c);
    const id = param(c, 'id');
    // The header, summary and analysis; the events are streamed from the store page by page below
    // (events=none: none at all, they come in slices from /events).
    const stored = await store.getTrace(ws, id, false);
    if (!stored) throw traceNotFound();
    const reply = {
      feedback: await feedback.traceFeedback(ws, stored.summary.id),
      summary: stored.summary,
      notes: stored.notes,
      expected: stored.expected,
      evaluation: stored.evaluation,
      redaction: stored.redaction,
    };
    if (events === 'none') return c.json({ trace: stored.trace, ...reply });
    return c.body(traceReplyStream(stored.trace, reply, store.eventJsonPages(ws, id)), 200, { 'Content-Type': 'application/json' });
  });

  r.get('/api/v1/traces/:id/events', 'read', async (c) => {
    const query = parseQuery(EventsQuery, c.req.query());
    const events = await store.getTraceEvents(workspaceOf(c), param(c, 'id'), query.offset, query.limit);
    if (!events) throw traceNotFound();
    return c.json({ events, offset: query.offset });
  });

  r.put('/api/v1/traces/:id/pin', 'write', async (c) => {
    const { pinned } = parseBody(PinBody, await readJsonBody(c, pipeline));
    const id = param(c, 'id');
    if (!(await access.store.setPinned(workspaceOf(c), id, pinned))) throw traceNotFound();
    await access.audit(principalOf(c), pinned ? 'trace.pin' : 'trace.unpin', { type: 'trace', id });
    return c.json({ id, pinned });
  });

  r.delete('/api/v1/traces/:id', 'delete', async (c) => {
    const id = param(c, 'id');
    if (!(await store.deleteTrace(workspaceOf(c), id))) throw traceNotFound();
    await access.audit(principalOf(c), 'trace.delete', { type: 'trace', id });
    return c.json({ deleted: true });
  });

  r.delete('/api/v1/scenarios/:id/traces', 'delete', async (c) => {
    const id = param(c, 'id');
    const count = await access.store.deleteScenarioTraces(workspaceOf(c), id);
    if (count === 0) throw new StepwiseError('not_found', 'no traces of this scenario in this workspace');
    // Scenario ids are free text (they may name a customer): the audit keeps a keyed hash of it only.
    await access.audit(
      principalOf(c),
      'scenario.delete_history',
      { type: 'scenario', id: await access.scenarioRef(id) },
      { traces_deleted: count },
    );
    return c.json({ deleted: true, traces_deleted: count });
  });
}

const CHUNK_CHARS = 32 * 1024;

/**
 * The reply of a full `GET /traces/:id` as a stream of JSON text, the same document as
 * `c.json({ trace: { ...header, events }, ...reply })` would send, with the events copied from the
 * store's stored JSON one page at a time: memory stays flat whatever the trace's length, and a slow
 * reader holds back the store reads (the stream is pulled).
 */
export function traceReplyStream(
  trace: Record<string, unknown>,
  reply: Record<string, unknown>,
  pages: AsyncIterable<string[]>,
): ReadableStream<Uint8Array> {
  const { events: _events, ...header } = trace;
  const headerJson = JSON.stringify(header);
  const replyJson = JSON.stringify(reply);
  const head = `{"trace":${headerJson.slice(0, -1)}${headerJson === '{}' ? '' : ','}"events":[`;
  const tail = `]}${replyJson === '{}' ? '' : ','}${replyJson.slice(1)}`;
  const encoder = new TextEncoder();
  const iterator = pages[Symbol.asyncIterator]();
  let started = false;
  let first = true;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(head));
          return;
        }
        const next = await iterator.next();
        if (next.done) {
          controller.enqueue(encoder.encode(tail));
          controller.close();
          return;
        }
        // Chunks of ~32 KB rather than one per page: buffers this small are freed by the young-generation
        // collector, where a page-sized string or buffer would wait in large-object space for a full GC.
        let chunk = '';
        for (const event of next.value) {
          chunk += first ? event : `,${event}`;
          first = false;
          if (chunk.length >= CHUNK_CHARS) {
            controller.enqueue(encoder.encode(chunk));
            chunk = '';
          }
        }
        if (chunk.length > 0) controller.enqueue(encoder.encode(chunk));
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 1 },
  );
}

function traceNotFound(): StepwiseError {
  return new StepwiseError('not_found', 'no trace with this id in this workspace');
}

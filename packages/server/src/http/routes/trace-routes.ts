import { Hono } from 'hono';
import { z } from 'zod';
import { StepwiseError } from '@stepwise/core';
import { workspaceOf, type AppDeps } from '../context.js';
import { MAX_PAGE_SIZE, isoParam, limitParam, parseQuery } from '../query.js';

const TracesQuery = z.object({
  agent: z.string().min(1).optional(),
  scenario: z.string().min(1).optional(),
  run: z.string().min(1).optional(),
  verdict: z.enum(['passed', 'failed']).optional(),
  pattern: z.string().min(1).optional(),
  since: isoParam.optional(),
  until: isoParam.optional(),
  limit: limitParam(50),
  cursor: z.string().min(1).max(500).optional(),
});

const EventsQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE * 10).default(1000),
});

export function traceRoutes({ store }: AppDeps): Hono {
  const app = new Hono();

  app.get('/api/v1/traces', async (c) => {
    const query = parseQuery(TracesQuery, c.req.query());
    const page = await store.listTraces(workspaceOf(c), query);
    return c.json({ traces: page.items, next_cursor: page.next_cursor ?? null });
  });

  app.get('/api/v1/traces/:id', async (c) => {
    const stored = await store.getTrace(workspaceOf(c), c.req.param('id'));
    if (!stored) throw traceNotFound();
    return c.json({
      trace: stored.trace,
      summary: stored.summary,
      notes: stored.notes,
      expected: stored.expected,
      evaluation: stored.evaluation,
      redaction: stored.redaction,
    });
  });

  app.get('/api/v1/traces/:id/events', async (c) => {
    const query = parseQuery(EventsQuery, c.req.query());
    const events = await store.getTraceEvents(workspaceOf(c), c.req.param('id'), query.offset, query.limit);
    if (!events) throw traceNotFound();
    return c.json({ events, offset: query.offset });
  });

  app.delete('/api/v1/traces/:id', async (c) => {
    if (!(await store.deleteTrace(workspaceOf(c), c.req.param('id')))) throw traceNotFound();
    return c.json({ deleted: true });
  });

  return app;
}

function traceNotFound(): StepwiseError {
  return new StepwiseError('not_found', 'no trace with this id in this workspace');
}

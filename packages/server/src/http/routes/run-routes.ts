import { z } from 'zod';
import { StepwiseError } from '@stepwise/core';
import { workspaceOf, type AppDeps } from '../context.js';
import { isoParam, limitParam, offsetParam, parseQuery } from '../query.js';
import { param, principalOf, type Router } from '../router.js';

const RunsQuery = z.object({
  agent: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  branch: z.string().min(1).optional(),
  status: z.enum(['passed', 'failed', 'empty']).optional(),
  source: z.string().min(1).optional(),
  since: isoParam.optional(),
  until: isoParam.optional(),
  limit: limitParam(50),
  offset: offsetParam,
});

const RunResultsQuery = z.object({
  status: z.enum(['passed', 'failed']).optional(),
  limit: limitParam(100),
  offset: offsetParam,
});

export function runRoutes(r: Router, { store, access, pipeline }: AppDeps): void {
  r.get('/api/v1/runs', 'read', async (c) => {
    const query = parseQuery(RunsQuery, c.req.query());
    const page = await store.listRuns(workspaceOf(c), query);
    return c.json({ runs: page.items, total: page.total, limit: query.limit, offset: query.offset });
  });

  r.get('/api/v1/runs/:id', 'read', async (c) => {
    const query = parseQuery(RunResultsQuery, c.req.query());
    const ws = workspaceOf(c);
    const run = await store.getRun(ws, param(c, 'id'));
    if (!run) throw runNotFound();
    const results = await store.listRunResults(ws, run.id, query);
    return c.json({ run, results: results.items, total: results.total, limit: query.limit, offset: query.offset });
  });

  // The end of a streaming run (opened with create_empty): the regression webhook may fire now.
  r.post('/api/v1/runs/:id/finish', 'write', async (c) => {
    const run = await pipeline.finishRun(workspaceOf(c), param(c, 'id'));
    return c.json({ run_id: run.id, finished: true });
  });

  r.delete('/api/v1/runs/:id', 'delete', async (c) => {
    const id = param(c, 'id');
    const outcome = await store.deleteRun(workspaceOf(c), id);
    if (!outcome.deleted) throw runNotFound();
    await access.audit(principalOf(c), 'run.delete', { type: 'run', id }, { traces_deleted: outcome.traces });
    return c.json({ deleted: true, traces_deleted: outcome.traces });
  });
}

function runNotFound(): StepwiseError {
  return new StepwiseError('not_found', 'no test run with this id in this workspace');
}

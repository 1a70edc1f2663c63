import { Expectations, StepwiseError } from '@stepwise/core';
import { z } from 'zod';
import type { AnalysisService } from '../../services/analysis-service.js';
import { SCENARIO_HISTORY_PAGE, type CompareService } from '../../services/compare-service.js';
import { parseBody } from '../body.js';
import { readJsonBody, workspaceOf, type AppDeps } from '../context.js';
import { limitParam, parseQuery } from '../query.js';
import { param, principalOf, type Router } from '../router.js';

const CompareTracesQuery = z.object({ a: z.string().min(1), b: z.string().min(1) });
const CompareRunsQuery = z.object({ base: z.string().min(1), head: z.string().min(1) });
const ExpectationsBody = z.object({ expectations: Expectations });
const ScenarioHistoryQuery = z.object({
  limit: limitParam(SCENARIO_HISTORY_PAGE),
  cursor: z.string().min(1).max(500).optional(),
});
export function analysisRoutes(r: Router, deps: AppDeps & { analysis: AnalysisService; compare: CompareService }): void {
  const { store, pipeline, analysis, compare, access } = deps;

  r.get('/api/v1/traces/:id/analysis', 'read', async (c) => c.json(await analysis.analysis(workspaceOf(c), param(c, 'id'))));

  r.post('/api/v1/traces/:id/analyze', 'write', async (c) => c.json(await analysis.reanalyze(workspaceOf(c), param(c, 'id'))));

  r.post('/api/v1/runs/:id/analyze', 'write', async (c) => c.json(await analysis.reanalyzeRun(workspaceOf(c), param(c, 'id'))));

  r.put('/api/v1/scenarios/:id', 'write', async (c) => {
    const { expectations } = parseBody(ExpectationsBody, await readJsonBody(c, pipeline));
    const p = principalOf(c);
    const id = param(c, 'id');
    const saved = await store.putScenarioExpectations(p.workspaceId, id, JSON.stringify(expectations), p.actor, new Date().toISOString());
    await access.audit(p, 'scenario.expectations', { type: 'scenario', id: await access.scenarioRef(id) }, { version: saved.version });
    return c.json(saved);
  });

  r.get('/api/v1/scenarios/:id', 'read', async (c) => {
    const ws = workspaceOf(c);
    const id = param(c, 'id');
    const versions = await store.listScenarioExpectationVersions(ws, id);
    const traces = await store.listTraces(ws, { scenario: id, limit: 1 });
    if (versions.length === 0 && traces.items.length === 0)
      throw new StepwiseError('not_found', 'no scenario with this id in this workspace');
    return c.json({ scenario_id: id, expectations: versions[0] ?? null, versions });
  });

  // One page of the scenario's traces (newest first, a cursor as GET /traces) and its whole-history summary.
  r.get('/api/v1/scenarios/:id/traces', 'read', async (c) => {
    const page = parseQuery(ScenarioHistoryQuery, c.req.query());
    return c.json(await compare.scenarioHistory(workspaceOf(c), param(c, 'id'), page));
  });

  r.get('/api/v1/compare/traces', 'read', async (c) => {
    const query = parseQuery(CompareTracesQuery, c.req.query());
    return c.json(await compare.compareTraces(workspaceOf(c), query.a, query.b));
  });

  r.get('/api/v1/compare/runs', 'read', async (c) => {
    const query = parseQuery(CompareRunsQuery, c.req.query());
    return c.json(await compare.compareRuns(workspaceOf(c), query.base, query.head));
  });
}

import { afterAll, describe, expect, it } from 'vitest';
import { can, type Role } from '../src/access/roles.js';
import type { RouteSpec } from '../src/http/router.js';
import { makeTestApp, type TestApp } from './support/app.js';

// Generated from the route table: a route added later is covered without anyone remembering, and a
// route whose object kind or request body this file does not know fails the first test below.

const WS_A = 'ws_default';
const WS_B = 'ws_other';

type Caller = 'none' | Role | 'other_workspace';
const CALLERS: Caller[] = ['none', 'viewer', 'member', 'admin', 'owner', 'other_workspace'];
type IdKind = 'own' | 'other' | 'random';

interface Fixture {
  trace: string;
  run: string;
  scenario: string;
  key: string;
  member: string;
}

const OBJECT_KINDS: Array<[RegExp, keyof Fixture]> = [
  [/^\/api\/v1\/traces\/:id/, 'trace'],
  [/^\/api\/v1\/runs\/:id/, 'run'],
  [/^\/api\/v1\/scenarios\/:id/, 'scenario'],
  [/^\/api\/v1\/keys\/:id/, 'key'],
  [/^\/api\/v1\/members\/:id/, 'member'],
];

const result = (scenario: string) => ({
  scenario_id: scenario,
  user_message: 'q',
  agent_response: 'a',
  tools_called: [{ name: 't', parameters: { x: 1 } }],
  passed: true,
});

/** A valid body for every mutating route, so that "allowed" is tested as success, not as a 400. */
const BODIES: Record<string, () => unknown> = {
  'POST /api/v1/sync': () => ({ agent_name: 'matrix', results: [result('sc_new')] }),
  'POST /api/v1/traces': () => ({ scenario_id: 'sc_new', agent_name: 'matrix', timestamp: '2026-03-13T14:30:00Z', events: [] }),
  'PUT /api/v1/traces/:id/pin': () => ({ pinned: true }),
  'PUT /api/v1/traces/:id/findings/:finding/feedback': () => ({ verdict: 'wrong', reason: 'a false alarm' }),
  'DELETE /api/v1/traces/:id/findings/:finding/feedback': () => undefined,
  'POST /api/v1/traces/:id/comments': () => ({ event_index: 0, body: 'why?' }),
  'DELETE /api/v1/traces/:id/comments/:comment': () => undefined,
  'POST /api/v1/keys': () => ({ name: 'k', role: 'viewer' }),
  'POST /api/v1/members': () => ({ name: 'New Person', role: 'viewer' }),
  'PATCH /api/v1/members/:id': () => ({ role: 'member' }),
  'PUT /api/v1/settings/retention': () => ({ retention_days: 7 }),
  'POST /api/v1/retention/apply': () => ({}),
  'POST /api/v1/session/logout': () => ({}),
  'DELETE /api/v1/traces/:id': () => undefined,
  'DELETE /api/v1/runs/:id': () => undefined,
  'DELETE /api/v1/scenarios/:id/traces': () => undefined,
  'DELETE /api/v1/keys/:id': () => undefined,
  'DELETE /api/v1/members/:id': () => undefined,
  'DELETE /api/v1/workspace': () => undefined,
  'PUT /api/v1/scenarios/:id': () => ({ expectations: { tools: ['t'] } }),
  'POST /api/v1/traces/:id/analyze': () => undefined,
  'POST /api/v1/runs/:id/analyze': () => undefined,
  'PUT /api/v1/settings/privacy': () => ({ rules: { phone: false } }),
  'POST /api/v1/privacy/preview': () => ({ payload: { to: 'ann@example.com' } }),
  'POST /api/v1/runs/:id/finish': () => undefined,
  'PUT /api/v1/settings/webhook': () => ({ url: 'http://127.0.0.1:9/hook', format: 'slack' }),
  'DELETE /api/v1/settings/webhook': () => undefined,
  'PUT /api/v1/settings/prices': () => ({ prices: { 'gpt-4o': { input: 1, output: 2 } } }),
  'POST /api/v1/import': () => ({
    format: 'stepwise.trace.v1',
    trace: { trace_id: 'tr_imported', scenario_id: 'sc_i', agent_name: 'matrix', timestamp: '2026-03-13T14:30:00Z', events: [] },
    summary: { id: 'tr_imported', run_id: null, scenario_id: 'sc_i', user_message: null, response: null, reported_passed: null },
    run: null,
    notes: null,
    expected: null,
    evaluation: null,
    redaction: null,
  }),
};

/** Routes that name their objects in the query string, and how to name them. */
const QUERY_OBJECTS: Record<string, (f: Fixture) => string> = {
  'GET /api/v1/compare/traces': (f) => `a=${f.trace}&b=${f.trace}`,
  'GET /api/v1/compare/runs': (f) => `base=${f.run}&head=${f.run}`,
  'GET /api/v1/export': (f) => `trace=${f.trace}`,
};
/** Create-or-update routes: any id names the caller's own (possibly new) object, so none is foreign. */
const UPSERTS = new Set(['PUT /api/v1/scenarios/:id']);
const FINDING = 'loop@1';
const COMMENT = 'cm_fixture';
/** Path parameters after the first (the object), filled with the seeded fixture's. */
const SECOND_PARAMS: Record<string, string> = { ':finding': encodeURIComponent(FINDING), ':comment': COMMENT };
const RANDOM: Fixture = { trace: 'tr_random', run: 'run_random', scenario: 'sc_random', key: 'key_random', member: 'usr_random' };

async function seed(t: TestApp, ws: string, tag: string): Promise<Fixture> {
  const reply = await t.runtime.pipeline.sync({ agent_name: 'matrix', results: [result(`sc_${tag}`)] }, { workspaceId: ws });
  const { record } = await t.runtime.access.createApiKey(ws, { name: `fixture ${tag}`, role: 'viewer' }, 'test');
  const { id: member } = await t.runtime.access.addUser({ name: `member ${tag}` });
  await t.runtime.access.setMemberRole(ws, member, 'viewer', 'test');
  const trace = reply.trace_ids[0]!;
  // A finding to give feedback on, a mark to remove and a comment to delete (second path parameters).
  const finding = { pattern: 'loop', category: 'reasoning_failure', severity: 'high', event_indexes: [1], summary: 'repeats t' };
  const evaluation = { verdict: 'failed', analyzer_version: 'test', checks: [], findings: [finding] };
  await t.runtime.store.updateEvaluation(ws, trace, { verdict: 'failed', patterns: ['loop'], evaluationJson: JSON.stringify(evaluation) });
  const mark = { traceId: trace, findingKey: FINDING, pattern: 'loop', verdict: 'right', reason: null, analyzerVersion: 'test' } as const;
  await t.runtime.store.putFindingFeedback(ws, { ...mark, actor: 'test', now: '2026-03-13T14:30:00Z' });
  await t.runtime.store.addEventComment(ws, {
    id: COMMENT,
    traceId: trace,
    eventIndex: 0,
    body: 'seeded',
    actor: 'test',
    now: '2026-03-13T14:30:00Z',
  });
  return { trace, run: reply.test_run_id, scenario: `sc_${tag}`, key: record.id, member };
}

async function callerHeaders(t: TestApp, caller: Caller): Promise<Record<string, string>> {
  if (caller === 'none') return {};
  const ws = caller === 'other_workspace' ? WS_B : WS_A;
  const role: Role = caller === 'other_workspace' ? 'owner' : caller;
  const { key } = await t.runtime.access.createApiKey(ws, { name: `caller ${caller}`, role }, 'test');
  return { authorization: `Bearer ${key}` };
}

function expected(route: RouteSpec, caller: Caller, idKind: IdKind | null): 'ok' | 401 | 403 | 404 {
  if (route.access === 'public') return 'ok';
  if (caller === 'none') return 401;
  const role: Role = caller === 'other_workspace' ? 'owner' : caller;
  if (route.access !== 'authenticated' && !can(role, route.access)) return 403;
  if (idKind === null || UPSERTS.has(`${route.method} ${route.path}`)) return 'ok';
  // Ids are "own" relative to workspace A; the other workspace's caller sees A's ids as foreign.
  const callerOwnsId = caller === 'other_workspace' ? idKind === 'other' : idKind === 'own';
  return callerOwnsId ? 'ok' : 404;
}

const probe = await makeTestApp();
const routes = probe.app.routes.filter((r) => r.access !== 'public');
afterAll(() => probe.close());

describe('authorization matrix', () => {
  it('knows the object kind and a valid body of every route', () => {
    for (const route of routes) {
      if (route.objectParam)
        expect(
          OBJECT_KINDS.some(([re]) => re.test(route.path)),
          `${route.method} ${route.path}`,
        ).toBe(true);
      if (route.method === 'GET' && !route.objectParam && /compare|export/.test(route.path))
        expect(QUERY_OBJECTS[`GET ${route.path}`], route.path).toBeDefined();
      if (route.method !== 'GET') expect(BODIES[`${route.method} ${route.path}`], `${route.method} ${route.path}`).toBeDefined();
    }
    expect(routes.length).toBeGreaterThan(20);
  });

  it('declares the written permission matrix on the routes that carry it', () => {
    const accessOf = (method: string, path: string) => routes.find((r) => r.method === method && r.path === path)?.access;
    expect(accessOf('POST', '/api/v1/sync')).toBe('write');
    expect(accessOf('GET', '/api/v1/traces/:id')).toBe('read');
    expect(accessOf('DELETE', '/api/v1/traces/:id')).toBe('delete');
    expect(accessOf('DELETE', '/api/v1/runs/:id')).toBe('delete');
    expect(accessOf('PUT', '/api/v1/settings/retention')).toBe('settings');
    expect(accessOf('POST', '/api/v1/keys')).toBe('keys');
    expect(accessOf('PATCH', '/api/v1/members/:id')).toBe('members');
    expect(accessOf('DELETE', '/api/v1/workspace')).toBe('workspace');
    expect(accessOf('GET', '/api/v1/audit')).toBe('settings');
  });

  for (const route of routes) {
    const kind = OBJECT_KINDS.find(([re]) => re.test(route.path))?.[1];
    const query = QUERY_OBJECTS[`${route.method} ${route.path}`];
    const idKinds: Array<IdKind | null> = route.objectParam || query ? ['own', 'other', 'random'] : [null];
    it(`${route.method} ${route.path}`, async () => {
      const outcomes: string[] = [];
      for (const caller of CALLERS) {
        for (const idKind of idKinds) {
          const t = await makeTestApp();
          try {
            await t.runtime.store.ensureWorkspace(WS_B, 'Other');
            const a = await seed(t, WS_A, 'a');
            const b = await seed(t, WS_B, 'b');
            const id = idKind === null || !kind ? '' : idKind === 'own' ? a[kind] : idKind === 'other' ? b[kind] : 'x_random_0123';
            const fixture = idKind === 'own' ? a : idKind === 'other' ? b : RANDOM;
            let path = route.path.replace(`:${route.objectParam}`, encodeURIComponent(id)) + (query ? `?${query(fixture)}` : '');
            for (const [name, value] of Object.entries(SECOND_PARAMS)) path = path.replace(name, value);
            const body = BODIES[`${route.method} ${route.path}`]?.();
            const headers: Record<string, string> = { ...(await callerHeaders(t, caller)) };
            if (body !== undefined) headers['content-type'] = 'application/json';
            const response = await t.app.request(path, {
              method: route.method,
              headers,
              ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
            });
            const want = expected(route, caller, idKind);
            const got = response.status;
            const ok = want === 'ok' ? got >= 200 && got < 300 : got === want;
            if (!ok) outcomes.push(`${caller} × ${idKind ?? '-'}: expected ${want}, got ${got} ${await response.text()}`);
          } finally {
            await t.close();
          }
        }
      }
      expect(outcomes).toEqual([]);
    });
  }
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TraceFilter, TraceStore } from '../src/store/trace-store.js';
import { makeRecord } from './support/records.js';

const WS = 'ws_contract';
const OTHER = 'ws_other';
const NOW = '2026-03-13T15:00:00.000Z';

/**
 * The behavior every TraceStore backend must have. Each backend's test file calls this with a
 * factory that returns a fresh, empty store.
 */
export function describeTraceStoreContract(backend: string, open: () => Promise<TraceStore>): void {
  describe(`TraceStore contract: ${backend}`, () => {
    let store: TraceStore;

    beforeEach(async () => {
      store = await open();
      await store.ensureWorkspace(WS, 'Contract');
      await store.ensureWorkspace(OTHER, 'Other');
    });
    afterEach(async () => {
      await store.close();
    });

    const newRun = (id: string, agentName = 'agent-a') => ({ id, agentName, name: 'nightly', source: 'ci' as const, isDemo: false });

    it('stores a new run with its traces in one ingest and counts verdicts', async () => {
      const records = [
        makeRecord({ runId: 'run_a', verdict: 'passed' }),
        makeRecord({ runId: 'run_a', verdict: 'failed', reportedPassed: false, patterns: ['loop', 'loop'] }),
        makeRecord({ runId: 'run_a', verdict: null, reportedPassed: null }),
      ];
      const outcome = await store.ingest({ workspaceId: WS, newRun: newRun('run_a'), records, now: NOW });
      expect(outcome.runId).toBe('run_a');
      expect(outcome.results.map((r) => r.status)).toEqual(['stored', 'stored', 'stored']);
      const run = await store.getRun(WS, 'run_a');
      expect(run).toMatchObject({
        total: 3,
        passed: 1,
        failed: 1,
        unknown: 1,
        status: 'failed',
        pass_rate: 0.5,
        findings_by_pattern: { loop: 1 },
      });
    });

    it("keeps a run's branch, commit and CI link and finds the newest run by agent, branch, name and time", async () => {
      const at = (id: string, branch: string | null, now: string, name = 'nightly') =>
        store.ingest({
          workspaceId: WS,
          newRun: { ...newRun(id), name, branch, commit: `c_${id}`, ciUrl: branch ? `https://ci/${id}` : null },
          records: [],
          now,
        });
      await at('run_m1', 'main', '2026-03-01T00:00:00.000Z');
      await at('run_f1', 'feature', '2026-03-02T00:00:00.000Z', 'pr 12');
      await at('run_m2', 'main', '2026-03-03T00:00:00.000Z');
      await at('run_n', null, '2026-03-04T00:00:00.000Z');
      expect(await store.getRun(WS, 'run_m2')).toMatchObject({ branch: 'main', commit: 'c_run_m2', ci_url: 'https://ci/run_m2' });
      expect(await store.getRun(WS, 'run_n')).toMatchObject({ branch: null, commit: 'c_run_n', ci_url: null });
      const newest = async (filter: { branch?: string; name?: string; until?: string }) =>
        (await store.listRuns(WS, { agent: 'agent-a', ...filter, limit: 1, offset: 0 })).items.map((r) => r.id);
      expect(await newest({ branch: 'main' })).toEqual(['run_m2']);
      expect(await newest({ branch: 'main', until: '2026-03-03T00:00:00.000Z' })).toEqual(['run_m1']);
      expect(await newest({ name: 'pr 12' })).toEqual(['run_f1']);
      expect(await newest({ branch: 'release' })).toEqual([]);
    });

    it('creates an empty run for a streaming start and appends to it later', async () => {
      await store.ingest({ workspaceId: WS, newRun: newRun('run_s'), records: [], now: NOW });
      expect(await store.getRun(WS, 'run_s')).toMatchObject({ total: 0, status: 'empty' });
      await store.ingest({ workspaceId: WS, records: [makeRecord({ runId: 'run_s' })], now: NOW });
      await store.ingest({ workspaceId: WS, records: [makeRecord({ runId: 'run_s' })], now: NOW });
      const page = await store.listRunResults(WS, 'run_s', { limit: 10, offset: 0 });
      expect(page.total).toBe(2);
      expect((await store.getRun(WS, 'run_s'))?.total).toBe(2);
    });

    it('skips a trace id it already has and reports it as a duplicate', async () => {
      const record = makeRecord({ id: 'tr_same' });
      await store.ingest({ workspaceId: WS, records: [record], now: NOW });
      const again = await store.ingest({ workspaceId: WS, records: [{ ...record }], now: NOW });
      expect(again.results).toEqual([{ status: 'duplicate', traceId: 'tr_same', runId: null }]);
      expect(await store.countTraces(WS)).toBe(1);
    });

    it('treats a repeated dedupe key as a duplicate and names the existing trace', async () => {
      await store.ingest({
        workspaceId: WS,
        newRun: newRun('run_d'),
        records: [makeRecord({ id: 'tr_first', runId: 'run_d', dedupeKey: 'k1' })],
        now: NOW,
      });
      const again = await store.ingest({
        workspaceId: WS,
        records: [makeRecord({ id: 'tr_second', runId: 'run_d', dedupeKey: 'k1' })],
        now: NOW,
      });
      expect(again.results).toEqual([{ status: 'duplicate', traceId: 'tr_first', runId: 'run_d' }]);
      expect((await store.getRun(WS, 'run_d'))?.total).toBe(1);
    });

    it('does not create a new run when every record is a duplicate', async () => {
      await store.ingest({ workspaceId: WS, newRun: newRun('run_1'), records: [makeRecord({ id: 'tr_x', runId: 'run_1' })], now: NOW });
      const again = await store.ingest({
        workspaceId: WS,
        newRun: newRun('run_2'),
        records: [makeRecord({ id: 'tr_x', runId: 'run_2' })],
        now: NOW,
      });
      expect(again.runId).toBe('run_1');
      expect(await store.getRun(WS, 'run_2')).toBeNull();
    });

    it('rejects a record for a run that does not exist and stores nothing of the batch', async () => {
      await expect(
        store.ingest({ workspaceId: WS, records: [makeRecord(), makeRecord({ runId: 'run_missing' })], now: NOW }),
      ).rejects.toMatchObject({ code: 'not_found' });
      expect(await store.countTraces(WS)).toBe(0);
    });

    it('returns a trace with its header and events in order', async () => {
      const record = makeRecord({ id: 'tr_full' });
      await store.ingest({ workspaceId: WS, records: [record], now: NOW });
      const stored = await store.getTrace(WS, 'tr_full');
      expect(stored?.trace).toEqual({ ...JSON.parse(record.headerJson), events: record.eventsJson.map((e) => JSON.parse(e)) });
      expect(stored?.summary).toMatchObject({ id: 'tr_full', event_count: 2, verdict: 'passed', reported_passed: true });
      expect(await store.getTraceEvents(WS, 'tr_full', 1, 5)).toEqual([JSON.parse(record.eventsJson[1]!)]);
    });

    it("reads a whole trace's events page by page, in order, as their stored JSON", async () => {
      const eventsJson = Array.from({ length: 7 }, (_, i) =>
        JSON.stringify({ type: 'tool_call', timestamp: NOW, data: { tool: `t${i}` } }),
      );
      const record = makeRecord({
        id: 'tr_paged',
        eventsJson,
        eventTypes: eventsJson.map(() => 'tool_call'),
        eventTimestamps: eventsJson.map(() => NOW),
      });
      await store.ingest({ workspaceId: WS, records: [record, makeRecord({ id: 'tr_neighbour' })], now: NOW });
      await store.ingest({ workspaceId: OTHER, records: [makeRecord({ id: 'tr_paged' })], now: NOW });
      const pages: string[][] = [];
      for await (const page of store.eventJsonPages(WS, 'tr_paged', 3)) pages.push(page);
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      expect(pages.flat()).toEqual(eventsJson);
      const whole: string[][] = [];
      for await (const page of store.eventJsonPages(WS, 'tr_paged')) whole.push(page);
      expect(whole).toEqual([eventsJson]);
      // An exact multiple of the page size ends without an empty page.
      const exact: string[][] = [];
      for await (const page of store.eventJsonPages(WS, 'tr_paged', 7)) exact.push(page);
      expect(exact).toEqual([eventsJson]);
      const missing: string[][] = [];
      for await (const page of store.eventJsonPages(WS, 'tr_absent', 3)) missing.push(page);
      for await (const page of store.eventJsonPages('ws_nobody', 'tr_paged', 3)) missing.push(page);
      expect(missing).toEqual([]);
    });

    it("counts a scenario's history by verdict and tool path in the store, positions oldest first", async () => {
      const at = (minute: number) => ({
        startedAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
        startedMs: Date.UTC(2026, 0, 1, 0, minute),
      });
      const records = [
        // Inserted out of time order: positions follow start time (then id), not insertion.
        makeRecord({ id: 'tr_h3', scenarioId: 'sc_h', ...at(3), toolPath: ['search', 'answer'], verdict: 'failed' }),
        makeRecord({ id: 'tr_h0', scenarioId: 'sc_h', ...at(0), toolPath: ['search'], verdict: 'passed' }),
        makeRecord({ id: 'tr_h1b', scenarioId: 'sc_h', ...at(1), toolPath: ['search'], verdict: null }),
        makeRecord({ id: 'tr_h1a', scenarioId: 'sc_h', ...at(1), toolPath: [], verdict: 'passed' }),
        makeRecord({ id: 'tr_h4', scenarioId: 'sc_h', ...at(4), toolPath: ['search'], verdict: 'failed' }),
        makeRecord({ id: 'tr_elsewhere', scenarioId: 'sc_other', ...at(2), toolPath: ['search'], verdict: 'passed' }),
      ];
      await store.ingest({ workspaceId: WS, records, now: NOW });
      await store.ingest({
        workspaceId: OTHER,
        records: [makeRecord({ id: 'tr_h9', scenarioId: 'sc_h', toolPath: ['search'] })],
        now: NOW,
      });
      const summary = await store.scenarioSummary(WS, 'sc_h');
      expect({ ...summary, tool_paths: [...summary.tool_paths].sort((x, y) => x.first_seen - y.first_seen) }).toEqual({
        results: 5,
        passed: 2,
        failed: 2,
        // Judged, oldest first: passed, passed, failed, failed (tr_h1b has no verdict): one flip in three steps.
        flip_steps: 3,
        flips: 1,
        tool_paths: [
          { tool_path: ['search'], count: 3, passed: 1, failed: 1, first_seen: 0, last_seen: 4 },
          { tool_path: [], count: 1, passed: 1, failed: 0, first_seen: 1, last_seen: 1 },
          { tool_path: ['search', 'answer'], count: 1, passed: 0, failed: 1, first_seen: 3, last_seen: 3 },
        ],
      });
      expect(await store.scenarioSummary(WS, 'sc_none')).toEqual({
        results: 0,
        passed: 0,
        failed: 0,
        flip_steps: 0,
        flips: 0,
        tool_paths: [],
      });
      expect((await store.scenarioSummary(OTHER, 'sc_h')).results).toBe(1);
    });

    it('scopes every lookup to the workspace', async () => {
      await store.ingest({ workspaceId: WS, newRun: newRun('run_w'), records: [makeRecord({ id: 'tr_w', runId: 'run_w' })], now: NOW });
      expect(await store.getTrace(OTHER, 'tr_w')).toBeNull();
      expect(await store.getRun(OTHER, 'run_w')).toBeNull();
      expect(await store.getTraceEvents(OTHER, 'tr_w', 0, 10)).toBeNull();
      expect((await store.listTraces(OTHER, { limit: 10 })).items).toEqual([]);
      expect((await store.listRuns(OTHER, { limit: 10, offset: 0 })).items).toEqual([]);
      expect(await store.deleteTrace(OTHER, 'tr_w')).toBe(false);
      expect((await store.deleteRun(OTHER, 'run_w')).deleted).toBe(false);
      expect(await store.getTrace(WS, 'tr_w')).not.toBeNull();
    });

    it('pages traces newest first with a cursor and filters them', async () => {
      const records = Array.from({ length: 7 }, (_, i) =>
        makeRecord({
          id: `tr_p${i}`,
          agentName: i % 2 === 0 ? 'even' : 'odd',
          scenarioId: `sc_${i % 3}`,
          startedAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
          startedMs: Date.UTC(2026, 0, 1, 0, i),
          verdict: i < 3 ? 'failed' : 'passed',
          patterns: i === 1 ? ['hallucination'] : [],
        }),
      );
      await store.ingest({ workspaceId: WS, records, now: NOW });
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listTraces(WS, { limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((t) => t.id));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(['tr_p6', 'tr_p5', 'tr_p4', 'tr_p3', 'tr_p2', 'tr_p1', 'tr_p0']);
      expect((await store.listTraces(WS, { limit: 10, agent: 'odd' })).items.map((t) => t.id)).toEqual(['tr_p5', 'tr_p3', 'tr_p1']);
      expect((await store.listTraces(WS, { limit: 10, scenario: 'sc_0' })).items.map((t) => t.id)).toEqual(['tr_p6', 'tr_p3', 'tr_p0']);
      expect((await store.listTraces(WS, { limit: 10, verdict: 'failed' })).items).toHaveLength(3);
      expect((await store.listTraces(WS, { limit: 10, pattern: 'hallucination' })).items.map((t) => t.id)).toEqual(['tr_p1']);
      const window = await store.listTraces(WS, { limit: 10, since: '2026-01-01T00:02:00Z', until: '2026-01-01T00:04:00Z' });
      expect(window.items.map((t) => t.id)).toEqual(['tr_p3', 'tr_p2']);
    });

    it('pages a pattern filter in list order with a cursor, alone and with other filters, after re-analysis and deletion', async () => {
      const T = Date.UTC(2026, 0, 2);
      // Three traces share each start time, so pages break ties by id as the unfiltered list does.
      const records = Array.from({ length: 12 }, (_, i) =>
        makeRecord({
          id: `tr_q${i.toString().padStart(2, '0')}`,
          runId: 'run_q',
          agentName: i % 4 < 2 ? 'even' : 'odd',
          startedAt: new Date(T + Math.floor(i / 3) * 60_000).toISOString(),
          startedMs: T + Math.floor(i / 3) * 60_000,
          patterns: [...(i % 2 === 0 ? ['loop'] : []), ...(i % 3 === 0 ? ['hallucination'] : [])],
        }),
      );
      await store.ingest({ workspaceId: WS, newRun: newRun('run_q'), records, now: NOW });
      await store.ingest({ workspaceId: OTHER, records: [makeRecord({ id: 'tr_q_other', patterns: ['loop'] })], now: NOW });
      const pages = async (filter: Omit<TraceFilter, 'limit' | 'cursor'>, limit: number) => {
        const ids: string[][] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listTraces(WS, { ...filter, limit, ...(cursor ? { cursor } : {}) });
          ids.push(page.items.map((t) => t.id));
          cursor = page.next_cursor ?? undefined;
        } while (cursor);
        return ids.flat();
      };
      // What the filter must give: the unfiltered list, in its order, keeping the traces with the pattern.
      const expected = async (pattern: string, filter: Omit<TraceFilter, 'limit' | 'cursor' | 'pattern'> = {}) => {
        const all = await store.listTraces(WS, { ...filter, limit: 100 });
        return all.items.filter((t) => t.patterns.includes(pattern)).map((t) => t.id);
      };
      expect(await pages({ pattern: 'loop' }, 2)).toEqual(['tr_q10', 'tr_q08', 'tr_q06', 'tr_q04', 'tr_q02', 'tr_q00']);
      for (const pattern of ['loop', 'hallucination']) {
        for (const filter of [
          {},
          { agent: 'odd' },
          { run: 'run_q' },
          { since: new Date(T + 60_000).toISOString(), until: new Date(T + 180_000).toISOString() },
        ]) {
          for (const limit of [1, 2, 5]) expect(await pages({ ...filter, pattern }, limit)).toEqual(await expected(pattern, filter));
        }
      }
      expect(await pages({ pattern: 'absent' }, 2)).toEqual([]);
      await store.updateEvaluation(WS, 'tr_q07', { verdict: 'failed', patterns: ['loop'], evaluationJson: '{}' });
      await store.updateEvaluation(WS, 'tr_q04', { verdict: 'passed', patterns: [], evaluationJson: '{}' });
      await store.deleteTrace(WS, 'tr_q06');
      expect(await pages({ pattern: 'loop' }, 2)).toEqual(['tr_q10', 'tr_q08', 'tr_q07', 'tr_q02', 'tr_q00']);
      expect(await pages({ pattern: 'loop' }, 2)).toEqual(await expected('loop'));
    });

    it('pages a pattern with an agent, a verdict or both in list order, and follows a verdict that re-analysis changes', async () => {
      const T = Date.UTC(2026, 0, 3);
      const verdicts = ['failed', 'passed', null] as const;
      // Four traces share each start time, so pages break ties by id as the unfiltered list does. The
      // agent 'rare' has one loop trace; 'none' has traces, but none with the loop.
      const records = Array.from({ length: 16 }, (_, i) =>
        makeRecord({
          id: `tr_c${i.toString().padStart(2, '0')}`,
          agentName: i === 13 ? 'rare' : i === 15 ? 'none' : i % 4 < 2 ? 'even' : 'odd',
          startedAt: new Date(T + Math.floor(i / 4) * 60_000).toISOString(),
          startedMs: T + Math.floor(i / 4) * 60_000,
          verdict: verdicts[i % 3]!,
          reportedPassed: null,
          patterns: [...(i % 5 !== 0 && i !== 15 ? ['loop'] : []), ...(i % 3 !== 1 ? ['hallucination'] : [])],
        }),
      );
      await store.ingest({ workspaceId: WS, records, now: NOW });
      await store.ingest({
        workspaceId: WS,
        records: [makeRecord({ id: 'tr_c_none', agentName: 'none', patterns: ['hallucination'] })],
        now: NOW,
      });
      // Another workspace with the same agent, verdict and pattern must not leak in.
      await store.ingest({
        workspaceId: OTHER,
        records: [makeRecord({ id: 'tr_c_other', agentName: 'odd', verdict: 'failed', startedMs: T, patterns: ['loop'] })],
        now: NOW,
      });
      const pages = async (filter: Omit<TraceFilter, 'limit' | 'cursor'>, limit: number) => {
        const ids: string[][] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listTraces(WS, { ...filter, limit, ...(cursor ? { cursor } : {}) });
          expect(page.items.length).toBeLessThanOrEqual(limit);
          ids.push(page.items.map((t) => t.id));
          cursor = page.next_cursor ?? undefined;
        } while (cursor);
        return ids.flat();
      };
      // What the filter must give: the unfiltered list, in its order, keeping the traces that match.
      const expected = async (filter: {
        pattern: string;
        agent?: string;
        verdict?: 'passed' | 'failed';
        since?: string;
        until?: string;
      }) => {
        const all = await store.listTraces(WS, {
          limit: 100,
          ...(filter.since !== undefined ? { since: filter.since } : {}),
          ...(filter.until !== undefined ? { until: filter.until } : {}),
        });
        return all.items
          .filter((t) => t.patterns.includes(filter.pattern))
          .filter((t) => filter.agent === undefined || t.agent_name === filter.agent)
          .filter((t) => filter.verdict === undefined || t.verdict === filter.verdict)
          .map((t) => t.id);
      };
      const filters = [
        { agent: 'odd' },
        { agent: 'even' },
        { agent: 'rare' },
        { agent: 'none' },
        { verdict: 'passed' as const },
        { verdict: 'failed' as const },
        { agent: 'odd', verdict: 'failed' as const },
        { agent: 'even', verdict: 'passed' as const },
        { agent: 'rare', verdict: 'failed' as const },
        { agent: 'odd', verdict: 'failed' as const, since: new Date(T + 60_000).toISOString(), until: new Date(T + 180_000).toISOString() },
      ];
      const check = async () => {
        for (const pattern of ['loop', 'hallucination']) {
          for (const filter of filters) {
            const want = await expected({ pattern, ...filter });
            for (const limit of [1, 2, 5]) expect(await pages({ ...filter, pattern }, limit)).toEqual(want);
          }
        }
      };
      await check();
      expect(await pages({ pattern: 'loop', agent: 'odd', verdict: 'failed' }, 1)).toEqual(['tr_c06', 'tr_c03']);
      expect(await pages({ pattern: 'loop', agent: 'none' }, 2)).toEqual([]);
      expect(await pages({ pattern: 'loop', agent: 'rare' }, 2)).toEqual(['tr_c13']);
      expect(await pages({ pattern: 'hallucination', agent: 'none' }, 2)).toEqual(['tr_c_none', 'tr_c15']);
      expect(await pages({ pattern: 'loop', verdict: 'passed' }, 2)).toEqual(['tr_c13', 'tr_c07', 'tr_c04', 'tr_c01']);

      // Re-analysis: tr_c07 passed -> failed, tr_c13 passed -> no verdict, tr_c03 gains hallucination.
      await store.updateEvaluation(WS, 'tr_c07', { verdict: 'failed', patterns: ['loop'], evaluationJson: '{}' });
      await store.updateEvaluation(WS, 'tr_c13', { verdict: null, patterns: ['loop'], evaluationJson: '{}' });
      await store.updateEvaluation(WS, 'tr_c03', { verdict: 'passed', patterns: ['loop', 'hallucination'], evaluationJson: '{}' });
      expect(await pages({ pattern: 'loop', verdict: 'passed' }, 2)).toEqual(['tr_c04', 'tr_c03', 'tr_c01']);
      expect(await pages({ pattern: 'loop', agent: 'odd', verdict: 'failed' }, 1)).toEqual(['tr_c07', 'tr_c06']);
      expect(await pages({ pattern: 'loop', agent: 'rare', verdict: 'passed' }, 1)).toEqual([]);
      expect(await pages({ pattern: 'hallucination', agent: 'odd', verdict: 'passed' }, 1)).toEqual(['tr_c03']);
      await check();
    });

    it("reads a run's results in run order with what a run comparison needs", async () => {
      await store.ingest({
        workspaceId: WS,
        newRun: newRun('run_c'),
        records: [
          makeRecord({ id: 'tr_c1', runId: 'run_c', scenarioId: 'sc_b', toolPath: ['search', 'book'], patterns: ['loop'] }),
          makeRecord({ id: 'tr_c2', runId: 'run_c', scenarioId: 'sc_a', verdict: 'failed', toolPath: ['search', 'book'] }),
          makeRecord({ id: 'tr_c3', runId: 'run_c', scenarioId: 'sc_a', verdict: null, toolPath: [] }),
        ],
        now: NOW,
      });
      await store.ingest({ workspaceId: WS, records: [makeRecord({ id: 'tr_c4', runId: 'run_c', scenarioId: 'sc_c' })], now: NOW });
      expect(await store.runResultSummaries(WS, 'run_c')).toEqual([
        { trace_id: 'tr_c1', scenario_id: 'sc_b', verdict: 'passed', tool_path: ['search', 'book'], patterns: ['loop'] },
        { trace_id: 'tr_c2', scenario_id: 'sc_a', verdict: 'failed', tool_path: ['search', 'book'], patterns: [] },
        { trace_id: 'tr_c3', scenario_id: 'sc_a', verdict: null, tool_path: [], patterns: [] },
        { trace_id: 'tr_c4', scenario_id: 'sc_c', verdict: 'passed', tool_path: [], patterns: [] },
      ]);
      expect(await store.runResultSummaries(OTHER, 'run_c')).toEqual([]);
      expect(await store.runResultSummaries(WS, 'run_none')).toEqual([]);
    });

    it('lists runs newest first, filtered by agent and status', async () => {
      await store.ingest({
        workspaceId: WS,
        newRun: newRun('run_ok', 'alpha'),
        records: [makeRecord({ runId: 'run_ok' })],
        now: '2026-01-01T00:00:00Z',
      });
      await store.ingest({
        workspaceId: WS,
        newRun: newRun('run_bad', 'beta'),
        records: [makeRecord({ runId: 'run_bad', verdict: 'failed' })],
        now: '2026-01-02T00:00:00Z',
      });
      await store.ingest({ workspaceId: WS, newRun: newRun('run_empty', 'alpha'), records: [], now: '2026-01-03T00:00:00Z' });
      expect((await store.listRuns(WS, { limit: 10, offset: 0 })).items.map((r) => r.id)).toEqual(['run_empty', 'run_bad', 'run_ok']);
      expect((await store.listRuns(WS, { limit: 10, offset: 0, agent: 'alpha' })).items.map((r) => r.id)).toEqual(['run_empty', 'run_ok']);
      expect((await store.listRuns(WS, { limit: 10, offset: 0, status: 'failed' })).items.map((r) => r.id)).toEqual(['run_bad']);
      expect((await store.listRuns(WS, { limit: 10, offset: 0, status: 'passed' })).items.map((r) => r.id)).toEqual(['run_ok']);
      expect((await store.listRuns(WS, { limit: 1, offset: 1 })).items.map((r) => r.id)).toEqual(['run_bad']);
    });

    it('deletes a trace and recounts its run', async () => {
      await store.ingest({
        workspaceId: WS,
        newRun: newRun('run_del'),
        records: [makeRecord({ id: 'tr_keep', runId: 'run_del' }), makeRecord({ id: 'tr_gone', runId: 'run_del', verdict: 'failed' })],
        now: NOW,
      });
      expect(await store.deleteTrace(WS, 'tr_gone')).toBe(true);
      expect(await store.getTrace(WS, 'tr_gone')).toBeNull();
      expect(await store.getTraceEvents(WS, 'tr_gone', 0, 10)).toBeNull();
      expect(await store.getRun(WS, 'run_del')).toMatchObject({ total: 1, failed: 0, passed: 1 });
      // Its start and end come from its traces, not from when it was synced.
      const kept = await store.getTrace(WS, 'tr_keep', false);
      const run = await store.getRun(WS, 'run_del');
      expect(run?.started_at).toBe(kept?.summary.timestamp);
      expect(Date.parse(run!.ended_at!) - Date.parse(run!.started_at!)).toBe(kept?.summary.duration_ms);
      expect(await store.deleteTrace(WS, 'tr_gone')).toBe(false);
    });

    it('answers a ping without reading the traces', async () => {
      await store.ingest({ workspaceId: WS, records: [makeRecord()], now: NOW });
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('deletes a run with all its traces', async () => {
      await store.ingest({
        workspaceId: WS,
        newRun: newRun('run_x'),
        records: [makeRecord({ runId: 'run_x' }), makeRecord({ runId: 'run_x' })],
        now: NOW,
      });
      expect(await store.deleteRun(WS, 'run_x')).toEqual({ deleted: true, traces: 2 });
      expect(await store.getRun(WS, 'run_x')).toBeNull();
      expect(await store.countTraces(WS)).toBe(0);
    });
    const toolTrace = (id: string, result: string, overrides: Parameters<typeof makeRecord>[0] = {}) => {
      const at = '2026-03-13T14:30:00.000Z';
      const events = [
        { type: 'user_input', timestamp: at, data: { message: 'How long am I covered?' } },
        { type: 'tool_call', timestamp: at, data: { tool: 'search_kb', parameters: { query: 'X200' }, result: { text: result } } },
        { type: 'agent_response', timestamp: at, data: { message: 'See the article.' } },
      ];
      return makeRecord({
        id,
        toolPath: ['search_kb'],
        eventsJson: events.map((e) => JSON.stringify(e)),
        eventTypes: events.map((e) => e.type),
        eventTimestamps: events.map((e) => e.timestamp),
        ...overrides,
      });
    };

    it('finds traces by a word of a tool result and points at the matching event', async () => {
      await store.ingest({
        workspaceId: WS,
        records: [toolTrace('tr_fts_a', 'Covered by a 3-year warranty, écran included'), toolTrace('tr_fts_b', 'No articles found')],
        now: NOW,
      });
      await store.ingest({ workspaceId: OTHER, records: [toolTrace('tr_fts_other', 'a 3-year warranty too')], now: NOW });
      const found = await store.listTraces(WS, { limit: 10, text: 'warranty' });
      expect(found.items.map((t) => t.id)).toEqual(['tr_fts_a']);
      expect(found.items[0]!.match?.event_index).toBe(1);
      expect(found.items[0]!.match?.snippet).toContain('3-year warranty');
      expect((await store.listTraces(WS, { limit: 10, text: '"3-year warranty"' })).items.map((t) => t.id)).toEqual(['tr_fts_a']);
      expect((await store.listTraces(WS, { limit: 10, text: 'warr' })).items.map((t) => t.id)).toEqual(['tr_fts_a']);
      expect((await store.listTraces(WS, { limit: 10, text: 'ecran' })).items.map((t) => t.id)).toEqual(['tr_fts_a']);
      expect((await store.listTraces(WS, { limit: 10, text: 'warranty NEAR( "x" OR *' })).items).toEqual([]);
      expect((await store.listTraces(WS, { limit: 10, text: 'search_kb articles' })).items.map((t) => t.id)).toEqual(['tr_fts_b']);
      // Deleting a trace removes it from the index.
      await store.deleteTrace(WS, 'tr_fts_a');
      expect((await store.listTraces(WS, { limit: 10, text: 'warranty' })).items).toEqual([]);
    });

    it('filters traces by tool, model and whether they belong to a run', async () => {
      await store.ingest({
        workspaceId: WS,
        newRun: newRun('run_f'),
        records: [makeRecord({ id: 'tr_in_run', runId: 'run_f', toolPath: ['lookup'], model: 'gpt-4o' })],
        now: NOW,
      });
      await store.ingest({
        workspaceId: WS,
        records: [makeRecord({ id: 'tr_alone', toolPath: ['search', 'lookup'], model: 'claude' })],
        now: NOW,
      });
      const ids = async (filter: Partial<Parameters<TraceStore['listTraces']>[1]>) =>
        (await store.listTraces(WS, { limit: 10, ...filter })).items.map((t) => t.id).sort();
      expect(await ids({ noRun: true })).toEqual(['tr_alone']);
      expect(await ids({ tool: 'lookup' })).toEqual(['tr_alone', 'tr_in_run']);
      expect(await ids({ tool: 'search' })).toEqual(['tr_alone']);
      expect(await ids({ model: 'gpt-4o' })).toEqual(['tr_in_run']);
    });

    it('keeps feedback on findings and comments on events, counts disputes per run and pattern', async () => {
      await store.ingest({
        workspaceId: WS,
        newRun: newRun('run_fb'),
        records: [
          makeRecord({ id: 'tr_fb1', runId: 'run_fb', verdict: 'failed', patterns: ['hallucination'] }),
          makeRecord({ id: 'tr_fb2', runId: 'run_fb', verdict: 'failed', patterns: ['hallucination', 'loop'] }),
        ],
        now: NOW,
      });
      const mark = (traceId: string, verdict: 'right' | 'wrong', pattern = 'hallucination') =>
        store.putFindingFeedback(WS, {
          traceId,
          findingKey: `${pattern}@1`,
          pattern,
          verdict,
          reason: verdict === 'wrong' ? 'the policy states it' : null,
          analyzerVersion: '1',
          actor: 'user:alice',
          now: NOW,
        });
      expect(await mark('tr_fb1', 'wrong')).toMatchObject({
        verdict: 'wrong',
        reason: 'the policy states it',
        finding_key: 'hallucination@1',
      });
      await mark('tr_fb2', 'right');
      await mark('tr_fb2', 'wrong', 'loop');
      expect(await mark('tr_missing', 'wrong')).toBeNull();
      expect(
        await store.putFindingFeedback(OTHER, {
          traceId: 'tr_fb1',
          findingKey: 'x@1',
          pattern: 'x',
          verdict: 'wrong',
          reason: null,
          analyzerVersion: null,
          actor: 'a',
          now: NOW,
        }),
      ).toBeNull();
      expect((await store.getRun(WS, 'run_fb'))?.disputed_by_pattern).toEqual({ hallucination: 1, loop: 1 });
      expect((await store.listRuns(WS, { limit: 10, offset: 0 })).items[0]?.disputed_by_pattern).toEqual({ hallucination: 1, loop: 1 });
      // A later mark replaces the earlier one.
      await mark('tr_fb1', 'right');
      expect((await store.getRun(WS, 'run_fb'))?.disputed_by_pattern).toEqual({ loop: 1 });
      const disputed = await store.listFindingFeedback(WS, { verdict: 'wrong', limit: 10, offset: 0 });
      expect(disputed.items).toMatchObject([{ trace_id: 'tr_fb2', pattern: 'loop', scenario_id: 'sc_1', run_id: 'run_fb' }]);
      expect(disputed.total).toBe(1);

      const comment = await store.addEventComment(WS, {
        id: 'cm_1',
        traceId: 'tr_fb1',
        eventIndex: 1,
        body: 'why this answer?',
        actor: 'user:bob',
        now: NOW,
      });
      expect(comment).toMatchObject({ id: 'cm_1', event_index: 1 });
      expect(
        await store.addEventComment(OTHER, { id: 'cm_2', traceId: 'tr_fb1', eventIndex: 0, body: 'x', actor: 'a', now: NOW }),
      ).toBeNull();
      const feedback = await store.getTraceFeedback(WS, 'tr_fb1');
      expect(feedback.findings.map((f) => f.verdict)).toEqual(['right']);
      expect(feedback.comments.map((c) => c.body)).toEqual(['why this answer?']);
      expect(await store.deleteEventComment(WS, 'tr_fb1', 'cm_1')).toMatchObject({ body: 'why this answer?' });
      expect(await store.deleteEventComment(WS, 'tr_fb1', 'cm_1')).toBeNull();
      expect(await store.deleteFindingFeedback(WS, 'tr_fb1', 'hallucination@1')).toBe(true);

      // Deleting a trace deletes its feedback.
      await store.addEventComment(WS, { id: 'cm_3', traceId: 'tr_fb2', eventIndex: 0, body: 'x', actor: 'a', now: NOW });
      await store.deleteTrace(WS, 'tr_fb2');
      expect(await store.getTraceFeedback(WS, 'tr_fb2')).toEqual({ findings: [], comments: [] });
      expect((await store.listFindingFeedback(WS, { limit: 10, offset: 0 })).total).toBe(0);
    });

    it('deletes a run with the feedback, comments and search index of its traces', async () => {
      await store.ingest({
        workspaceId: WS,
        newRun: newRun('run_gone'),
        records: [toolTrace('tr_gone', 'a 3-year warranty', { runId: 'run_gone', patterns: ['loop'] })],
        now: NOW,
      });
      await store.ingest({ workspaceId: WS, records: [toolTrace('tr_kept', 'a 3-year warranty')], now: NOW });
      await store.putFindingFeedback(WS, {
        traceId: 'tr_gone',
        findingKey: 'loop@1',
        pattern: 'loop',
        verdict: 'wrong',
        reason: null,
        analyzerVersion: null,
        actor: 'user:alice',
        now: NOW,
      });
      await store.addEventComment(WS, { id: 'cm_gone', traceId: 'tr_gone', eventIndex: 0, body: 'x', actor: 'a', now: NOW });
      expect((await store.listTraces(WS, { limit: 10, text: 'warranty' })).items.map((t) => t.id).sort()).toEqual(['tr_gone', 'tr_kept']);
      expect(await store.deleteRun(WS, 'run_gone')).toEqual({ deleted: true, traces: 1 });
      expect((await store.listTraces(WS, { limit: 10, text: 'warranty' })).items.map((t) => t.id)).toEqual(['tr_kept']);
      expect(await store.getTraceFeedback(WS, 'tr_gone')).toEqual({ findings: [], comments: [] });
      expect((await store.listFindingFeedback(WS, { limit: 10, offset: 0 })).total).toBe(0);
    });

    it('reports when a run started and ended from its traces', async () => {
      await store.ingest({
        workspaceId: WS,
        newRun: newRun('run_span'),
        records: [
          makeRecord({ id: 'tr_s1', runId: 'run_span', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1000 }),
          makeRecord({ id: 'tr_s2', runId: 'run_span', startedAt: '2026-01-01T00:01:00.000Z', durationMs: 2500 }),
        ],
        now: NOW,
      });
      await store.ingest({ workspaceId: WS, newRun: newRun('run_none'), records: [], now: NOW });
      expect(await store.getRun(WS, 'run_span')).toMatchObject({
        started_at: '2026-01-01T00:00:00.000Z',
        ended_at: '2026-01-01T00:01:02.500Z',
      });
      expect(await store.getRun(WS, 'run_none')).toMatchObject({ started_at: null, ended_at: null });
      // Later syncs widen the span on either side; deleting the traces at its ends narrows it again.
      const span = async (id: string) => {
        const listed = (await store.listRuns(WS, { limit: 10, offset: 0 })).items.find((r) => r.id === id);
        const run = await store.getRun(WS, id);
        expect(listed).toMatchObject({ started_at: run?.started_at, ended_at: run?.ended_at });
        return [run?.started_at, run?.ended_at];
      };
      await store.ingest({
        workspaceId: WS,
        records: [
          makeRecord({ id: 'tr_s0', runId: 'run_span', startedAt: '2025-12-31T23:59:00.000Z', durationMs: null }),
          makeRecord({ id: 'tr_s3', runId: 'run_span', startedAt: '2026-01-01T00:05:00.000Z', durationMs: 500 }),
        ],
        now: NOW,
      });
      expect(await span('run_span')).toEqual(['2025-12-31T23:59:00.000Z', '2026-01-01T00:05:00.500Z']);
      await store.deleteTrace(WS, 'tr_s0');
      await store.deleteTrace(WS, 'tr_s3');
      expect(await span('run_span')).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-01T00:01:02.500Z']);
      await store.deleteTrace(WS, 'tr_s1');
      await store.deleteTrace(WS, 'tr_s2');
      expect(await span('run_span')).toEqual([null, null]);
    });
  });
}

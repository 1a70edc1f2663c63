import type pg from 'pg';
import { eventSearchText, matchSnippet, parseSearchTerms, type RunResultSummary } from '@stepwise/core';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { pgSearchVector, tsQuery } from '../search-query.js';
import {
  parseOrNull,
  runNotFound,
  RUN_RESULT_COLUMNS,
  PATTERN_OF_TRACE_SQL,
  SUMMARY_COLUMNS,
  spanOf,
  TRACE_SUMMARY_COLUMNS_OF_T,
  toRunResults,
  type RunResultRow,
  toExpectations,
  toRunSummary,
  toTraceSummary,
  type ExpectationRow,
  SCENARIO_FLIPS_SQL,
  toScenarioSummary,
  type ScenarioFlipsRow,
  type RunRow,
  type ScenarioPathRow,
  type TraceRow,
} from '../rows.js';
import {
  EVENT_PAGE_SIZE,
  type EventComment,
  type EvaluationUpdate,
  type FeedbackFilter,
  type FindingFeedback,
  type FindingFeedbackItem,
  type NewEventComment,
  type NewFindingFeedback,
  type TraceFeedback,
  type IngestBatch,
  type IngestOutcome,
  type Page,
  type RunFilter,
  type RunResultsFilter,
  type RunSummary,
  type ScenarioExpectations,
  type ScenarioSummary,
  type StoredTrace,
  type TraceFilter,
  type TraceRecord,
  type TraceStore,
  type TraceSummary,
} from '../trace-store.js';
import type { PgDatabase, Queryable } from './pg-database.js';

type FullTraceRow = TraceRow & {
  notes: string | null;
  header_json: string;
  expected_json: string | null;
  evaluation_json: string | null;
  redaction_json: string | null;
};

/** Collects positional parameters for a statement built from optional filters. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * TraceStore over PostgreSQL, for several stateless servers sharing one database. Appends to a run
 * lock the run's row, so concurrent syncs into one run from different servers keep a gapless order.
 */
export class PgTraceStore implements TraceStore {
  constructor(readonly db: PgDatabase) {}

  async ensureWorkspace(workspaceId: string, name: string): Promise<void> {
    await this.db.run('INSERT INTO workspaces (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [
      workspaceId,
      name,
      new Date().toISOString(),
    ]);
  }

  async ingest(batch: IngestBatch): Promise<IngestOutcome> {
    return this.db.tx((client) => this.ingestIn(client, batch));
  }

  private async ingestIn(client: pg.PoolClient, batch: IngestBatch): Promise<IngestOutcome> {
    const { workspaceId, now, newRun } = batch;
    if (newRun) {
      await client.query(
        `INSERT INTO runs (workspace_id, id, agent_name, name, source, branch, commit_sha, ci_url, created_at, updated_at, is_demo)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)`,
        [
          workspaceId,
          newRun.id,
          newRun.agentName,
          newRun.name,
          newRun.source,
          newRun.branch ?? null,
          newRun.commit ?? null,
          newRun.ciUrl ?? null,
          now,
          newRun.isDemo ? 1 : 0,
        ],
      );
    }
    const runs = new Map<string, { row: RunRow; seq: number; stored: TraceRecord[] }>();
    const results: IngestOutcome['results'] = [];
    for (const record of batch.records) {
      let run = record.runId === null ? undefined : runs.get(record.runId);
      if (record.runId !== null && !run) {
        const row = (
          await client.query<RunRow>('SELECT * FROM runs WHERE workspace_id = $1 AND id = $2 FOR UPDATE', [workspaceId, record.runId])
        ).rows[0];
        if (!row) throw runNotFound();
        const { seq } = (
          await client.query<{ seq: number }>(
            'SELECT COALESCE(MAX(seq), -1) + 1 AS seq FROM traces WHERE workspace_id = $1 AND run_id = $2',
            [workspaceId, record.runId],
          )
        ).rows[0]!;
        run = { row, seq, stored: [] };
        runs.set(record.runId, run);
      }
      const inserted = await client.query(
        `INSERT INTO traces (workspace_id, id, dedupe_key, run_id, seq, scenario_id, agent_name, started_at, started_ms,
           duration_ms, event_count, tool_path_json, reported_passed, verdict, patterns_json, model, tokens_total, cost_usd,
           user_message, response, notes, warnings_json, header_json, expected_json, evaluation_json, redaction_json, is_demo, created_at,
           cost_estimated, timings_known, cost_prices_set_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24,
           $25, $26, $27, $28, $29, $30, $31)
         ON CONFLICT DO NOTHING`,
        [
          workspaceId,
          record.id,
          record.dedupeKey,
          record.runId,
          run ? run.seq : 0,
          record.scenarioId,
          record.agentName,
          record.startedAt,
          record.startedMs,
          record.durationMs,
          record.eventsJson.length,
          JSON.stringify(record.toolPath),
          record.reportedPassed === null ? null : record.reportedPassed ? 1 : 0,
          record.verdict,
          JSON.stringify(record.patterns),
          record.model,
          record.tokensTotal,
          record.costUsd,
          record.userMessage,
          record.response,
          record.notes,
          JSON.stringify(record.warnings),
          record.headerJson,
          record.expectedJson,
          record.evaluationJson,
          record.redactionJson,
          record.isDemo ? 1 : 0,
          now,
          record.costEstimated ? 1 : 0,
          record.timingsKnown === false ? 0 : 1,
          record.costPricesSetAt ?? null,
        ],
      );
      if (inserted.rowCount === 0) {
        const existing =
          (record.dedupeKey !== null
            ? (
                await client.query<{ id: string; run_id: string | null }>(
                  'SELECT id, run_id FROM traces WHERE workspace_id = $1 AND dedupe_key = $2',
                  [workspaceId, record.dedupeKey],
                )
              ).rows[0]
            : undefined) ??
          (
            await client.query<{ id: string; run_id: string | null }>('SELECT id, run_id FROM traces WHERE workspace_id = $1 AND id = $2', [
              workspaceId,
              record.id,
            ])
          ).rows[0];
        results.push({ status: 'duplicate', traceId: existing?.id ?? record.id, runId: existing?.run_id ?? null });
        continue;
      }
      if (record.eventsJson.length > 0) {
        const vectors = record.eventsJson.map((json, i) =>
          pgSearchVector(record.eventsText?.[i] ?? eventSearchText(JSON.parse(json) as unknown)),
        );
        await client.query(
          `INSERT INTO events (workspace_id, trace_id, idx, type, ts, body_json, search)
           SELECT $1, $2, e.idx, e.type, e.ts, e.body, e.search
             FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::tsvector[]) AS e(idx, type, ts, body, search)`,
          [
            workspaceId,
            record.id,
            record.eventsJson.map((_, i) => i),
            record.eventTypes,
            record.eventTimestamps,
            record.eventsJson,
            vectors,
          ],
        );
      }
      await insertPatterns(client, workspaceId, record.id, record.startedMs, record.agentName, record.verdict, record.patterns);
      results.push({ status: 'stored', traceId: record.id, runId: record.runId });
      if (run) {
        run.seq++;
        run.stored.push(record);
      }
    }
    for (const run of runs.values()) {
      if (run.stored.length > 0) await bumpRun(client, workspaceId, run.row, run.stored, now);
    }
    if (newRun && batch.records.length > 0 && !results.some((r) => r.status === 'stored')) {
      await client.query('DELETE FROM runs WHERE workspace_id = $1 AND id = $2', [workspaceId, newRun.id]);
      return { runId: results.find((r) => r.runId !== null)?.runId ?? null, results };
    }
    return { runId: newRun?.id ?? null, results };
  }

  async getRun(workspaceId: string, runId: string): Promise<RunSummary | null> {
    const row = await this.db.one<RunRow>('SELECT * FROM runs WHERE workspace_id = $1 AND id = $2', [workspaceId, runId]);
    return row ? ((await this.withTraceFacts(workspaceId, [toRunSummary(row)]))[0] ?? null) : null;
  }

  async listRuns(workspaceId: string, filter: RunFilter): Promise<Page<RunSummary>> {
    const p = new Params();
    const where = [`workspace_id = ${p.add(workspaceId)}`];
    if (filter.agent !== undefined) where.push(`agent_name = ${p.add(filter.agent)}`);
    if (filter.name !== undefined) where.push(`name = ${p.add(filter.name)}`);
    if (filter.branch !== undefined) where.push(`branch = ${p.add(filter.branch)}`);
    if (filter.source !== undefined) where.push(`source = ${p.add(filter.source)}`);
    if (filter.since !== undefined) where.push(`created_at >= ${p.add(new Date(filter.since).toISOString())}`);
    if (filter.until !== undefined) where.push(`created_at < ${p.add(new Date(filter.until).toISOString())}`);
    if (filter.status === 'passed') where.push('total > 0 AND failed = 0 AND passed = total');
    else if (filter.status === 'failed') where.push('failed > 0');
    else if (filter.status === 'empty') where.push('total = 0');
    const clause = where.join(' AND ');
    const count = await this.db.one<{ n: number }>(`SELECT COUNT(*) AS n FROM runs WHERE ${clause}`, [...p.values]);
    const rows = await this.db.query<RunRow>(
      `SELECT * FROM runs WHERE ${clause} ORDER BY created_at DESC, id DESC LIMIT ${p.add(filter.limit)} OFFSET ${p.add(filter.offset)}`,
      p.values,
    );
    return { items: await this.withTraceFacts(workspaceId, rows.map(toRunSummary)), total: count?.n ?? 0 };
  }

  /** Fills what a run's own row does not hold: its count of disputed findings per pattern (marked wrong, and still found). */
  private async withTraceFacts(workspaceId: string, runs: RunSummary[]): Promise<RunSummary[]> {
    if (runs.length === 0) return runs;
    const ids = runs.map((r) => r.id);
    const rows = await this.db.query<{ run_id: string; pattern: string; n: number }>(
      `SELECT t.run_id AS run_id, f.pattern AS pattern, COUNT(*) AS n
         FROM traces t JOIN finding_feedback f ON f.workspace_id = t.workspace_id AND f.trace_id = t.id
        WHERE t.workspace_id = $1 AND t.run_id = ANY($2::text[]) AND f.verdict = 'wrong'
          AND EXISTS (SELECT 1 FROM trace_patterns p WHERE p.workspace_id = t.workspace_id AND p.trace_id = t.id AND p.pattern = f.pattern)
        GROUP BY t.run_id, f.pattern`,
      [workspaceId, ids],
    );
    for (const row of rows) {
      const run = runs.find((r) => r.id === row.run_id);
      if (run) run.disputed_by_pattern[row.pattern] = row.n;
    }
    return runs;
  }

  async listRunResults(workspaceId: string, runId: string, filter: RunResultsFilter): Promise<Page<TraceSummary>> {
    const p = new Params();
    const where = [`workspace_id = ${p.add(workspaceId)}`, `run_id = ${p.add(runId)}`];
    if (filter.status !== undefined) where.push(`verdict = ${p.add(filter.status)}`);
    const clause = where.join(' AND ');
    const count = await this.db.one<{ n: number }>(`SELECT COUNT(*) AS n FROM traces WHERE ${clause}`, [...p.values]);
    const rows = await this.db.query<TraceRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM traces WHERE ${clause} ORDER BY seq LIMIT ${p.add(filter.limit)} OFFSET ${p.add(filter.offset)}`,
      p.values,
    );
    return { items: rows.map(toTraceSummary), total: count?.n ?? 0 };
  }

  async runResultSummaries(workspaceId: string, runId: string): Promise<RunResultSummary[]> {
    return toRunResults(
      await this.db.query<RunResultRow>(`SELECT ${RUN_RESULT_COLUMNS} FROM traces WHERE workspace_id = $1 AND run_id = $2 ORDER BY seq`, [
        workspaceId,
        runId,
      ]),
    );
  }

  async getTrace(workspaceId: string, traceId: string, withEvents = true): Promise<StoredTrace | null> {
    const row = await this.db.one<FullTraceRow>(
      `SELECT ${SUMMARY_COLUMNS}, notes, header_json, expected_json, evaluation_json, redaction_json FROM traces WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, traceId],
    );
    if (!row) return null;
    const header = JSON.parse(row.header_json) as Record<string, unknown>;
    const events = withEvents
      ? (
          await this.db.query<{ body_json: string }>(
            'SELECT body_json FROM events WHERE workspace_id = $1 AND trace_id = $2 ORDER BY idx',
            [workspaceId, traceId],
          )
        ).map((e) => JSON.parse(e.body_json) as unknown)
      : [];
    return {
      summary: toTraceSummary(row),
      trace: { ...header, events },
      notes: row.notes,
      expected: parseOrNull(row.expected_json),
      evaluation: parseOrNull(row.evaluation_json),
      redaction: parseOrNull(row.redaction_json),
    };
  }

  async getTraceEvents(workspaceId: string, traceId: string, offset: number, limit: number): Promise<unknown[] | null> {
    if (!(await this.db.one('SELECT 1 FROM traces WHERE workspace_id = $1 AND id = $2', [workspaceId, traceId]))) return null;
    const rows = await this.db.query<{ body_json: string }>(
      'SELECT body_json FROM events WHERE workspace_id = $1 AND trace_id = $2 AND idx >= $3 ORDER BY idx LIMIT $4',
      [workspaceId, traceId, offset, limit],
    );
    return rows.map((e) => JSON.parse(e.body_json) as unknown);
  }

  async *eventJsonPages(workspaceId: string, traceId: string, pageSize = EVENT_PAGE_SIZE): AsyncIterable<string[]> {
    // Keyset pages on the primary key: each page is one short query, so no cursor or pooled
    // connection is held while the reader is slow.
    let after = -1;
    for (;;) {
      const rows = await this.db.query<{ idx: number; body_json: string }>(
        'SELECT idx, body_json FROM events WHERE workspace_id = $1 AND trace_id = $2 AND idx > $3 ORDER BY idx LIMIT $4',
        [workspaceId, traceId, after, pageSize],
      );
      if (rows.length === 0) return;
      yield rows.map((r) => r.body_json);
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.idx;
    }
  }

  async scenarioSummary(workspaceId: string, scenarioId: string): Promise<ScenarioSummary> {
    const rows = await this.db.query<ScenarioPathRow>(
      `SELECT tool_path_json, COUNT(*) AS n,
         SUM(CASE WHEN verdict = 'passed' THEN 1 ELSE 0 END) AS passed,
         SUM(CASE WHEN verdict = 'failed' THEN 1 ELSE 0 END) AS failed,
         MIN(pos) AS first_seen, MAX(pos) AS last_seen
       FROM (
         SELECT tool_path_json, verdict, ROW_NUMBER() OVER (ORDER BY started_ms, id) - 1 AS pos
         FROM traces WHERE workspace_id = $1 AND scenario_id = $2
       ) AS history
       GROUP BY tool_path_json`,
      [workspaceId, scenarioId],
    );
    const flips = await this.db.one<ScenarioFlipsRow & Record<string, unknown>>(SCENARIO_FLIPS_SQL('$1', '$2'), [workspaceId, scenarioId]);
    return toScenarioSummary(rows, flips);
  }

  async listTraces(workspaceId: string, filter: TraceFilter): Promise<Page<TraceSummary>> {
    // With a pattern, its rows lead: indexed (pattern, started_ms, trace_id), they give the page in list
    // order from where the cursor points, so no match beyond the page is read or sorted. They carry the
    // trace's agent and verdict, indexed after the pattern, so an agent or verdict filter too is one range
    // of them rather than every row of the pattern checked against its trace. A run or a scenario holds
    // few traces: then its own index leads, and the pattern is one lookup per trace.
    const patternLeads = filter.pattern !== undefined && filter.run === undefined && filter.scenario === undefined;
    const key = patternLeads ? { ms: 'p.started_ms', id: 'p.trace_id' } : { ms: 't.started_ms', id: 't.id' };
    const p = new Params();
    const ws = p.add(workspaceId);
    const where = [`t.workspace_id = ${ws}`];
    if (filter.agent !== undefined) where.push(`${patternLeads ? 'p' : 't'}.agent_name = ${p.add(filter.agent)}`);
    if (filter.scenario !== undefined) where.push(`t.scenario_id = ${p.add(filter.scenario)}`);
    if (filter.run !== undefined) where.push(`t.run_id = ${p.add(filter.run)}`);
    if (filter.noRun) where.push('t.run_id IS NULL');
    if (filter.tool !== undefined) {
      where.push(`EXISTS (SELECT 1 FROM jsonb_array_elements_text(t.tool_path_json::jsonb) AS tool WHERE tool = ${p.add(filter.tool)})`);
    }
    if (filter.model !== undefined) where.push(`t.model = ${p.add(filter.model)}`);
    const query = filter.text === undefined ? null : tsQuery(filter.text);
    if (query !== null) {
      where.push(`t.id IN (SELECT trace_id FROM events WHERE workspace_id = ${ws} AND search @@ ${p.add(query)}::tsquery)`);
    }
    if (filter.verdict !== undefined) where.push(`${patternLeads ? 'p' : 't'}.verdict = ${p.add(filter.verdict)}`);
    if (filter.pattern !== undefined) {
      const pattern = p.add(filter.pattern);
      where.push(patternLeads ? `p.workspace_id = ${ws} AND p.pattern = ${pattern}` : `EXISTS (${PATTERN_OF_TRACE_SQL(pattern)})`);
    }
    if (filter.since !== undefined) where.push(`${key.ms} >= ${p.add(Date.parse(filter.since))}`);
    if (filter.until !== undefined) where.push(`${key.ms} < ${p.add(Date.parse(filter.until))}`);
    if (filter.cursor !== undefined) {
      const cursor = decodeCursor(filter.cursor);
      where.push(`(${key.ms}, ${key.id}) < (${p.add(cursor.startedMs)}, ${p.add(cursor.id)})`);
    }
    const from = patternLeads ? `trace_patterns p JOIN traces t ON t.workspace_id = p.workspace_id AND t.id = p.trace_id` : 'traces t';
    const rows = await this.db.query<TraceRow>(
      `SELECT ${TRACE_SUMMARY_COLUMNS_OF_T} FROM ${from} WHERE ${where.join(' AND ')}
        ORDER BY ${key.ms} DESC, ${key.id} DESC LIMIT ${p.add(filter.limit + 1)}`,
      p.values,
    );
    const more = rows.length > filter.limit;
    const page = more ? rows.slice(0, filter.limit) : rows;
    const last = page[page.length - 1];
    const items = page.map(toTraceSummary);
    if (query !== null) await this.attachMatches(workspaceId, items, query, parseSearchTerms(filter.text ?? ''));
    return {
      items,
      next_cursor: more && last ? encodeCursor({ startedMs: last.started_ms, id: last.id }) : null,
    };
  }

  /** Points each found trace at its first matching event, with the words around the match. */
  private async attachMatches(workspaceId: string, items: TraceSummary[], query: string, terms: string[]): Promise<void> {
    if (items.length === 0) return;
    const rows = await this.db.query<{ trace_id: string; idx: number; body_json: string }>(
      `SELECT DISTINCT ON (trace_id) trace_id, idx, body_json FROM events
        WHERE workspace_id = $1 AND trace_id = ANY($2::text[]) AND search @@ $3::tsquery
        ORDER BY trace_id, idx`,
      [workspaceId, items.map((t) => t.id), query],
    );
    for (const row of rows) {
      const item = items.find((t) => t.id === row.trace_id);
      if (item) item.match = { event_index: row.idx, snippet: matchSnippet(eventSearchText(JSON.parse(row.body_json)), terms) };
    }
  }

  async deleteTrace(workspaceId: string, traceId: string): Promise<boolean> {
    return this.db.tx(async (client) => {
      const row = (
        await client.query<{ run_id: string | null }>('DELETE FROM traces WHERE workspace_id = $1 AND id = $2 RETURNING run_id', [
          workspaceId,
          traceId,
        ])
      ).rows[0];
      if (!row) return false;
      await deleteTraceChildren(client, workspaceId, [traceId]);
      if (row.run_id !== null) await recountRun(client, workspaceId, row.run_id);
      return true;
    });
  }

  async deleteRun(workspaceId: string, runId: string): Promise<{ deleted: boolean; traces: number }> {
    return this.db.tx(async (client) => {
      const run = await client.query('DELETE FROM runs WHERE workspace_id = $1 AND id = $2', [workspaceId, runId]);
      if (run.rowCount === 0) return { deleted: false, traces: 0 };
      const ids = (
        await client.query<{ id: string }>('DELETE FROM traces WHERE workspace_id = $1 AND run_id = $2 RETURNING id', [workspaceId, runId])
      ).rows.map((r) => r.id);
      await deleteTraceChildren(client, workspaceId, ids);
      return { deleted: true, traces: ids.length };
    });
  }

  async countTraces(workspaceId: string): Promise<number> {
    return (await this.db.one<{ n: number }>('SELECT COUNT(*) AS n FROM traces WHERE workspace_id = $1', [workspaceId]))?.n ?? 0;
  }

  async updateEvaluation(workspaceId: string, traceId: string, update: EvaluationUpdate): Promise<boolean> {
    return this.db.tx(async (client) => {
      const row = (
        await client.query<{ run_id: string | null; started_ms: number; agent_name: string }>(
          `UPDATE traces SET verdict = $1, patterns_json = $2, evaluation_json = $3,
             cost_prices_set_at = CASE WHEN $4::double precision IS NOT NULL AND (cost_usd IS NULL OR cost_estimated = 1) THEN $7::text ELSE cost_prices_set_at END,
             cost_estimated = CASE WHEN $4::double precision IS NOT NULL AND (cost_usd IS NULL OR cost_estimated = 1) THEN 1 ELSE cost_estimated END,
             cost_usd = CASE WHEN $4::double precision IS NOT NULL AND (cost_usd IS NULL OR cost_estimated = 1) THEN $4 ELSE cost_usd END
           WHERE workspace_id = $5 AND id = $6 RETURNING run_id, started_ms, agent_name`,
          [
            update.verdict,
            JSON.stringify(update.patterns),
            update.evaluationJson,
            update.costUsd ?? null,
            workspaceId,
            traceId,
            update.costPricesSetAt ?? null,
          ],
        )
      ).rows[0];
      if (!row) return false;
      await client.query('DELETE FROM trace_patterns WHERE workspace_id = $1 AND trace_id = $2', [workspaceId, traceId]);
      // The pattern rows carry the verdict too: rewritten with it, a pattern+verdict filter sees the new one.
      await insertPatterns(client, workspaceId, traceId, row.started_ms, row.agent_name, update.verdict, update.patterns);
      if (row.run_id !== null) await recountRun(client, workspaceId, row.run_id);
      return true;
    });
  }

  async putScenarioExpectations(
    workspaceId: string,
    scenarioId: string,
    expectationsJson: string,
    actor: string | null,
    now: string,
  ): Promise<ScenarioExpectations> {
    return this.db.tx(async (client) => {
      // Serializes concurrent saves of one scenario across servers, so versions never collide.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`expectations:${workspaceId}:${scenarioId}`]);
      const { v } = (
        await client.query<{ v: number }>(
          'SELECT COALESCE(MAX(version), 0) + 1 AS v FROM scenario_expectations WHERE workspace_id = $1 AND scenario_id = $2',
          [workspaceId, scenarioId],
        )
      ).rows[0]!;
      await client.query(
        'INSERT INTO scenario_expectations (workspace_id, scenario_id, version, expectations_json, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [workspaceId, scenarioId, v, expectationsJson, actor, now],
      );
      return {
        scenario_id: scenarioId,
        version: v,
        expectations: JSON.parse(expectationsJson) as unknown,
        created_by: actor,
        created_at: now,
      };
    });
  }

  async getScenarioExpectations(workspaceId: string, scenarioId: string): Promise<ScenarioExpectations | null> {
    const row = await this.db.one<ExpectationRow>(
      'SELECT * FROM scenario_expectations WHERE workspace_id = $1 AND scenario_id = $2 ORDER BY version DESC LIMIT 1',
      [workspaceId, scenarioId],
    );
    return row ? toExpectations(row) : null;
  }

  async listScenarioExpectationVersions(workspaceId: string, scenarioId: string): Promise<ScenarioExpectations[]> {
    return (
      await this.db.query<ExpectationRow>(
        'SELECT * FROM scenario_expectations WHERE workspace_id = $1 AND scenario_id = $2 ORDER BY version DESC',
        [workspaceId, scenarioId],
      )
    ).map(toExpectations);
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  async listRunTraceIds(workspaceId: string, runId: string): Promise<string[]> {
    return (
      await this.db.query<{ id: string }>('SELECT id FROM traces WHERE workspace_id = $1 AND run_id = $2 ORDER BY seq', [
        workspaceId,
        runId,
      ])
    ).map((r) => r.id);
  }

  async putFindingFeedback(workspaceId: string, f: NewFindingFeedback): Promise<FindingFeedback | null> {
    const stored = await this.db.run(
      `INSERT INTO finding_feedback (workspace_id, trace_id, finding_key, pattern, verdict, reason, analyzer_version, actor, created_at)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 WHERE EXISTS (SELECT 1 FROM traces WHERE workspace_id = $1 AND id = $2)
       ON CONFLICT (workspace_id, trace_id, finding_key) DO UPDATE SET pattern = excluded.pattern, verdict = excluded.verdict,
         reason = excluded.reason, analyzer_version = excluded.analyzer_version, actor = excluded.actor, created_at = excluded.created_at`,
      [workspaceId, f.traceId, f.findingKey, f.pattern, f.verdict, f.reason, f.analyzerVersion, f.actor, f.now],
    );
    if (stored === 0) return null;
    return {
      trace_id: f.traceId,
      finding_key: f.findingKey,
      pattern: f.pattern,
      verdict: f.verdict,
      reason: f.reason,
      analyzer_version: f.analyzerVersion,
      actor: f.actor,
      created_at: f.now,
    };
  }

  async deleteFindingFeedback(workspaceId: string, traceId: string, findingKey: string): Promise<boolean> {
    return (
      (await this.db.run('DELETE FROM finding_feedback WHERE workspace_id = $1 AND trace_id = $2 AND finding_key = $3', [
        workspaceId,
        traceId,
        findingKey,
      ])) > 0
    );
  }

  async addEventComment(workspaceId: string, c: NewEventComment): Promise<EventComment | null> {
    const stored = await this.db.run(
      `INSERT INTO event_comments (workspace_id, id, trace_id, event_index, body, actor, created_at)
       SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM traces WHERE workspace_id = $1 AND id = $3)`,
      [workspaceId, c.id, c.traceId, c.eventIndex, c.body, c.actor, c.now],
    );
    if (stored === 0) return null;
    return { id: c.id, trace_id: c.traceId, event_index: c.eventIndex, body: c.body, actor: c.actor, created_at: c.now };
  }

  async deleteEventComment(workspaceId: string, traceId: string, commentId: string): Promise<EventComment | null> {
    return (
      (await this.db.one<EventComment>(
        `DELETE FROM event_comments WHERE workspace_id = $1 AND trace_id = $2 AND id = $3
         RETURNING id, trace_id, event_index, body, actor, created_at`,
        [workspaceId, traceId, commentId],
      )) ?? null
    );
  }

  async getTraceFeedback(workspaceId: string, traceId: string): Promise<TraceFeedback> {
    const findings = await this.db.query<FindingFeedback>(
      `SELECT trace_id, finding_key, pattern, verdict, reason, analyzer_version, actor, created_at FROM finding_feedback
        WHERE workspace_id = $1 AND trace_id = $2 ORDER BY created_at, finding_key`,
      [workspaceId, traceId],
    );
    const comments = await this.db.query<EventComment>(
      `SELECT id, trace_id, event_index, body, actor, created_at FROM event_comments
        WHERE workspace_id = $1 AND trace_id = $2 ORDER BY event_index, created_at, id`,
      [workspaceId, traceId],
    );
    return { findings, comments };
  }

  async listFindingFeedback(workspaceId: string, filter: FeedbackFilter): Promise<Page<FindingFeedbackItem>> {
    const p = new Params();
    const where = [`f.workspace_id = ${p.add(workspaceId)}`];
    if (filter.verdict !== undefined) where.push(`f.verdict = ${p.add(filter.verdict)}`);
    if (filter.pattern !== undefined) where.push(`f.pattern = ${p.add(filter.pattern)}`);
    if (filter.run !== undefined) where.push(`t.run_id = ${p.add(filter.run)}`);
    if (filter.agent !== undefined) where.push(`t.agent_name = ${p.add(filter.agent)}`);
    const from = `FROM finding_feedback f JOIN traces t ON t.workspace_id = f.workspace_id AND t.id = f.trace_id WHERE ${where.join(' AND ')}`;
    const count = await this.db.one<{ n: number }>(`SELECT COUNT(*) AS n ${from}`, [...p.values]);
    const items = await this.db.query<FindingFeedbackItem>(
      `SELECT f.trace_id, f.finding_key, f.pattern, f.verdict, f.reason, f.analyzer_version, f.actor, f.created_at,
              t.scenario_id, t.agent_name, t.run_id ${from}
        ORDER BY f.created_at DESC, f.trace_id, f.finding_key LIMIT ${p.add(filter.limit)} OFFSET ${p.add(filter.offset)}`,
      p.values,
    );
    return { items, total: count?.n ?? 0 };
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

async function insertPatterns(
  client: Queryable,
  workspaceId: string,
  traceId: string,
  startedMs: number,
  agentName: string,
  verdict: string | null,
  patterns: string[],
): Promise<void> {
  const unique = [...new Set(patterns)];
  if (unique.length === 0) return;
  await client.query(
    `INSERT INTO trace_patterns (workspace_id, pattern, trace_id, started_ms, agent_name, verdict)
     SELECT $1, p, $2, $3, $5, $6 FROM unnest($4::text[]) AS p ON CONFLICT DO NOTHING`,
    [workspaceId, traceId, startedMs, unique, agentName, verdict],
  );
}

/**
 * Deletes what hangs off traces whose rows are already deleted: events (with their search index),
 * pattern rows, feedback on findings and comments on events.
 */
export async function deleteTraceChildren(client: Queryable, workspaceId: string, traceIds: string[]): Promise<void> {
  if (traceIds.length === 0) return;
  for (const table of ['events', 'trace_patterns', 'finding_feedback', 'event_comments']) {
    await client.query(`DELETE FROM ${table} WHERE workspace_id = $1 AND trace_id = ANY($2::text[])`, [workspaceId, traceIds]);
  }
}

async function bumpRun(client: Queryable, workspaceId: string, run: RunRow, stored: TraceRecord[], now: string): Promise<void> {
  const findings = JSON.parse(run.findings_json) as Record<string, number>;
  let passed = 0;
  let failed = 0;
  for (const record of stored) {
    if (record.verdict === 'passed') passed++;
    else if (record.verdict === 'failed') failed++;
    for (const pattern of new Set(record.patterns)) findings[pattern] = (findings[pattern] ?? 0) + 1;
  }
  const span = spanOf(stored);
  await client.query(
    `UPDATE runs SET total = total + $1, passed = passed + $2, failed = failed + $3, findings_json = $4, updated_at = $5,
       started_ms = LEAST(started_ms, $8::bigint), ended_ms = GREATEST(ended_ms, $9::double precision)
     WHERE workspace_id = $6 AND id = $7`,
    [stored.length, passed, failed, JSON.stringify(findings), now, workspaceId, run.id, span.first, span.last],
  );
}

/** Recomputes a run's counters from its traces (after deletions or re-analysis). */
export async function recountRun(client: Queryable, workspaceId: string, runId: string): Promise<void> {
  const counts = (
    await client.query<{ total: number; passed: number; failed: number; first_ms: number | null; last_ms: number | null }>(
      `SELECT COUNT(*) AS total, COUNT(*) FILTER (WHERE verdict = 'passed') AS passed, COUNT(*) FILTER (WHERE verdict = 'failed') AS failed,
         MIN(started_ms) AS first_ms, MAX(started_ms + COALESCE(duration_ms, 0)) AS last_ms
       FROM traces WHERE workspace_id = $1 AND run_id = $2`,
      [workspaceId, runId],
    )
  ).rows[0]!;
  const findings: Record<string, number> = {};
  const rows = (
    await client.query<{ pattern: string; n: number }>(
      `SELECT p.pattern, COUNT(*) AS n FROM trace_patterns p JOIN traces t ON t.workspace_id = p.workspace_id AND t.id = p.trace_id
       WHERE t.workspace_id = $1 AND t.run_id = $2 GROUP BY p.pattern ORDER BY p.pattern`,
      [workspaceId, runId],
    )
  ).rows;
  for (const row of rows) findings[row.pattern] = row.n;
  await client.query(
    'UPDATE runs SET total = $1, passed = $2, failed = $3, findings_json = $4, started_ms = $5, ended_ms = $6 WHERE workspace_id = $7 AND id = $8',
    [counts.total, counts.passed, counts.failed, JSON.stringify(findings), counts.first_ms, counts.last_ms, workspaceId, runId],
  );
}

import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { eventSearchText, matchSnippet, parseSearchTerms, type RunResultSummary } from '@stepwise/core';
import { ftsMatchQuery } from '../search-query.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import {
  DEFAULT_WORKSPACE_ID,
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
  type ScenarioExpectations,
  type ScenarioSummary,
  type IngestOutcome,
  type Page,
  type RunFilter,
  type RunResultsFilter,
  type RunSummary,
  type StoredTrace,
  type TraceFilter,
  type TraceRecord,
  type TraceStore,
  type TraceSummary,
} from '../trace-store.js';
import { EVENT_TEXT_SQL, SQLITE_MIGRATIONS } from './migrations.js';
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

/** After this many stored traces, `PRAGMA optimize` refreshes planner statistics that grew stale. */
const OPTIMIZE_EVERY = 20_000;

export interface SqliteStoreOptions {
  /** Path of the database file, or `:memory:`. */
  path: string;
}

/**
 * The embedded store: one SQLite file in WAL mode with `synchronous=FULL` (an acknowledged sync
 * survives power loss) and `secure_delete=ON` (deleted PII does not linger in free pages).
 */
export class SqliteTraceStore implements TraceStore {
  readonly db: Database.Database;
  private readonly stmts;
  private readonly statements = new Map<string, Database.Statement>();
  private storedSinceOptimize = 0;
  /** Set while a deletion waits for a reader to release the pages it freed (see scrubWal). */
  private scrubPending: Promise<void> | null = null;

  /** Prepares each SQL text once (dynamic filters produce a handful of distinct texts). */
  private sql<P extends unknown[] | object = unknown[], R = unknown>(text: string): Database.Statement<P, R> {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement as unknown as Database.Statement<P, R>;
  }

  constructor(options: SqliteStoreOptions) {
    if (options.path !== ':memory:') {
      mkdirSync(dirname(options.path), { recursive: true });
      restrictFileModes(options.path);
    }
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('secure_delete = ON');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    migrate(this.db);
    // Planner statistics: without them a filter on a scenario or run walks the time index instead of its own.
    // A bounded sample keeps ANALYZE quick at any size; 0x10002 also analyzes tables never analyzed before.
    this.db.pragma('analysis_limit = 1000');
    this.db.pragma('optimize = 0x10002');
    this.sql('INSERT OR IGNORE INTO workspaces (id, name, created_at) VALUES (?, ?, ?)').run(
      DEFAULT_WORKSPACE_ID,
      'Default workspace',
      new Date().toISOString(),
    );
    this.stmts = {
      runById: this.sql<[string, string], RunRow>('SELECT * FROM runs WHERE workspace_id = ? AND id = ?'),
      insertRun: this.sql(
        `INSERT INTO runs (workspace_id, id, agent_name, name, source, branch, commit_sha, ci_url, created_at, updated_at, is_demo)
         VALUES (@workspace_id, @id, @agent_name, @name, @source, @branch, @commit_sha, @ci_url, @now, @now, @is_demo)`,
      ),
      bumpRun: this.sql(
        `UPDATE runs SET total = total + @total, passed = passed + @passed, failed = failed + @failed,
           findings_json = @findings_json, updated_at = @now,
           started_ms = MIN(COALESCE(started_ms, @first_ms), @first_ms), ended_ms = MAX(COALESCE(ended_ms, @last_ms), @last_ms)
         WHERE workspace_id = @workspace_id AND id = @id`,
      ),
      nextSeq: this.sql<[string, string], { seq: number }>(
        'SELECT COALESCE(MAX(seq), -1) + 1 AS seq FROM traces WHERE workspace_id = ? AND run_id = ?',
      ),
      insertTrace: this.sql(
        `INSERT OR IGNORE INTO traces (workspace_id, id, dedupe_key, run_id, seq, scenario_id, agent_name, started_at,
           started_ms, duration_ms, event_count, tool_path_json, reported_passed, verdict, patterns_json, model,
           tokens_total, cost_usd, user_message, response, notes, warnings_json, header_json, expected_json,
           evaluation_json, redaction_json, is_demo, created_at, cost_estimated, cost_prices_set_at, timings_known)
         VALUES (@workspace_id, @id, @dedupe_key, @run_id, @seq, @scenario_id, @agent_name, @started_at,
           @started_ms, @duration_ms, @event_count, @tool_path_json, @reported_passed, @verdict, @patterns_json, @model,
           @tokens_total, @cost_usd, @user_message, @response, @notes, @warnings_json, @header_json, @expected_json,
           @evaluation_json, @redaction_json, @is_demo, @created_at, @cost_estimated, @cost_prices_set_at, @timings_known)`,
      ),
      insertPattern: this.sql(
        'INSERT OR IGNORE INTO trace_patterns (workspace_id, pattern, started_ms, trace_id, agent_name, verdict) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      deletePatterns: this.sql('DELETE FROM trace_patterns WHERE workspace_id = ? AND trace_id = ?'),
      insertEvent: this.sql('INSERT INTO events (workspace_id, trace_id, idx, type, ts, body_json) VALUES (?, ?, ?, ?, ?, ?)'),
      insertEventText: this.sql('INSERT INTO event_text (rowid, text) VALUES (?, ?)'),
      existingById: this.sql<[string, string], { id: string; run_id: string | null; started_ms: number; agent_name: string }>(
        'SELECT id, run_id, started_ms, agent_name FROM traces WHERE workspace_id = ? AND id = ?',
      ),
      existingByKey: this.sql<[string, string], { id: string; run_id: string | null }>(
        'SELECT id, run_id FROM traces WHERE workspace_id = ? AND dedupe_key = ?',
      ),
      traceRow: this.sql<
        [string, string],
        TraceRow & {
          notes: string | null;
          header_json: string;
          expected_json: string | null;
          evaluation_json: string | null;
          redaction_json: string | null;
        }
      >(
        `SELECT ${SUMMARY_COLUMNS}, notes, header_json, expected_json, evaluation_json, redaction_json
         FROM traces WHERE workspace_id = ? AND id = ?`,
      ),
      eventsOf: this.sql<[string, string], { body_json: string }>(
        'SELECT body_json FROM events WHERE workspace_id = ? AND trace_id = ? ORDER BY idx',
      ),
      eventsPage: this.sql<[string, string, number, number], { body_json: string }>(
        'SELECT body_json FROM events WHERE workspace_id = ? AND trace_id = ? AND idx >= ? ORDER BY idx LIMIT ?',
      ),
      eventsAfter: this.sql<[string, string, number, number], { idx: number; body_json: string }>(
        'SELECT idx, body_json FROM events WHERE workspace_id = ? AND trace_id = ? AND idx > ? ORDER BY idx LIMIT ?',
      ),
      deleteEvents: this.sql('DELETE FROM events WHERE workspace_id = ? AND trace_id = ?'),
      deleteTraceRow: this.sql('DELETE FROM traces WHERE workspace_id = ? AND id = ?'),
      tracesOfRun: this.sql<[string, string], { id: string }>('SELECT id FROM traces WHERE workspace_id = ? AND run_id = ?'),
      deleteRunRow: this.sql('DELETE FROM runs WHERE workspace_id = ? AND id = ?'),
      countTraces: this.sql<[string], { n: number }>('SELECT COUNT(*) AS n FROM traces WHERE workspace_id = ?'),
    };
  }

  async ensureWorkspace(workspaceId: string, name: string): Promise<void> {
    this.sql('INSERT OR IGNORE INTO workspaces (id, name, created_at) VALUES (?, ?, ?)').run(workspaceId, name, new Date().toISOString());
  }

  async ingest(batch: IngestBatch): Promise<IngestOutcome> {
    const outcome = this.db.transaction(() => this.ingestSync(batch)).immediate();
    this.storedSinceOptimize += batch.records.length;
    if (this.storedSinceOptimize >= OPTIMIZE_EVERY) {
      this.storedSinceOptimize = 0;
      this.db.pragma('optimize = 0x10002');
    }
    return outcome;
  }

  async ping(): Promise<void> {
    this.sql('SELECT 1').get();
  }

  private ingestSync(batch: IngestBatch): IngestOutcome {
    const { workspaceId, now, newRun } = batch;
    if (newRun) {
      this.stmts.insertRun.run({
        workspace_id: workspaceId,
        id: newRun.id,
        agent_name: newRun.agentName,
        name: newRun.name,
        source: newRun.source,
        branch: newRun.branch ?? null,
        commit_sha: newRun.commit ?? null,
        ci_url: newRun.ciUrl ?? null,
        now,
        is_demo: newRun.isDemo ? 1 : 0,
      });
    }
    const runs = new Map<string, { row: RunRow; seq: number; stored: TraceRecord[] }>();
    const results: IngestOutcome['results'] = [];
    for (const record of batch.records) {
      let run = record.runId === null ? undefined : runs.get(record.runId);
      if (record.runId !== null && !run) {
        const row = this.stmts.runById.get(workspaceId, record.runId);
        if (!row) throw runNotFound();
        run = { row, seq: this.stmts.nextSeq.get(workspaceId, record.runId)!.seq, stored: [] };
        runs.set(record.runId, run);
      }
      const info = this.stmts.insertTrace.run({
        workspace_id: workspaceId,
        id: record.id,
        dedupe_key: record.dedupeKey,
        run_id: record.runId,
        seq: run ? run.seq : 0,
        scenario_id: record.scenarioId,
        agent_name: record.agentName,
        started_at: record.startedAt,
        started_ms: record.startedMs,
        duration_ms: record.durationMs,
        event_count: record.eventsJson.length,
        tool_path_json: JSON.stringify(record.toolPath),
        reported_passed: record.reportedPassed === null ? null : record.reportedPassed ? 1 : 0,
        verdict: record.verdict,
        patterns_json: JSON.stringify(record.patterns),
        model: record.model,
        tokens_total: record.tokensTotal,
        cost_usd: record.costUsd,
        user_message: record.userMessage,
        response: record.response,
        notes: record.notes,
        warnings_json: JSON.stringify(record.warnings),
        header_json: record.headerJson,
        expected_json: record.expectedJson,
        evaluation_json: record.evaluationJson,
        redaction_json: record.redactionJson,
        is_demo: record.isDemo ? 1 : 0,
        created_at: now,
        cost_estimated: record.costEstimated ? 1 : 0,
        cost_prices_set_at: record.costPricesSetAt ?? null,
        timings_known: record.timingsKnown === false ? 0 : 1,
      });
      if (info.changes === 0) {
        const existing =
          (record.dedupeKey !== null ? this.stmts.existingByKey.get(workspaceId, record.dedupeKey) : undefined) ??
          this.stmts.existingById.get(workspaceId, record.id);
        results.push({ status: 'duplicate', traceId: existing?.id ?? record.id, runId: existing?.run_id ?? null });
        continue;
      }
      for (let i = 0; i < record.eventsJson.length; i++) {
        const json = record.eventsJson[i]!;
        const event = this.stmts.insertEvent.run(workspaceId, record.id, i, record.eventTypes[i], record.eventTimestamps[i], json);
        const text = record.eventsText?.[i] ?? eventSearchText(JSON.parse(json));
        if (text !== '') this.stmts.insertEventText.run(event.lastInsertRowid, text);
      }
      for (const pattern of record.patterns) {
        this.stmts.insertPattern.run(workspaceId, pattern, record.startedMs, record.id, record.agentName, record.verdict);
      }
      results.push({ status: 'stored', traceId: record.id, runId: record.runId });
      if (run) {
        run.seq++;
        run.stored.push(record);
      }
    }
    for (const run of runs.values()) {
      if (run.stored.length > 0) this.bumpRun(workspaceId, run.row, run.stored, now);
    }
    if (newRun && batch.records.length > 0 && !results.some((r) => r.status === 'stored')) {
      this.stmts.deleteRunRow.run(workspaceId, newRun.id);
      return { runId: results.find((r) => r.runId !== null)?.runId ?? null, results };
    }
    return { runId: newRun?.id ?? null, results };
  }

  private bumpRun(workspaceId: string, run: RunRow, stored: TraceRecord[], now: string): void {
    const findings = JSON.parse(run.findings_json) as Record<string, number>;
    let passed = 0;
    let failed = 0;
    for (const record of stored) {
      if (record.verdict === 'passed') passed++;
      else if (record.verdict === 'failed') failed++;
      for (const pattern of new Set(record.patterns)) findings[pattern] = (findings[pattern] ?? 0) + 1;
    }
    const span = spanOf(stored);
    this.stmts.bumpRun.run({
      workspace_id: workspaceId,
      id: run.id,
      total: stored.length,
      passed,
      failed,
      findings_json: JSON.stringify(findings),
      now,
      first_ms: span.first,
      last_ms: span.last,
    });
  }

  async getRun(workspaceId: string, runId: string): Promise<RunSummary | null> {
    const row = this.stmts.runById.get(workspaceId, runId);
    return row ? (this.withTraceFacts(workspaceId, [toRunSummary(row)])[0] ?? null) : null;
  }

  async listRuns(workspaceId: string, filter: RunFilter): Promise<Page<RunSummary>> {
    const where = ['workspace_id = @ws'];
    const params: Record<string, unknown> = { ws: workspaceId, limit: filter.limit, offset: filter.offset };
    if (filter.agent !== undefined) {
      where.push('agent_name = @agent');
      params.agent = filter.agent;
    }
    for (const key of ['name', 'branch'] as const) {
      if (filter[key] === undefined) continue;
      where.push(`${key} = @${key}`);
      params[key] = filter[key];
    }
    if (filter.source !== undefined) {
      where.push('source = @source');
      params.source = filter.source;
    }
    if (filter.since !== undefined) {
      where.push('created_at >= @since');
      params.since = new Date(filter.since).toISOString();
    }
    if (filter.until !== undefined) {
      where.push('created_at < @until');
      params.until = new Date(filter.until).toISOString();
    }
    if (filter.status === 'passed') where.push('total > 0 AND failed = 0 AND passed = total');
    else if (filter.status === 'failed') where.push('failed > 0');
    else if (filter.status === 'empty') where.push('total = 0');
    const clause = where.join(' AND ');
    const rows = this.sql<Record<string, unknown>, RunRow>(
      `SELECT * FROM runs WHERE ${clause} ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset`,
    ).all(params);
    const { n } = this.sql<Record<string, unknown>, { n: number }>(`SELECT COUNT(*) AS n FROM runs WHERE ${clause}`).get(params)!;
    return { items: this.withTraceFacts(workspaceId, rows.map(toRunSummary)), total: n };
  }

  /** Fills what a run's own row does not hold: its count of disputed findings per pattern (marked wrong, and still found). */
  private withTraceFacts(workspaceId: string, runs: RunSummary[]): RunSummary[] {
    if (runs.length === 0) return runs;
    const ids = JSON.stringify(runs.map((r) => r.id));
    const rows = this.sql<[string, string], { run_id: string; pattern: string; n: number }>(
      `SELECT t.run_id AS run_id, f.pattern AS pattern, COUNT(*) AS n
         FROM traces t JOIN finding_feedback f ON f.workspace_id = t.workspace_id AND f.trace_id = t.id
        WHERE t.workspace_id = ? AND t.run_id IN (SELECT value FROM json_each(?)) AND f.verdict = 'wrong'
          AND EXISTS (SELECT 1 FROM json_each(t.patterns_json) WHERE value = f.pattern)
        GROUP BY t.run_id, f.pattern`,
    ).all(workspaceId, ids);
    for (const row of rows) {
      const run = runs.find((r) => r.id === row.run_id);
      if (run) run.disputed_by_pattern[row.pattern] = row.n;
    }
    return runs;
  }

  async listRunResults(workspaceId: string, runId: string, filter: RunResultsFilter): Promise<Page<TraceSummary>> {
    const where = ['workspace_id = @ws', 'run_id = @run'];
    if (filter.status !== undefined) where.push('verdict = @status');
    const params = { ws: workspaceId, run: runId, status: filter.status, limit: filter.limit, offset: filter.offset };
    const clause = where.join(' AND ');
    const rows = this.sql<Record<string, unknown>, TraceRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM traces WHERE ${clause} ORDER BY seq LIMIT @limit OFFSET @offset`,
    ).all(params);
    const { n } = this.sql<Record<string, unknown>, { n: number }>(`SELECT COUNT(*) AS n FROM traces WHERE ${clause}`).get(params)!;
    return { items: rows.map(toTraceSummary), total: n };
  }

  async runResultSummaries(workspaceId: string, runId: string): Promise<RunResultSummary[]> {
    return toRunResults(
      this.sql<[string, string], RunResultRow>(
        `SELECT ${RUN_RESULT_COLUMNS} FROM traces WHERE workspace_id = ? AND run_id = ? ORDER BY seq`,
      ).all(workspaceId, runId),
    );
  }

  async getTrace(workspaceId: string, traceId: string, withEvents = true): Promise<StoredTrace | null> {
    const row = this.stmts.traceRow.get(workspaceId, traceId);
    if (!row) return null;
    const header = JSON.parse(row.header_json) as Record<string, unknown>;
    const events = withEvents ? this.stmts.eventsOf.all(workspaceId, traceId).map((e) => JSON.parse(e.body_json) as unknown) : [];
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
    if (!this.stmts.existingById.get(workspaceId, traceId)) return null;
    return this.stmts.eventsPage.all(workspaceId, traceId, offset, limit).map((e) => JSON.parse(e.body_json) as unknown);
  }

  async *eventJsonPages(workspaceId: string, traceId: string, pageSize = EVENT_PAGE_SIZE): AsyncIterable<string[]> {
    // Keyset pages, not `stmt.iterate()`: an open iterator would keep the one connection busy while the
    // reader waits (other requests' statements would fail), and a page at a time bounds the memory.
    let after = -1;
    for (;;) {
      const rows = this.stmts.eventsAfter.all(workspaceId, traceId, after, pageSize);
      if (rows.length === 0) return;
      yield rows.map((r) => r.body_json);
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.idx;
    }
  }

  async scenarioSummary(workspaceId: string, scenarioId: string): Promise<ScenarioSummary> {
    const rows = this.sql<[string, string], ScenarioPathRow>(
      `SELECT tool_path_json, COUNT(*) AS n,
         SUM(CASE WHEN verdict = 'passed' THEN 1 ELSE 0 END) AS passed,
         SUM(CASE WHEN verdict = 'failed' THEN 1 ELSE 0 END) AS failed,
         MIN(pos) AS first_seen, MAX(pos) AS last_seen
       FROM (
         SELECT tool_path_json, verdict, ROW_NUMBER() OVER (ORDER BY started_ms, id) - 1 AS pos
         FROM traces WHERE workspace_id = ? AND scenario_id = ?
       ) AS history
       GROUP BY tool_path_json`,
    ).all(workspaceId, scenarioId);
    const flips = this.sql<[string, string], ScenarioFlipsRow>(SCENARIO_FLIPS_SQL('?', '?')).get(workspaceId, scenarioId);
    return toScenarioSummary(rows, flips);
  }

  async listTraces(workspaceId: string, filter: TraceFilter): Promise<Page<TraceSummary>> {
    // With a pattern, its rows lead: keyed (pattern, started_ms, trace_id), they give the page in list
    // order from where the cursor points, so no match beyond the page is read or sorted. They carry the
    // trace's agent and verdict, indexed after the pattern, so an agent or verdict filter too is one range
    // of them rather than every row of the pattern checked against its trace. A run or a scenario holds
    // few traces: then its own index leads, and the pattern is one lookup per trace.
    const patternLeads = filter.pattern !== undefined && filter.run === undefined && filter.scenario === undefined;
    const key = patternLeads ? { ms: 'p.started_ms', id: 'p.trace_id' } : { ms: 't.started_ms', id: 't.id' };
    const where = ['t.workspace_id = @ws'];
    const params: Record<string, unknown> = { ws: workspaceId, limit: filter.limit + 1 };
    if (filter.agent !== undefined) {
      where.push(patternLeads ? 'p.agent_name = @agent' : 't.agent_name = @agent');
      params.agent = filter.agent;
    }
    if (filter.scenario !== undefined) {
      where.push('t.scenario_id = @scenario');
      params.scenario = filter.scenario;
    }
    if (filter.run !== undefined) {
      where.push('t.run_id = @run');
      params.run = filter.run;
    }
    if (filter.noRun) where.push('t.run_id IS NULL');
    if (filter.tool !== undefined) {
      where.push('EXISTS (SELECT 1 FROM json_each(t.tool_path_json) WHERE value = @tool)');
      params.tool = filter.tool;
    }
    if (filter.model !== undefined) {
      where.push('t.model = @model');
      params.model = filter.model;
    }
    const match = filter.text === undefined ? null : ftsMatchQuery(filter.text);
    if (match !== null) {
      where.push(`t.id IN (SELECT e.trace_id FROM event_text JOIN events e ON e.rowid = event_text.rowid
        WHERE event_text MATCH @match AND e.workspace_id = @ws)`);
      params.match = match;
    }
    if (filter.verdict !== undefined) {
      where.push(patternLeads ? 'p.verdict = @verdict' : 't.verdict = @verdict');
      params.verdict = filter.verdict;
    }
    if (filter.pattern !== undefined) {
      where.push(patternLeads ? 'p.workspace_id = @ws AND p.pattern = @pattern' : `EXISTS (${PATTERN_OF_TRACE_SQL('@pattern')})`);
      params.pattern = filter.pattern;
    }
    if (filter.since !== undefined) {
      where.push(`${key.ms} >= @since`);
      params.since = Date.parse(filter.since);
    }
    if (filter.until !== undefined) {
      where.push(`${key.ms} < @until`);
      params.until = Date.parse(filter.until);
    }
    if (filter.cursor !== undefined) {
      const cursor = decodeCursor(filter.cursor);
      where.push(`(${key.ms} < @c_ms OR (${key.ms} = @c_ms AND ${key.id} < @c_id))`);
      params.c_ms = cursor.startedMs;
      params.c_id = cursor.id;
    }
    const from = patternLeads ? `trace_patterns p JOIN traces t ON t.workspace_id = p.workspace_id AND t.id = p.trace_id` : 'traces t';
    const rows = this.sql<Record<string, unknown>, TraceRow>(
      `SELECT ${TRACE_SUMMARY_COLUMNS_OF_T} FROM ${from} WHERE ${where.join(' AND ')}
         ORDER BY ${key.ms} DESC, ${key.id} DESC LIMIT @limit`,
    ).all(params);
    const more = rows.length > filter.limit;
    const page = more ? rows.slice(0, filter.limit) : rows;
    const last = page[page.length - 1];
    const items = page.map(toTraceSummary);
    if (match !== null) this.attachMatches(workspaceId, items, match, parseSearchTerms(filter.text ?? ''));
    return {
      items,
      next_cursor: more && last ? encodeCursor({ startedMs: last.started_ms, id: last.id }) : null,
    };
  }

  /** Points each found trace at its first matching event, with the words around the match. */
  private attachMatches(workspaceId: string, items: TraceSummary[], match: string, terms: string[]): void {
    if (items.length === 0) return;
    const rows = this.sql<[string, string, string], { trace_id: string; idx: number; body_json: string }>(
      `SELECT e.trace_id AS trace_id, e.idx AS idx, e.body_json AS body_json FROM events e
        WHERE e.rowid IN (
          SELECT MIN(e2.rowid) FROM event_text JOIN events e2 ON e2.rowid = event_text.rowid
           WHERE event_text MATCH ? AND e2.workspace_id = ? AND e2.trace_id IN (SELECT value FROM json_each(?))
           GROUP BY e2.trace_id)`,
    ).all(match, workspaceId, JSON.stringify(items.map((t) => t.id)));
    for (const row of rows) {
      const item = items.find((t) => t.id === row.trace_id);
      if (item) item.match = { event_index: row.idx, snippet: matchSnippet(eventSearchText(JSON.parse(row.body_json)), terms) };
    }
  }

  /** Rebuilds the full-text index from the events (needed only if the file was VACUUMed by hand). */
  rebuildSearchIndex(): void {
    this.db.transaction(() => {
      this.db.exec(
        `DELETE FROM event_text; INSERT INTO event_text (rowid, text) SELECT rowid, ${EVENT_TEXT_SQL('events.body_json')} FROM events;`,
      );
    })();
  }

  async deleteTrace(workspaceId: string, traceId: string): Promise<boolean> {
    const deleted = this.db
      .transaction(() => {
        const row = this.stmts.traceRow.get(workspaceId, traceId);
        if (!row) return false;
        this.stmts.deleteEvents.run(workspaceId, traceId);
        this.stmts.deletePatterns.run(workspaceId, traceId);
        this.stmts.deleteTraceRow.run(workspaceId, traceId);
        if (row.run_id !== null) this.recountRun(workspaceId, row.run_id);
        return true;
      })
      .immediate();
    if (deleted) this.scrubWal();
    return deleted;
  }

  async deleteRun(workspaceId: string, runId: string): Promise<{ deleted: boolean; traces: number }> {
    const outcome = this.db
      .transaction(() => {
        if (!this.stmts.runById.get(workspaceId, runId)) return { deleted: false, traces: 0 };
        const ids = this.stmts.tracesOfRun.all(workspaceId, runId);
        for (const { id } of ids) {
          this.stmts.deleteEvents.run(workspaceId, id);
          this.stmts.deletePatterns.run(workspaceId, id);
          this.stmts.deleteTraceRow.run(workspaceId, id);
        }
        this.stmts.deleteRunRow.run(workspaceId, runId);
        return { deleted: true, traces: ids.length };
      })
      .immediate();
    if (outcome.deleted) this.scrubWal();
    return outcome;
  }

  async updateEvaluation(workspaceId: string, traceId: string, update: EvaluationUpdate): Promise<boolean> {
    return this.db
      .transaction(() => {
        const row = this.stmts.existingById.get(workspaceId, traceId);
        if (!row) return false;
        this.sql(
          `UPDATE traces SET verdict = @verdict, patterns_json = @patterns, evaluation_json = @evaluation,
             cost_prices_set_at = CASE WHEN @cost IS NOT NULL AND (cost_usd IS NULL OR cost_estimated = 1) THEN @prices ELSE cost_prices_set_at END,
             cost_estimated = CASE WHEN @cost IS NOT NULL AND (cost_usd IS NULL OR cost_estimated = 1) THEN 1 ELSE cost_estimated END,
             cost_usd = CASE WHEN @cost IS NOT NULL AND (cost_usd IS NULL OR cost_estimated = 1) THEN @cost ELSE cost_usd END WHERE workspace_id = @ws AND id = @id`,
        ).run({
          verdict: update.verdict,
          patterns: JSON.stringify(update.patterns),
          evaluation: update.evaluationJson,
          cost: update.costUsd ?? null,
          prices: update.costPricesSetAt ?? null,
          ws: workspaceId,
          id: traceId,
        });
        this.stmts.deletePatterns.run(workspaceId, traceId);
        // The pattern rows carry the verdict too: rewritten with it, a pattern+verdict filter sees the new one.
        for (const pattern of update.patterns) {
          this.stmts.insertPattern.run(workspaceId, pattern, row.started_ms, traceId, row.agent_name, update.verdict);
        }
        if (row.run_id !== null) this.recountRun(workspaceId, row.run_id);
        return true;
      })
      .immediate();
  }

  async putScenarioExpectations(
    workspaceId: string,
    scenarioId: string,
    expectationsJson: string,
    actor: string | null,
    now: string,
  ): Promise<ScenarioExpectations> {
    return this.db
      .transaction(() => {
        const { v } = this.sql<[string, string], { v: number }>(
          'SELECT COALESCE(MAX(version), 0) + 1 AS v FROM scenario_expectations WHERE workspace_id = ? AND scenario_id = ?',
        ).get(workspaceId, scenarioId)!;
        this.sql(
          'INSERT INTO scenario_expectations (workspace_id, scenario_id, version, expectations_json, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(workspaceId, scenarioId, v, expectationsJson, actor, now);
        return {
          scenario_id: scenarioId,
          version: v,
          expectations: JSON.parse(expectationsJson) as unknown,
          created_by: actor,
          created_at: now,
        };
      })
      .immediate();
  }

  async getScenarioExpectations(workspaceId: string, scenarioId: string): Promise<ScenarioExpectations | null> {
    const row = this.sql<[string, string], ExpectationRow>(
      'SELECT * FROM scenario_expectations WHERE workspace_id = ? AND scenario_id = ? ORDER BY version DESC LIMIT 1',
    ).get(workspaceId, scenarioId);
    return row ? toExpectations(row) : null;
  }

  async listScenarioExpectationVersions(workspaceId: string, scenarioId: string): Promise<ScenarioExpectations[]> {
    return this.sql<[string, string], ExpectationRow>(
      'SELECT * FROM scenario_expectations WHERE workspace_id = ? AND scenario_id = ? ORDER BY version DESC',
    )
      .all(workspaceId, scenarioId)
      .map(toExpectations);
  }

  async listRunTraceIds(workspaceId: string, runId: string): Promise<string[]> {
    return this.sql<[string, string], { id: string }>('SELECT id FROM traces WHERE workspace_id = ? AND run_id = ? ORDER BY seq')
      .all(workspaceId, runId)
      .map((r) => r.id);
  }

  async putFindingFeedback(workspaceId: string, f: NewFindingFeedback): Promise<FindingFeedback | null> {
    if (!this.stmts.existingById.get(workspaceId, f.traceId)) return null;
    this.sql(
      `INSERT INTO finding_feedback (workspace_id, trace_id, finding_key, pattern, verdict, reason, analyzer_version, actor, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (workspace_id, trace_id, finding_key) DO UPDATE SET pattern = excluded.pattern, verdict = excluded.verdict,
         reason = excluded.reason, analyzer_version = excluded.analyzer_version, actor = excluded.actor, created_at = excluded.created_at`,
    ).run(workspaceId, f.traceId, f.findingKey, f.pattern, f.verdict, f.reason, f.analyzerVersion, f.actor, f.now);
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
      this.sql('DELETE FROM finding_feedback WHERE workspace_id = ? AND trace_id = ? AND finding_key = ?').run(
        workspaceId,
        traceId,
        findingKey,
      ).changes > 0
    );
  }

  async addEventComment(workspaceId: string, c: NewEventComment): Promise<EventComment | null> {
    if (!this.stmts.existingById.get(workspaceId, c.traceId)) return null;
    this.sql(
      'INSERT INTO event_comments (workspace_id, id, trace_id, event_index, body, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(workspaceId, c.id, c.traceId, c.eventIndex, c.body, c.actor, c.now);
    return { id: c.id, trace_id: c.traceId, event_index: c.eventIndex, body: c.body, actor: c.actor, created_at: c.now };
  }

  async deleteEventComment(workspaceId: string, traceId: string, commentId: string): Promise<EventComment | null> {
    const row = this.sql<[string, string, string], EventComment>(
      'SELECT id, trace_id, event_index, body, actor, created_at FROM event_comments WHERE workspace_id = ? AND trace_id = ? AND id = ?',
    ).get(workspaceId, traceId, commentId);
    if (!row) return null;
    this.sql('DELETE FROM event_comments WHERE workspace_id = ? AND id = ?').run(workspaceId, commentId);
    return row;
  }

  async getTraceFeedback(workspaceId: string, traceId: string): Promise<TraceFeedback> {
    const findings = this.sql<[string, string], FindingFeedback>(
      `SELECT trace_id, finding_key, pattern, verdict, reason, analyzer_version, actor, created_at FROM finding_feedback
        WHERE workspace_id = ? AND trace_id = ? ORDER BY created_at, finding_key`,
    ).all(workspaceId, traceId);
    const comments = this.sql<[string, string], EventComment>(
      `SELECT id, trace_id, event_index, body, actor, created_at FROM event_comments
        WHERE workspace_id = ? AND trace_id = ? ORDER BY event_index, created_at, id`,
    ).all(workspaceId, traceId);
    return { findings, comments };
  }

  async listFindingFeedback(workspaceId: string, filter: FeedbackFilter): Promise<Page<FindingFeedbackItem>> {
    const where = ['f.workspace_id = @ws'];
    const params: Record<string, unknown> = { ws: workspaceId, limit: filter.limit, offset: filter.offset };
    for (const [key, column] of [
      ['verdict', 'f.verdict'],
      ['pattern', 'f.pattern'],
      ['run', 't.run_id'],
      ['agent', 't.agent_name'],
    ] as const) {
      if (filter[key] === undefined) continue;
      where.push(`${column} = @${key}`);
      params[key] = filter[key];
    }
    const from = `FROM finding_feedback f JOIN traces t ON t.workspace_id = f.workspace_id AND t.id = f.trace_id WHERE ${where.join(' AND ')}`;
    const items = this.sql<Record<string, unknown>, FindingFeedbackItem>(
      `SELECT f.trace_id, f.finding_key, f.pattern, f.verdict, f.reason, f.analyzer_version, f.actor, f.created_at,
              t.scenario_id, t.agent_name, t.run_id ${from} ORDER BY f.created_at DESC, f.trace_id, f.finding_key LIMIT @limit OFFSET @offset`,
    ).all(params);
    const { n } = this.sql<Record<string, unknown>, { n: number }>(`SELECT COUNT(*) AS n ${from}`).get(params)!;
    return { items, total: n };
  }

  async countTraces(workspaceId: string): Promise<number> {
    return this.stmts.countTraces.get(workspaceId)!.n;
  }

  async close(): Promise<void> {
    // A deletion still waiting for a reader gets one last checkpoint, which may wait for locks.
    if (this.scrubPending && this.db.open) this.db.pragma('wal_checkpoint(TRUNCATE)');
    if (this.db.open) this.db.close();
  }

  /** Recomputes a run's counters from its traces (after a deletion). */
  recountRun(workspaceId: string, runId: string): void {
    const rows = this.sql<
      [string, string],
      { verdict: string | null; patterns_json: string; startedMs: number; durationMs: number | null }
    >(
      'SELECT verdict, patterns_json, started_ms AS startedMs, duration_ms AS durationMs FROM traces WHERE workspace_id = ? AND run_id = ?',
    ).all(workspaceId, runId);
    const findings: Record<string, number> = {};
    let passed = 0;
    let failed = 0;
    for (const row of rows) {
      if (row.verdict === 'passed') passed++;
      else if (row.verdict === 'failed') failed++;
      for (const p of new Set(JSON.parse(row.patterns_json) as string[])) findings[p] = (findings[p] ?? 0) + 1;
    }
    const span = spanOf(rows);
    this.sql(
      'UPDATE runs SET total = ?, passed = ?, failed = ?, findings_json = ?, started_ms = ?, ended_ms = ? WHERE workspace_id = ? AND id = ?',
    ).run(rows.length, passed, failed, JSON.stringify(findings), span.first, span.last, workspaceId, runId);
  }

  /**
   * Deleted rows are zeroed in the main file by secure_delete, but the WAL still holds the pages
   * written before; a truncating checkpoint moves them into the file and empties the log.
   */
  scrubWal(): void {
    if (this.checkpointNow()) return;
    // A reader (say `stepwise mcp --db` beside the server) holds a snapshot that still needs the
    // old pages: retry until it lets go, without blocking requests meanwhile.
    this.scrubPending ??= new Promise<void>((resolvePromise) => {
      const retry = () => {
        if (!this.db.open || this.checkpointNow()) {
          this.scrubPending = null;
          resolvePromise();
          return;
        }
        setTimeout(retry, SCRUB_RETRY_MS).unref();
      };
      setTimeout(retry, SCRUB_RETRY_MS).unref();
    });
  }

  /**
   * Resolves once the last deletion's bytes are out of the database and its WAL (at once when no
   * reader held them back): what tests and `close` wait for.
   */
  whenScrubbed(): Promise<void> {
    return this.scrubPending ?? Promise.resolve();
  }

  /** Whether a truncating checkpoint went through whole (no reader in the way), without waiting on locks. */
  private checkpointNow(): boolean {
    this.db.pragma('busy_timeout = 0');
    try {
      const [row] = this.db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number; checkpointed: number }>;
      return row !== undefined && row.busy === 0 && row.log === row.checkpointed;
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_BUSY' || (error as { code?: string }).code === 'SQLITE_LOCKED') return false;
      throw error;
    } finally {
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }
}

const BUSY_TIMEOUT_MS = 5000;
const SCRUB_RETRY_MS = 200;

/**
 * The database holds traces and hashed credentials: its file, WAL and shared-memory file are the
 * owner's alone (0600). A new file is created so before SQLite opens it (SQLite gives the -wal and
 * -shm files the mode of the database file); existing ones lose any group or other access.
 */
function restrictFileModes(path: string): void {
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      const mode = statSync(file).mode & 0o777;
      if ((mode & 0o077) !== 0) chmodSync(file, mode & 0o700);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
    }
  }
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set(
    db
      .prepare<[], { version: number }>('SELECT version FROM schema_migrations')
      .all()
      .map((r) => r.version),
  );
  for (const migration of SQLITE_MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    })();
  }
}

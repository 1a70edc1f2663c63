/**
 * Schema migrations, applied in order and recorded in `schema_migrations`. Never edit a released
 * migration; add a new one.
 */
/**
 * The searchable text of an event: every string and number under `data` (messages, reasoning, tool
 * names, parameters, results, errors), space-separated.
 */
export const EVENT_TEXT_SQL = (body: string) =>
  `(SELECT group_concat(value, ' ') FROM json_tree(${body}, '$.data') WHERE type IN ('text', 'integer', 'real'))`;

export const SQLITE_MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'runs, traces and events',
    sql: `
      CREATE TABLE workspaces (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE runs (
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        id TEXT NOT NULL,
        agent_name TEXT NOT NULL,
        name TEXT,
        source TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        total INTEGER NOT NULL DEFAULT 0,
        passed INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        findings_json TEXT NOT NULL DEFAULT '{}',
        is_demo INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (workspace_id, id)
      );
      CREATE INDEX runs_by_time ON runs (workspace_id, created_at DESC, id DESC);
      CREATE INDEX runs_by_agent ON runs (workspace_id, agent_name, created_at DESC);
      CREATE TABLE traces (
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        id TEXT NOT NULL,
        dedupe_key TEXT,
        run_id TEXT,
        seq INTEGER NOT NULL DEFAULT 0,
        scenario_id TEXT NOT NULL,
        agent_name TEXT NOT NULL,
        started_at TEXT NOT NULL,
        started_ms INTEGER NOT NULL,
        duration_ms REAL,
        event_count INTEGER NOT NULL,
        tool_path_json TEXT NOT NULL,
        reported_passed INTEGER,
        verdict TEXT,
        patterns_json TEXT NOT NULL DEFAULT '[]',
        model TEXT,
        tokens_total REAL,
        cost_usd REAL,
        user_message TEXT,
        response TEXT,
        notes TEXT,
        warnings_json TEXT NOT NULL DEFAULT '[]',
        header_json TEXT NOT NULL,
        expected_json TEXT,
        evaluation_json TEXT,
        redaction_json TEXT,
        is_demo INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        PRIMARY KEY (workspace_id, id)
      );
      CREATE UNIQUE INDEX traces_dedupe ON traces (workspace_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
      CREATE INDEX traces_by_time ON traces (workspace_id, started_ms DESC, id DESC);
      CREATE INDEX traces_by_run ON traces (workspace_id, run_id, seq);
      CREATE INDEX traces_by_scenario ON traces (workspace_id, scenario_id, started_ms DESC);
      CREATE INDEX traces_by_agent ON traces (workspace_id, agent_name, started_ms DESC);
      CREATE TABLE events (
        workspace_id TEXT NOT NULL,
        trace_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        type TEXT NOT NULL,
        ts TEXT NOT NULL,
        body_json TEXT NOT NULL,
        PRIMARY KEY (workspace_id, trace_id, idx)
      );
    `,
  },
  {
    version: 2,
    name: 'workspaces, people, keys, sessions, audit, retention',
    sql: `
      ALTER TABLE workspaces ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 30;
      ALTER TABLE workspaces ADD COLUMN privacy_json TEXT;
      ALTER TABLE traces ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX traces_by_created ON traces (workspace_id, created_at);
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT UNIQUE,
        password_hash TEXT,
        created_at TEXT NOT NULL
      );
      CREATE TABLE members (
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
        created_at TEXT NOT NULL,
        PRIMARY KEY (workspace_id, user_id)
      );
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
        prefix TEXT NOT NULL,
        last4 TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        created_by TEXT,
        created_at TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at TEXT
      );
      CREATE TABLE sessions (
        hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
      CREATE TABLE login_tokens (
        hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
      );
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        workspace_id TEXT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target_type TEXT,
        target_id TEXT,
        details_json TEXT
      );
      CREATE INDEX audit_by_time ON audit_log (workspace_id, id DESC);
    `,
  },
  {
    version: 3,
    name: 'scenario expectations, versioned',
    sql: `
      CREATE TABLE scenario_expectations (
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        scenario_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        expectations_json TEXT NOT NULL,
        created_by TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (workspace_id, scenario_id, version)
      );
    `,
  },
  {
    version: 4,
    name: 'runs carry branch, commit and CI link',
    sql: `
      ALTER TABLE runs ADD COLUMN branch TEXT;
      ALTER TABLE runs ADD COLUMN commit_sha TEXT;
      ALTER TABLE runs ADD COLUMN ci_url TEXT;
      CREATE INDEX runs_by_branch ON runs (workspace_id, branch, created_at DESC);
    `,
  },
  {
    version: 5,
    name: 'regression webhook and its deliveries',
    sql: `
      CREATE TABLE webhooks (
        workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        format TEXT NOT NULL CHECK (format IN ('json', 'slack')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE webhook_deliveries (
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        baseline_run_id TEXT,
        format TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_status_code INTEGER,
        last_error TEXT,
        reason TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (workspace_id, id),
        UNIQUE (workspace_id, run_id)
      );
      CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (workspace_id, created_at DESC);
    `,
  },
  {
    version: 6,
    name: 'findings by pattern (an index lookup, not json_each), newest-first indexes for run and verdict, job schedules',
    sql: `
      CREATE TABLE trace_patterns (
        workspace_id TEXT NOT NULL,
        pattern TEXT NOT NULL,
        trace_id TEXT NOT NULL,
        PRIMARY KEY (workspace_id, pattern, trace_id)
      ) WITHOUT ROWID;
      CREATE INDEX trace_patterns_by_trace ON trace_patterns (workspace_id, trace_id);
      INSERT OR IGNORE INTO trace_patterns (workspace_id, pattern, trace_id)
        SELECT t.workspace_id, p.value, t.id FROM traces t, json_each(t.patterns_json) p;
      -- Trace lists are newest first: a filter on run or verdict walks its own index in that order,
      -- whatever the planner statistics say.
      CREATE INDEX traces_by_run_time ON traces (workspace_id, run_id, started_ms DESC, id DESC);
      CREATE INDEX traces_by_verdict ON traces (workspace_id, verdict, started_ms DESC, id DESC);
      CREATE TABLE scheduled_jobs (
        name TEXT PRIMARY KEY,
        last_run_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 7,
    name: 'full-text index of event text',
    // One row per event, keyed by the event's rowid (Stepwise never runs VACUUM, which could renumber
    // it; rebuildSearchIndex() repairs the index if someone does). Contentless: the text is already in
    // the events table, so it is not stored twice. The index holds only what was stored, i.e. text
    // after redaction and truncation. Ingest writes each event's text (computed in JS: a json_tree
    // trigger made ingest several times slower); a trigger removes it on every delete (deletion,
    // retention, workspace deletion).
    sql: `
      CREATE VIRTUAL TABLE event_text USING fts5(text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
      INSERT INTO event_text (rowid, text) SELECT rowid, ${EVENT_TEXT_SQL('events.body_json')} FROM events;
      CREATE TRIGGER events_text_delete AFTER DELETE ON events BEGIN
        DELETE FROM event_text WHERE rowid = old.rowid;
      END;
    `,
  },
  {
    version: 8,
    name: 'feedback on findings, comments on events, estimated costs and unknown timings marked',
    sql: `
      CREATE TABLE finding_feedback (
        workspace_id TEXT NOT NULL,
        trace_id TEXT NOT NULL,
        finding_key TEXT NOT NULL,
        pattern TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('right', 'wrong')),
        reason TEXT,
        analyzer_version TEXT,
        actor TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (workspace_id, trace_id, finding_key)
      );
      CREATE INDEX finding_feedback_by_time ON finding_feedback (workspace_id, verdict, created_at DESC);
      CREATE TABLE event_comments (
        workspace_id TEXT NOT NULL,
        id TEXT NOT NULL,
        trace_id TEXT NOT NULL,
        event_index INTEGER NOT NULL,
        body TEXT NOT NULL,
        actor TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (workspace_id, id)
      );
      ALTER TABLE traces ADD COLUMN cost_estimated INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE traces ADD COLUMN timings_known INTEGER NOT NULL DEFAULT 1;
      CREATE INDEX event_comments_by_trace ON event_comments (workspace_id, trace_id, event_index);
      CREATE TRIGGER traces_feedback_delete AFTER DELETE ON traces BEGIN
        DELETE FROM finding_feedback WHERE workspace_id = old.workspace_id AND trace_id = old.id;
        DELETE FROM event_comments WHERE workspace_id = old.workspace_id AND trace_id = old.id;
      END;
    `,
  },
  {
    version: 9,
    name: 'per-workspace price override for estimated costs',
    sql: `
      ALTER TABLE workspaces ADD COLUMN prices_json TEXT;
      ALTER TABLE traces ADD COLUMN cost_prices_set_at TEXT;
    `,
  },
  {
    version: 10,
    name: "pattern rows carry their trace's start, so a pattern filter reads its page in list order",
    // Trace lists are newest first by (started_ms, id); keyed the same way after the pattern, a filtered
    // page (and each page after a cursor) is one range of this table, not every match sorted. A trace's
    // start never changes, so the copy cannot drift. Rows of traces that no longer exist are dropped.
    sql: `
      CREATE TABLE trace_patterns_by_time (
        workspace_id TEXT NOT NULL,
        pattern TEXT NOT NULL,
        started_ms INTEGER NOT NULL,
        trace_id TEXT NOT NULL,
        PRIMARY KEY (workspace_id, pattern, started_ms, trace_id)
      ) WITHOUT ROWID;
      INSERT OR IGNORE INTO trace_patterns_by_time (workspace_id, pattern, started_ms, trace_id)
        SELECT p.workspace_id, p.pattern, t.started_ms, p.trace_id
          FROM trace_patterns p JOIN traces t ON t.workspace_id = p.workspace_id AND t.id = p.trace_id;
      DROP TABLE trace_patterns;
      ALTER TABLE trace_patterns_by_time RENAME TO trace_patterns;
      CREATE INDEX trace_patterns_by_trace ON trace_patterns (workspace_id, trace_id);
    `,
  },
  {
    version: 11,
    name: 'runs carry when their traces started and ended',
    // A page of runs read these from every trace of every run on it (50,000 rows for 50 runs of 1,000);
    // ingest widens them and every recount (deletion, retention, re-analysis) recomputes them.
    sql: `
      ALTER TABLE runs ADD COLUMN started_ms INTEGER;
      ALTER TABLE runs ADD COLUMN ended_ms REAL;
      UPDATE runs SET started_ms = span.first_ms, ended_ms = span.last_ms
        FROM (SELECT workspace_id, run_id, MIN(started_ms) AS first_ms, MAX(started_ms + COALESCE(duration_ms, 0)) AS last_ms
                FROM traces WHERE run_id IS NOT NULL GROUP BY workspace_id, run_id) AS span
       WHERE span.workspace_id = runs.workspace_id AND span.run_id = runs.id;
    `,
  },
  {
    version: 12,
    name: "pattern rows carry their trace's agent and verdict, so a pattern with either filter reads its page in list order",
    // A pattern with an agent or a verdict that few of its traces have walked every row of the pattern
    // (50,000 for a common one) to find a page. Indexed after the pattern, each is one range in list order;
    // the agent index ends with the verdict so that both together are checked without reading the row.
    // A trace's agent never changes; its verdict changes only on re-analysis, which rewrites these rows.
    sql: `
      ALTER TABLE trace_patterns ADD COLUMN agent_name TEXT;
      ALTER TABLE trace_patterns ADD COLUMN verdict TEXT;
      UPDATE trace_patterns SET agent_name = t.agent_name, verdict = t.verdict
        FROM traces t WHERE t.workspace_id = trace_patterns.workspace_id AND t.id = trace_patterns.trace_id;
      DELETE FROM trace_patterns WHERE agent_name IS NULL;
      CREATE INDEX trace_patterns_by_agent ON trace_patterns (workspace_id, pattern, agent_name, started_ms, trace_id, verdict);
      CREATE INDEX trace_patterns_by_verdict ON trace_patterns (workspace_id, pattern, verdict, started_ms, trace_id);
    `,
  },
];

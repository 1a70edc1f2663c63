/**
 * Schema migrations, applied in order and recorded in `schema_migrations`. Never edit a released
 * migration; add a new one.
 */
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
];

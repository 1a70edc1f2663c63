import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { describeTraceStoreContract } from '../../../test/store-contract.js';
import { makeRecord } from '../../../test/support/records.js';
import { SqliteTraceStore } from './sqlite-trace-store.js';
import { SQLITE_MIGRATIONS } from './migrations.js';

const dir = mkdtempSync(join(tmpdir(), 'stepwise-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describeTraceStoreContract('SQLite', async () => new SqliteTraceStore({ path: join(dir, `contract-${n++}.db`) }));

describe('SqliteTraceStore', () => {
  it('runs with WAL, synchronous=FULL and secure_delete', async () => {
    const store = new SqliteTraceStore({ path: join(dir, 'pragmas.db') });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(store.db.pragma('secure_delete', { simple: true })).toBe(1);
    await store.close();
  });

  it('applies migrations once and keeps data across reopenings', async () => {
    const path = join(dir, 'reopen.db');
    const first = new SqliteTraceStore({ path });
    await first.ingest({ workspaceId: 'ws_default', records: [makeRecord({ id: 'tr_persist' })], now: '2026-01-01T00:00:00Z' });
    await first.close();
    const second = new SqliteTraceStore({ path });
    expect(second.db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: SQLITE_MIGRATIONS.length });
    expect((await second.getTrace('ws_default', 'tr_persist'))?.summary.id).toBe('tr_persist');
    await second.close();
  });

  it("migrates traces stored at schema 9: pattern rows get their trace's start (rows of missing traces go), runs their span", async () => {
    const path = join(dir, 'patterns-v9.db');
    const old = new Database(path);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const migration of SQLITE_MIGRATIONS.filter((m) => m.version <= 9)) {
      old.exec(migration.sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(migration.version, migration.name, '2026-01-01T00:00:00Z');
    }
    old.exec(`INSERT INTO workspaces (id, name, created_at) VALUES ('ws_default', 'Default', '2026-01-01T00:00:00Z');
      INSERT INTO runs (workspace_id, id, agent_name, created_at, updated_at, total) VALUES ('ws_default', 'run_old', 'agent', 'x', 'x', 3);
      INSERT INTO runs (workspace_id, id, agent_name, created_at, updated_at) VALUES ('ws_default', 'run_empty', 'agent', 'x', 'x');`);
    const insertTrace = old.prepare(
      `INSERT INTO traces (workspace_id, id, run_id, scenario_id, agent_name, started_at, started_ms, duration_ms, event_count, tool_path_json,
         patterns_json, header_json, created_at) VALUES ('ws_default', ?, 'run_old', 'sc', 'agent', ?, ?, 250, 0, '[]', ?, '{}', '2026-01-01T00:00:00Z')`,
    );
    const insertPattern = old.prepare("INSERT INTO trace_patterns (workspace_id, pattern, trace_id) VALUES ('ws_default', ?, ?)");
    for (const [id, ms] of [
      ['tr_a', 3000],
      ['tr_b', 1000],
      ['tr_c', 2000],
    ] as const) {
      insertTrace.run(id, new Date(ms).toISOString(), ms, '["loop"]');
      insertPattern.run('loop', id);
    }
    insertPattern.run('loop', 'tr_gone');
    old.close();

    const store = new SqliteTraceStore({ path });
    expect(store.db.prepare('SELECT pattern, started_ms, trace_id FROM trace_patterns ORDER BY started_ms').all()).toEqual([
      { pattern: 'loop', started_ms: 1000, trace_id: 'tr_b' },
      { pattern: 'loop', started_ms: 2000, trace_id: 'tr_c' },
      { pattern: 'loop', started_ms: 3000, trace_id: 'tr_a' },
    ]);
    const first = await store.listTraces('ws_default', { limit: 2, pattern: 'loop' });
    expect(first.items.map((t) => t.id)).toEqual(['tr_a', 'tr_c']);
    const next = await store.listTraces('ws_default', { limit: 2, pattern: 'loop', cursor: first.next_cursor! });
    expect(next.items.map((t) => t.id)).toEqual(['tr_b']);
    expect(await store.getRun('ws_default', 'run_old')).toMatchObject({
      started_at: '1970-01-01T00:00:01.000Z',
      ended_at: '1970-01-01T00:00:03.250Z',
    });
    expect(await store.getRun('ws_default', 'run_empty')).toMatchObject({ started_at: null, ended_at: null });
    await store.close();
  });

  it("migrates pattern rows stored at schema 11: they get their trace's agent and verdict (rows of missing traces go)", async () => {
    const path = join(dir, 'patterns-v11.db');
    const old = new Database(path);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const migration of SQLITE_MIGRATIONS.filter((m) => m.version <= 11)) {
      old.exec(migration.sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(migration.version, migration.name, '2026-01-01T00:00:00Z');
    }
    old.exec("INSERT INTO workspaces (id, name, created_at) VALUES ('ws_default', 'Default', '2026-01-01T00:00:00Z')");
    const insertTrace = old.prepare(
      `INSERT INTO traces (workspace_id, id, scenario_id, agent_name, verdict, started_at, started_ms, duration_ms, event_count, tool_path_json,
         patterns_json, header_json, created_at) VALUES ('ws_default', ?, 'sc', ?, ?, ?, ?, 250, 0, '[]', ?, '{}', '2026-01-01T00:00:00Z')`,
    );
    const insertPattern = old.prepare(
      "INSERT INTO trace_patterns (workspace_id, pattern, started_ms, trace_id) VALUES ('ws_default', ?, ?, ?)",
    );
    for (const [id, agent, verdict, ms] of [
      ['tr_a', 'travel', 'failed', 3000],
      ['tr_b', 'travel', 'passed', 1000],
      ['tr_c', 'shop', 'failed', 2000],
      ['tr_d', 'travel', null, 4000],
    ] as const) {
      insertTrace.run(id, agent, verdict, new Date(ms).toISOString(), ms, '["loop"]');
      insertPattern.run('loop', ms, id);
    }
    insertPattern.run('loop', 5000, 'tr_gone');
    old.close();

    const store = new SqliteTraceStore({ path });
    expect(store.db.prepare('SELECT trace_id, agent_name, verdict FROM trace_patterns ORDER BY started_ms').all()).toEqual([
      { trace_id: 'tr_b', agent_name: 'travel', verdict: 'passed' },
      { trace_id: 'tr_c', agent_name: 'shop', verdict: 'failed' },
      { trace_id: 'tr_a', agent_name: 'travel', verdict: 'failed' },
      { trace_id: 'tr_d', agent_name: 'travel', verdict: null },
    ]);
    const ids = async (filter: { agent?: string; verdict?: 'passed' | 'failed' }) =>
      (await store.listTraces('ws_default', { limit: 10, pattern: 'loop', ...filter })).items.map((t) => t.id);
    expect(await ids({ agent: 'travel' })).toEqual(['tr_d', 'tr_a', 'tr_b']);
    expect(await ids({ verdict: 'failed' })).toEqual(['tr_a', 'tr_c']);
    expect(await ids({ agent: 'travel', verdict: 'failed' })).toEqual(['tr_a']);
    await store.close();
  });

  it('leaves no bytes of a deleted trace in the database file', async () => {
    const path = join(dir, 'scrub.db');
    const store = new SqliteTraceStore({ path });
    const marker = 'UNIQUE-MARKER-7f3a9c21';
    const record = makeRecord({ id: 'tr_marker', userMessage: marker });
    record.eventsJson = [JSON.stringify({ type: 'user_input', timestamp: record.startedAt, data: { message: marker.repeat(50) } })];
    record.eventTypes = ['user_input'];
    record.eventTimestamps = [record.startedAt];
    await store.ingest({ workspaceId: 'ws_default', records: [record], now: '2026-01-01T00:00:00Z' });
    await store.deleteTrace('ws_default', 'tr_marker');
    await store.close();
    for (const file of [path, `${path}-wal`]) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch {
        continue;
      }
      expect(bytes.includes(Buffer.from(marker))).toBe(false);
    }
  });
});

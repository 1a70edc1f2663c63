import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { describeTraceStoreContract } from '../../../test/store-contract.js';
import { makeRecord } from '../../../test/support/records.js';
import { freshSchema, postgresReachable, type TestSchema } from '../../../test/support/postgres.js';
import { PgAccessStore } from './pg-access-store.js';
import { PgDatabase } from './pg-database.js';
import { PgTraceStore } from './pg-trace-store.js';
import { PG_MIGRATIONS } from './migrations.js';
import { pgSearchText, pgSearchVector } from '../search-query.js';

const available = await postgresReachable();
const schemas: TestSchema[] = [];
afterAll(async () => {
  for (const schema of schemas) await schema.drop();
});

async function schema(): Promise<TestSchema> {
  const s = await freshSchema();
  schemas.push(s);
  return s;
}

describe.runIf(available)('PostgreSQL store', () => {
  describeTraceStoreContract('PostgreSQL', async () => new PgTraceStore(new PgDatabase((await schema()).url)));

  it('migrates once when several servers start at the same moment', async () => {
    const { url } = await schema();
    const dbs = Array.from({ length: 4 }, () => new PgDatabase(url));
    await Promise.all(dbs.map((db) => db.ready()));
    const rows = await dbs[0]!.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
    await Promise.all(dbs.map((db) => db.close()));
  });

  it('keeps data across reopenings and finds traces by pattern through the pattern table', async () => {
    const { url } = await schema();
    const first = new PgTraceStore(new PgDatabase(url));
    await first.ingest({
      workspaceId: 'ws_default',
      records: [makeRecord({ id: 'tr_pg_1', patterns: ['loop', 'loop'] }), makeRecord({ id: 'tr_pg_2' })],
      now: '2026-01-01T00:00:00Z',
    });
    await first.close();
    const second = new PgTraceStore(new PgDatabase(url));
    expect((await second.listTraces('ws_default', { limit: 10, pattern: 'loop' })).items.map((t) => t.id)).toEqual(['tr_pg_1']);
    expect(await second.db.query('SELECT pattern, trace_id FROM trace_patterns')).toEqual([{ pattern: 'loop', trace_id: 'tr_pg_1' }]);
    await second.updateEvaluation('ws_default', 'tr_pg_1', { verdict: 'passed', patterns: [], evaluationJson: '{}' });
    expect((await second.listTraces('ws_default', { limit: 10, pattern: 'loop' })).items).toEqual([]);
    await second.close();
  });

  it('indexes for search the events stored before the search index existed (migration 4)', async () => {
    const { url } = await schema();
    const old = new pg.Client({ connectionString: url });
    await old.connect();
    await old.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const migration of PG_MIGRATIONS.filter((m) => m.version <= 3)) {
      await old.query(migration.sql);
      await old.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [migration.version, migration.name, '2026-01-01T00:00:00Z']);
    }
    await old.query("INSERT INTO workspaces (id, name, created_at) VALUES ('ws_default', 'Default', '2026-01-01T00:00:00Z')");
    await old.query(
      `INSERT INTO traces (workspace_id, id, scenario_id, agent_name, started_at, started_ms, event_count, tool_path_json, header_json, created_at)
       VALUES ('ws_default', 'tr_old', 'sc', 'agent', '2026-01-01T00:00:00Z', 0, 2, '[]', '{}', '2026-01-01T00:00:00Z')`,
    );
    const bodies = [
      { type: 'user_input', timestamp: '2026-01-01T00:00:00Z', data: { message: 'How long is the X200 covered?' } },
      {
        type: 'tool_call',
        timestamp: '2026-01-01T00:00:00Z',
        data: { tool: 'lookup_policy', result: { text: 'a 3-year Warranty', n: 42 } },
      },
    ];
    for (const [i, body] of bodies.entries()) {
      await old.query(
        `INSERT INTO events (workspace_id, trace_id, idx, type, ts, body_json) VALUES ('ws_default', 'tr_old', $1, $2, $3, $4)`,
        [i, body.type, body.timestamp, JSON.stringify(body)],
      );
    }
    await old.end();

    const store = new PgTraceStore(new PgDatabase(url));
    const search = async (text: string) => (await store.listTraces('ws_default', { limit: 10, text })).items;
    const found = await search('"3-year warranty"');
    expect(found.map((t) => t.id)).toEqual(['tr_old']);
    expect(found[0]!.match).toMatchObject({ event_index: 1 });
    expect((await search('lookup_pol')).map((t) => t.id)).toEqual(['tr_old']);
    expect((await search('42')).map((t) => t.id)).toEqual(['tr_old']);
    expect(await search('tool_call')).toEqual([]);
    await store.close();
  });

  it("migrates traces stored at schema 5: pattern rows get their trace's start (rows of missing traces go), runs their span", async () => {
    const { url } = await schema();
    const old = new pg.Client({ connectionString: url });
    await old.connect();
    await old.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const migration of PG_MIGRATIONS.filter((m) => m.version <= 5)) {
      await old.query(migration.sql);
      await old.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [migration.version, migration.name, '2026-01-01T00:00:00Z']);
    }
    await old.query(`INSERT INTO workspaces (id, name, created_at) VALUES ('ws_default', 'Default', '2026-01-01T00:00:00Z');
      INSERT INTO runs (workspace_id, id, agent_name, created_at, updated_at, total) VALUES ('ws_default', 'run_old', 'agent', 'x', 'x', 3);
      INSERT INTO runs (workspace_id, id, agent_name, created_at, updated_at) VALUES ('ws_default', 'run_empty', 'agent', 'x', 'x');`);
    for (const [id, ms] of [
      ['tr_a', 3000],
      ['tr_b', 1000],
      ['tr_c', 2000],
    ] as const) {
      await old.query(
        `INSERT INTO traces (workspace_id, id, run_id, scenario_id, agent_name, started_at, started_ms, duration_ms, event_count, tool_path_json,
           patterns_json, header_json, created_at)
         VALUES ('ws_default', $1, 'run_old', 'sc', 'agent', $2, $3, 250, 0, '[]', '["loop"]', '{}', '2026-01-01T00:00:00Z')`,
        [id, new Date(ms).toISOString(), ms],
      );
      await old.query("INSERT INTO trace_patterns (workspace_id, pattern, trace_id) VALUES ('ws_default', 'loop', $1)", [id]);
    }
    await old.query("INSERT INTO trace_patterns (workspace_id, pattern, trace_id) VALUES ('ws_default', 'loop', 'tr_gone')");
    await old.end();

    const store = new PgTraceStore(new PgDatabase(url));
    expect(await store.db.query('SELECT pattern, started_ms, trace_id FROM trace_patterns ORDER BY started_ms')).toEqual([
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

  it("migrates pattern rows stored at schema 7: they get their trace's agent and verdict (rows of missing traces go)", async () => {
    const { url } = await schema();
    const old = new pg.Client({ connectionString: url });
    await old.connect();
    await old.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const migration of PG_MIGRATIONS.filter((m) => m.version <= 7)) {
      await old.query(migration.sql);
      await old.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [migration.version, migration.name, '2026-01-01T00:00:00Z']);
    }
    await old.query("INSERT INTO workspaces (id, name, created_at) VALUES ('ws_default', 'Default', '2026-01-01T00:00:00Z')");
    for (const [id, agent, verdict, ms] of [
      ['tr_a', 'travel', 'failed', 3000],
      ['tr_b', 'travel', 'passed', 1000],
      ['tr_c', 'shop', 'failed', 2000],
      ['tr_d', 'travel', null, 4000],
    ] as const) {
      await old.query(
        `INSERT INTO traces (workspace_id, id, scenario_id, agent_name, verdict, started_at, started_ms, duration_ms, event_count, tool_path_json,
           patterns_json, header_json, created_at)
         VALUES ('ws_default', $1, 'sc', $2, $3, $4, $5, 250, 0, '[]', '["loop"]', '{}', '2026-01-01T00:00:00Z')`,
        [id, agent, verdict, new Date(ms).toISOString(), ms],
      );
      await old.query("INSERT INTO trace_patterns (workspace_id, pattern, started_ms, trace_id) VALUES ('ws_default', 'loop', $1, $2)", [
        ms,
        id,
      ]);
    }
    await old.query(
      "INSERT INTO trace_patterns (workspace_id, pattern, started_ms, trace_id) VALUES ('ws_default', 'loop', 5000, 'tr_gone')",
    );
    await old.end();

    const store = new PgTraceStore(new PgDatabase(url));
    expect(await store.db.query('SELECT trace_id, agent_name, verdict FROM trace_patterns ORDER BY started_ms')).toEqual([
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

  it('stores an event of more distinct words than a tsvector holds, its first words searchable', async () => {
    const { url } = await schema();
    const store = new PgTraceStore(new PgDatabase(url));
    const words = Array.from({ length: 200_000 }, (_, i) => `w${i.toString(36)}`);
    const body = { type: 'tool_call', timestamp: '2026-01-01T00:00:00Z', data: { tool: 'dump', result: words.join(' ') } };
    await store.ingest({
      workspaceId: 'ws_default',
      records: [
        makeRecord({ id: 'tr_big', eventsJson: [JSON.stringify(body)], eventTypes: ['tool_call'], eventTimestamps: [body.timestamp] }),
      ],
      now: '2026-01-01T00:00:00Z',
    });
    expect((await store.listTraces('ws_default', { limit: 10, text: 'dump w1' })).items.map((t) => t.id)).toEqual(['tr_big']);
    await store.close();
  });

  it("writes the same tsvector PostgreSQL's to_tsvector makes of an event's words, within its limits", async () => {
    const { url } = await schema();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const texts = [
      'Our refund policy for digital products allows refunds within 14 days of purchase.',
      'Écran café naïve 3-year_plan e-mail: ALICE@example.com, order #A1B2-00123 for $1,299.50',
      '日本語のテキスト и русский текст 2024-05-19T14:30:02.340Z',
      'ok '.repeat(300),
      `${'w '.repeat(16_400)}end`,
      `a ${'x'.repeat(2048)} b`,
    ];
    try {
      for (const text of texts) {
        const { rows } = await client.query<{ same: boolean }>("SELECT $1::tsvector = to_tsvector('simple', $2) AS same", [
          pgSearchVector(text),
          pgSearchText(text),
        ]);
        expect(rows[0]!.same, text.slice(0, 40)).toBe(true);
      }
    } finally {
      await client.end();
    }
  });

  it("finds words PostgreSQL's parser would drop, as SQLite does (x², ½)", async () => {
    const { url } = await schema();
    const store = new PgTraceStore(new PgDatabase(url));
    const body = { type: 'agent_response', timestamp: '2026-01-01T00:00:00Z', data: { message: 'the area is x² and ½ of it is paved' } };
    await store.ingest({
      workspaceId: 'ws_default',
      records: [
        makeRecord({ id: 'tr_sq', eventsJson: [JSON.stringify(body)], eventTypes: ['agent_response'], eventTimestamps: [body.timestamp] }),
      ],
      now: '2026-01-01T00:00:00Z',
    });
    expect((await store.listTraces('ws_default', { limit: 10, text: 'x²' })).items.map((t) => t.id)).toEqual(['tr_sq']);
    expect((await store.listTraces('ws_default', { limit: 10, text: '"and ½ of"' })).items.map((t) => t.id)).toEqual(['tr_sq']);
    await store.close();
  });

  it('shares one rate-limit bucket per caller between servers', async () => {
    const { url } = await schema();
    const a = new PgAccessStore(new PgDatabase(url));
    const b = new PgAccessStore(new PgDatabase(url));
    const now = Date.UTC(2026, 0, 1);
    const waits = [];
    for (let i = 0; i < 4; i++) waits.push(await (i % 2 === 0 ? a : b).takeRateToken('key:k1', 3, now));
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits[3]).toBe(20);
    expect(await b.takeRateToken('key:k2', 3, now)).toBe(0);
    expect(await a.takeRateToken('key:k1', 3, now + 20_000)).toBe(0);
    await Promise.all([a.close(), b.close()]);
  });

  it('keeps the key-hashing secret in the database so every server agrees on it', async () => {
    const { url } = await schema();
    const a = new PgAccessStore(new PgDatabase(url));
    const b = new PgAccessStore(new PgDatabase(url));
    const [sa, sb] = await Promise.all([a.loadSecret(), b.loadSecret()]);
    expect(sa.length).toBe(32);
    expect(sa.equals(sb)).toBe(true);
    await Promise.all([a.close(), b.close()]);
  });
});

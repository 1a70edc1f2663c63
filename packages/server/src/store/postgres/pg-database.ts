import { userInfo } from 'node:os';
import pg from 'pg';
import { DEFAULT_WORKSPACE_ID } from '../trace-store.js';
import { PG_MIGRATIONS } from './migrations.js';

const INT8_OID = 20;

/** BIGINT columns here hold epoch milliseconds, counts and audit ids: all well inside 2^53, so numbers. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/**
 * One PostgreSQL database (or schema, chosen with `?options=-c search_path=…` in the URL) shared by
 * any number of Stepwise servers. Connections are pooled; migrations run once, on first use, under an
 * advisory lock so that servers starting at the same moment apply each migration exactly once; the
 * default workspace is created then too.
 */
export class PgDatabase {
  readonly pool: pg.Pool;
  private migrated: Promise<void> | null = null;
  private closed = false;

  constructor(url: string, options: { max?: number } = {}) {
    // Like libpq: with no user in the URL or PGUSER, connect as the operating-system user (USER may be unset).
    const parsed = new URL(url);
    if (!parsed.username) parsed.username = encodeURIComponent(process.env.PGUSER || process.env.USER || userInfo().username);
    this.pool = new pg.Pool({ connectionString: parsed.toString(), max: options.max ?? 10, types, connectionTimeoutMillis: 10_000 });
    // An idle connection that the server drops must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  /** Resolves once the schema is current; every store method awaits it, so the first query migrates. */
  ready(): Promise<void> {
    this.migrated ??= migrate(this.pool).catch((error: unknown) => {
      this.migrated = null;
      throw error;
    });
    return this.migrated;
  }

  async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    await this.ready();
    return (await this.pool.query<R>(text, values)).rows;
  }

  async one<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R | null> {
    return (await this.query<R>(text, values))[0] ?? null;
  }

  /** Rows changed by a statement. */
  async run(text: string, values: unknown[] = []): Promise<number> {
    await this.ready();
    return (await this.pool.query(text, values)).rowCount ?? 0;
  }

  /** Runs `fn` in one transaction on one connection; rolls back if it throws. */
  async tx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    await this.ready();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const value = await fn(client);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Runs `fn` only if no other process holds the named lock (a session advisory lock, released when
   * `fn` ends or the connection drops); returns whether it ran.
   */
  async exclusive(name: string, fn: () => Promise<void>): Promise<boolean> {
    await this.ready();
    const client = await this.pool.connect();
    try {
      const [row] = (
        await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext(current_schema() || $1)) AS locked', [`:${name}`])
      ).rows;
      if (!row?.locked) return false;
      try {
        await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext(current_schema() || $1))', [`:${name}`]);
      }
      return true;
    } finally {
      client.release();
    }
  }

  /** Ends the pool; closing twice (trace and access store share it) is harmless. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    // Blocks until any other server's migration is done; then sees what it applied.
    await client.query("SELECT pg_advisory_lock(hashtext(current_schema() || ':migrate'))");
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
      );
      const applied = new Set(
        (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
      );
      for (const migration of PG_MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
            migration.version,
            migration.name,
            new Date().toISOString(),
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }
      await client.query('INSERT INTO workspaces (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [
        DEFAULT_WORKSPACE_ID,
        'Default workspace',
        new Date().toISOString(),
      ]);
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext(current_schema() || ':migrate'))");
    }
  } finally {
    client.release();
  }
}

import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL the tests use: CI machines start one here (trust auth, database `test`). */
export const TEST_PG_URL = process.env.STEPWISE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let reachable: Promise<boolean> | null = null;

/**
 * Whether PostgreSQL answers. Under CI=true it must: an unreachable server fails the run instead of
 * skipping the PostgreSQL tests. Elsewhere they are skipped with a message saying why.
 */
export function postgresReachable(): Promise<boolean> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch (error) {
      if (process.env.CI === 'true') {
        throw new Error(`PostgreSQL tests need ${TEST_PG_URL} (set STEPWISE_TEST_PG_URL): ${(error as Error).message}`, { cause: error });
      }
      console.warn(`skipping PostgreSQL tests: ${TEST_PG_URL} is unreachable (${(error as Error).message}); set STEPWISE_TEST_PG_URL`);
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return reachable;
}

export interface TestSchema {
  /** A URL whose connections use only this schema. */
  url: string;
  name: string;
  /** Empties every table (the schema stays migrated), so the next store opened on it starts fresh. */
  truncate(): Promise<void>;
  drop(): Promise<void>;
}

/** A fresh, empty schema (`sw_<random>`) and a URL that selects it; drop() removes it with everything in it. */
export async function freshSchema(): Promise<TestSchema> {
  const name = `sw_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_PG_URL);
  // Durability is not under test here; skipping the commit fsync keeps hundreds of small apps quick.
  url.searchParams.set('options', `-c search_path=${name} -c synchronous_commit=off`);
  return {
    url: url.toString(),
    name,
    truncate: async () => {
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      try {
        const tables = await client.query<{ table_name: string }>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'schema_migrations'",
          [name],
        );
        if (tables.rows.length > 0) {
          // DELETE, not TRUNCATE: on a few rows it is far cheaper than new files for every table and index.
          // Referenced tables last, so no foreign key is left pointing at a deleted row.
          const order = (table: string) => (table === 'workspaces' || table === 'users' ? 1 : 0);
          const names = tables.rows.map((t) => t.table_name).sort((a, b) => order(a) - order(b));
          await client.query(`BEGIN; ${names.map((table) => `DELETE FROM ${name}."${table}";`).join(' ')} COMMIT`);
        }
      } finally {
        await client.end();
      }
    },
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

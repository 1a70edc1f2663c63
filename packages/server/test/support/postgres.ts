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
        throw new Error(`PostgreSQL tests need ${TEST_PG_URL} (set STEPWISE_TEST_PG_URL): ${(error as Error).message}`);
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
  url.searchParams.set('options', `-c search_path=${name}`);
  return {
    url: url.toString(),
    name,
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

import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Runs `work` against a schema of the PostgreSQL database at `pgUrl` made for it and dropped
 * afterwards: `url` connects with that schema as its search path; `admin` is a connection outside it
 * (for VACUUM and size queries).
 */
export async function inFreshSchema<T>(
  pgUrl: string,
  work: (url: string, ctx: { admin: pg.Client; schema: string }) => Promise<T>,
): Promise<T> {
  const schema = `sw_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = new URL(pgUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    return await work(url.toString(), { admin, schema });
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

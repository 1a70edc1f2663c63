import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import pg from 'pg';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStepwiseApp } from '../../src/app.js';
import type { AppDeps } from '../../src/http/app.js';
import { afterAll } from 'vitest';
import { openRuntime, type Runtime, type RuntimeOptions } from '../../src/runtime.js';
import type { ParseLimits } from '../../src/ingest/parse.js';
import { DEFAULT_WORKSPACE_ID } from '../../src/store/trace-store.js';
import { freshSchema, postgresReachable, type TestSchema } from './postgres.js';

/**
 * The backend app tests run on: SQLite, or PostgreSQL when the vitest project sets
 * STEPWISE_TEST_BACKEND=postgres (each app then gets a fresh schema, dropped on close).
 */
export const TEST_BACKEND: 'sqlite' | 'postgres' = process.env.STEPWISE_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';

/**
 * On PostgreSQL a test file gets fresh schemas of its own, dropped after the file. A closed app's
 * schema is reused by the next app, emptied first; apps open at the same time never share one.
 */
const fileSchemas: TestSchema[] = [];
const freeSchemas: TestSchema[] = [];
afterAll(async () => {
  for (const schema of fileSchemas.splice(0)) await schema.drop();
  freeSchemas.length = 0;
});

async function schemaForApp(): Promise<{ schema: TestSchema; release: () => Promise<void> }> {
  if (!(await postgresReachable())) throw new Error('PostgreSQL is unreachable: run these tests without STEPWISE_TEST_BACKEND=postgres');
  let schema = freeSchemas.pop();
  if (schema) await schema.truncate();
  else {
    schema = await freshSchema();
    fileSchemas.push(schema);
  }
  const taken = schema;
  return {
    schema: taken,
    release: async () => {
      freeSchemas.push(taken);
    },
  };
}

export interface TestApp {
  app: ReturnType<typeof createStepwiseApp>;
  runtime: Runtime;
  /** The SQLite file, or the PostgreSQL URL of this app's schema. */
  dbPath: string;
  backend: 'sqlite' | 'postgres';
  /**
   * Whether the stored data holds `text` anywhere: on SQLite the raw bytes of the database file and
   * its WAL (free pages included); on PostgreSQL every row of every table of the app's schema.
   */
  storageContains(text: string): Promise<boolean>;
  logs: string[];
  /** An owner API key of the default workspace; sent by post/get/del unless headers say otherwise. */
  ownerKey: string;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  del(path: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** An in-process app over a real SQLite file in a temp directory, with auth on as in production. */
export async function makeTestApp(
  options: { limits?: ParseLimits; clock?: () => Date; app?: Partial<AppDeps>; webhook?: RuntimeOptions['webhook'] } = {},
): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-app-'));
  const pgSchema = TEST_BACKEND === 'postgres' ? await schemaForApp() : null;
  const schema = pgSchema?.schema ?? null;
  const dbPath = schema ? schema.url : join(dir, 'stepwise.db');
  const runtime = openRuntime({
    dbPath,
    secret: Buffer.from('test-secret'),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.webhook ? { webhook: options.webhook } : {}),
  });
  await runtime.ready();
  const boot = await runtime.access.bootstrap(DEFAULT_WORKSPACE_ID);
  const ownerKey = boot!.apiKey;
  const logs: string[] = [];
  const app = createStepwiseApp({
    store: runtime.store,
    pipeline: runtime.pipeline,
    access: runtime.access,
    retention: runtime.retention,
    webhooks: runtime.webhooks,
    prices: runtime.prices,
    log: (line) => logs.push(line),
    assetsDir: join(dir, 'no-assets'),
    ...options.app,
  });
  const auth = { authorization: `Bearer ${ownerKey}` };
  return {
    app,
    runtime,
    dbPath,
    backend: TEST_BACKEND,
    storageContains: (text) => (schema ? schemaContains(schema, text) : Promise.resolve(fileContains(dbPath, text))),
    logs,
    ownerKey,
    post: (path, body, headers = {}) =>
      Promise.resolve(
        app.request(path, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json', ...headers },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
      ),
    get: (path, headers = {}) => Promise.resolve(app.request(path, { headers: { ...auth, ...headers } })),
    del: (path, headers = {}) => Promise.resolve(app.request(path, { method: 'DELETE', headers: { ...auth, ...headers } })),
    close: async () => {
      await runtime.close();
      await pgSchema?.release();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function fileContains(path: string, text: string): boolean {
  const needle = Buffer.from(text);
  for (const file of [path, `${path}-wal`]) {
    try {
      if (readFileSync(file).includes(needle)) return true;
    } catch {
      // no WAL file: nothing to search
    }
  }
  return false;
}

async function schemaContains(schema: TestSchema, text: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: schema.url });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [
      schema.name,
    ]);
    for (const { table_name } of tables.rows) {
      const hit = await client.query(`SELECT 1 FROM "${table_name}" t WHERE strpos(t::text, $1) > 0 LIMIT 1`, [text]);
      if (hit.rowCount) return true;
    }
    return false;
  } finally {
    await client.end();
  }
}

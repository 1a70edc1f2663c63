import { connect } from 'node:net';
import { defineConfig } from 'vitest/config';

/**
 * Every test runs in the default project (SQLite, plus the PostgreSQL store tests); the API, access,
 * privacy and authorization tests run a second time on PostgreSQL
 * (STEPWISE_TEST_BACKEND=postgres gives each test app a fresh schema). CI machines start PostgreSQL
 * at 127.0.0.1:5432; elsewhere, without one, the PostgreSQL project is left out with a message.
 */
const BOTH_BACKENDS = [
  'packages/server/src/http/app.test.ts',
  'packages/server/test/access.test.ts',
  'packages/server/test/analysis-compare-api.test.ts',
  'packages/server/test/authorization-matrix.test.ts',
  'packages/server/test/privacy-ingest.test.ts',
  'packages/server/test/webhook.test.ts',
  'packages/server/test/export-import.test.ts',
  'packages/server/test/feedback-search-api.test.ts',
  'packages/server/test/prices-api.test.ts',
];

function pgListening(): Promise<boolean> {
  const url = new URL(process.env.STEPWISE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 5432), timeout: 2000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

export default defineConfig(async () => {
  const withPostgres = process.env.CI === 'true' || (await pgListening());
  if (!withPostgres) console.warn('PostgreSQL is not reachable: the API tests run on SQLite only (set STEPWISE_TEST_PG_URL)');
  return {
    resolve: {
      // Tests run against the TypeScript sources of sibling packages, not their build output.
      conditions: ['source'],
    },
    test: {
      testTimeout: 30_000,
      hookTimeout: 60_000,
      pool: 'forks',
      projects: [
        {
          extends: true,
          test: { name: 'default', include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'] },
        },
        ...(withPostgres
          ? [{ extends: true, test: { name: 'postgres', include: BOTH_BACKENDS, env: { STEPWISE_TEST_BACKEND: 'postgres' } } }]
          : []),
      ],
    },
  };
});

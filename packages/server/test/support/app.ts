import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStepwiseApp } from '../../src/app.js';
import type { AppDeps } from '../../src/http/app.js';
import { openRuntime, type Runtime, type RuntimeOptions } from '../../src/runtime.js';
import type { ParseLimits } from '../../src/ingest/parse.js';
import { DEFAULT_WORKSPACE_ID } from '../../src/store/trace-store.js';

export interface TestApp {
  app: ReturnType<typeof createStepwiseApp>;
  runtime: Runtime;
  dbPath: string;
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
  const dbPath = join(dir, 'stepwise.db');
  const runtime = openRuntime({
    dbPath,
    secret: Buffer.from('test-secret'),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.webhook ? { webhook: options.webhook } : {}),
  });
  const boot = await runtime.access.bootstrap(DEFAULT_WORKSPACE_ID);
  const ownerKey = boot!.apiKey;
  const logs: string[] = [];
  const app = createStepwiseApp({
    store: runtime.store,
    pipeline: runtime.pipeline,
    access: runtime.access,
    retention: runtime.retention,
    webhooks: runtime.webhooks,
    log: (line) => logs.push(line),
    assetsDir: join(dir, 'no-assets'),
    ...options.app,
  });
  const auth = { authorization: `Bearer ${ownerKey}` };
  return {
    app,
    runtime,
    dbPath,
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
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

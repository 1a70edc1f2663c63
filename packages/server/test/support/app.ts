import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/http/app.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import type { ParseLimits } from '../../src/ingest/parse.js';

export interface TestApp {
  app: ReturnType<typeof createApp>;
  runtime: Runtime;
  dbPath: string;
  logs: string[];
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string): Promise<Response>;
  close(): Promise<void>;
}

/** An in-process app over a real SQLite file in a temp directory. */
export function makeTestApp(options: { limits?: ParseLimits; clock?: () => Date } = {}): TestApp {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-app-'));
  const dbPath = join(dir, 'stepwise.db');
  const runtime = openRuntime({ dbPath, ...options });
  const logs: string[] = [];
  const app = createApp({ store: runtime.store, pipeline: runtime.pipeline, log: (line) => logs.push(line), assetsDir: join(dir, 'no-assets') });
  return {
    app,
    runtime,
    dbPath,
    logs,
    post: (path, body, headers = {}) =>
      Promise.resolve(
        app.request(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
      ),
    get: (path) => Promise.resolve(app.request(path)),
    close: async () => {
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

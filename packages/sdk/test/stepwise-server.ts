import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Tests may reach across packages (the SDK's source may not): a real Stepwise server to sync into.
import { defaultConfig } from '../../server/src/config.js';
import { startServer, type RunningServer } from '../../server/src/server.js';

export interface StepwiseForTest {
  url: string;
  key: string;
  server: RunningServer;
  get<T>(path: string): Promise<T>;
  close(): Promise<void>;
}

/** A real Stepwise server on a free loopback port over a fresh SQLite file. */
export async function startStepwise(): Promise<StepwiseForTest> {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-sdk-'));
  const server = await startServer(
    { ...defaultConfig({}), host: '127.0.0.1', port: 0, dbPath: join(dir, 'server.db'), demo: false },
    () => {},
  );
  const key = server.firstApiKey!;
  return {
    url: server.url,
    key,
    server,
    get: async <T>(path: string) => {
      const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
      if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as T;
    },
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface StoredEvent {
  type: string;
  data: Record<string, unknown>;
}

export interface StoredTrace {
  trace: { trace_id: string; scenario_id: string; agent_name: string; run_id?: string; events: StoredEvent[] };
}

export interface StoredRun {
  run: { id: string; agent_name: string; source: string | null; name: string | null };
  results: { id: string; scenario_id: string; reported_passed: boolean | null; tool_path: string[] }[];
  total: number;
}

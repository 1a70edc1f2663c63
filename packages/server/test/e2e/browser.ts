import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_PATH, launchChromium } from '../../src/bench/chromium.js';

export { launchChromium };
import { defaultConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';

/**
 * Browser tests need Debian's Chromium. Without it they are skipped on a developer machine and fail
 * in CI (where CI=true), so a missing browser can never pass silently there.
 */
export function browserTestsSkipped(): string | null {
  if (existsSync(CHROMIUM_PATH) || process.env.CI === 'true') return null;
  return `dashboard browser tests skipped: ${CHROMIUM_PATH} is missing (install Debian's chromium package to run them)`;
}

export interface DemoServer {
  server: RunningServer;
  close(): Promise<void>;
}

/** A real server on a free loopback port over a fresh SQLite file, seeded with the demo runs. */
export async function startDemoServer(): Promise<DemoServer> {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-e2e-'));
  const server = await startServer(
    { ...defaultConfig({}), host: '127.0.0.1', port: 0, dbPath: join(dir, 'stepwise.db'), demo: true },
    () => undefined,
  );
  return {
    server,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

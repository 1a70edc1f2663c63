import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from './http/app.js';
import { seedDemoData } from './demo/demo-data.js';
import { openRuntime, type Runtime } from './runtime.js';
import type { ServerConfig } from './config.js';
import { DEFAULT_WORKSPACE_ID } from './store/trace-store.js';

export interface RunningServer {
  url: string;
  port: number;
  runtime: Runtime;
  demoSeeded: boolean;
  close(): Promise<void>;
}

/** Starts the HTTP server on the configured address (port 0 picks a free port). */
export async function startServer(config: ServerConfig, log: (line: string) => void = (l) => console.error(l)): Promise<RunningServer> {
  const publicUrl = config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  const runtime = openRuntime({
    dbPath: config.dbPath,
    limits: { maxBytes: config.maxBodyBytes, maxDepth: config.maxDepth },
    publicUrl,
  });
  let demoSeeded = false;
  if (config.demo && (await runtime.store.countTraces(DEFAULT_WORKSPACE_ID)) === 0) {
    await seedDemoData(runtime.pipeline, DEFAULT_WORKSPACE_ID);
    demoSeeded = true;
  }
  const app = createApp({ store: runtime.store, pipeline: runtime.pipeline, log });
  const server = await new Promise<ReturnType<typeof serve>>((resolvePromise, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolvePromise(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  if (config.publicUrl === undefined) runtime.pipeline.publicUrl = url;
  return {
    url,
    port,
    runtime,
    demoSeeded,
    close: async () => {
      await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
      await runtime.close();
    },
  };
}

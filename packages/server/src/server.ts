import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { StepwiseError } from '@stepwise/core';
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
  /** Printed at start: a one-time link that signs the owner in to the dashboard. */
  loginUrl: string | null;
  /** Printed on first start only: the owner's first API key. */
  firstApiKey: string | null;
  close(): Promise<void>;
}

/** Loopback addresses and names: the only places Stepwise listens without further thought. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** Starts the HTTP server on the configured address (port 0 picks a free port). */
export async function startServer(config: ServerConfig, log: (line: string) => void = (l) => console.error(l)): Promise<RunningServer> {
  if (config.authMode === 'none' && !isLoopback(config.host)) {
    throw new StepwiseError('forbidden', `refusing to listen on ${config.host} with authentication off; bind 127.0.0.1 or drop --auth none`);
  }
  const runtime = openRuntime({
    dbPath: config.dbPath,
    limits: { maxBytes: config.maxBodyBytes, maxDepth: config.maxDepth },
    ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
  });
  const bootstrap = await runtime.access.bootstrap(DEFAULT_WORKSPACE_ID);
  let demoSeeded = false;
  if (config.demo && (await runtime.store.countTraces(DEFAULT_WORKSPACE_ID)) === 0) {
    await seedDemoData(runtime.pipeline, DEFAULT_WORKSPACE_ID);
    demoSeeded = true;
  }
  const app = createApp({
    store: runtime.store,
    pipeline: runtime.pipeline,
    access: runtime.access,
    retention: runtime.retention,
    analysis: runtime.analysis,
    compare: runtime.compare,
    privacy: runtime.privacy,
    log,
    authMode: config.authMode,
    rateLimitPerMinute: config.rateLimitPerMinute,
    secureCookies: config.publicUrl?.startsWith('https://') === true,
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolvePromise, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolvePromise(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  const publicUrl = config.publicUrl ?? url;
  runtime.pipeline.publicUrl = publicUrl;
  runtime.retention.start(config.retentionIntervalMs, (error) => log(`retention sweep failed: ${(error as Error).name}`));

  let loginUrl: string | null = null;
  if (config.authMode !== 'none') {
    const owner = await runtime.access.firstOwner(DEFAULT_WORKSPACE_ID);
    if (owner) loginUrl = `${publicUrl}/login?token=${await runtime.access.createLoginToken(DEFAULT_WORKSPACE_ID, owner.user_id)}`;
  }
  return {
    url,
    port,
    runtime,
    demoSeeded,
    loginUrl,
    firstApiKey: bootstrap?.apiKey ?? null,
    close: async () => {
      await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
      await runtime.close();
    },
  };
}

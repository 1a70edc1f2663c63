import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { StepwiseError } from '@stepwise/core';
import { createStepwiseApp } from './app.js';
import { seedDemoData } from './demo/demo-data.js';
import { openRuntime, type Runtime } from './runtime.js';
import { recordServerUrl, type ServerConfig } from './config.js';
import { DEFAULT_WORKSPACE_ID } from './store/trace-store.js';
import { describeDb } from './store/db-target.js';

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
    throw new StepwiseError(
      'forbidden',
      `refusing to listen on ${config.host} with authentication off; bind 127.0.0.1 or drop --auth none`,
    );
  }
  // Bind first: a start that cannot get its port must leave no database, workspace or owner key
  // behind (the key is printed only once, by the start that creates it).
  let handler: RequestHandler = answerStarting;
  const server = await listen((req, res) => handler(req, res), config);
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  const publicUrl = config.publicUrl ?? url;
  let runtime: Runtime | undefined;
  try {
    runtime = openRuntime({
      dbPath: config.dbPath,
      limits: { maxBytes: config.maxBodyBytes, maxDepth: config.maxDepth },
      publicUrl,
      log,
    });
    await databaseReady(runtime, config.dbPath);
    const started = await prepare(runtime, config, log, publicUrl);
    handler = requestListener(started.app.fetch, config);
    recordServerUrl(config.dbPath, { url, public_url: publicUrl });
    runtime.retention.start(
      config.retentionIntervalMs,
      (error) => log(`retention sweep failed: ${(error as Error).name}`),
      (swept) =>
        log(swept ? 'retention sweep: done' : 'retention sweep: skipped (another server on this database swept within the interval)'),
    );
    return running(server, runtime, { url, port, ...started });
  } catch (error) {
    await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
    await runtime?.close();
    throw error;
  }
}

/** PostgreSQL connects and migrates lazily: fail the start with a message naming the database (without its password). */
async function databaseReady(runtime: Runtime, dbPath: string): Promise<void> {
  try {
    await runtime.ready();
  } catch (error) {
    throw new StepwiseError('internal', `cannot open the database ${describeDb(dbPath)}: ${(error as Error).message}`);
  }
}

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

function answerStarting(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
  res.end(JSON.stringify({ error: { code: 'internal', message: 'Stepwise is starting; try again in a moment' } }));
}

interface Prepared {
  app: ReturnType<typeof createStepwiseApp>;
  demoSeeded: boolean;
  loginUrl: string | null;
  firstApiKey: string | null;
}

/** Everything with side effects on the database: runs only once the port is ours. */
async function prepare(runtime: Runtime, config: ServerConfig, log: (line: string) => void, publicUrl: string): Promise<Prepared> {
  const bootstrap = await runtime.access.bootstrap(DEFAULT_WORKSPACE_ID);
  let demoSeeded = false;
  if (config.demo && (await runtime.store.countTraces(DEFAULT_WORKSPACE_ID)) === 0) {
    await seedDemoData(runtime.pipeline, DEFAULT_WORKSPACE_ID);
    demoSeeded = true;
  }
  const app = createStepwiseApp({
    store: runtime.store,
    pipeline: runtime.pipeline,
    access: runtime.access,
    retention: runtime.retention,
    analysis: runtime.analysis,
    compare: runtime.compare,
    privacy: runtime.privacy,
    webhooks: runtime.webhooks,
    log,
    authMode: config.authMode,
    rateLimitPerMinute: config.rateLimitPerMinute,
    secureCookies: config.publicUrl?.startsWith('https://') === true,
  });
  let loginUrl: string | null = null;
  if (config.authMode !== 'none') {
    const owner = await runtime.access.firstOwner(DEFAULT_WORKSPACE_ID);
    if (owner) loginUrl = `${publicUrl}/login?token=${await runtime.access.createLoginToken(DEFAULT_WORKSPACE_ID, owner.user_id)}`;
  }
  return { app, demoSeeded, loginUrl, firstApiKey: bootstrap?.apiKey ?? null };
}

function running(server: Server, runtime: Runtime, parts: Prepared & { url: string; port: number }): RunningServer {
  return {
    url: parts.url,
    port: parts.port,
    runtime,
    demoSeeded: parts.demoSeeded,
    loginUrl: parts.loginUrl,
    firstApiKey: parts.firstApiKey,
    close: async () => {
      await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
      // OTLP spans still waiting for their root are stored before the database closes.
      await parts.app.otlp.flush();
      await runtime.close();
    },
  };
}
/**
 * A Node HTTP server for the app. Bodies with a declared length within the limit are read into
 * one Buffer before the app sees them: the adapter then hands that buffer over as it is, which is
 * much cheaper for megabyte syncs than pulling them through a web stream chunk by chunk. Bodies
 * without a length, or over the limit, go through untouched (the app's body limit answers 413).
 */
function requestListener(fetch: Parameters<typeof getRequestListener>[0], config: ServerConfig): RequestHandler {
  const listener = getRequestListener(fetch);
  return (req: IncomingMessage, res: ServerResponse) => {
    const length = Number(req.headers['content-length']);
    const hasBody = req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH';
    if (!hasBody || !Number.isInteger(length) || length <= 0 || length > config.maxBodyBytes || req.headers['transfer-encoding']) {
      void listener(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('error', () => res.destroy());
    req.once('end', () => {
      (req as IncomingMessage & { rawBody?: Buffer }).rawBody = Buffer.concat(chunks);
      void listener(req, res);
    });
  };
}

function listen(handler: RequestHandler, config: ServerConfig): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolvePromise(server));
  });
}

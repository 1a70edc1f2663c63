import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { StepwiseError } from '@stepwise/core';
import { createStepwiseApp } from './app.js';
import type { StepwiseApp } from './http/app.js';
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
    handler = requestListener(started.app, config);
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
    prices: runtime.prices,
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
 * The request handler of the Node HTTP server. Before a byte of a body is read, the app says
 * whether the caller may send one (credentials, rate limit) and how big; then the body is read into
 * one Buffer (the adapter hands that over as it is, much cheaper for megabyte syncs than a web
 * stream). Bodies held at once across all requests are capped (`maxBufferedBytes`, answered 503
 * with Retry-After), and a body that is not complete within `bodyTimeoutMs` is answered 408.
 */
function requestListener(app: StepwiseApp, config: ServerConfig): RequestHandler {
  const listener = getRequestListener(app.fetch);
  const budget = new BodyBudget(config.maxBufferedBytes ?? Math.max(4 * config.maxBodyBytes, 64 * 1024 * 1024));
  const timeoutMs = config.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  return (req: IncomingMessage, res: ServerResponse) => {
    const hasBody = req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH';
    if (!hasBody) {
      void listener(req, res);
      return;
    }
    readBody(app, req, res, budget, timeoutMs).then(
      (body) => {
        if (body === null) return;
        (req as IncomingMessage & { rawBody?: Buffer }).rawBody = body.buffer;
        res.once('close', body.release);
        void listener(req, res);
      },
      () => refuse(res, 500, 'internal', 'the server could not read this request'),
    );
  };
}

function listen(handler: RequestHandler, config: ServerConfig): Promise<Server> {
  const server = createServer(handler);
  // Headers must arrive promptly too; bodies have their own timer (see readBody).
  server.headersTimeout = Math.min(config.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS, 60_000);
  server.requestTimeout = 0;
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolvePromise(server));
  });
}

export const DEFAULT_BODY_TIMEOUT_MS = 30_000;

/** Bytes of request bodies held at once, across all connections. */
class BodyBudget {
  private used = 0;
  constructor(readonly limit: number) {}
  /** Reserves `bytes`, or answers false when they do not fit. */
  reserve(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }
  free(bytes: number): void {
    this.used -= bytes;
  }
}

/** How long a refused request's unread body is discarded (never kept) so the client reads the answer. */
const REFUSAL_LINGER_MS = 1000;

/**
 * Drops the rest of a request body without keeping it: for a moment, because closing on unread
 * bytes resets the connection, which can destroy the answer before the client reads it; then the
 * connection is cut if the body has not ended.
 */
function discardBody(req: IncomingMessage, socket: ServerResponse['socket']): void {
  req.removeAllListeners('data');
  req.resume();
  if (req.complete) return;
  const timer = setTimeout(() => socket?.destroy(), REFUSAL_LINGER_MS);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
}

/** Answers with the error envelope; the body is discarded, never kept. */
function refuse(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify({ error: { code, message } }));
  discardBody(res.req, res.socket);
}

const NO_BODY = { buffer: Buffer.alloc(0), release: () => undefined };

async function readBody(
  app: StepwiseApp,
  req: IncomingMessage,
  res: ServerResponse,
  budget: BodyBudget,
  timeoutMs: number,
): Promise<{ buffer: Buffer; release: () => void } | null> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const admission = await app.admit({
    method: req.method ?? 'POST',
    path,
    headers: { authorization: req.headers.authorization, cookie: req.headers.cookie },
  });
  if (!admission.ok) {
    // The app, or the door the path belongs to (MCP, OTLP), answers 401 or 429 in its own format,
    // from the headers alone: it gets an empty body, and the real one is dropped unread.
    discardBody(req, res.socket);
    return NO_BODY;
  }
  const limit = admission.maxBytes;
  const declared = req.headers['transfer-encoding'] ? NaN : Number(req.headers['content-length'] ?? 0);
  const tooLarge = () => refuse(res, 413, 'payload_too_large', `the body is larger than the limit of ${limit} bytes`);
  if (declared > limit) {
    tooLarge();
    return null;
  }
  // A declared length is reserved whole; a streamed body reserves as it arrives.
  let reserved = 0;
  const grow = (bytes: number): boolean => {
    if (!budget.reserve(bytes)) return false;
    reserved += bytes;
    return true;
  };
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    budget.free(reserved);
  };
  const busy = () => refuse(res, 503, 'busy', 'the server is holding too many request bodies; retry shortly', { 'retry-after': '1' });
  if (Number.isFinite(declared) && !grow(declared)) {
    busy();
    return null;
  }
  return new Promise((resolvePromise) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let done = false;
    const finish = (value: { buffer: Buffer; release: () => void } | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (value === null) {
        chunks.length = 0;
        release();
        req.removeAllListeners('data');
        req.resume();
      }
      resolvePromise(value);
    };
    const timer = setTimeout(() => {
      finish(null);
      refuse(res, 408, 'request_timeout', `the body did not arrive within ${Math.round(timeoutMs / 1000)} s`);
    }, timeoutMs);
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      received += chunk.length;
      if (received > limit) {
        finish(null);
        tooLarge();
        return;
      }
      if (!Number.isFinite(declared) && !grow(chunk.length)) {
        finish(null);
        busy();
        return;
      }
      chunks.push(chunk);
    });
    req.once('error', () => {
      finish(null);
      res.destroy();
    });
    req.once('close', () => {
      if (!req.complete) finish(null);
    });
    req.once('end', () => finish({ buffer: Buffer.concat(chunks, received), release }));
  });
}

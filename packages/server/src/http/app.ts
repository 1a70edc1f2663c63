import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { StepwiseError, traceFormatJsonSchema } from '@stepwise/core';
import { authenticateHeaders, guardFor } from './auth.js';
import { type AppDeps } from './context.js';
import { errorResponse } from './errors.js';
import { openApiDocument } from './openapi.js';
import { Router, type AppEnv, type RouteSpec } from './router.js';
import { AnalysisService } from '../services/analysis-service.js';
import { CompareService } from '../services/compare-service.js';
import { accessRoutes } from './routes/access-routes.js';
import { analysisRoutes } from './routes/analysis-routes.js';
import { priceRoutes } from './routes/price-routes.js';
import { privacyRoutes } from './routes/privacy-routes.js';
import { PriceService } from '../services/price-service.js';
import { PrivacyService } from '../services/privacy-service.js';
import { ingestRoutes } from './routes/ingest-routes.js';
import { runRoutes } from './routes/run-routes.js';
import { traceRoutes } from './routes/trace-routes.js';
import { webhookRoutes } from './routes/webhook-routes.js';
import { exportRoutes } from './routes/export-routes.js';
import { feedbackRoutes } from './routes/feedback-routes.js';
import { feedbackServiceFor } from '../services/feedback-service.js';
import { defaultAssetsDir, mountDashboard } from './static-assets.js';

export type { AppDeps, DoorMount, DoorShared } from './context.js';

/** What the Node server asks before reading a request body. */
export interface BodyRequest {
  method: string;
  path: string;
  headers: { authorization?: string | undefined; cookie?: string | undefined };
}

/** Read the body, up to `maxBytes`; or answer with the refusal without reading it. */
/**
 * Read the body, up to `maxBytes`; or do not: the caller is refused (no valid credentials, or out
 * of rate-limit tokens), and the app, or the door the path belongs to, answers that in its own
 * format without a body.
 */
export type Admission = { ok: true; maxBytes: number } | { ok: false; reason: 'unauthorized' | 'rate_limited' };

/** Bodies of routes anyone may call (password sign-in) are small; this is their limit. */
export const PUBLIC_BODY_BYTES = 64 * 1024;

export interface StepwiseApp {
  app: Hono<AppEnv>;
  /** Every route with the access it needs: the source of the authorization matrix test. */
  routes: RouteSpec[];
  fetch: Hono<AppEnv>['fetch'];
  request: Hono<AppEnv>['request'];
  /**
   * Decides from the method, path and credentials alone whether a body may be read: anonymous
   * callers get no further than the public routes (whose bodies are small), and a caller out of
   * rate-limit tokens is refused before the body costs anything.
   */
  admit(request: BodyRequest): Promise<Admission>;
}

/** Builds the HTTP app. It holds no state of its own: everything, rate-limit buckets included, lives in the store. */
export function createApp(deps: AppDeps): StepwiseApp {
  const log = deps.log ?? ((line: string) => console.error(line));
  const app = new Hono<AppEnv>();
  const maxBytes = deps.pipeline.limits.maxBytes;

  app.onError((error, c) => errorResponse(c, error, log));
  app.notFound((c) => errorResponse(c, new StepwiseError('not_found', `no route for ${c.req.method} ${new URL(c.req.url).pathname}`)));
  app.use('*', secureHeaders({ referrerPolicy: 'same-origin', crossOriginEmbedderPolicy: false }));
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: maxBytes,
      onError: (c) => errorResponse(c, new StepwiseError('payload_too_large', `the body is larger than the limit of ${maxBytes} bytes`)),
    }),
  );

  // API replies carry workspace data: no browser or proxy cache may keep them.
  app.use('/api/*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });

  // Buckets live in the store: shared by every server on a PostgreSQL database.
  const perMinute = deps.rateLimitPerMinute ?? 1200;
  const limiter = sharedLimiter((caller) => deps.access.store.takeRateToken(caller, perMinute, Date.now()));
  const router = new Router(app, guardFor({ access: deps.access, mode: deps.authMode ?? 'required', limiter }));
  // Constant time and anonymous: one `SELECT 1`, so a load balancer learns the database is reachable too.
  router.get('/healthz', 'public', async (c) => {
    await deps.store.ping();
    return c.json({ status: 'ok' });
  });
  router.get('/api/v1/openapi.json', 'public', (c) => c.json(openApiDocument(new URL(c.req.url).origin, router.routes)));
  router.get('/api/v1/schema.json', 'public', (c) => c.json(traceFormatJsonSchema()));

  accessRoutes(router, deps);
  ingestRoutes(router, deps);
  runRoutes(router, deps);
  const privacy = deps.privacy ?? new PrivacyService(deps.access.store);
  const feedback = deps.feedback ?? feedbackServiceFor({ ...deps, privacy });
  traceRoutes(router, { ...deps, feedback });
  feedbackRoutes(router, { ...deps, feedback });
  const prices = deps.prices ?? new PriceService(deps.access.store);
  analysisRoutes(router, {
    ...deps,
    analysis: deps.analysis ?? new AnalysisService(deps.store, (workspaceId) => prices.overrideFor(workspaceId)),
    compare: deps.compare ?? new CompareService(deps.store),
  });
  privacyRoutes(router, { ...deps, privacy });
  priceRoutes(router, { ...deps, prices });
  exportRoutes(router, deps);
  if (deps.webhooks) webhookRoutes(router, { ...deps, webhooks: deps.webhooks });
  for (const mount of deps.doors ?? []) {
    mount(app, { log, authMode: deps.authMode ?? 'required', rateLimit: (actor) => limiter.take(actor) });
  }
  mountDashboard(app, deps.assetsDir ?? defaultAssetsDir());

  const publicBodyPaths = new Set(router.routes.filter((r) => r.access === 'public' && r.method !== 'GET').map((r) => r.path));
  const authOptions = { access: deps.access, mode: deps.authMode ?? 'required' } as const;
  const admit = async (request: BodyRequest): Promise<Admission> => {
    if (publicBodyPaths.has(request.path)) return { ok: true, maxBytes: Math.min(PUBLIC_BODY_BYTES, maxBytes) };
    const principal = await authenticateHeaders(request.headers, authOptions);
    if (!principal) return { ok: false, reason: 'unauthorized' };
    if (limiter.peek(principal.actor) > 0) return { ok: false, reason: 'rate_limited' };
    // MCP arguments may carry results as an escaped JSON string, nearly twice the size.
    return { ok: true, maxBytes: request.path === '/mcp' ? Math.max(4 * 1024 * 1024, maxBytes * 2) : maxBytes };
  };
  return { app, routes: router.routes, fetch: app.fetch, request: app.request, admit };
}

/**
 * The store's token buckets (shared by every server on one database), plus a local note of who was
 * refused and until when, so a caller already out of tokens is turned away before its body is read
 * without a database round trip per request.
 */
function sharedLimiter(take: (caller: string) => Promise<number>, maxRemembered = 10_000) {
  const refusedUntil = new Map<string, number>();
  return {
    async take(caller: string): Promise<number> {
      const wait = await take(caller);
      refusedUntil.delete(caller);
      if (wait > 0) {
        refusedUntil.set(caller, Date.now() + wait * 1000);
        if (refusedUntil.size > maxRemembered) refusedUntil.delete(refusedUntil.keys().next().value!);
      }
      return wait;
    },
    /** 0 when the caller may go on, or the seconds it was told to wait. */
    peek(caller: string): number {
      const until = refusedUntil.get(caller);
      if (until === undefined) return 0;
      const left = until - Date.now();
      if (left > 0) return Math.ceil(left / 1000);
      refusedUntil.delete(caller);
      return 0;
    },
  };
}

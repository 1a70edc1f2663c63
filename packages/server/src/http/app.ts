import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { StepwiseError, traceFormatJsonSchema } from '@stepwise/core';
import { type AppDeps } from './context.js';
import { errorResponse } from './errors.js';
import { openApiDocument } from './openapi.js';
import { defaultAssetsDir, mountDashboard } from './static-assets.js';
import { ingestRoutes } from './routes/ingest-routes.js';
import { runRoutes } from './routes/run-routes.js';
import { traceRoutes } from './routes/trace-routes.js';

export type { AppDeps } from './context.js';

/** Builds the HTTP app. It holds no state of its own: everything lives in the store. */
export function createApp(deps: AppDeps): Hono {
  const log = deps.log ?? ((line: string) => console.error(line));
  const app = new Hono();
  const maxBytes = deps.pipeline.limits.maxBytes;

  app.onError((error, c) => errorResponse(c, error, log));
  app.notFound((c) => errorResponse(c, new StepwiseError('not_found', `no route for ${c.req.method} ${new URL(c.req.url).pathname}`)));

  app.use(
    '/api/*',
    bodyLimit({
      maxSize: maxBytes,
      onError: (c) => errorResponse(c, new StepwiseError('payload_too_large', `the body is larger than the limit of ${maxBytes} bytes`)),
    }),
  );

  app.get('/healthz', async (c) => {
    await deps.store.countTraces('ws_default');
    return c.json({ status: 'ok' });
  });
  app.get('/api/v1/openapi.json', (c) => c.json(openApiDocument(new URL(c.req.url).origin)));
  app.get('/api/v1/schema.json', (c) => c.json(traceFormatJsonSchema()));

  app.route('/', ingestRoutes(deps));
  app.route('/', runRoutes(deps));
  app.route('/', traceRoutes(deps));
  mountDashboard(app, deps.assetsDir ?? defaultAssetsDir());
  return app;
}

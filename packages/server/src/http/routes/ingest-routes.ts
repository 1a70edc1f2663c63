import { Hono } from 'hono';
import { readJsonBody, workspaceOf, type AppDeps } from '../context.js';

export function ingestRoutes({ pipeline }: AppDeps): Hono {
  const app = new Hono();

  app.post('/api/v1/sync', async (c) => {
    const body = await readJsonBody(c, pipeline);
    const reply = await pipeline.sync(body, { workspaceId: workspaceOf(c) });
    return c.json(reply, reply.synced > 0 ? 201 : 200);
  });

  app.post('/api/v1/traces', async (c) => {
    const body = await readJsonBody(c, pipeline);
    const reply = await pipeline.ingestTraces(body, { workspaceId: workspaceOf(c) });
    return c.json(reply, reply.stored > 0 ? 201 : 200);
  });

  return app;
}

import { readJsonBody, workspaceOf, type AppDeps } from '../context.js';
import type { Router } from '../router.js';

export function ingestRoutes(r: Router, { pipeline }: AppDeps): void {
  r.post('/api/v1/sync', 'write', async (c) => {
    const body = await readJsonBody(c, pipeline);
    const reply = await pipeline.sync(body, { workspaceId: workspaceOf(c) });
    return c.json(reply, reply.synced > 0 ? 201 : 200);
  });

  r.post('/api/v1/traces', 'write', async (c) => {
    const body = await readJsonBody(c, pipeline);
    const reply = await pipeline.ingestTraces(body, { workspaceId: workspaceOf(c) });
    return c.json(reply, reply.stored > 0 ? 201 : 200);
  });
}

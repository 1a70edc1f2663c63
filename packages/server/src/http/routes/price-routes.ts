import type { PriceService } from '../../services/price-service.js';
import { readJsonBody, workspaceOf, type AppDeps } from '../context.js';
import { principalOf, type Router } from '../router.js';

/** The workspace's price override for estimated costs (admins). */
export function priceRoutes(r: Router, deps: AppDeps & { prices: PriceService }): void {
  const { prices, pipeline, access } = deps;

  r.get('/api/v1/settings/prices', 'settings', async (c) => c.json(await prices.settings(workspaceOf(c))));

  r.put('/api/v1/settings/prices', 'settings', async (c) => {
    const p = principalOf(c);
    const saved = await prices.update(p.workspaceId, await readJsonBody(c, pipeline));
    await access.audit(p, 'settings.prices', { type: 'workspace', id: p.workspaceId }, { models: Object.keys(saved.prices).sort() });
    return c.json(saved);
  });
}

import { z } from 'zod';
import { maskHookUrl, type WebhookService } from '../../notify/webhook-service.js';
import type { WebhookSettings } from '../../store/webhook-store.js';
import { parseBody } from '../body.js';
import { readJsonBody, workspaceOf, type AppDeps } from '../context.js';
import { limitParam, parseQuery } from '../query.js';
import { principalOf, type Router } from '../router.js';

const WebhookBody = z.object({ url: z.string(), format: z.enum(['json', 'slack']).optional() });
const DeliveriesQuery = z.object({ limit: limitParam(50) });

/** The URL's path is often a secret (Slack): settings show it masked, the audit log only its host. */
function shown(settings: WebhookSettings | null) {
  return settings ? { ...settings, url: maskHookUrl(settings.url) } : null;
}

export function webhookRoutes(r: Router, deps: AppDeps & { webhooks: WebhookService }): void {
  const { webhooks, pipeline, access } = deps;
  const webhookStore = webhooks.store;

  r.get('/api/v1/settings/webhook', 'settings', async (c) => c.json({ webhook: shown(await webhookStore.getWebhook(workspaceOf(c))) }));

  r.put('/api/v1/settings/webhook', 'settings', async (c) => {
    const p = principalOf(c);
    const body = parseBody(WebhookBody, await readJsonBody(c, pipeline));
    const saved = await webhooks.configure(p.workspaceId, body);
    await access.audit(
      p,
      'settings.webhook',
      { type: 'workspace', id: p.workspaceId },
      { host: new URL(saved.url).host, format: saved.format },
    );
    return c.json({ webhook: shown(saved) });
  });

  r.delete('/api/v1/settings/webhook', 'settings', async (c) => {
    const p = principalOf(c);
    const removed = await webhookStore.deleteWebhook(p.workspaceId);
    if (removed) await access.audit(p, 'settings.webhook.remove', { type: 'workspace', id: p.workspaceId }, {});
    return c.json({ removed });
  });

  r.get('/api/v1/settings/webhook/deliveries', 'settings', async (c) => {
    const query = parseQuery(DeliveriesQuery, c.req.query());
    return c.json({ deliveries: await webhookStore.listDeliveries(workspaceOf(c), query.limit) });
  });
}

import { z } from 'zod';
import type { PrivacyService } from '../../services/privacy-service.js';
import { parseBody } from '../body.js';
import { readJsonBody, workspaceOf, type AppDeps } from '../context.js';
import { principalOf, type Router } from '../router.js';

const PreviewBody = z.object({ payload: z.unknown(), settings: z.unknown().optional() });

export function privacyRoutes(r: Router, deps: AppDeps & { privacy: PrivacyService }): void {
  const { privacy, pipeline, access } = deps;

  r.get('/api/v1/settings/privacy', 'read', async (c) => c.json(await privacy.settings(workspaceOf(c))));

  r.put('/api/v1/settings/privacy', 'settings', async (c) => {
    const p = principalOf(c);
    const saved = await privacy.update(p.workspaceId, await readJsonBody(c, pipeline));
    // The audit keeps what changed in shape, never the patterns or allowlisted values themselves.
    await access.audit(
      p,
      'settings.privacy',
      { type: 'workspace', id: p.workspaceId },
      {
        rules_off: Object.entries(saved.rules)
          .filter(([, on]) => !on)
          .map(([name]) => name),
        custom_rules: saved.custom_rules.length,
        allowlist: saved.allowlist.length,
        max_event_bytes: saved.max_event_bytes,
      },
    );
    return c.json(saved);
  });

  // Shows what a payload becomes, with the saved settings or a draft; stores nothing.
  r.post('/api/v1/privacy/preview', 'read', async (c) => {
    const body = parseBody(PreviewBody, await readJsonBody(c, pipeline));
    return c.json(await privacy.preview(workspaceOf(c), body.payload, body.settings));
  });
}

// The composition root of the HTTP server: the REST app with the other doors (MCP, OTLP) mounted
// beside its routes. The doors never import each other; this file is where they meet.
import { bearerAuthenticator } from './access/bearer-auth.js';
import { createApp, type AppDeps, type DoorMount, type StepwiseApp } from './http/app.js';
import { mountMcp } from './mcp/mcp-http.js';

/** The MCP door at `/mcp`, over the app's store and pipeline, with bearer API keys and the shared rate limit. */
export function mcpDoor(deps: Pick<AppDeps, 'store' | 'pipeline' | 'access'>): DoorMount {
  return (app, shared) =>
    mountMcp(app, {
      store: deps.store,
      pipeline: deps.pipeline,
      log: shared.log,
      authenticate: bearerAuthenticator(deps.access, shared.authMode),
      rateLimit: (caller) => shared.rateLimit(caller.actor ?? caller.workspaceId),
    });
}

/**
 * The HTTP app with every door: REST API, MCP and the dashboard.
 *
 * @example
 * const app = createStepwiseApp({ store, pipeline, access, retention });
 */
export function createStepwiseApp(deps: AppDeps): StepwiseApp {
  return createApp({ ...deps, doors: [mcpDoor(deps), ...(deps.doors ?? [])] });
}

// The composition root of the HTTP server: the REST app with the other doors (MCP, OTLP) mounted
// beside its routes. The doors never import each other; this file is where they meet.
import { bearerAuthenticator } from './access/bearer-auth.js';
import { createApp, type AppDeps, type DoorMount, type StepwiseApp } from './http/app.js';
import { mountMcp } from './mcp/mcp-http.js';
import { feedbackServiceFor } from './services/feedback-service.js';
import { OtlpAssembler } from './otlp/assembler.js';
import { mountOtlp } from './otlp/otlp-http.js';

/** The MCP door at `/mcp`, over the app's store and pipeline, with bearer API keys and the shared rate limit. */
export function mcpDoor(deps: Pick<AppDeps, 'store' | 'pipeline' | 'access' | 'privacy' | 'feedback'>): DoorMount {
  const feedback = deps.feedback ?? feedbackServiceFor(deps);
  return (app, shared) =>
    mountMcp(app, {
      store: deps.store,
      pipeline: deps.pipeline,
      feedback,
      log: shared.log,
      authenticate: bearerAuthenticator(deps.access, shared.authMode),
      rateLimit: (caller) => shared.rateLimit(caller.actor ?? caller.workspaceId),
    });
}

/** The OTLP/HTTP receiver at `/v1/traces` and `/api/v1/otlp/v1/traces`, assembling spans with `assembler`. */
export function otlpDoor(deps: Pick<AppDeps, 'pipeline' | 'access'>, assembler: OtlpAssembler): DoorMount {
  return (app, shared) =>
    mountOtlp(app, {
      pipeline: deps.pipeline,
      assembler,
      log: shared.log,
      authenticate: bearerAuthenticator(deps.access, shared.authMode),
      rateLimit: (caller) => shared.rateLimit(caller.actor ?? caller.workspaceId),
    });
}

export interface StepwiseAppDeps extends AppDeps {
  /** The OTLP span assembler; the server passes its own so it can flush it on shutdown. */
  otlp?: OtlpAssembler;
}

/**
 * The HTTP app with every door: REST API, OTLP receiver, MCP and the dashboard.
 *
 * @example
 * const app = createStepwiseApp({ store, pipeline, access, retention });
 */
export function createStepwiseApp(deps: StepwiseAppDeps): StepwiseApp & { otlp: OtlpAssembler } {
  const otlp = deps.otlp ?? new OtlpAssembler({ pipeline: deps.pipeline, ...(deps.log ? { log: deps.log } : {}) });
  const app = createApp({ ...deps, doors: [mcpDoor(deps), otlpDoor(deps, otlp), ...(deps.doors ?? [])] });
  return { ...app, otlp };
}

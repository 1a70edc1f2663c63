import { DEFAULT_WORKSPACE_ID } from '../store/trace-store.js';
import type { Role } from './roles.js';

/** Who is calling with an API key: its workspace, its role, and an actor id for rate limits (never a secret). */
export interface ApiKeyCaller {
  workspaceId: string;
  role: Role;
  actor?: string;
}

/** What bearer-key doors (`/mcp`, OTLP) need of the access service: an API key resolved to its workspace and role. */
export interface ApiKeyResolver {
  resolveApiKey(key: string): Promise<ApiKeyCaller | null>;
}

/**
 * The `authenticate` of `/mcp` and the OTLP receiver: a bearer API key (`Authorization: Bearer sw_…`) resolved by the
 * access service. MCP clients and OpenTelemetry exporters send keys, not browser sessions, so cookies are not accepted here.
 * Mode `none` (local development on loopback) acts as the default workspace's owner, as the REST API does.
 *
 * @example
 * mountMcp(app, { store, pipeline, authenticate: bearerAuthenticator(runtime.access) });
 */
export function bearerAuthenticator(
  access: ApiKeyResolver,
  mode: 'required' | 'none' = 'required',
): (request: Request) => Promise<ApiKeyCaller | null> {
  return async (request) => {
    if (mode === 'none') return { workspaceId: DEFAULT_WORKSPACE_ID, role: 'owner', actor: 'local' };
    const match = /^Bearer\s+(\S+)$/i.exec((request.headers.get('authorization') ?? '').trim());
    if (!match) return null;
    const principal = await access.resolveApiKey(match[1]!);
    if (!principal) return null;
    return {
      workspaceId: principal.workspaceId,
      role: principal.role,
      ...(principal.actor !== undefined ? { actor: principal.actor } : {}),
    };
  };
}

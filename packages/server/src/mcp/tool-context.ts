import type { McpBackend } from './backend.js';

/** Roles of workspace members and API keys (DESIGN.md §6). */
export type WorkspaceRole = 'owner' | 'admin' | 'member' | 'viewer';

/** What every tool handler gets: the backend, the caller's role when known, and a stderr logger. */
export interface ToolContext {
  backend: McpBackend;
  /**
   * The caller's role on `/mcp`, where Stepwise authenticated the request itself. Null over stdio:
   * a local database file belongs to whoever can open it, and a remote server checks the key itself.
   */
  role: WorkspaceRole | null;
  log: (line: string) => void;
}

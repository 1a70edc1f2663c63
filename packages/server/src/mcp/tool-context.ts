import { can, type Permission, type Role } from '../access/roles.js';
import type { StepwiseBackend } from '../client/backend.js';

/** Roles of workspace members and API keys (DESIGN.md §6). */
export type WorkspaceRole = Role;

/** What every tool handler gets: the backend, the caller's role when known, and a stderr logger. */
export interface ToolContext {
  backend: StepwiseBackend;
  /**
   * The caller's role on `/mcp`, where Stepwise authenticated the request itself. Null over stdio:
   * a local database file belongs to whoever can open it, and a remote server checks the key itself.
   */
  role: WorkspaceRole | null;
  log: (line: string) => void;
}

/** Whether the caller may do what a tool needs; unknown roles (stdio) are checked by the backend. */
export function allowed(ctx: ToolContext, permission: Permission): boolean {
  return ctx.role === null || can(ctx.role, permission);
}

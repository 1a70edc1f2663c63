/** Roles of a workspace member or an API key, from least to most powerful. */
export const ROLES = ['viewer', 'member', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a request may do. Every route and every MCP tool names exactly one.
 * - read: view runs, traces, analysis, comparisons, exports
 * - write: sync results, annotate (expectations, pins), re-run analysis
 * - delete: delete traces, runs, a scenario's history
 * - settings: change privacy and retention settings, read the audit log
 * - keys: create, list and revoke API keys
 * - members: add people, change roles, remove members
 * - workspace: delete the whole workspace
 */
export type Permission = 'read' | 'write' | 'delete' | 'settings' | 'keys' | 'members' | 'workspace';

/** The permission matrix (README "Roles"): each role has its own row plus everything below it. */
export const PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  viewer: new Set(['read']),
  member: new Set(['read', 'write']),
  admin: new Set(['read', 'write', 'delete', 'settings', 'keys']),
  owner: new Set(['read', 'write', 'delete', 'settings', 'keys', 'members', 'workspace']),
};

export function can(role: Role, permission: Permission): boolean {
  return PERMISSIONS[role].has(permission);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** A role may hand out only roles at or below its own. */
export function canGrant(granter: Role, role: Role): boolean {
  return ROLES.indexOf(role) <= ROLES.indexOf(granter);
}

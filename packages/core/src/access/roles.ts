/** Roles of a workspace member or an API key, from least to most powerful. */
export const ROLES = ['viewer', 'member', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

/** What a request may do. Every route and every MCP tool names exactly one. */
export const PERMISSION_NAMES = ['read', 'write', 'delete', 'settings', 'keys', 'members', 'workspace'] as const;
export type Permission = (typeof PERMISSION_NAMES)[number];

/** What each permission allows, in words a member reads (the Members page and the README say this). */
export const PERMISSION_LABELS: Record<Permission, string> = {
  read: 'view runs, traces, analysis, comparisons and exports',
  write: 'sync results, annotate (expectations, pins, feedback, comments) and re-run analysis',
  delete: 'delete traces, runs and a scenario’s history',
  settings: 'change privacy and retention settings and read the audit log',
  keys: 'create, list and revoke API keys',
  members: 'add people, change roles and remove members',
  workspace: 'delete the whole workspace',
};

/** The permission matrix: the one table the server enforces and the dashboard explains. */
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

/**
 * What a role may do and may not do, from the permission table.
 *
 * @example describeRole('member').cannot // ['delete', 'settings', 'keys', 'members', 'workspace']
 */
export function describeRole(role: Role): { can: Permission[]; cannot: Permission[] } {
  return {
    can: PERMISSION_NAMES.filter((p) => can(role, p)),
    cannot: PERMISSION_NAMES.filter((p) => !can(role, p)),
  };
}

// The role table lives in core, so the dashboard explains exactly what the server enforces.
export { ROLES, PERMISSIONS, PERMISSION_LABELS, can, canGrant, describeRole, isRole } from '@stepwise/core';
export type { Permission, Role } from '@stepwise/core';

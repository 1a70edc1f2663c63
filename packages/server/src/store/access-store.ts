import type { Role } from '../access/roles.js';

export interface WorkspaceRow {
  id: string;
  name: string;
  created_at: string;
  retention_days: number;
  privacy_json: string | null;
  /** The workspace's price override for estimated costs (JSON of PriceOverride), or null for the built-in table. */
  prices_json: string | null;
}

export interface UserRow {
  id: string;
  name: string;
  email: string | null;
  password_hash: string | null;
  created_at: string;
}

export interface MemberRow {
  workspace_id: string;
  user_id: string;
  name: string;
  email: string | null;
  role: Role;
  created_at: string;
}

export interface ApiKeyRow {
  id: string;
  workspace_id: string;
  name: string;
  role: Role;
  prefix: string;
  last4: string;
  hash: string;
  created_by: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface SessionRow {
  hash: string;
  user_id: string;
  workspace_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

export interface LoginTokenRow {
  hash: string;
  user_id: string;
  workspace_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface AuditEntry {
  id: number;
  workspace_id: string;
  at: string;
  actor: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: Record<string, unknown> | null;
}

export interface NewAuditEntry {
  workspaceId: string;
  at: string;
  actor: string;
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

/** Workspaces, people, keys, sessions and the audit log, behind one async interface like TraceStore. */
export interface AccessStore {
  createWorkspace(row: { id: string; name: string; created_at: string }): Promise<void>;
  getWorkspace(id: string): Promise<WorkspaceRow | null>;
  listWorkspaces(): Promise<WorkspaceRow[]>;
  listWorkspacesOfUser(userId: string): Promise<Array<WorkspaceRow & { role: Role }>>;
  updateWorkspace(
    id: string,
    patch: { retention_days?: number; privacy_json?: string | null; prices_json?: string | null; name?: string },
  ): Promise<void>;
  /** Deletes the workspace with every run, trace, event, key, session and membership in it. */
  deleteWorkspace(id: string): Promise<void>;

  countUsers(): Promise<number>;
  createUser(row: UserRow): Promise<void>;
  getUser(id: string): Promise<UserRow | null>;
  getUserByEmail(email: string): Promise<UserRow | null>;
  listUsers(): Promise<UserRow[]>;

  setMember(workspaceId: string, userId: string, role: Role, now: string): Promise<void>;
  getMember(workspaceId: string, userId: string): Promise<MemberRow | null>;
  listMembers(workspaceId: string): Promise<MemberRow[]>;
  removeMember(workspaceId: string, userId: string): Promise<boolean>;

  createApiKey(row: ApiKeyRow): Promise<void>;
  getApiKeyByHash(hash: string): Promise<ApiKeyRow | null>;
  listApiKeys(workspaceId: string): Promise<ApiKeyRow[]>;
  revokeApiKey(workspaceId: string, id: string, now: string): Promise<boolean>;
  touchApiKey(id: string, now: string): Promise<void>;

  createSession(row: SessionRow): Promise<void>;
  getSession(hash: string): Promise<SessionRow | null>;
  deleteSession(hash: string): Promise<void>;
  deleteExpiredSessions(now: string): Promise<void>;

  createLoginToken(row: LoginTokenRow): Promise<void>;
  /** Marks the token used and returns it, if it exists, is unused and unexpired; atomically. */
  redeemLoginToken(hash: string, now: string): Promise<LoginTokenRow | null>;

  audit(entry: NewAuditEntry): Promise<void>;
  listAudit(workspaceId: string, limit: number, beforeId?: number): Promise<AuditEntry[]>;

  /** Deletes traces created before `cutoff` that are not pinned, and runs left empty by that. */
  deleteTracesCreatedBefore(workspaceId: string, cutoff: string): Promise<{ traces: number; runs: number }>;
  setPinned(workspaceId: string, traceId: string, pinned: boolean): Promise<boolean>;
  /** Deletes every trace of a scenario in the workspace, and the expectations stored for it. */
  deleteScenarioTraces(workspaceId: string, scenarioId: string): Promise<number>;

  /**
   * Takes one request from a caller's budget (a token bucket of `perMinute`), shared by every server
   * on the database: 0 when allowed, else the seconds to wait.
   */
  takeRateToken(caller: string, perMinute: number, nowMs: number): Promise<number>;
  /** Runs `fn` while holding the named lock across every server on the database, waiting for it if held. */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Runs `fn` only if no server holds the named lock now; returns whether it ran. */
  runExclusive(name: string, fn: () => Promise<void>): Promise<boolean>;
  /**
   * Records that the named job runs at `now`, unless it last ran after `notBefore` (then returns
   * false): with runExclusive, a periodic job runs once per period however many servers schedule it.
   */
  claimJob(name: string, now: string, notBefore: string): Promise<boolean>;
}

import type Database from 'better-sqlite3';
import type { Role } from '../../access/roles.js';
import { RateLimiter } from '../rate-limit.js';
import type {
  AccessStore,
  ApiKeyRow,
  AuditEntry,
  LoginTokenRow,
  MemberRow,
  NewAuditEntry,
  SessionRow,
  UserRow,
  WorkspaceRow,
} from '../access-store.js';

/** AccessStore over the same SQLite database as the traces (see SqliteTraceStore). */
export class SqliteAccessStore implements AccessStore {
  private readonly statements = new Map<string, Database.Statement>();
  /** One process owns a SQLite file's server: rate limits and locks live in memory. */
  private readonly limiters = new Map<number, RateLimiter>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly running = new Set<string>();

  /** Prepares each SQL text once: statements are reused across requests. */
  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  constructor(
    private readonly db: Database.Database,
    /** Recounts a run's counters after some of its traces were deleted. */
    private readonly afterTraceDeletes: (workspaceId: string, runIds: string[]) => void,
    private readonly scrub: () => void,
  ) {}

  async createWorkspace(row: { id: string; name: string; created_at: string }): Promise<void> {
    this.sql('INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)').run(row.id, row.name, row.created_at);
  }

  async getWorkspace(id: string): Promise<WorkspaceRow | null> {
    return (
      (this.sql('SELECT id, name, created_at, retention_days, privacy_json, prices_json FROM workspaces WHERE id = ?').get(id) as
        WorkspaceRow | undefined) ?? null
    );
  }

  async listWorkspaces(): Promise<WorkspaceRow[]> {
    return this.sql(
      'SELECT id, name, created_at, retention_days, privacy_json, prices_json FROM workspaces ORDER BY created_at',
    ).all() as WorkspaceRow[];
  }

  async listWorkspacesOfUser(userId: string): Promise<Array<WorkspaceRow & { role: Role }>> {
    return this.sql(
      `SELECT w.id, w.name, w.created_at, w.retention_days, w.privacy_json, m.role FROM workspaces w
         JOIN members m ON m.workspace_id = w.id WHERE m.user_id = ? ORDER BY w.created_at`,
    ).all(userId) as Array<WorkspaceRow & { role: Role }>;
  }

  async updateWorkspace(
    id: string,
    patch: { retention_days?: number; privacy_json?: string | null; prices_json?: string | null; name?: string },
  ): Promise<void> {
    if (patch.retention_days !== undefined) this.sql('UPDATE workspaces SET retention_days = ? WHERE id = ?').run(patch.retention_days, id);
    if (patch.privacy_json !== undefined) this.sql('UPDATE workspaces SET privacy_json = ? WHERE id = ?').run(patch.privacy_json, id);
    if (patch.prices_json !== undefined) this.sql('UPDATE workspaces SET prices_json = ? WHERE id = ?').run(patch.prices_json, id);
    if (patch.name !== undefined) this.sql('UPDATE workspaces SET name = ? WHERE id = ?').run(patch.name, id);
  }

  async deleteWorkspace(id: string): Promise<void> {
    this.db.transaction(() => {
      for (const table of ['events', 'trace_patterns', 'traces', 'runs', 'api_keys', 'sessions', 'login_tokens', 'members']) {
        this.sql(`DELETE FROM ${table} WHERE workspace_id = ?`).run(id);
      }
      this.sql('DELETE FROM workspaces WHERE id = ?').run(id);
    })();
    this.scrub();
  }

  async countUsers(): Promise<number> {
    return (this.sql('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  async createUser(row: UserRow): Promise<void> {
    this.sql('INSERT INTO users (id, name, email, password_hash, created_at) VALUES (@id, @name, @email, @password_hash, @created_at)').run(
      row,
    );
  }

  async getUser(id: string): Promise<UserRow | null> {
    return (this.sql('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined) ?? null;
  }

  async getUserByEmail(email: string): Promise<UserRow | null> {
    return (this.sql('SELECT * FROM users WHERE email = ?').get(email) as UserRow | undefined) ?? null;
  }

  async listUsers(): Promise<UserRow[]> {
    return this.sql('SELECT * FROM users ORDER BY created_at').all() as UserRow[];
  }

  async setMember(workspaceId: string, userId: string, role: Role, now: string): Promise<void> {
    this.sql(
      `INSERT INTO members (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role`,
    ).run(workspaceId, userId, role, now);
  }

  async getMember(workspaceId: string, userId: string): Promise<MemberRow | null> {
    return (
      (this.sql(
        `SELECT m.workspace_id, m.user_id, u.name, u.email, m.role, m.created_at FROM members m
           JOIN users u ON u.id = m.user_id WHERE m.workspace_id = ? AND m.user_id = ?`,
      ).get(workspaceId, userId) as MemberRow | undefined) ?? null
    );
  }

  async listMembers(workspaceId: string): Promise<MemberRow[]> {
    return this.sql(
      `SELECT m.workspace_id, m.user_id, u.name, u.email, m.role, m.created_at FROM members m
         JOIN users u ON u.id = m.user_id WHERE m.workspace_id = ? ORDER BY m.created_at`,
    ).all(workspaceId) as MemberRow[];
  }

  async removeMember(workspaceId: string, userId: string): Promise<boolean> {
    const removed = this.sql('DELETE FROM members WHERE workspace_id = ? AND user_id = ?').run(workspaceId, userId).changes > 0;
    this.sql('DELETE FROM sessions WHERE workspace_id = ? AND user_id = ?').run(workspaceId, userId);
    return removed;
  }

  async createApiKey(row: ApiKeyRow): Promise<void> {
    this.sql(
      `INSERT INTO api_keys (id, workspace_id, name, role, prefix, last4, hash, created_by, created_at, last_used_at, revoked_at)
         VALUES (@id, @workspace_id, @name, @role, @prefix, @last4, @hash, @created_by, @created_at, @last_used_at, @revoked_at)`,
    ).run(row);
  }

  async getApiKeyByHash(hash: string): Promise<ApiKeyRow | null> {
    return (this.sql('SELECT * FROM api_keys WHERE hash = ?').get(hash) as ApiKeyRow | undefined) ?? null;
  }

  async listApiKeys(workspaceId: string): Promise<ApiKeyRow[]> {
    return this.sql('SELECT * FROM api_keys WHERE workspace_id = ? ORDER BY created_at').all(workspaceId) as ApiKeyRow[];
  }

  async revokeApiKey(workspaceId: string, id: string, now: string): Promise<boolean> {
    return (
      this.sql('UPDATE api_keys SET revoked_at = ? WHERE workspace_id = ? AND id = ? AND revoked_at IS NULL').run(now, workspaceId, id)
        .changes > 0
    );
  }

  async touchApiKey(id: string, now: string): Promise<void> {
    this.sql('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(now, id);
  }

  async createSession(row: SessionRow): Promise<void> {
    this.sql(
      'INSERT INTO sessions (hash, user_id, workspace_id, csrf_token, created_at, expires_at) VALUES (@hash, @user_id, @workspace_id, @csrf_token, @created_at, @expires_at)',
    ).run(row);
  }

  async getSession(hash: string): Promise<SessionRow | null> {
    return (this.sql('SELECT * FROM sessions WHERE hash = ?').get(hash) as SessionRow | undefined) ?? null;
  }

  async deleteSession(hash: string): Promise<void> {
    this.sql('DELETE FROM sessions WHERE hash = ?').run(hash);
  }

  async deleteExpiredSessions(now: string): Promise<void> {
    this.sql('DELETE FROM sessions WHERE expires_at <= ?').run(now);
    this.sql('DELETE FROM login_tokens WHERE expires_at <= ?').run(now);
  }

  async createLoginToken(row: LoginTokenRow): Promise<void> {
    this.sql(
      'INSERT INTO login_tokens (hash, user_id, workspace_id, created_at, expires_at, used_at) VALUES (@hash, @user_id, @workspace_id, @created_at, @expires_at, @used_at)',
    ).run(row);
  }

  async redeemLoginToken(hash: string, now: string): Promise<LoginTokenRow | null> {
    return this.db.transaction(() => {
      const row = this.sql('SELECT * FROM login_tokens WHERE hash = ? AND used_at IS NULL AND expires_at > ?').get(hash, now) as
        LoginTokenRow | undefined;
      if (!row) return null;
      this.sql('UPDATE login_tokens SET used_at = ? WHERE hash = ?').run(now, hash);
      return row;
    })();
  }

  async audit(entry: NewAuditEntry): Promise<void> {
    this.sql(
      'INSERT INTO audit_log (workspace_id, at, actor, action, target_type, target_id, details_json) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(
      entry.workspaceId,
      entry.at,
      entry.actor,
      entry.action,
      entry.targetType ?? null,
      entry.targetId ?? null,
      entry.details ? JSON.stringify(entry.details) : null,
    );
  }

  async listAudit(workspaceId: string, limit: number, beforeId?: number): Promise<AuditEntry[]> {
    const rows = this.sql(
      `SELECT id, workspace_id, at, actor, action, target_type, target_id, details_json FROM audit_log
         WHERE workspace_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
    ).all(workspaceId, beforeId ?? Number.MAX_SAFE_INTEGER, limit) as Array<Omit<AuditEntry, 'details'> & { details_json: string | null }>;
    return rows.map(({ details_json, ...rest }) => ({
      ...rest,
      details: details_json ? (JSON.parse(details_json) as Record<string, unknown>) : null,
    }));
  }

  async deleteTracesCreatedBefore(workspaceId: string, cutoff: string): Promise<{ traces: number; runs: number }> {
    const outcome = this.db.transaction(() => {
      const doomed = this.sql('SELECT id, run_id FROM traces WHERE workspace_id = ? AND created_at < ? AND pinned = 0').all(
        workspaceId,
        cutoff,
      ) as Array<{ id: string; run_id: string | null }>;
      const delEvents = this.sql('DELETE FROM events WHERE workspace_id = ? AND trace_id = ?');
      const delPatterns = this.sql('DELETE FROM trace_patterns WHERE workspace_id = ? AND trace_id = ?');
      const delTrace = this.sql('DELETE FROM traces WHERE workspace_id = ? AND id = ?');
      for (const { id } of doomed) {
        delEvents.run(workspaceId, id);
        delPatterns.run(workspaceId, id);
        delTrace.run(workspaceId, id);
      }
      const touchedRuns = [...new Set(doomed.map((d) => d.run_id).filter((r): r is string => r !== null))];
      this.afterTraceDeletes(workspaceId, touchedRuns);
      const runs = this.sql(
        `DELETE FROM runs WHERE workspace_id = ? AND created_at < ?
           AND NOT EXISTS (SELECT 1 FROM traces t WHERE t.workspace_id = runs.workspace_id AND t.run_id = runs.id)`,
      ).run(workspaceId, cutoff).changes;
      return { traces: doomed.length, runs };
    })();
    if (outcome.traces > 0 || outcome.runs > 0) this.scrub();
    return outcome;
  }

  async setPinned(workspaceId: string, traceId: string, pinned: boolean): Promise<boolean> {
    return this.sql('UPDATE traces SET pinned = ? WHERE workspace_id = ? AND id = ?').run(pinned ? 1 : 0, workspaceId, traceId).changes > 0;
  }

  async deleteScenarioTraces(workspaceId: string, scenarioId: string): Promise<number> {
    const count = this.db.transaction(() => {
      const doomed = this.sql('SELECT id, run_id FROM traces WHERE workspace_id = ? AND scenario_id = ?').all(
        workspaceId,
        scenarioId,
      ) as Array<{ id: string; run_id: string | null }>;
      for (const { id } of doomed) {
        this.sql('DELETE FROM events WHERE workspace_id = ? AND trace_id = ?').run(workspaceId, id);
        this.sql('DELETE FROM trace_patterns WHERE workspace_id = ? AND trace_id = ?').run(workspaceId, id);
        this.sql('DELETE FROM traces WHERE workspace_id = ? AND id = ?').run(workspaceId, id);
      }
      this.afterTraceDeletes(workspaceId, [...new Set(doomed.map((d) => d.run_id).filter((r): r is string => r !== null))]);
      // The scenario's history includes what was expected of it.
      const expectations = this.sql('DELETE FROM scenario_expectations WHERE workspace_id = ? AND scenario_id = ?').run(
        workspaceId,
        scenarioId,
      ).changes;
      return { traces: doomed.length, expectations };
    })();
    if (count.traces > 0 || count.expectations > 0) this.scrub();
    return count.traces;
  }

  async takeRateToken(caller: string, perMinute: number, nowMs: number): Promise<number> {
    let limiter = this.limiters.get(perMinute);
    if (!limiter) {
      limiter = new RateLimiter(perMinute);
      this.limiters.set(perMinute, limiter);
    }
    return limiter.take(caller, nowMs);
  }

  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    this.locks.set(name, next);
    try {
      return await next;
    } finally {
      if (this.locks.get(name) === next) this.locks.delete(name);
    }
  }

  async runExclusive(name: string, fn: () => Promise<void>): Promise<boolean> {
    if (this.running.has(name)) return false;
    this.running.add(name);
    try {
      await fn();
      return true;
    } finally {
      this.running.delete(name);
    }
  }

  async claimJob(name: string, now: string, notBefore: string): Promise<boolean> {
    return (
      this.sql(
        `INSERT INTO scheduled_jobs (name, last_run_at) VALUES (?, ?)
           ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at WHERE scheduled_jobs.last_run_at <= ?`,
      ).run(name, now, notBefore).changes > 0
    );
  }
}

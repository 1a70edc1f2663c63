import { randomBytes } from 'node:crypto';
import type { Role } from '../../access/roles.js';
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
import type { PgDatabase, Queryable } from './pg-database.js';
import { deleteTraceChildren, recountRun } from './pg-trace-store.js';

const WORKSPACE_COLUMNS = 'id, name, created_at, retention_days, privacy_json, prices_json';
const MEMBER_SELECT = `SELECT m.workspace_id, m.user_id, u.name, u.email, m.role, m.created_at FROM members m JOIN users u ON u.id = m.user_id`;

/**
 * AccessStore over PostgreSQL. Everything a request needs (sessions, login links, keys, rate-limit
 * buckets, job schedules) lives in the database, so any server behind a load balancer can answer.
 */
export class PgAccessStore implements AccessStore {
  constructor(private readonly db: PgDatabase) {}

  /**
   * The secret that keys stored hashes when STEPWISE_SECRET is not set: made once, kept in the
   * database so every server on it agrees. Setting STEPWISE_SECRET instead keeps it out of backups.
   */
  async loadSecret(): Promise<Buffer> {
    await this.db.run("INSERT INTO server_settings (name, value) VALUES ('secret', $1) ON CONFLICT (name) DO NOTHING", [
      randomBytes(32).toString('base64url'),
    ]);
    const row = await this.db.one<{ value: string }>("SELECT value FROM server_settings WHERE name = 'secret'");
    return Buffer.from(row!.value, 'base64url');
  }

  async createWorkspace(row: { id: string; name: string; created_at: string }): Promise<void> {
    await this.db.run('INSERT INTO workspaces (id, name, created_at) VALUES ($1, $2, $3)', [row.id, row.name, row.created_at]);
  }

  async getWorkspace(id: string): Promise<WorkspaceRow | null> {
    return this.db.one<WorkspaceRow>(`SELECT ${WORKSPACE_COLUMNS} FROM workspaces WHERE id = $1`, [id]);
  }

  async listWorkspaces(): Promise<WorkspaceRow[]> {
    return this.db.query<WorkspaceRow>(`SELECT ${WORKSPACE_COLUMNS} FROM workspaces ORDER BY created_at, id`);
  }

  async listWorkspacesOfUser(userId: string): Promise<Array<WorkspaceRow & { role: Role }>> {
    return this.db.query<WorkspaceRow & { role: Role }>(
      `SELECT w.id, w.name, w.created_at, w.retention_days, w.privacy_json, m.role FROM workspaces w
         JOIN members m ON m.workspace_id = w.id WHERE m.user_id = $1 ORDER BY w.created_at, w.id`,
      [userId],
    );
  }

  async updateWorkspace(
    id: string,
    patch: { retention_days?: number; privacy_json?: string | null; prices_json?: string | null; name?: string },
  ): Promise<void> {
    if (patch.retention_days !== undefined)
      await this.db.run('UPDATE workspaces SET retention_days = $1 WHERE id = $2', [patch.retention_days, id]);
    if (patch.privacy_json !== undefined)
      await this.db.run('UPDATE workspaces SET privacy_json = $1 WHERE id = $2', [patch.privacy_json, id]);
    if (patch.prices_json !== undefined) await this.db.run('UPDATE workspaces SET prices_json = $1 WHERE id = $2', [patch.prices_json, id]);
    if (patch.name !== undefined) await this.db.run('UPDATE workspaces SET name = $1 WHERE id = $2', [patch.name, id]);
  }

  async deleteWorkspace(id: string): Promise<void> {
    await this.db.tx(async (client) => {
      for (const table of [
        'events',
        'trace_patterns',
        'finding_feedback',
        'event_comments',
        'traces',
        'runs',
        'api_keys',
        'sessions',
        'login_tokens',
        'members',
        'scenario_expectations',
      ]) {
        await client.query(`DELETE FROM ${table} WHERE workspace_id = $1`, [id]);
      }
      await client.query('DELETE FROM workspaces WHERE id = $1', [id]);
    });
  }

  async countUsers(): Promise<number> {
    return (await this.db.one<{ n: number }>('SELECT COUNT(*) AS n FROM users'))?.n ?? 0;
  }

  async createUser(row: UserRow): Promise<void> {
    await this.db.run('INSERT INTO users (id, name, email, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)', [
      row.id,
      row.name,
      row.email,
      row.password_hash,
      row.created_at,
    ]);
  }

  async getUser(id: string): Promise<UserRow | null> {
    return this.db.one<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
  }

  async getUserByEmail(email: string): Promise<UserRow | null> {
    return this.db.one<UserRow>('SELECT * FROM users WHERE email = $1', [email]);
  }

  async listUsers(): Promise<UserRow[]> {
    return this.db.query<UserRow>('SELECT * FROM users ORDER BY created_at, id');
  }

  async setMember(workspaceId: string, userId: string, role: Role, now: string): Promise<void> {
    await this.db.run(
      `INSERT INTO members (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role`,
      [workspaceId, userId, role, now],
    );
  }

  async getMember(workspaceId: string, userId: string): Promise<MemberRow | null> {
    return this.db.one<MemberRow>(`${MEMBER_SELECT} WHERE m.workspace_id = $1 AND m.user_id = $2`, [workspaceId, userId]);
  }

  async listMembers(workspaceId: string): Promise<MemberRow[]> {
    return this.db.query<MemberRow>(`${MEMBER_SELECT} WHERE m.workspace_id = $1 ORDER BY m.created_at, m.user_id`, [workspaceId]);
  }

  async removeMember(workspaceId: string, userId: string): Promise<boolean> {
    return this.db.tx(async (client) => {
      const removed =
        (await client.query('DELETE FROM members WHERE workspace_id = $1 AND user_id = $2', [workspaceId, userId])).rowCount ?? 0;
      await client.query('DELETE FROM sessions WHERE workspace_id = $1 AND user_id = $2', [workspaceId, userId]);
      return removed > 0;
    });
  }

  async createApiKey(row: ApiKeyRow): Promise<void> {
    await this.db.run(
      `INSERT INTO api_keys (id, workspace_id, name, role, prefix, last4, hash, created_by, created_at, last_used_at, revoked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        row.id,
        row.workspace_id,
        row.name,
        row.role,
        row.prefix,
        row.last4,
        row.hash,
        row.created_by,
        row.created_at,
        row.last_used_at,
        row.revoked_at,
      ],
    );
  }

  async getApiKeyByHash(hash: string): Promise<ApiKeyRow | null> {
    return this.db.one<ApiKeyRow>('SELECT * FROM api_keys WHERE hash = $1', [hash]);
  }

  async listApiKeys(workspaceId: string): Promise<ApiKeyRow[]> {
    return this.db.query<ApiKeyRow>('SELECT * FROM api_keys WHERE workspace_id = $1 ORDER BY created_at, id', [workspaceId]);
  }

  async revokeApiKey(workspaceId: string, id: string, now: string): Promise<boolean> {
    return (
      (await this.db.run('UPDATE api_keys SET revoked_at = $1 WHERE workspace_id = $2 AND id = $3 AND revoked_at IS NULL', [
        now,
        workspaceId,
        id,
      ])) > 0
    );
  }

  async touchApiKey(id: string, now: string): Promise<void> {
    await this.db.run('UPDATE api_keys SET last_used_at = $1 WHERE id = $2', [now, id]);
  }

  async createSession(row: SessionRow): Promise<void> {
    await this.db.run(
      'INSERT INTO sessions (hash, user_id, workspace_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [row.hash, row.user_id, row.workspace_id, row.csrf_token, row.created_at, row.expires_at],
    );
  }

  async getSession(hash: string): Promise<SessionRow | null> {
    return this.db.one<SessionRow>('SELECT * FROM sessions WHERE hash = $1', [hash]);
  }

  async deleteSession(hash: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE hash = $1', [hash]);
  }

  async deleteExpiredSessions(now: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE expires_at <= $1', [now]);
    await this.db.run('DELETE FROM login_tokens WHERE expires_at <= $1', [now]);
  }

  async createLoginToken(row: LoginTokenRow): Promise<void> {
    await this.db.run(
      'INSERT INTO login_tokens (hash, user_id, workspace_id, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [row.hash, row.user_id, row.workspace_id, row.created_at, row.expires_at, row.used_at],
    );
  }

  async redeemLoginToken(hash: string, now: string): Promise<LoginTokenRow | null> {
    // One statement: of two servers redeeming the same link at once, exactly one gets the row.
    return this.db.one<LoginTokenRow>(
      `UPDATE login_tokens SET used_at = $2 WHERE hash = $1 AND used_at IS NULL AND expires_at > $2
       RETURNING hash, user_id, workspace_id, created_at, expires_at, NULL::text AS used_at`,
      [hash, now],
    );
  }

  async audit(entry: NewAuditEntry): Promise<void> {
    await this.db.run(
      'INSERT INTO audit_log (workspace_id, at, actor, action, target_type, target_id, details_json) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [
        entry.workspaceId,
        entry.at,
        entry.actor,
        entry.action,
        entry.targetType ?? null,
        entry.targetId ?? null,
        entry.details ? JSON.stringify(entry.details) : null,
      ],
    );
  }

  async listAudit(workspaceId: string, limit: number, beforeId?: number): Promise<AuditEntry[]> {
    const rows = await this.db.query<Omit<AuditEntry, 'details'> & { details_json: string | null }>(
      `SELECT id, workspace_id, at, actor, action, target_type, target_id, details_json FROM audit_log
         WHERE workspace_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`,
      [workspaceId, beforeId ?? Number.MAX_SAFE_INTEGER, limit],
    );
    return rows.map(({ details_json, ...rest }) => ({
      ...rest,
      details: details_json ? (JSON.parse(details_json) as Record<string, unknown>) : null,
    }));
  }

  async deleteTracesCreatedBefore(workspaceId: string, cutoff: string): Promise<{ traces: number; runs: number }> {
    return this.db.tx(async (client) => {
      const doomed = await deleteTracesWhere(client, workspaceId, 'created_at < $2 AND pinned = 0', cutoff);
      const runs = await client.query(
        `DELETE FROM runs WHERE workspace_id = $1 AND created_at < $2
           AND NOT EXISTS (SELECT 1 FROM traces t WHERE t.workspace_id = runs.workspace_id AND t.run_id = runs.id)`,
        [workspaceId, cutoff],
      );
      return { traces: doomed, runs: runs.rowCount ?? 0 };
    });
  }

  async setPinned(workspaceId: string, traceId: string, pinned: boolean): Promise<boolean> {
    return (
      (await this.db.run('UPDATE traces SET pinned = $1 WHERE workspace_id = $2 AND id = $3', [pinned ? 1 : 0, workspaceId, traceId])) > 0
    );
  }

  async deleteScenarioTraces(workspaceId: string, scenarioId: string): Promise<number> {
    return this.db.tx(async (client) => {
      const doomed = await deleteTracesWhere(client, workspaceId, 'scenario_id = $2', scenarioId);
      // The scenario's history includes what was expected of it.
      await client.query('DELETE FROM scenario_expectations WHERE workspace_id = $1 AND scenario_id = $2', [workspaceId, scenarioId]);
      return doomed;
    });
  }

  async takeRateToken(caller: string, perMinute: number, nowMs: number): Promise<number> {
    const rate = perMinute / 60_000;
    // One atomic upsert per request: refill by the time since the last request, take a token if one is whole.
    const row = await this.db.one<{ tokens: number; allowed: boolean }>(
      `INSERT INTO rate_buckets AS b (caller, tokens, at_ms, allowed) VALUES ($1, $2::double precision - 1, $3, $2::double precision >= 1)
       ON CONFLICT (caller) DO UPDATE SET
         tokens = LEAST($2::double precision, b.tokens + GREATEST(0, $3 - b.at_ms) * $4::double precision)
           - CASE WHEN LEAST($2::double precision, b.tokens + GREATEST(0, $3 - b.at_ms) * $4::double precision) >= 1 THEN 1 ELSE 0 END,
         allowed = LEAST($2::double precision, b.tokens + GREATEST(0, $3 - b.at_ms) * $4::double precision) >= 1,
         at_ms = GREATEST(b.at_ms, $3)
       RETURNING tokens, allowed`,
      [caller, perMinute, nowMs, rate],
    );
    if (!row || row.allowed) return 0;
    return Math.max(1, Math.ceil((1 - row.tokens) / rate / 1000));
  }

  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    await this.db.ready();
    const client = await this.db.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(hashtext(current_schema() || $1))', [`:${name}`]);
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext(current_schema() || $1))', [`:${name}`]);
      }
    } finally {
      client.release();
    }
  }

  async runExclusive(name: string, fn: () => Promise<void>): Promise<boolean> {
    return this.db.exclusive(name, fn);
  }

  async claimJob(name: string, now: string, notBefore: string): Promise<boolean> {
    const claimed = await this.db.run(
      `INSERT INTO scheduled_jobs AS j (name, last_run_at) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET last_run_at = $2 WHERE j.last_run_at <= $3`,
      [name, now, notBefore],
    );
    return claimed > 0;
  }

  /** Closes the connection pool (the trace store over the same database closes it too). */
  async close(): Promise<void> {
    await this.db.close();
  }
}

/**
 * Deletes the workspace's traces matching `condition` (SQL over `$2`), their events, patterns,
 * index rows and feedback, and recounts the runs they were in; the number deleted.
 */
async function deleteTracesWhere(client: Queryable, workspaceId: string, condition: string, value: string): Promise<number> {
  const doomed = (
    await client.query<{ id: string; run_id: string | null }>(
      `DELETE FROM traces WHERE workspace_id = $1 AND ${condition} RETURNING id, run_id`,
      [workspaceId, value],
    )
  ).rows;
  await deleteTraceChildren(
    client,
    workspaceId,
    doomed.map((d) => d.id),
  );
  for (const runId of new Set(doomed.map((d) => d.run_id).filter((r): r is string => r !== null)))
    await recountRun(client, workspaceId, runId);
  return doomed.length;
}

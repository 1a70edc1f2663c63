import { randomBytes } from 'node:crypto';
import { StepwiseError } from '@stepwise/core';
import type { AccessStore, ApiKeyRow, AuditEntry, MemberRow } from '../store/access-store.js';
import { canGrant, type Role } from './roles.js';
import { API_KEY_PATTERN, hashPassword, keyedHash, newApiKey, newToken, verifyPassword } from './secrets.js';

/** Who is making a request, in which workspace, with which role. */
export interface Principal {
  workspaceId: string;
  role: Role;
  /** `user:<id>` or `key:<id>`: what the audit log records. Never a secret. */
  actor: string;
  kind: 'session' | 'key' | 'local';
  userId?: string;
  keyId?: string;
  csrfToken?: string;
  sessionHash?: string;
}

export interface PublicApiKey {
  id: string;
  name: string;
  role: Role;
  /** `sw_AbCd…wxyz`: enough to recognise a key, never enough to use it. */
  display: string;
  created_at: string;
  created_by: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface Bootstrap {
  workspaceId: string;
  ownerId: string;
  apiKey: string;
}

const DAY = 86_400_000;
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const LOGIN_TOKEN_TTL_MS = DAY;
/** Last-used times are written at most this often per key, so reads do not turn into writes. */
const TOUCH_INTERVAL_MS = 60_000;

function shortId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').toLowerCase()}`;
}

/**
 * Workspaces, people, keys, sessions and the audit log. Keys and tokens are stored only as HMACs
 * keyed with the server secret and looked up by that hash; nothing secret is ever logged or audited.
 */
export class AccessService {
  constructor(
    readonly store: AccessStore,
    /** Keys the stored hashes; a promise when it is read from the database (PostgreSQL without STEPWISE_SECRET). */
    private readonly secret: Buffer | Promise<Buffer>,
    private readonly clock: () => Date = () => new Date(),
  ) {
    // Awaited by every hash; a failure surfaces there, not as an unhandled rejection.
    if (secret instanceof Promise) secret.catch(() => undefined);
  }

  private async hash(value: string): Promise<string> {
    return keyedHash(await this.secret, value);
  }

  private now(): string {
    return this.clock().toISOString();
  }

  /** First start: the default workspace gets an owner and an owner key. Returns null when people exist. */
  async bootstrap(workspaceId: string): Promise<Bootstrap | null> {
    // Servers starting together on one database: only the first makes the owner.
    return this.store.withLock('bootstrap', () => this.bootstrapOnce(workspaceId));
  }

  private async bootstrapOnce(workspaceId: string): Promise<Bootstrap | null> {
    if ((await this.store.countUsers()) > 0) return null;
    const ownerId = shortId('usr');
    await this.store.createUser({ id: ownerId, name: 'Owner', email: null, password_hash: null, created_at: this.now() });
    await this.store.setMember(workspaceId, ownerId, 'owner', this.now());
    const { key } = await this.createApiKey(workspaceId, { name: 'first key', role: 'owner' }, `user:${ownerId}`);
    return { workspaceId, ownerId, apiKey: key };
  }

  /** The first owner of a workspace, for minting login links from the CLI. */
  async firstOwner(workspaceId: string): Promise<MemberRow | null> {
    return (await this.store.listMembers(workspaceId)).find((m) => m.role === 'owner') ?? null;
  }

  async createLoginToken(workspaceId: string, userId: string, ttlMs = LOGIN_TOKEN_TTL_MS): Promise<string> {
    const token = newToken();
    const now = this.clock();
    await this.store.createLoginToken({
      hash: await this.hash(token),
      user_id: userId,
      workspace_id: workspaceId,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + ttlMs).toISOString(),
      used_at: null,
    });
    return token;
  }

  /** Exchanges a one-time login token for a session; the token cannot be used twice. */
  async redeemLoginToken(token: string): Promise<{ sessionToken: string; principal: Principal } | null> {
    const row = await this.store.redeemLoginToken(await this.hash(token), this.now());
    if (!row) return null;
    const member = await this.store.getMember(row.workspace_id, row.user_id);
    if (!member) return null;
    return this.startSession(row.workspace_id, member, 'sign_in.link');
  }

  async loginWithPassword(
    email: string,
    password: string,
    workspaceId?: string,
  ): Promise<{ sessionToken: string; principal: Principal } | null> {
    const user = await this.store.getUserByEmail(email);
    // Verify against a dummy hash when the user is unknown, so timing does not reveal who exists.
    const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
    if (!user || !user.password_hash || !ok) return null;
    const workspaces = await this.store.listWorkspacesOfUser(user.id);
    const chosen = workspaceId ? workspaces.find((w) => w.id === workspaceId) : workspaces[0];
    if (!chosen) return null;
    const member = await this.store.getMember(chosen.id, user.id);
    return member ? this.startSession(chosen.id, member, 'sign_in.password') : null;
  }

  private async startSession(
    workspaceId: string,
    member: MemberRow,
    action: string,
  ): Promise<{ sessionToken: string; principal: Principal }> {
    const sessionToken = newToken();
    const csrfToken = newToken(24);
    const now = this.clock();
    const hash = await this.hash(sessionToken);
    await this.store.deleteExpiredSessions(now.toISOString());
    await this.store.createSession({
      hash,
      user_id: member.user_id,
      workspace_id: workspaceId,
      csrf_token: csrfToken,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + SESSION_TTL_MS).toISOString(),
    });
    const actor = `user:${member.user_id}`;
    await this.store.audit({ workspaceId, at: now.toISOString(), actor, action });
    return {
      sessionToken,
      principal: { workspaceId, role: member.role, actor, kind: 'session', userId: member.user_id, csrfToken, sessionHash: hash },
    };
  }

  async resolveSession(sessionToken: string): Promise<Principal | null> {
    const hash = await this.hash(sessionToken);
    const session = await this.store.getSession(hash);
    if (!session || session.expires_at <= this.now()) return null;
    // The role is read on every request, so a role change or removal applies at once.
    const member = await this.store.getMember(session.workspace_id, session.user_id);
    if (!member) return null;
    return {
      workspaceId: session.workspace_id,
      role: member.role,
      actor: `user:${session.user_id}`,
      kind: 'session',
      userId: session.user_id,
      csrfToken: session.csrf_token,
      sessionHash: hash,
    };
  }

  async logout(principal: Principal): Promise<void> {
    if (principal.sessionHash) await this.store.deleteSession(principal.sessionHash);
    await this.store.audit({ workspaceId: principal.workspaceId, at: this.now(), actor: principal.actor, action: 'sign_out' });
  }

  async resolveApiKey(key: string): Promise<Principal | null> {
    if (!API_KEY_PATTERN.test(key)) return null;
    const row = await this.store.getApiKeyByHash(await this.hash(key));
    if (!row || row.revoked_at !== null) return null;
    const now = this.clock();
    if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > TOUCH_INTERVAL_MS) {
      await this.store.touchApiKey(row.id, now.toISOString());
    }
    return { workspaceId: row.workspace_id, role: row.role, actor: `key:${row.id}`, kind: 'key', keyId: row.id };
  }

  async createApiKey(
    workspaceId: string,
    spec: { name: string; role: Role },
    actor: string,
    actorRole: Role = 'owner',
  ): Promise<{ key: string; record: PublicApiKey }> {
    if (!canGrant(actorRole, spec.role)) {
      throw new StepwiseError('forbidden', `a ${actorRole} cannot create a key with the ${spec.role} role`);
    }
    const key = newApiKey();
    const row: ApiKeyRow = {
      id: shortId('key'),
      workspace_id: workspaceId,
      name: spec.name,
      role: spec.role,
      prefix: key.slice(0, 7),
      last4: key.slice(-4),
      hash: await this.hash(key),
      created_by: actor,
      created_at: this.now(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.store.createApiKey(row);
    await this.store.audit({
      workspaceId,
      at: row.created_at,
      actor,
      action: 'key.create',
      targetType: 'api_key',
      targetId: row.id,
      details: { role: spec.role },
    });
    return { key, record: publicKey(row) };
  }

  async listApiKeys(workspaceId: string): Promise<PublicApiKey[]> {
    return (await this.store.listApiKeys(workspaceId)).map(publicKey);
  }

  async revokeApiKey(workspaceId: string, keyId: string, actor: string): Promise<boolean> {
    const revoked = await this.store.revokeApiKey(workspaceId, keyId, this.now());
    if (revoked)
      await this.store.audit({ workspaceId, at: this.now(), actor, action: 'key.revoke', targetType: 'api_key', targetId: keyId });
    return revoked;
  }

  async addUser(spec: { name: string; email?: string; password?: string }): Promise<{ id: string }> {
    if (spec.email && (await this.store.getUserByEmail(spec.email))) {
      throw new StepwiseError('conflict', 'a user with this email already exists');
    }
    if (spec.password !== undefined && spec.password.length < 12) {
      throw new StepwiseError('invalid_request', 'the password must have at least 12 characters', {
        issues: [{ path: 'password', message: 'too short (12 characters or more)' }],
      });
    }
    const id = shortId('usr');
    await this.store.createUser({
      id,
      name: spec.name,
      email: spec.email ?? null,
      password_hash: spec.password !== undefined ? await hashPassword(spec.password) : null,
      created_at: this.now(),
    });
    return { id };
  }

  async setMemberRole(workspaceId: string, userId: string, role: Role, actor: string): Promise<void> {
    if (!(await this.store.getUser(userId))) throw new StepwiseError('not_found', 'no such user');
    const before = await this.store.getMember(workspaceId, userId);
    if (before?.role === 'owner' && role !== 'owner') await this.assertAnotherOwner(workspaceId, userId);
    await this.store.setMember(workspaceId, userId, role, this.now());
    await this.store.audit({
      workspaceId,
      at: this.now(),
      actor,
      action: before ? 'member.role_change' : 'member.add',
      targetType: 'user',
      targetId: userId,
      details: { from: before?.role ?? null, to: role },
    });
  }

  async removeMember(workspaceId: string, userId: string, actor: string): Promise<boolean> {
    const before = await this.store.getMember(workspaceId, userId);
    if (!before) return false;
    if (before.role === 'owner') await this.assertAnotherOwner(workspaceId, userId);
    await this.store.removeMember(workspaceId, userId);
    await this.store.audit({ workspaceId, at: this.now(), actor, action: 'member.remove', targetType: 'user', targetId: userId });
    return true;
  }

  private async assertAnotherOwner(workspaceId: string, userId: string): Promise<void> {
    const owners = (await this.store.listMembers(workspaceId)).filter((m) => m.role === 'owner' && m.user_id !== userId);
    if (owners.length === 0) throw new StepwiseError('conflict', 'a workspace needs at least one owner; make someone else owner first');
  }

  async createWorkspace(name: string, ownerUserId: string | null, actor: string): Promise<{ id: string }> {
    const id = shortId('ws');
    await this.store.createWorkspace({ id, name, created_at: this.now() });
    if (ownerUserId) await this.store.setMember(id, ownerUserId, 'owner', this.now());
    await this.store.audit({ workspaceId: id, at: this.now(), actor, action: 'workspace.create', targetType: 'workspace', targetId: id });
    return { id };
  }

  async deleteWorkspace(workspaceId: string, actor: string): Promise<void> {
    await this.store.deleteWorkspace(workspaceId);
    // The audit entry outlives the workspace on purpose: who deleted it, and when.
    await this.store.audit({
      workspaceId,
      at: this.now(),
      actor,
      action: 'workspace.delete',
      targetType: 'workspace',
      targetId: workspaceId,
    });
  }

  /**
   * What the audit log keeps of a scenario id: a keyed hash (`hmac:` + 16 hex digits), so the log
   * holds no free text, yet someone who knows the id and the server can still find its entries.
   */
  async scenarioRef(scenarioId: string): Promise<string> {
    return `hmac:${(await this.hash(`scenario:${scenarioId}`)).slice(0, 16)}`;
  }

  async audit(
    principal: Pick<Principal, 'workspaceId' | 'actor'>,
    action: string,
    target?: { type: string; id: string },
    details?: Record<string, unknown>,
  ): Promise<void> {
    await this.store.audit({
      workspaceId: principal.workspaceId,
      at: this.now(),
      actor: principal.actor,
      action,
      ...(target ? { targetType: target.type, targetId: target.id } : {}),
      ...(details ? { details } : {}),
    });
  }

  listAudit(workspaceId: string, limit: number, beforeId?: number): Promise<AuditEntry[]> {
    return this.store.listAudit(workspaceId, limit, beforeId);
  }
}

// A valid scrypt hash of a random password: verifying against it costs what a real check costs.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

function publicKey(row: ApiKeyRow): PublicApiKey {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    display: `${row.prefix}…${row.last4}`,
    created_at: row.created_at,
    created_by: row.created_by,
    last_used_at: row.last_used_at,
    revoked_at: row.revoked_at,
  };
}

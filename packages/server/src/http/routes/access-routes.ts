import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { StepwiseError } from '@stepwise/core';
import { SESSION_TTL_MS } from '../../access/access-service.js';
import { ROLES, canGrant } from '../../access/roles.js';
import { SESSION_COOKIE } from '../auth.js';
import { parseBody } from '../body.js';
import { readJsonBody, workspaceOf, type AppDeps } from '../context.js';
import { limitParam, parseQuery } from '../query.js';
import { RateLimiter } from '../../store/rate-limit.js';
import { param, principalOf, type Router } from '../router.js';

const Role = z.enum(ROLES);
const KeyBody = z.object({ name: z.string().min(1).max(100), role: Role });
const MemberBody = z.union([
  z.object({ user_id: z.string().min(1), role: Role }),
  z.object({
    name: z.string().min(1).max(200),
    email: z.email().optional(),
    password: z.string().min(12).max(1000).optional(),
    role: Role,
  }),
]);
const RoleBody = z.object({ role: Role });
const RetentionBody = z.object({ retention_days: z.number().int().min(1).max(3650) });
const LoginBody = z.object({ email: z.email(), password: z.string().min(1).max(1000), workspace_id: z.string().optional() });
const AuditQuery = z.object({ limit: limitParam(100), before: z.coerce.number().int().positive().optional() });

/** Sign-in attempts a minute from one client address, and failed ones a minute for one account. */
export const LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE = 20;
export const LOGIN_FAILURES_PER_ACCOUNT_PER_MINUTE = 10;

/** The client's address as the socket saw it (no proxy header is trusted), or `local` in-process. */
function clientAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'local';
}

export function accessRoutes(r: Router, deps: AppDeps): void {
  const { access, pipeline, retention } = deps;
  const cookieOptions = {
    httpOnly: true,
    sameSite: 'Strict' as const,
    path: '/',
    secure: deps.secureCookies === true,
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  };

  // The one-time link printed at start: exchanges its token for a session cookie, then opens the dashboard.
  r.get('/login', 'public', async (c) => {
    const token = c.req.query('token');
    if (!token) return c.redirect('/signin');
    const session = await access.redeemLoginToken(token);
    if (!session) {
      return c.html(
        '<!doctype html><title>Stepwise</title><p>This login link has expired or was already used. Run <code>stepwise login-link</code> for a new one.</p>',
        401,
      );
    }
    setCookie(c, SESSION_COOKIE, session.sessionToken, cookieOptions);
    return c.redirect('/');
  });

  // Password guessing is bounded per client address and per account (failures only), before scrypt runs.
  const loginsPerAddress = new RateLimiter(LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE);
  const failuresPerAccount = new RateLimiter(LOGIN_FAILURES_PER_ACCOUNT_PER_MINUTE);
  const tooMany = (c: Context, wait: number) => {
    c.header('Retry-After', String(wait));
    return new StepwiseError('rate_limited', `too many sign-in attempts; retry in ${wait} s`);
  };

  r.post('/api/v1/auth/login', 'public', async (c) => {
    const address = clientAddress(c);
    const addressWait = loginsPerAddress.take(address);
    if (addressWait > 0) throw tooMany(c, addressWait);
    const body = parseBody(LoginBody, await readJsonBody(c, pipeline));
    const account = body.email.trim().toLowerCase();
    const accountWait = failuresPerAccount.peek(account);
    if (accountWait > 0) throw tooMany(c, accountWait);
    let session: Awaited<ReturnType<typeof access.loginWithPassword>>;
    try {
      session = await access.loginWithPassword(body.email, body.password, body.workspace_id);
    } catch (error) {
      if (error instanceof StepwiseError && error.code === 'rate_limited') c.header('Retry-After', '2');
      throw error;
    }
    if (!session) {
      failuresPerAccount.take(account);
      throw new StepwiseError('unauthorized', 'wrong email or password');
    }
    setCookie(c, SESSION_COOKIE, session.sessionToken, cookieOptions);
    return c.json({ workspace_id: session.principal.workspaceId, role: session.principal.role, csrf_token: session.principal.csrfToken });
  });

  r.get('/api/v1/session', 'authenticated', async (c) => {
    const p = principalOf(c);
    const workspace = await access.store.getWorkspace(p.workspaceId);
    const user = p.userId ? await access.store.getUser(p.userId) : null;
    return c.json({
      user: user ? { id: user.id, name: user.name, email: user.email } : null,
      workspace: workspace ? { id: workspace.id, name: workspace.name } : { id: p.workspaceId, name: p.workspaceId },
      role: p.role,
      via: p.kind,
      csrf_token: p.csrfToken ?? null,
    });
  });

  r.post('/api/v1/session/logout', 'authenticated', async (c) => {
    await access.logout(principalOf(c));
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json({ signed_out: true });
  });

  r.get('/api/v1/keys', 'keys', async (c) => c.json({ keys: await access.listApiKeys(workspaceOf(c)) }));

  r.post('/api/v1/keys', 'keys', async (c) => {
    const body = parseBody(KeyBody, await readJsonBody(c, pipeline));
    const p = principalOf(c);
    const { key, record } = await access.createApiKey(p.workspaceId, body, p.actor, p.role);
    // The only time the key is ever shown.
    return c.json({ key, ...record }, 201);
  });

  r.delete('/api/v1/keys/:id', 'keys', async (c) => {
    const p = principalOf(c);
    if (!(await access.revokeApiKey(p.workspaceId, param(c, 'id'), p.actor))) {
      throw new StepwiseError('not_found', 'no active API key with this id in this workspace');
    }
    return c.json({ revoked: true });
  });

  r.get('/api/v1/members', 'read', async (c) => c.json({ members: await access.store.listMembers(workspaceOf(c)) }));

  r.post('/api/v1/members', 'members', async (c) => {
    const body = parseBody(MemberBody, await readJsonBody(c, pipeline));
    const p = principalOf(c);
    let userId: string;
    if ('user_id' in body) {
      if (!(await access.store.getUser(body.user_id))) throw new StepwiseError('not_found', 'no such user');
      userId = body.user_id;
    } else {
      userId = (
        await access.addUser({
          name: body.name,
          ...(body.email ? { email: body.email } : {}),
          ...(body.password ? { password: body.password } : {}),
        })
      ).id;
    }
    await access.setMemberRole(p.workspaceId, userId, body.role, p.actor);
    return c.json({ member: await access.store.getMember(p.workspaceId, userId) }, 201);
  });

  r.patch('/api/v1/members/:id', 'members', async (c) => {
    const { role } = parseBody(RoleBody, await readJsonBody(c, pipeline));
    const p = principalOf(c);
    const id = param(c, 'id');
    if (!(await access.store.getMember(p.workspaceId, id)))
      throw new StepwiseError('not_found', 'no member with this id in this workspace');
    if (!canGrant(p.role, role)) throw new StepwiseError('forbidden', `a ${p.role} cannot grant the ${role} role`);
    await access.setMemberRole(p.workspaceId, id, role, p.actor);
    return c.json({ member: await access.store.getMember(p.workspaceId, id) });
  });

  r.delete('/api/v1/members/:id', 'members', async (c) => {
    const p = principalOf(c);
    if (!(await access.removeMember(p.workspaceId, param(c, 'id'), p.actor))) {
      throw new StepwiseError('not_found', 'no member with this id in this workspace');
    }
    return c.json({ removed: true });
  });

  r.get('/api/v1/audit', 'settings', async (c) => {
    const query = parseQuery(AuditQuery, c.req.query());
    const entries = await access.listAudit(workspaceOf(c), query.limit, query.before);
    return c.json({ entries, next_before: entries.length === query.limit ? (entries.at(-1)?.id ?? null) : null });
  });

  r.get('/api/v1/workspace', 'read', async (c) => {
    const p = principalOf(c);
    const ws = await access.store.getWorkspace(p.workspaceId);
    if (!ws) throw new StepwiseError('not_found', 'this workspace no longer exists');
    return c.json({ id: ws.id, name: ws.name, created_at: ws.created_at, retention_days: ws.retention_days, role: p.role });
  });

  r.delete('/api/v1/workspace', 'workspace', async (c) => {
    const p = principalOf(c);
    await access.deleteWorkspace(p.workspaceId, p.actor);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json({ deleted: true });
  });

  r.get('/api/v1/settings/retention', 'read', async (c) => {
    const ws = await access.store.getWorkspace(workspaceOf(c));
    return c.json({ retention_days: ws?.retention_days ?? null });
  });

  r.put('/api/v1/settings/retention', 'settings', async (c) => {
    const { retention_days } = parseBody(RetentionBody, await readJsonBody(c, pipeline));
    const p = principalOf(c);
    const before = await access.store.getWorkspace(p.workspaceId);
    await access.store.updateWorkspace(p.workspaceId, { retention_days });
    await access.audit(
      p,
      'settings.retention',
      { type: 'workspace', id: p.workspaceId },
      { from: before?.retention_days ?? null, to: retention_days },
    );
    return c.json({ retention_days });
  });

  r.post('/api/v1/retention/apply', 'settings', async (c) => {
    const p = principalOf(c);
    const [report] = await retention.sweep(p.actor, p.workspaceId);
    return c.json(report ?? null);
  });
}

import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { StepwiseError } from '@stepwise/core';
import type { AccessService, Principal } from '../access/access-service.js';
import { can } from '../access/roles.js';
import { safeEqual } from '../access/secrets.js';
import { DEFAULT_WORKSPACE_ID } from '../store/trace-store.js';
import type { Access, AppEnv } from './router.js';

export const SESSION_COOKIE = 'stepwise_session';

export interface AuthOptions {
  access: AccessService;
  /** `none` is for local development on a loopback address only: every request acts as the default workspace's owner. */
  mode: 'required' | 'none';
  /** Takes one request from the caller's budget: 0 when allowed, else seconds to wait. */
  limiter?: { take(caller: string): number | Promise<number> };
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Resolves the caller from a bearer API key or a session cookie. */
export async function authenticate(c: Context, options: AuthOptions): Promise<Principal | null> {
  if (options.mode === 'none') return { workspaceId: DEFAULT_WORKSPACE_ID, role: 'owner', actor: 'local', kind: 'local' };
  const header = c.req.header('authorization');
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    return match ? options.access.resolveApiKey(match[1]!) : null;
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  return cookie ? options.access.resolveSession(cookie) : null;
}

/** The session cookie's value in a raw `Cookie` header, or undefined. */
export function sessionCookieOf(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
  }
  return undefined;
}

/**
 * The caller from raw request headers (bearer API key first, then the session cookie): what the
 * Node server checks before it reads a single byte of a body.
 */
export async function authenticateHeaders(
  headers: { authorization?: string | undefined; cookie?: string | undefined },
  options: AuthOptions,
): Promise<Principal | null> {
  if (options.mode === 'none') return { workspaceId: DEFAULT_WORKSPACE_ID, role: 'owner', actor: 'local', kind: 'local' };
  if (headers.authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization.trim());
    return match ? options.access.resolveApiKey(match[1]!) : null;
  }
  const cookie = sessionCookieOf(headers.cookie);
  return cookie ? options.access.resolveSession(cookie) : null;
}

/** The guard every route is registered with: authentication, CSRF, rate limit, then the role check. */
export function guardFor(options: AuthOptions): (access: Access) => MiddlewareHandler<AppEnv> {
  return (access) => async (c, next) => {
    if (access === 'public') return next();
    const principal = await authenticate(c, options);
    if (!principal) throw new StepwiseError('unauthorized', 'sign in, or send an API key as "Authorization: Bearer sw_…"');
    if (principal.kind === 'session' && MUTATING.has(c.req.method)) {
      const token = c.req.header('x-csrf-token');
      if (!token || !principal.csrfToken || !safeEqual(token, principal.csrfToken)) {
        throw new StepwiseError('forbidden', 'missing or wrong X-CSRF-Token header (read it from GET /api/v1/session)');
      }
    }
    if (options.limiter) {
      const wait = await options.limiter.take(principal.actor);
      if (wait > 0) {
        c.header('Retry-After', String(wait));
        throw new StepwiseError('rate_limited', `too many requests; retry in ${wait} s`);
      }
    }
    if (access !== 'authenticated' && !can(principal.role, access)) {
      throw new StepwiseError('forbidden', `your role (${principal.role}) does not allow this (needs ${access} permission)`);
    }
    c.set('principal', principal);
    return next();
  };
}

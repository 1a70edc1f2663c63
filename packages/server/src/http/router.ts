import type { Context, Hono, MiddlewareHandler } from 'hono';
import { StepwiseError } from '@stepwise/core';
import type { Principal } from '../access/access-service.js';
import type { Permission } from '../access/roles.js';

export type AppEnv = { Variables: { principal: Principal } };
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** `public`: no credentials; `authenticated`: any role; otherwise the permission the route needs. */
export type Access = Permission | 'public' | 'authenticated';

export interface RouteSpec {
  method: HttpMethod;
  path: string;
  access: Access;
  /** Which path parameter names an object of the workspace (for the authorization matrix test). */
  objectParam?: string;
}

type Handler = (c: Context<AppEnv>) => Response | Promise<Response>;

/**
 * Registers routes together with the access each needs, so that authorization cannot be forgotten
 * and the route table can be listed (the authorization matrix test is generated from it).
 */
export class Router {
  readonly routes: RouteSpec[] = [];

  constructor(
    private readonly app: Hono<AppEnv>,
    private readonly guard: (access: Access) => MiddlewareHandler<AppEnv>,
  ) {}

  add(method: HttpMethod, path: string, access: Access, handler: Handler): this {
    const objectParam = /:(\w+)/.exec(path)?.[1];
    this.routes.push({ method, path, access, ...(objectParam ? { objectParam } : {}) });
    this.app.on(method, path, this.guard(access), handler);
    return this;
  }

  get(path: string, access: Access, handler: Handler): this {
    return this.add('GET', path, access, handler);
  }
  post(path: string, access: Access, handler: Handler): this {
    return this.add('POST', path, access, handler);
  }
  put(path: string, access: Access, handler: Handler): this {
    return this.add('PUT', path, access, handler);
  }
  patch(path: string, access: Access, handler: Handler): this {
    return this.add('PATCH', path, access, handler);
  }
  delete(path: string, access: Access, handler: Handler): this {
    return this.add('DELETE', path, access, handler);
  }
}

export function principalOf(c: Context<AppEnv>): Principal {
  const principal = c.get('principal');
  if (!principal) throw new StepwiseError('unauthorized', 'sign in or send an API key');
  return principal;
}

/** A path parameter of the route (always present when the route matched). */
export function param(c: Context<AppEnv>, name: string): string {
  const value = c.req.param(name) as string | undefined;
  if (value === undefined) throw new StepwiseError('invalid_request', `missing path parameter ${name}`);
  return value;
}

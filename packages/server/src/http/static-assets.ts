import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import type { AppEnv } from './router.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/**
 * The dashboard's Content-Security-Policy: its own scripts only (no inline script, no eval), no
 * framing, no plugins, and requests only to this server. Inline styles stay allowed: React sets
 * element styles, and a style cannot run code.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** `decodeURIComponent`, or null for a malformed `%` escape. */
function decodePath(path: string): string | null {
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}

/** Where the dashboard's build lands: packages/web/dist, next to this package. */
export function defaultAssetsDir(): string {
  return resolve(fileURLToPath(import.meta.url), '../../../../web/dist');
}

/**
 * Serves the dashboard's built assets at `/`, with every other non-API path answered by index.html
 * so deep links (a run, a trace, an event, a comparison) load the app.
 */
export function mountDashboard(app: Hono<AppEnv>, assetsDir: string): void {
  const root = resolve(assetsDir);
  const indexPath = join(root, 'index.html');
  app.get('*', (c, next) => {
    const path = new URL(c.req.url).pathname;
    if (path.startsWith('/api/') || path === '/healthz' || path === '/mcp' || path.startsWith('/v1/')) return next();
    const decoded = decodePath(path);
    if (decoded === null) {
      return c.json({ error: { code: 'invalid_request', message: 'the path has a malformed % escape' } }, 400);
    }
    const file = normalize(join(root, decoded));
    if ((file === root || file.startsWith(root + sep)) && existsSync(file) && statSync(file).isFile()) {
      const immutable = path.startsWith('/assets/');
      return c.body(readFileSync(file), 200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        'x-content-type-options': 'nosniff',
        'content-security-policy': DASHBOARD_CSP,
      });
    }
    if (!existsSync(indexPath)) {
      return c.text('The dashboard is not built. Run `npm run build` (npm start does it for you).', 503, {
        'content-security-policy': DASHBOARD_CSP,
      });
    }
    return c.body(readFileSync(indexPath), 200, {
      'content-type': TYPES['.html']!,
      'cache-control': 'no-cache',
      'content-security-policy': DASHBOARD_CSP,
    });
  });
}

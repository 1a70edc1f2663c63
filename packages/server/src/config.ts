import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_PARSE_LIMITS } from './ingest/parse.js';
import { parseDbTarget, resolveDb } from './store/db-target.js';

/** Port 4319: next to OTLP/HTTP's 4318, since Stepwise also speaks OTLP. */
export const DEFAULT_PORT = 4319;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DB_PATH = './data/stepwise.db';

export interface ServerConfig {
  host: string;
  port: number;
  /** An absolute SQLite file path, or a postgres:// URL (see parseDbTarget). */
  dbPath: string;
  maxBodyBytes: number;
  maxDepth: number;
  demo: boolean;
  /** `required` (default): API keys or a dashboard session. `none`: loopback-only local development. */
  authMode: 'required' | 'none';
  rateLimitPerMinute: number;
  retentionIntervalMs: number;
  /** Request bodies held in memory at once, all connections together (default 4 × maxBodyBytes, at least 64 MiB). */
  maxBufferedBytes?: number;
  /** A request body must arrive within this many milliseconds (default 30 000). */
  bodyTimeoutMs?: number;
  /** The URL people reach the server at, for links; defaults to http://host:port. */
  publicUrl?: string;
}

export function defaultConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    host: env.STEPWISE_HOST ?? DEFAULT_HOST,
    port: env.STEPWISE_PORT !== undefined ? Number(env.STEPWISE_PORT) : DEFAULT_PORT,
    dbPath: resolveDb(env.STEPWISE_DB ?? DEFAULT_DB_PATH),
    maxBodyBytes: env.STEPWISE_MAX_BODY_BYTES !== undefined ? Number(env.STEPWISE_MAX_BODY_BYTES) : DEFAULT_PARSE_LIMITS.maxBytes,
    maxDepth: env.STEPWISE_MAX_DEPTH !== undefined ? Number(env.STEPWISE_MAX_DEPTH) : DEFAULT_PARSE_LIMITS.maxDepth,
    demo: env.STEPWISE_DEMO !== '0',
    authMode: env.STEPWISE_AUTH === 'none' ? 'none' : 'required',
    rateLimitPerMinute: env.STEPWISE_RATE_LIMIT !== undefined ? Number(env.STEPWISE_RATE_LIMIT) : 1200,
    retentionIntervalMs: 3_600_000,
    ...(env.STEPWISE_MAX_BUFFERED_BYTES !== undefined ? { maxBufferedBytes: Number(env.STEPWISE_MAX_BUFFERED_BYTES) } : {}),
    ...(env.STEPWISE_BODY_TIMEOUT_MS !== undefined ? { bodyTimeoutMs: Number(env.STEPWISE_BODY_TIMEOUT_MS) } : {}),
    ...(env.STEPWISE_PUBLIC_URL !== undefined ? { publicUrl: env.STEPWISE_PUBLIC_URL } : {}),
  };
}

/** Where `serve` records the address it bound, beside its database, for `stepwise login-link`. */
export function serverRecordPath(dbPath: string): string {
  return `${dbPath}.server.json`;
}

export interface ServerRecord {
  url: string;
  public_url: string;
}

export function recordServerUrl(dbPath: string, record: ServerRecord): void {
  // A PostgreSQL database has no folder of its own to write beside (and several servers share it).
  if (parseDbTarget(dbPath).kind === 'postgres') return;
  mkdirSync(dirname(dbPath), { recursive: true });
  writeFileSync(serverRecordPath(dbPath), `${JSON.stringify(record)}\n`);
}

/** The address the last `serve` on this database bound, or null if none was recorded (or it is unreadable). */
export function readServerRecord(dbPath: string): ServerRecord | null {
  if (parseDbTarget(dbPath).kind === 'postgres') return null;
  const path = serverRecordPath(dbPath);
  if (!existsSync(path)) return null;
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<ServerRecord>;
    return typeof value.public_url === 'string' && typeof value.url === 'string' ? { url: value.url, public_url: value.public_url } : null;
  } catch {
    return null;
  }
}

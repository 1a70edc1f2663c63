import { resolve } from 'node:path';
import { StepwiseError } from '@stepwise/core';

/** Where the data lives: a SQLite file (the default) or a PostgreSQL database shared by several servers. */
export type DbTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

const URL_SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * Reads `--db` / `STEPWISE_DB`: a `postgres://` or `postgresql://` URL selects PostgreSQL; any other
 * URL is refused (it must never become a file named after it); everything else is a SQLite path.
 *
 * @example
 * parseDbTarget('postgres://127.0.0.1:5432/stepwise'); // { kind: 'postgres', url: … }
 * parseDbTarget('./data/stepwise.db'); // { kind: 'sqlite', path: '/abs/data/stepwise.db' }
 */
export function parseDbTarget(value: string, cwd = process.cwd()): DbTarget {
  const scheme = URL_SCHEME.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'sqlite', path: value === ':memory:' ? value : resolve(cwd, value) };
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    throw new StepwiseError(
      'invalid_request',
      `database URLs of the ${scheme}:// scheme are not supported: give a SQLite file path or a postgres://… URL`,
      { issues: [{ path: 'db', message: `unsupported scheme ${scheme}` }] },
    );
  }
  let host = '';
  try {
    host = new URL(value).hostname;
  } catch {
    // reported below
  }
  if (host === '' && !/[?&]host=/.test(value)) {
    throw new StepwiseError(
      'invalid_request',
      'the database setting is not a valid PostgreSQL URL: expected postgres://[user@]host[:port]/database',
      {
        issues: [{ path: 'db', message: 'invalid PostgreSQL URL' }],
      },
    );
  }
  return { kind: 'postgres', url: value };
}

/** The `--db` value as the server keeps it: a PostgreSQL URL untouched, a file path made absolute. */
export function resolveDb(value: string, cwd = process.cwd()): string {
  const target = parseDbTarget(value, cwd);
  return target.kind === 'postgres' ? target.url : target.path;
}

/** A PostgreSQL URL without its password, for logs and messages. */
export function describeDb(value: string): string {
  const target = parseDbTarget(value);
  if (target.kind === 'sqlite') return target.path;
  const url = new URL(target.url);
  if (url.password) url.password = '***';
  return url.toString();
}

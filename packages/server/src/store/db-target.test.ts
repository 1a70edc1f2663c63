import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config.js';
import { parseDbTarget, resolveDb } from './db-target.js';

describe('the database a server is pointed at', () => {
  it('takes a postgres:// URL as a PostgreSQL database, never as a file path', () => {
    expect(defaultConfig({ STEPWISE_DB: 'postgres://127.0.0.1:5432/test' }).dbPath).toBe('postgres://127.0.0.1:5432/test');
    expect(parseDbTarget('postgres://postgres@127.0.0.1:5432/test')).toEqual({
      kind: 'postgres',
      url: 'postgres://postgres@127.0.0.1:5432/test',
    });
    expect(parseDbTarget('postgresql://db.internal/stepwise').kind).toBe('postgres');
  });

  it('resolves anything else as a SQLite file', () => {
    expect(parseDbTarget('./data/stepwise.db', '/srv')).toEqual({ kind: 'sqlite', path: '/srv/data/stepwise.db' });
    expect(parseDbTarget(':memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
    expect(resolveDb('data/x.db')).toBe(resolve('data/x.db'));
  });

  it('refuses a URL of another scheme instead of creating a file named after it', () => {
    expect(() => parseDbTarget('mysql://127.0.0.1/test')).toThrow(/mysql.*not supported.*postgres:\/\//);
    expect(() => parseDbTarget('postgres://')).toThrow(/not a valid PostgreSQL URL/);
  });
});

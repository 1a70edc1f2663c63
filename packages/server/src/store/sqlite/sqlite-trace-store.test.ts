import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeTraceStoreContract } from '../../../test/store-contract.js';
import { makeRecord } from '../../../test/support/records.js';
import { SqliteTraceStore } from './sqlite-trace-store.js';
import { SQLITE_MIGRATIONS } from './migrations.js';

const dir = mkdtempSync(join(tmpdir(), 'stepwise-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describeTraceStoreContract('SQLite', async () => new SqliteTraceStore({ path: join(dir, `contract-${n++}.db`) }));

describe('SqliteTraceStore', () => {
  it('runs with WAL, synchronous=FULL and secure_delete', async () => {
    const store = new SqliteTraceStore({ path: join(dir, 'pragmas.db') });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(store.db.pragma('secure_delete', { simple: true })).toBe(1);
    await store.close();
  });

  it('applies migrations once and keeps data across reopenings', async () => {
    const path = join(dir, 'reopen.db');
    const first = new SqliteTraceStore({ path });
    await first.ingest({ workspaceId: 'ws_default', records: [makeRecord({ id: 'tr_persist' })], now: '2026-01-01T00:00:00Z' });
    await first.close();
    const second = new SqliteTraceStore({ path });
    expect(second.db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: SQLITE_MIGRATIONS.length });
    expect((await second.getTrace('ws_default', 'tr_persist'))?.summary.id).toBe('tr_persist');
    await second.close();
  });

  it('leaves no bytes of a deleted trace in the database file', async () => {
    const path = join(dir, 'scrub.db');
    const store = new SqliteTraceStore({ path });
    const marker = 'UNIQUE-MARKER-7f3a9c21';
    const record = makeRecord({ id: 'tr_marker', userMessage: marker });
    record.eventsJson = [JSON.stringify({ type: 'user_input', timestamp: record.startedAt, data: { message: marker.repeat(50) } })];
    record.eventTypes = ['user_input'];
    record.eventTimestamps = [record.startedAt];
    await store.ingest({ workspaceId: 'ws_default', records: [record], now: '2026-01-01T00:00:00Z' });
    await store.deleteTrace('ws_default', 'tr_marker');
    await store.close();
    for (const file of [path, `${path}-wal`]) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch {
        continue;
      }
      expect(bytes.includes(Buffer.from(marker))).toBe(false);
    }
  });
});

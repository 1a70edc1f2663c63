import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { defaultConfig } from '../src/config.js';
import type { SqliteTraceStore } from '../src/store/sqlite/sqlite-trace-store.js';
import { isLoopback, startServer } from '../src/server.js';
import { makeTestApp, TEST_BACKEND, type TestApp } from './support/app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const result = (scenario: string, extra: Record<string, unknown> = {}) => ({
  scenario_id: scenario,
  user_message: 'q',
  agent_response: 'a',
  passed: true,
  ...extra,
});

describe('API keys', () => {
  it('look like sw_ keys, are stored only as keyed hashes and listed by prefix and last four', async () => {
    t = await makeTestApp();
    const created = (await (await t.post('/api/v1/keys', { name: 'ci', role: 'member' })).json()) as {
      key: string;
      display: string;
      id: string;
    };
    expect(created.key).toMatch(/^sw_[0-9A-Za-z]{32}$/);
    expect(created.display).toBe(`${created.key.slice(0, 7)}…${created.key.slice(-4)}`);
    const listed = (await (await t.get('/api/v1/keys')).json()) as { keys: Array<Record<string, unknown>> };
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(listed.keys.find((k) => k.id === created.id)).toMatchObject({ role: 'member', display: created.display });
    expect(await t.storageContains(created.key)).toBe(false);
    expect(await t.storageContains(t.ownerKey)).toBe(false);
  });

  it('stop working the moment they are revoked', async () => {
    t = await makeTestApp();
    const { key, id } = (await (await t.post('/api/v1/keys', { name: 'temp', role: 'viewer' })).json()) as { key: string; id: string };
    const asTemp = { authorization: `Bearer ${key}` };
    expect((await t.get('/api/v1/runs', asTemp)).status).toBe(200);
    expect((await t.del(`/api/v1/keys/${id}`)).status).toBe(200);
    expect((await t.get('/api/v1/runs', asTemp)).status).toBe(401);
  });

  it('record when they were last used', async () => {
    t = await makeTestApp();
    const { key, id } = (await (await t.post('/api/v1/keys', { name: 'used', role: 'viewer' })).json()) as { key: string; id: string };
    await t.get('/api/v1/runs', { authorization: `Bearer ${key}` });
    const { keys } = (await (await t.get('/api/v1/keys')).json()) as { keys: Array<{ id: string; last_used_at: string | null }> };
    expect(keys.find((k) => k.id === id)?.last_used_at).not.toBeNull();
  });

  it('never appear in logs, errors or the audit log', async () => {
    t = await makeTestApp();
    const { key, id } = (await (await t.post('/api/v1/keys', { name: 'secretive', role: 'viewer' })).json()) as { key: string; id: string };
    await t.del(`/api/v1/keys/${id}`);
    const rejected = await t.get('/api/v1/runs', { authorization: `Bearer ${key}` });
    const forged = await t.get('/api/v1/runs', { authorization: `Bearer ${key.slice(0, -1)}X` });
    const audit = (await (await t.get('/api/v1/audit')).json()) as { entries: Array<{ action: string }> };
    expect(audit.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['key.create', 'key.revoke']));
    const everything = [await rejected.text(), await forged.text(), JSON.stringify(audit), ...t.logs].join('\n');
    expect(everything).not.toContain(key);
    expect(everything).not.toContain(key.slice(3, 20));
  });

  it('cannot be created with more power than the creator has', async () => {
    t = await makeTestApp();
    const { key } = (await (await t.post('/api/v1/keys', { name: 'admin', role: 'admin' })).json()) as { key: string };
    const response = await t.post('/api/v1/keys', { name: 'escalate', role: 'owner' }, { authorization: `Bearer ${key}` });
    expect(response.status).toBe(403);
  });
});

describe('dashboard sessions', () => {
  async function signIn(app: TestApp) {
    const owner = await app.runtime.access.firstOwner('ws_default');
    const token = await app.runtime.access.createLoginToken('ws_default', owner!.user_id);
    const response = await app.app.request(`/login?token=${token}`);
    const cookie = response.headers.get('set-cookie') ?? '';
    return { token, response, cookie, pair: cookie.split(';')[0]! };
  }

  it('exchange a one-time login link for an HttpOnly, SameSite=Strict cookie', async () => {
    t = await makeTestApp();
    const { token, response, cookie, pair } = await signIn(t);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/');
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = (await (await t.app.request('/api/v1/session', { headers: { cookie: pair } })).json()) as {
      role: string;
      csrf_token: string;
    };
    expect(session.role).toBe('owner');
    expect(session.csrf_token.length).toBeGreaterThan(20);
    const reused = await t.app.request(`/login?token=${token}`);
    expect(reused.status).toBe(401);
  });

  it('refuse cookie mutations without the CSRF token', async () => {
    t = await makeTestApp();
    const { pair } = await signIn(t);
    const { csrf_token } = (await (await t.app.request('/api/v1/session', { headers: { cookie: pair } })).json()) as { csrf_token: string };
    const body = JSON.stringify({ agent_name: 'a', results: [result('s')] });
    const without = await t.app.request('/api/v1/sync', {
      method: 'POST',
      headers: { cookie: pair, 'content-type': 'application/json' },
      body,
    });
    expect(without.status).toBe(403);
    const wrong = await t.app.request('/api/v1/sync', {
      method: 'POST',
      headers: { cookie: pair, 'content-type': 'application/json', 'x-csrf-token': 'nope' },
      body,
    });
    expect(wrong.status).toBe(403);
    const right = await t.app.request('/api/v1/sync', {
      method: 'POST',
      headers: { cookie: pair, 'content-type': 'application/json', 'x-csrf-token': csrf_token },
      body,
    });
    expect(right.status).toBe(201);
  });

  it('end at sign-out and when they expire', async () => {
    let now = new Date('2026-03-13T10:00:00Z');
    t = await makeTestApp({ clock: () => now });
    const first = await signIn(t);
    const { csrf_token } = (await (await t.app.request('/api/v1/session', { headers: { cookie: first.pair } })).json()) as {
      csrf_token: string;
    };
    const out = await t.app.request('/api/v1/session/logout', {
      method: 'POST',
      headers: { cookie: first.pair, 'x-csrf-token': csrf_token },
    });
    expect(out.status).toBe(200);
    expect((await t.app.request('/api/v1/session', { headers: { cookie: first.pair } })).status).toBe(401);

    const second = await signIn(t);
    expect((await t.app.request('/api/v1/runs', { headers: { cookie: second.pair } })).status).toBe(200);
    now = new Date(now.getTime() + 13 * 3_600_000);
    expect((await t.app.request('/api/v1/runs', { headers: { cookie: second.pair } })).status).toBe(401);
  });

  it('sign in with a password too, and audit every sign-in', async () => {
    t = await makeTestApp();
    const created = await t.post('/api/v1/members', {
      name: 'Ada',
      email: 'ada@example.com',
      password: 'correct horse battery',
      role: 'viewer',
    });
    expect(created.status).toBe(201);
    const bad = await t.app.request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', password: 'wrong password!' }),
    });
    expect(bad.status).toBe(401);
    const good = await t.app.request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', password: 'correct horse battery' }),
    });
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ role: 'viewer' });
    const audit = (await (await t.get('/api/v1/audit')).json()) as { entries: Array<{ action: string }> };
    expect(audit.entries.map((e) => e.action)).toContain('sign_in.password');
    expect(JSON.stringify(audit)).not.toContain('correct horse');
  });

  it('apply a role change to an existing session at once', async () => {
    t = await makeTestApp();
    const { id } = await t.runtime.access.addUser({ name: 'Bo' });
    await t.runtime.access.setMemberRole('ws_default', id, 'admin', 'test');
    const token = await t.runtime.access.createLoginToken('ws_default', id);
    const pair = ((await t.app.request(`/login?token=${token}`)).headers.get('set-cookie') ?? '').split(';')[0]!;
    expect((await t.app.request('/api/v1/audit', { headers: { cookie: pair } })).status).toBe(200);
    expect(
      (
        await t.app.request(`/api/v1/members/${id}`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ role: 'viewer' }),
        })
      ).status,
    ).toBe(200);
    expect((await t.app.request('/api/v1/audit', { headers: { cookie: pair } })).status).toBe(403);
  });
});

describe('retention', () => {
  it('deletes old traces, keeps pinned and recent ones, and audits the sweep', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    t = await makeTestApp({ clock: () => now });
    const old = (await (await t.post('/api/v1/sync', { agent_name: 'a', results: [result('old'), result('pinned')] })).json()) as {
      trace_ids: string[];
      test_run_id: string;
    };
    await t.app.request(`/api/v1/traces/${old.trace_ids[1]}/pin`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
      body: '{"pinned":true}',
    });
    now = new Date('2026-01-25T00:00:00Z');
    const recent = (await (await t.post('/api/v1/sync', { agent_name: 'a', results: [result('recent')] })).json()) as {
      trace_ids: string[];
    };
    now = new Date('2026-02-05T00:00:00Z'); // 35 days after the first sync, 11 after the second
    const report = (await (await t.post('/api/v1/retention/apply', {})).json()) as { traces: number };
    expect(report.traces).toBe(1);
    expect((await t.get(`/api/v1/traces/${old.trace_ids[0]}`)).status).toBe(404);
    expect((await t.get(`/api/v1/traces/${old.trace_ids[1]}`)).status).toBe(200);
    expect((await t.get(`/api/v1/traces/${recent.trace_ids[0]}`)).status).toBe(200);
    expect(((await (await t.get(`/api/v1/runs/${old.test_run_id}`)).json()) as { run: { total: number } }).run.total).toBe(1);
    const audit = (await (await t.get('/api/v1/audit')).json()) as {
      entries: Array<{ action: string; details: Record<string, unknown> | null }>;
    };
    expect(audit.entries.find((e) => e.action === 'retention.sweep')?.details).toMatchObject({ traces_deleted: 1 });
  });

  it('follows the workspace setting', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    t = await makeTestApp({ clock: () => now });
    const reply = (await (await t.post('/api/v1/sync', { agent_name: 'a', results: [result('x')] })).json()) as { trace_ids: string[] };
    expect(
      (
        await t.app.request('/api/v1/settings/retention', {
          method: 'PUT',
          headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
          body: '{"retention_days":3}',
        })
      ).status,
    ).toBe(200);
    now = new Date('2026-01-05T00:00:00Z');
    await t.runtime.retention.sweep();
    expect((await t.get(`/api/v1/traces/${reply.trace_ids[0]}`)).status).toBe(404);
  });
});

describe('deletion', () => {
  const marker = 'MARKER-5d1c0e9b-unique';

  /** SQLite: the raw bytes of the file and WAL; PostgreSQL: every row (space is reclaimed by VACUUM, see README). */
  async function rawBytesContain(app: TestApp, text: string): Promise<boolean> {
    return app.storageContains(text);
  }

  // A reader holding a snapshot (`stepwise mcp --db` beside the server) keeps the freed pages in use:
  // the deletion's checkpoint cannot finish until it lets go, and must then still happen.
  // On PostgreSQL the check is every row of every table (README: what deletion means there), and
  // a concurrent SQLite reader has no counterpart.
  const onSqlite = TEST_BACKEND === 'sqlite';
  const cases: Array<[string, boolean]> = [['alone', false]];
  if (onSqlite) cases.push(['with a concurrent reader holding a snapshot', true]);
  it.each(cases)(
    'leaves no trace of a deleted trace, run, scenario history or workspace in the database file (%s)',
    async (_, withReader) => {
      t = await makeTestApp();
      const scrubbed = () => (onSqlite ? (t!.runtime.store as SqliteTraceStore).whenScrubbed() : Promise.resolve());
      const send = async (tag: string) =>
        (await (
          await t!.post('/api/v1/sync', {
            agent_name: 'a',
            results: [result(`sc_${tag}`, { user_message: `${marker}-${tag}`, agent_response: `${marker}-${tag}` })],
          })
        ).json()) as { trace_ids: string[]; test_run_id: string };
      const one = await send('trace');
      const two = await send('run');
      await send('scenario');
      const put = await t.app.request('/api/v1/scenarios/sc_scenario', {
        method: 'PUT',
        headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ expectations: { response_contains: [`${marker}-expected`] } }),
      });
      expect(put.status).toBe(200);
      expect(await rawBytesContain(t, `${marker}-trace`)).toBe(true);
      const reader = withReader ? new Database(t.dbPath, { readonly: true }) : null;
      const holdSnapshot = () => {
        if (!reader) return;
        reader.exec('BEGIN');
        expect(reader.prepare('SELECT COUNT(*) AS n FROM traces').get()).toEqual({ n: expect.any(Number) });
      };
      holdSnapshot();
      expect((await t.del(`/api/v1/traces/${one.trace_ids[0]}`)).status).toBe(200);
      expect((await t.del(`/api/v1/runs/${two.test_run_id}`)).status).toBe(200);
      expect((await t.del('/api/v1/scenarios/sc_scenario/traces')).status).toBe(200);
      if (reader) reader.exec('COMMIT');
      await scrubbed();
      for (const tag of ['trace', 'run', 'scenario', 'expected']) expect(await rawBytesContain(t, `${marker}-${tag}`)).toBe(false);
      // Deleting a scenario's history deletes its stored expectations, and the audit log keeps no scenario id.
      expect((await t.get('/api/v1/scenarios/sc_scenario')).status).toBe(404);
      expect(await rawBytesContain(t, 'sc_scenario')).toBe(false);

      await send('workspace');
      holdSnapshot();
      expect((await t.del('/api/v1/workspace')).status).toBe(200);
      if (reader) reader.exec('COMMIT');
      await scrubbed();
      reader?.close();
      expect(await rawBytesContain(t, `${marker}-workspace`)).toBe(false);
      expect((await t.get('/api/v1/runs')).status).toBe(401);
    },
  );
});

describe('abuse limits', () => {
  it('answers 429 with Retry-After past the per-key rate, without losing accepted data', async () => {
    t = await makeTestApp({ app: { rateLimitPerMinute: 5 } });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 7; i++) {
      const response = await t.post('/api/v1/sync', { agent_name: 'a', results: [result(`s${i}`)] });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(await t.runtime.store.countTraces('ws_default')).toBe(5);
  });

  it('refuses a batch over the size limit with 413 and stores nothing', async () => {
    t = await makeTestApp();
    const response = await t.post('/api/v1/sync', { agent_name: 'a', results: Array.from({ length: 1001 }, (_, i) => result(`s${i}`)) });
    expect(response.status).toBe(413);
    expect(await t.runtime.store.countTraces('ws_default')).toBe(0);
  });
});

describe('binding', () => {
  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '192.168.1.5', '::', 'example.com'].some(isLoopback)).toBe(false);
  });

  it('binds 127.0.0.1 by default and refuses a non-loopback address with authentication off', async () => {
    expect(defaultConfig({}).host).toBe('127.0.0.1');
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-bind-'));
    try {
      await expect(
        startServer({ ...defaultConfig({}), host: '0.0.0.0', port: 0, dbPath: join(dir, 'x.db'), demo: false, authMode: 'none' }, () => {}),
      ).rejects.toThrow(/refusing to listen on 0\.0\.0\.0/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints a login link and a first API key on first start only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-first-'));
    const config = { ...defaultConfig({}), port: 0, dbPath: join(dir, 'x.db'), demo: false };
    try {
      const first = await startServer(config, () => {});
      expect(first.loginUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\?token=[\w-]{40,}$/);
      expect(first.firstApiKey).toMatch(/^sw_/);
      const login = await fetch(first.loginUrl!, { redirect: 'manual' });
      expect(login.status).toBe(302);
      await first.close();
      const second = await startServer(config, () => {});
      expect(second.firstApiKey).toBeNull();
      expect(second.loginUrl).not.toBeNull();
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

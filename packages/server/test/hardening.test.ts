import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/config.js';
import { startServer, type RunningServer } from '../src/server.js';
import { LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE, LOGIN_FAILURES_PER_ACCOUNT_PER_MINUTE } from '../src/http/routes/access-routes.js';
import { defaultAssetsDir } from '../src/http/static-assets.js';
import { makeTestApp, type TestApp } from './support/app.js';

const dir = mkdtempSync(join(tmpdir(), 'stepwise-hardening-'));
let t: TestApp | null = null;
let server: RunningServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
  await server?.close();
  server = null;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const item = (scenario: string, extra: Record<string, unknown> = {}) => ({
  scenario_id: scenario,
  user_message: 'q',
  agent_response: 'r',
  ...extra,
});
// 9007199254740993 is past 2^53: written as text, it parses as the nearest double, as it would from a client.
const HUGE = [1e20, 1e308, Number('9007199254740993')];

/** Sends raw HTTP on a socket and resolves with the status line and headers as soon as they arrive. */
function rawRequest(port: number, head: string, body: string): Promise<{ status: number; head: string; bodyWritten: boolean }> {
  return new Promise((resolvePromise, reject) => {
    const socket = connectTcp(port, '127.0.0.1');
    let received = '';
    let bodyWritten = false;
    socket.on('error', (error) => (received ? undefined : reject(error)));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end >= 0) {
        socket.destroy();
        resolvePromise({ status: Number(received.slice(9, 12)), head: received.slice(0, end).toLowerCase(), bodyWritten });
      }
    });
    socket.write(head, () => {
      if (body) socket.write(body, () => (bodyWritten = true));
    });
  });
}

describe('a huge duration_ms', () => {
  it('is one rejected item with its path, in sync, traces and MCP; the rest of the batch is stored', async () => {
    t = await makeTestApp();
    const results = [item('sc_ok'), ...HUGE.map((d, i) => item(`sc_${i}`, { duration_ms: d }))];
    results.push(item('sc_tool', { tools_called: [{ name: 'search', parameters: {}, duration_ms: 1e308 }] }));
    const reply = await t.post('/api/v1/sync', { agent_name: 'a', results });
    expect(reply.status).toBe(201);
    const body = (await reply.json()) as { synced: number; rejected: Array<{ index: number; errors: Array<{ path: string }> }> };
    expect(body.synced).toBe(1);
    expect(body.rejected.map((r) => r.errors[0]!.path)).toEqual([
      'results[1].duration_ms',
      'results[2].duration_ms',
      'results[3].duration_ms',
      'results[4].tools_called[0].duration_ms',
    ]);

    const trace = (duration: number) => ({
      scenario_id: 'sc_t',
      agent_name: 'a',
      timestamp: '2026-03-13T14:30:00Z',
      duration_ms: duration,
      events: [{ type: 'user_input', timestamp: '2026-03-13T14:30:00Z', data: { message: 'hi' } }],
    });
    const traces = await t.post('/api/v1/traces', [trace(5), ...HUGE.map(trace)]);
    expect(traces.status).toBe(201);
    const tracesBody = (await traces.json()) as { stored: number; rejected: Array<{ errors: Array<{ path: string }> }> };
    expect(tracesBody.stored).toBe(1);
    expect(tracesBody.rejected).toHaveLength(3);
    expect(tracesBody.rejected.map((r) => r.errors[0]!.path)).toEqual(['[1].duration_ms', '[2].duration_ms', '[3].duration_ms']);
  });

  it('over MCP is a rejected item, and arguments nested 10,000 deep are too_deep, not an internal error', async () => {
    server = await startServer({ ...defaultConfig({}), port: 0, dbPath: join(dir, 'mcp.db'), demo: false }, () => {});
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${server.firstApiKey}` } },
    });
    const client = new Client({ name: 'hardening', version: '1.0.0' });
    await client.connect(transport);
    try {
      const synced = (await client.callTool({
        name: 'sync_results',
        arguments: { agent_name: 'a', results: [item('sc_ok'), item('sc_huge', { duration_ms: 1e308 })] },
      })) as CallToolResult;
      expect(synced.isError).toBeFalsy();
      const reply = synced.structuredContent as { synced: number; rejected: Array<{ errors: Array<{ path: string }> }> };
      expect(reply.synced).toBe(1);
      expect(reply.rejected[0]!.errors[0]!.path).toBe('results[1].duration_ms');

      // The SDK's own client cannot serialize such arguments, so the request is written by hand.
      const deep = '{"d":'.repeat(10_000) + '"leaf"' + '}'.repeat(10_000);
      const body = `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"sync_results","arguments":{"agent_name":"a","results":[{"scenario_id":"sc_deep","user_message":"q","agent_response":"r","metadata":{"deep":${deep}}}]}}}`;
      const raw = await fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${server.firstApiKey}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-06-18',
        },
        body,
      });
      expect(raw.status).toBe(200);
      const answer = (await raw.json()) as { result?: { isError?: boolean; content: Array<{ text: string }> }; error?: unknown };
      expect(answer.error).toBeUndefined();
      expect(answer.result?.isError).toBe(true);
      const text = answer.result!.content.map((c) => c.text).join('\n');
      expect(text).toContain('too_deep');
      expect(text).not.toContain('internal');
    } finally {
      await client.close();
    }
  });
});

describe('custom redaction rules', () => {
  // The review's polynomial patterns, each with text that makes a backtracking engine take hours.
  const hostile: Array<[string, string]> = [
    ['\\d*\\d*\\d*x', '1'],
    ['[a-z]+[a-z]+@x', 'a'],
    ['\\s*\\s*\\s*\\s*!', ' '],
    ['.*.*.*=', 'a'],
    ['\\w+\\d+\\w+#', '1'],
    ['[0-9]+-?[0-9]+-?[0-9]+z', '1'],
  ];

  it.each(hostile)('run %s in linear time: a viewer preview and a sync under the saved rule both finish', async (pattern, char) => {
    t = await makeTestApp();
    const viewer = (await (await t.post('/api/v1/keys', { name: 'v', role: 'viewer' })).json()) as { key: string };
    const text = char.repeat(40_000);
    const rule = { name: 'hostile', pattern, label: 'HOSTILE' };
    const preview = await t.post(
      '/api/v1/privacy/preview',
      { payload: { note: text }, settings: { custom_rules: [rule] } },
      { authorization: `Bearer ${viewer.key}` },
    );
    expect(preview.status).toBe(200);
    expect(
      (
        await t.app.request('/api/v1/settings/privacy', {
          method: 'PUT',
          headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ custom_rules: [rule] }),
        })
      ).status,
    ).toBe(200);
    const sync = await t.post('/api/v1/sync', { agent_name: 'a', results: [item('sc_1', { user_message: text })] });
    expect(sync.status).toBe(201);
  });

  it('are refused with their path when the linear-time engine cannot run them (lookaround, backreferences)', async () => {
    t = await makeTestApp();
    const reply = await t.app.request('/api/v1/settings/privacy', {
      method: 'PUT',
      headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        custom_rules: [
          { name: 'ok', pattern: 'EMP-\\d{6}', label: 'EMP' },
          { name: 'back', pattern: '(a)\\1', label: 'B' },
        ],
      }),
    });
    expect(reply.status).toBe(400);
    const body = (await reply.json()) as { error: { details: { issues: Array<{ path: string; message: string }> } } };
    expect(body.error.details.issues.map((i) => i.path)).toEqual(['custom_rules[1].pattern']);
    expect(body.error.details.issues[0]!.message).toContain('linear-time');
  });
});

describe('names with lone surrogates', () => {
  it('are refused with their path, so no run is created that could never be appended to', async () => {
    t = await makeTestApp();
    const reply = await t.post('/api/v1/sync', JSON.stringify({ agent_name: 'agent-\ud83d', results: [item('sc_1')] }));
    expect(reply.status).toBe(400);
    const body = (await reply.json()) as { error: { details: { issues: Array<{ path: string }> } } };
    expect(body.error.details.issues.map((i) => i.path)).toContain('agent_name');
    const scenario = await t.post('/api/v1/sync', JSON.stringify({ agent_name: 'a', results: [item('sc_ok'), item('sc-\udc00x')] }));
    expect(scenario.status).toBe(201);
    const rejected = ((await scenario.json()) as { rejected: Array<{ errors: Array<{ path: string }> }> }).rejected;
    expect(rejected[0]!.errors[0]!.path).toBe('results[1].scenario_id');
    // A well-formed pair is kept exactly and can be appended to.
    const ok = (await (await t.post('/api/v1/sync', JSON.stringify({ agent_name: 'agent-😀', results: [item('sc_1')] }))).json()) as {
      test_run_id: string;
    };
    const again = await t.post(
      '/api/v1/sync',
      JSON.stringify({ agent_name: 'agent-😀', test_run_id: ok.test_run_id, results: [item('sc_2')] }),
    );
    expect(again.status).toBe(201);
  });
});

describe('HTTP replies', () => {
  it('answer a malformed % escape in a dashboard path with 400 and log nothing', async () => {
    t = await makeTestApp();
    const reply = await t.app.request('/runs/%E0%A4%A');
    expect(reply.status).toBe(400);
    expect(((await reply.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    expect(t.logs).toEqual([]);
  });

  it('put a Content-Security-Policy on the dashboard and Cache-Control: no-store on API replies', async () => {
    t = await makeTestApp({ app: { assetsDir: defaultAssetsDir() } });
    const page = await t.app.request('/runs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const api = await t.get('/api/v1/runs');
    expect(api.status).toBe(200);
    expect(api.headers.get('cache-control')).toBe('no-store');
    const refused = await t.get('/api/v1/runs', { authorization: 'Bearer nope' });
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });

  it('answer /healthz without credentials in constant time: a ping of the database, never a count', async () => {
    t = await makeTestApp();
    // A health check that still counted traces would fail here.
    t.runtime.store.countTraces = () => Promise.reject(new Error('healthz must not count traces'));
    const reply = await t.app.request('/healthz');
    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({ status: 'ok' });
    // Behind a load balancer, a server whose database is gone must stop looking healthy.
    await t.runtime.store.close();
    expect((await t.app.request('/healthz')).status).toBe(500);
  });
});

describe('the database files', () => {
  it('are created readable by the owner only (0600), WAL and shared memory too', async () => {
    server = await startServer({ ...defaultConfig({}), port: 0, dbPath: join(dir, 'modes', 'x.db'), demo: false }, () => {});
    await fetch(`${server.url}/api/v1/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.firstApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agent_name: 'a', results: [item('sc_1')] }),
    });
    for (const file of ['x.db', 'x.db-wal', 'x.db-shm']) {
      expect({ file, mode: (statSync(join(dir, 'modes', file)).mode & 0o777).toString(8) }).toEqual({ file, mode: '600' });
    }
  });
});

describe('password sign-in', () => {
  it('answers 429 with Retry-After once an account has too many failures, before checking the password', async () => {
    t = await makeTestApp();
    const created = await t.post('/api/v1/members', {
      name: 'Vera',
      email: 'vera@example.com',
      password: 'correct horse battery',
      role: 'viewer',
    });
    expect(created.status).toBe(201);
    const attempt = (password: string, email = 'vera@example.com') =>
      t!.app.request('/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_FAILURES_PER_ACCOUNT_PER_MINUTE + 2; i++) statuses.push((await attempt(`wrong-${i}`)).status);
    expect(statuses.slice(0, LOGIN_FAILURES_PER_ACCOUNT_PER_MINUTE)).toEqual(Array(LOGIN_FAILURES_PER_ACCOUNT_PER_MINUTE).fill(401));
    const locked = await attempt('correct horse battery');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(statuses.slice(LOGIN_FAILURES_PER_ACCOUNT_PER_MINUTE)).toEqual([429, 429]);
  });

  it('answers 429 per client address, whatever it sends, before reading the body', async () => {
    t = await makeTestApp();
    const statuses: number[] = [];
    // Malformed bodies (400) cost no scrypt, so the attempts come faster than the bucket refills.
    for (let i = 0; i < LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE + 3; i++) {
      const reply = await t.app.request('/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `not-an-address-${i}`, password: 'guess' }),
      });
      statuses.push(reply.status);
    }
    expect(statuses.slice(0, LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE)).toEqual(Array(LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE).fill(400));
    expect(statuses.slice(LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE)).toEqual([429, 429, 429]);
  });
});

describe('request bodies on the Node server', () => {
  const start = (extra: Record<string, unknown> = {}) =>
    startServer(
      { ...defaultConfig({}), port: 0, dbPath: join(dir, `bodies-${Date.now()}-${Math.random()}.db`), demo: false, ...extra },
      () => {},
    );

  it('are not read from anonymous callers: 401 arrives before the body is sent', async () => {
    server = await start();
    const head = `POST /api/v1/sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${20 * 1024 * 1024}\r\n\r\n`;
    const reply = await rawRequest(server.port, head, '');
    expect(reply.status).toBe(401);
    const mcp = await rawRequest(server.port, head.replace('/api/v1/sync', '/mcp'), '');
    expect(mcp.status).toBe(401);
  });

  it('are capped in total across connections (503 with Retry-After) and time out when slow (408)', async () => {
    server = await start({ maxBodyBytes: 64 * 1024, maxBufferedBytes: 200 * 1024, bodyTimeoutMs: 1500 });
    const head = (length: number) =>
      `POST /api/v1/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server!.firstApiKey}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
    // Three bodies of 60 KiB that never finish hold 180 KiB; a fourth does not fit.
    const slow = [0, 1, 2].map(() => rawRequest(server!.port, head(60 * 1024), '{"agent_name":'));
    // Each slow one answers 408 once its time is up; wait for the fourth's refusal meanwhile.
    const fourth = await rawRequest(server.port, head(60 * 1024), '');
    expect(fourth.status).toBe(503);
    expect(fourth.head).toContain('retry-after: 1');
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([408, 408, 408]);
    // The budget is free again: a normal body goes through.
    const ok = await fetch(`${server.url}/api/v1/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.firstApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agent_name: 'a', results: [item('sc_1')] }),
    });
    expect(ok.status).toBe(201);
  });
});

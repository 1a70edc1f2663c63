import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntime } from '../src/runtime.js';
import { makeRecord } from './support/records.js';
import { freshSchema, postgresReachable, type TestSchema } from './support/postgres.js';

const BIN = resolve(import.meta.dirname, '../dist/bin.js');
const RATE = 20;
const available = await postgresReachable();

interface Served {
  child: ChildProcess;
  url: string;
  stderr: string[];
  /** Resolves with the first stderr line matching `re`. */
  line(re: RegExp): Promise<string>;
}

/** `stepwise serve` as an operator runs it, on the shared database, with a port of its own. */
function serve(db: string): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db, '--no-demo'], {
    env: { ...process.env, STEPWISE_RATE_LIMIT: String(RATE), STEPWISE_SECRET: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr: string[] = [];
  const waiters: Array<{ re: RegExp; done: (line: string) => void }> = [];
  let buffer = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      stderr.push(line);
      for (const w of waiters.splice(0)) {
        if (w.re.test(line)) w.done(line);
        else waiters.push(w);
      }
    }
  });
  const line = (re: RegExp) =>
    new Promise<string>((resolveLine, reject) => {
      const seen = stderr.find((l) => re.test(l));
      if (seen) return resolveLine(seen);
      waiters.push({ re, done: resolveLine });
      child.once('exit', (code) => reject(new Error(`server exited (${code}) before printing ${re}:\n${stderr.join('\n')}`)));
    });
  return line(/listening on/).then((l) => ({ child, url: l.split('listening on ')[1]!.trim(), stderr, line }));
}

describe.runIf(available)('two stateless servers on one PostgreSQL database', () => {
  let schema: TestSchema;
  let a: Served;
  let b: Served;
  let ownerKey: string;

  beforeAll(async () => {
    schema = await freshSchema();
    // A trace stored 90 days ago: past the default 30-day retention, so the first sweep deletes it.
    const old = openRuntime({ dbPath: schema.url, secret: Buffer.from('unused') });
    await old.store.ingest({
      workspaceId: 'ws_default',
      records: [makeRecord({ id: 'tr_old' })],
      now: new Date(Date.now() - 90 * 86_400_000).toISOString(),
    });
    await old.close();
    // Both start at the same moment: migrations, the first owner and the first sweep must each happen once.
    [a, b] = await Promise.all([serve(schema.url), serve(schema.url)]);
    const keys = [...a.stderr, ...b.stderr].filter((l) => /^\s+sw_[0-9A-Za-z]{32}$/.test(l));
    expect(keys).toHaveLength(1);
    ownerKey = keys[0]!.trim();
  });
  afterAll(async () => {
    for (const s of [a, b])
      if (s && s.child.exitCode === null) await new Promise((r) => (s.child.once('exit', r), s.child.kill('SIGTERM')));
    await schema?.drop();
  });

  const get = (s: Served, path: string, headers: Record<string, string>) => fetch(`${s.url}${path}`, { headers });

  it('runs the retention sweep once however many servers schedule it', async () => {
    const outcomes = await Promise.all([a.line(/^retention sweep: /), b.line(/^retention sweep: /)]);
    expect(outcomes.sort()).toEqual([
      'retention sweep: done',
      'retention sweep: skipped (another server on this database swept within the interval)',
    ]);
    const auth = { authorization: `Bearer ${ownerKey}` };
    const { entries } = (await (await get(b, '/api/v1/audit?limit=100', auth)).json()) as {
      entries: Array<{ action: string; details: { traces_deleted: number } }>;
    };
    const sweeps = entries.filter((e) => e.action === 'retention.sweep');
    expect(sweeps).toHaveLength(1);
    expect(sweeps[0]!.details.traces_deleted).toBe(1);
    expect((await get(a, '/api/v1/traces/tr_old', auth)).status).toBe(404);
  });

  it('accepts a key made on one server at the other, and forgets it on both when revoked', async () => {
    const auth = { authorization: `Bearer ${ownerKey}` };
    const made = await fetch(`${a.url}/api/v1/keys`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ci', role: 'member' }),
    });
    const { key, id } = (await made.json()) as { key: string; id: string };
    expect((await get(b, '/api/v1/runs', { authorization: `Bearer ${key}` })).status).toBe(200);
    expect((await fetch(`${b.url}/api/v1/keys/${id}`, { method: 'DELETE', headers: auth })).status).toBe(200);
    expect((await get(a, '/api/v1/runs', { authorization: `Bearer ${key}` })).status).toBe(401);
  });

  it('signs in on one server with a one-time link and keeps the session on the other', async () => {
    const link = (await a.line(/\/login\?token=/)).trim();
    const signedIn = await fetch(link, { redirect: 'manual' });
    expect(signedIn.status).toBe(302);
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
    const session = await get(b, '/api/v1/session', { cookie });
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ role: 'owner' });
    // The link was used up on A: B refuses it too.
    const again = await fetch(link.replace(a.url, b.url), { redirect: 'manual' });
    expect(again.headers.get('set-cookie') ?? '').not.toContain('stepwise_session=');
  });

  it('shares one rate limit per key between the servers', async () => {
    const auth = { authorization: `Bearer ${ownerKey}` };
    const made = await fetch(`${b.url}/api/v1/keys`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'limited', role: 'viewer' }),
    });
    const { key } = (await made.json()) as { key: string };
    // Alternating between the servers: with a bucket per server the first 429 would come only after
    // 2 × RATE requests; with the shared bucket it comes after RATE (plus what refilled meanwhile).
    const started = Date.now();
    const statuses: number[] = [];
    for (let i = 0; i < 2 * RATE && !statuses.includes(429); i++) {
      statuses.push((await get(i % 2 === 0 ? a : b, '/api/v1/runs', { authorization: `Bearer ${key}` })).status);
    }
    const refilled = Math.floor(((Date.now() - started) * RATE) / 60_000);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(RATE);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(RATE + refilled);
  });

  it('answers MCP over HTTP on either server for the same workspace', async () => {
    const ids: string[][] = [];
    for (const s of [a, b]) {
      const client = new Client({ name: 'two-servers', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${ownerKey}` } } }),
      );
      const { tools } = await client.listTools();
      ids.push(tools.map((t) => t.name).sort());
      await client.close();
    }
    expect(ids[0]!.length).toBeGreaterThan(3);
    expect(ids[1]).toEqual(ids[0]);
  });
});

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { makeTestApp, type TestApp } from './support/app.js';

/** A local receiver: records each request and answers with the next scripted status (200 when the script is done). */
class Receiver {
  readonly bodies: unknown[] = [];
  script: Array<number | (() => Promise<number>)> = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        const next = this.script.shift() ?? 200;
        void Promise.resolve(typeof next === 'number' ? next : next()).then((status) => res.writeHead(status).end());
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/T000/secret-path`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

let t: TestApp;
const receiver = new Receiver();
let tick = Date.parse('2026-03-13T10:00:00Z');

beforeAll(async () => {
  await receiver.start();
  // Each reading of the clock is a second later, so every run has its own creation time.
  t = await makeTestApp({ clock: () => new Date((tick += 1000)), webhook: { backoffMs: [1, 1], timeoutMs: 5000 } });
});
afterAll(async () => {
  await t.close();
  await receiver.stop();
});

const result = (scenario: string, called: boolean) => ({
  scenario_id: scenario,
  user_message: 'where is my order?',
  agent_response: 'It ships tomorrow.',
  tools_called: called ? [{ name: 'lookup_order', parameters: { id: 1 }, result: { ok: true } }] : [],
  expected: { tools: ['lookup_order'] },
});
const sync = async (body: Record<string, unknown>) => {
  const response = await t.post('/api/v1/sync', { agent_name: 'hooked', ...body });
  expect([200, 201]).toContain(response.status);
  return ((await response.json()) as { test_run_id: string }).test_run_id;
};
const deliveries = async () =>
  ((await (await t.get('/api/v1/settings/webhook/deliveries')).json()) as { deliveries: Array<Record<string, unknown>> }).deliveries;

describe('the regression webhook', () => {
  it('is saved with its URL masked, and audited without the URL', async () => {
    const put = await t.app.request('/api/v1/settings/webhook', {
      method: 'PUT',
      headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, format: 'json' }),
    });
    expect(put.status).toBe(200);
    const shown = (await (await t.get('/api/v1/settings/webhook')).json()) as { webhook: { url: string; format: string } };
    expect(shown.webhook).toMatchObject({ format: 'json', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/…path$/) });
    const audit = JSON.stringify(await (await t.get('/api/v1/audit')).json());
    expect(audit).toContain('settings.webhook');
    expect(audit).not.toContain('secret-path');
    const bad = await t.app.request('/api/v1/settings/webhook', {
      method: 'PUT',
      headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'ftp://example.com/x' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: { issues: Array<{ path: string }> } } }).error.details.issues[0]!.path).toBe('url');
  });

  it('fires once for a run with a regression, without holding up the sync, and retries a 500', async () => {
    await sync({ results: [result('sc_a', true), result('sc_b', true)] });
    await t.runtime.webhooks.idle();
    expect(receiver.bodies).toHaveLength(0); // no baseline yet: nothing to regress from

    let release!: () => void;
    let arrived!: () => void;
    const held = new Promise<number>((r) => (release = () => r(500)));
    const first = new Promise<void>((r) => (arrived = r));
    receiver.script = [
      () => {
        arrived();
        return held;
      },
      200,
    ];
    const head = await sync({ results: [result('sc_a', true), result('sc_b', false)] });
    // The sync answered while the receiver still holds the first attempt open.
    await first;
    release();
    await t.runtime.webhooks.idle();
    expect(receiver.bodies).toHaveLength(2);
    expect(receiver.bodies[0]).toEqual(receiver.bodies[1]);
    expect(receiver.bodies[1]).toMatchObject({
      event: 'run.regressed',
      reason: '1 regression; pass rate fell from 100.0% to 50.0%',
      run: { id: head, agent_name: 'hooked' },
      regressions: [{ scenario_id: 'sc_b', url: expect.stringMatching(/\/traces\/tr_/) }],
    });
    expect(await deliveries()).toEqual([
      expect.objectContaining({ run_id: head, status: 'delivered', attempts: 2, last_status_code: 200, last_error: null }),
    ]);

    // Finishing the same run again does not notify twice.
    expect((await t.post(`/api/v1/runs/${head}/finish`, {})).status).toBe(200);
    await t.runtime.webhooks.idle();
    expect(receiver.bodies).toHaveLength(2);
  });

  it('stays quiet for a run without regressions and fires for a streaming run only when it is finished', async () => {
    await sync({ results: [result('sc_a', true), result('sc_b', true)] });
    await t.runtime.webhooks.idle();
    expect(receiver.bodies).toHaveLength(2);

    await t.app.request('/api/v1/settings/webhook', {
      method: 'PUT',
      headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, format: 'slack' }),
    });
    const streaming = await sync({ results: [], create_empty: true });
    await sync({ test_run_id: streaming, results: [result('sc_a', false)] });
    await sync({ test_run_id: streaming, results: [result('sc_b', true)] });
    await t.runtime.webhooks.idle();
    expect(receiver.bodies).toHaveLength(2);
    expect((await t.post(`/api/v1/runs/${streaming}/finish`, {})).status).toBe(200);
    await t.runtime.webhooks.idle();
    expect(receiver.bodies).toHaveLength(3);
    const slack = receiver.bodies[2] as { text: string };
    expect(Object.keys(slack)).toEqual(['text']);
    expect(slack.text).toMatch(/^:rotating_light: \*hooked\* run <http:\/\/[^|]+\/runs\/run_\w+\|run_\w+>: 1 regression; pass rate fell/);
    expect(slack.text).toMatch(/• <http:\/\/[^|]+\/traces\/tr_\w+\|sc_a> passed before, fails now/);
  });

  it('gives up at once on a 410 and after the last retry on repeated 503s', async () => {
    receiver.script = [410];
    await sync({ results: [result('sc_a', true), result('sc_b', true)] });
    const gone = await sync({ results: [result('sc_a', false), result('sc_b', true)] });
    await t.runtime.webhooks.idle();
    receiver.script = [503, 503, 503];
    await sync({ results: [result('sc_a', true), result('sc_b', true)] });
    const down = await sync({ results: [result('sc_a', false), result('sc_b', true)] });
    await t.runtime.webhooks.idle();
    const list = await deliveries();
    expect(list.find((d) => d.run_id === gone)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_status_code: 410,
      last_error: 'the receiver answered 410',
    });
    expect(list.find((d) => d.run_id === down)).toMatchObject({ status: 'failed', attempts: 3, last_status_code: 503 });
    expect(JSON.stringify(list)).not.toContain('secret-path');
  });

  it('is listed and managed from the CLI on the database file', async () => {
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l), readStdin: async () => '' };
    expect(await main(['webhook', 'deliveries', '--db', t.dbPath, '--json'], io)).toBe(0);
    const listed = JSON.parse(out.join('\n')) as Array<{ status: string }>;
    expect(listed.map((d) => d.status)).toEqual((await deliveries()).map((d) => d.status));
    out.length = 0;
    expect(await main(['webhook', 'remove', '--db', t.dbPath], io)).toBe(0);
    expect(out).toEqual(['Webhook removed.']);
    expect(((await (await t.get('/api/v1/settings/webhook')).json()) as { webhook: unknown }).webhook).toBeNull();
  });
});

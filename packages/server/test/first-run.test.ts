import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/config.js';
import { startServer } from '../src/server.js';

const dir = mkdtempSync(join(tmpdir(), 'stepwise-first-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('first run', () => {
  it('loads demo runs into an empty database, once, and not with --no-demo', async () => {
    const config = { ...defaultConfig({}), port: 0, dbPath: join(dir, 'demo.db') };
    const first = await startServer(config, () => {});
    expect(first.demoSeeded).toBe(true);
    const runs = (await (
      await fetch(`${first.url}/api/v1/runs`, { headers: { authorization: `Bearer ${first.firstApiKey}` } })
    ).json()) as { total: number };
    expect(runs.total).toBe(3);
    await first.close();
    const again = await startServer(config, () => {});
    expect(again.demoSeeded).toBe(false);
    expect(await again.runtime.store.listRuns('ws_default', { limit: 10, offset: 0 })).toMatchObject({ total: 3 });
    await again.close();

    const plain = await startServer({ ...config, dbPath: join(dir, 'plain.db'), demo: false }, () => {});
    expect(plain.demoSeeded).toBe(false);
    expect(await plain.runtime.store.countTraces('ws_default')).toBe(0);
    await plain.close();
  });
});

describe('the HTTP server', () => {
  it('reads declared, streamed and oversized bodies correctly', async () => {
    const server = await startServer(
      { ...defaultConfig({}), port: 0, dbPath: join(dir, 'bodies.db'), demo: false, maxBodyBytes: 4096 },
      () => {},
    );
    const headers = { authorization: `Bearer ${server.firstApiKey}`, 'content-type': 'application/json' };
    const body = (scenario: string, padding = 0) =>
      JSON.stringify({ agent_name: 'a', results: [{ scenario_id: scenario, user_message: 'q'.repeat(padding + 1), agent_response: 'r' }] });
    try {
      const declared = await fetch(`${server.url}/api/v1/sync`, { method: 'POST', headers, body: body('declared') });
      expect(declared.status).toBe(201);
      const text = body('streamed');
      const stream = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(text.slice(0, 20)));
          controller.enqueue(new TextEncoder().encode(text.slice(20)));
          controller.close();
        },
      });
      const streamed = await fetch(`${server.url}/api/v1/sync`, { method: 'POST', headers, body: stream, duplex: 'half' } as RequestInit);
      expect(streamed.status).toBe(201);
      const oversized = await fetch(`${server.url}/api/v1/sync`, { method: 'POST', headers, body: body('big', 8000) });
      expect(oversized.status).toBe(413);
      expect(((await oversized.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
      expect(await server.runtime.store.countTraces('ws_default')).toBe(2);
    } finally {
      await server.close();
    }
  });
});

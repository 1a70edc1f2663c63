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
    const runs = (await (await fetch(`${first.url}/api/v1/runs`, { headers: { authorization: `Bearer ${first.firstApiKey}` } })).json()) as { total: number };
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

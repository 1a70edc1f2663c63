import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedExamples } from '../../../test-support/fixtures.js';
import { startServer, type RunningServer } from '../src/server.js';
import { defaultConfig } from '../src/config.js';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../dist/bin.js');
const dir = mkdtempSync(join(tmpdir(), 'stepwise-e2e-'));
let server: RunningServer;
let key: string;

beforeAll(async () => {
  server = await startServer({ ...defaultConfig({}), host: '127.0.0.1', port: 0, dbPath: join(dir, 'server.db'), demo: false }, () => {});
  key = server.firstApiKey!;
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function stepwise(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe('the seed example end to end', () => {
  it('syncs by curl, reads back over HTTP and with stepwise show, every field kept', async () => {
    const { trace, traceText } = seedExamples();
    const file = join(dir, 'trace.json');
    writeFileSync(file, traceText);
    const curl = await run('curl', [
      '-sS',
      '-X',
      'POST',
      '-H',
      'Content-Type: application/json',
      '-H',
      `Authorization: Bearer ${key}`,
      '--data-binary',
      `@${file}`,
      `${server.url}/api/v1/traces`,
    ]);
    expect(JSON.parse(curl.stdout)).toMatchObject({ stored: 1, trace_ids: ['tr_abc123'] });

    const read = (await (await fetch(`${server.url}/api/v1/traces/tr_abc123`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
      trace: unknown;
    };
    expect(read.trace).toEqual(trace);

    const shown = await stepwise(['show', 'tr_abc123', '--url', server.url], { STEPWISE_API_KEY: key });
    expect(shown.code).toBe(0);
    const lines = shown.stdout.split('\n');
    expect(lines[0]).toContain('Trace tr_abc123');
    expect(lines[0]).toContain('scenario sc_xyz789');
    const eventLines = lines.filter((l) => /^\s+\d+\s+[+-]/.test(l));
    expect(eventLines).toHaveLength(3);
    expect(eventLines[0]).toMatch(/\+0\.000s\s+user_input\s+"What is your refund policy for digital products\?"/);
    expect(eventLines[1]).toMatch(
      /\+0\.450s\s+tool_call\s+search_knowledge_base\(query="refund policy digital products"\) → \{articles: \[1 item\]\}\s+\(120 ms\)/,
    );
    expect(eventLines[2]).toMatch(/\+2\.340s\s+agent_response/);

    const asJson = await stepwise(['show', 'tr_abc123', '--url', server.url, '--json'], { STEPWISE_API_KEY: key });
    expect(JSON.parse(asJson.stdout)).toEqual(trace);
  });

  it('syncs the example result by curl as invarium_sync_results would', async () => {
    const { result } = seedExamples();
    const body = JSON.stringify({ agent_name: 'customer-support-agent', results: JSON.stringify([result]), source: 'api' });
    const curl = await run('curl', [
      '-sS',
      '-X',
      'POST',
      '-H',
      'Content-Type: application/json',
      '-H',
      `Authorization: Bearer ${key}`,
      '--data-binary',
      body,
      `${server.url}/api/v1/sync`,
    ]);
    const reply = JSON.parse(curl.stdout) as { synced: number; test_run_id: string; trace_ids: string[] };
    expect(reply.synced).toBe(1);
    const runs = await stepwise(['runs', '--url', server.url, '--api-key', key]);
    expect(runs.stdout).toContain(reply.test_run_id);
    expect(runs.stdout).toMatch(/customer-support-agent.*api\s+1\s+1\s+0\s+100%/);
  });
});

describe('stepwise CLI on a local database file', () => {
  const db = join(dir, 'local.db');

  it('syncs a file, lists runs and shows the trace', async () => {
    const file = join(dir, 'sync.json');
    writeFileSync(file, JSON.stringify({ agent_name: 'cli-agent', results: [seedExamples().result] }));
    const synced = await stepwise(['sync', file, '--db', db, '--json']);
    expect(synced.code).toBe(0);
    const reply = JSON.parse(synced.stdout) as { synced: number; trace_ids: string[]; test_run_id: string };
    expect(reply.synced).toBe(1);
    const shown = await stepwise(['show', reply.trace_ids[0]!, '--db', db]);
    expect(shown.stdout).toContain('search_knowledge_base(query="refund policy digital products")');
    const runs = await stepwise(['runs', '--db', db, '--json']);
    expect((JSON.parse(runs.stdout) as Array<{ id: string }>).map((r) => r.id)).toEqual([reply.test_run_id]);
  });

  it('appends with --run and reports duplicates on a re-send', async () => {
    const file = join(dir, 'results.json');
    writeFileSync(file, JSON.stringify([{ scenario_id: 'x', user_message: 'q', agent_response: 'a' }]));
    const first = JSON.parse((await stepwise(['sync', file, '--db', db, '--agent', 'cli-agent', '--json'])).stdout) as {
      test_run_id: string;
    };
    const again = await stepwise(['sync', file, '--db', db, '--agent', 'cli-agent', '--run', first.test_run_id]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Synced 0 results into run ${first.test_run_id} (1 duplicate, 0 rejected)`);
  });

  it('exits non-zero with a clear message for bad input and unknown ids', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"results": []}');
    const invalid = await stepwise(['sync', bad, '--db', db]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('agent_name: is required');
    const missing = await stepwise(['show', 'tr_missing', '--db', db]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('no trace with this id in this workspace');
    const noFile = await stepwise(['sync', join(dir, 'nope.json'), '--db', db]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('no such file');
    const unreachable = await stepwise(['runs', '--url', 'http://127.0.0.1:9']);
    expect(unreachable.code).not.toBe(0);
    expect(unreachable.stderr).toContain('could not reach the Stepwise server');
  });
});

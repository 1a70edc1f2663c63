import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../src/demo/demo-data.js';
import { openRuntime } from '../src/runtime.js';
import { defaultConfig } from '../src/config.js';
import { startServer, type RunningServer } from '../src/server.js';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../bin/stepwise.js');
const dir = mkdtempSync(join(tmpdir(), 'stepwise-export-'));
const source = join(dir, 'source.db');
let runs: string[];
let server: RunningServer;

function stepwise(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

beforeAll(async () => {
  const rt = openRuntime({ dbPath: source });
  runs = await seedDemoData(rt.pipeline, 'ws_default');
  await rt.close();
  server = await startServer({ ...defaultConfig({}), port: 0, dbPath: join(dir, 'server.db'), demo: false }, () => {});
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('stepwise export and import', () => {
  it('exports a run from a database file to JSONL, quietly when not on a terminal, and imports it into a server', async () => {
    const file = join(dir, 'run.jsonl');
    const exported = await stepwise(['export', '--run', runs[0]!, '--format', 'jsonl', '--out', file, '--db', source]);
    expect(exported).toMatchObject({ code: 0, stderr: '' });
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(6);

    const env = { STEPWISE_URL: server.url, STEPWISE_API_KEY: server.firstApiKey! };
    // --format auto (the default) recognises a Stepwise export.
    const imported = await stepwise(['import', file], env);
    expect(imported.stdout.trim()).toBe('Imported 6 traces in 1 run (0 already here, 0 rejected).');
    const csv = await stepwise(['export', '--run', runs[0]!, '--format', 'csv'], env);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\r\n').filter(Boolean)).toHaveLength(7);
    const missing = await stepwise(['export', '--run', 'run_nope', '--format', 'csv'], env);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('no test run');
  });
});

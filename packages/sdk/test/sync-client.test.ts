import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepwiseClient, StepwiseSyncError, startTrace } from '../src/index.js';
import { startFrontDoor } from './front-door.js';
import { startStepwise, type StepwiseForTest, type StoredRun, type StoredTrace } from './stepwise-server.js';

let stepwise: StepwiseForTest;
beforeAll(async () => {
  stepwise = await startStepwise();
});
afterAll(async () => {
  await stepwise.close();
});

function sampleTrace(n: number, text = `question ${n}`) {
  return startTrace({ scenarioId: `scenario-${n}` })
    .userInput(text)
    .toolCall('search_kb', { query: `q${n}` }, { hits: n })
    .response(`answer ${n}`);
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('StepwiseClient against a running server', () => {
  it('sends results in batches that all land in one run', async () => {
    const door = await startFrontDoor(stepwise.url);
    const errors: StepwiseSyncError[] = [];
    const client = new StepwiseClient({
      agentName: 'batching-agent',
      url: door.url,
      apiKey: stepwise.key,
      batchSize: 2,
      runName: 'nightly',
      flushOnExit: false,
      onError: (e) => errors.push(e),
    });
    for (let n = 0; n < 5; n++) client.add(sampleTrace(n), { passed: n !== 3 });
    await client.close();
    await door.close();
    expect(errors).toEqual([]);
    expect(door.bodies.map((b) => (JSON.parse(b) as { results: unknown[] }).results.length)).toEqual([2, 2, 1]);
    const run = await stepwise.get<StoredRun>(`/api/v1/runs/${client.testRunId}`);
    expect(run.run).toMatchObject({ agent_name: 'batching-agent', name: 'nightly', source: 'api' });
    expect(run.total).toBe(5);
    expect(run.results.filter((r) => r.reported_passed === false).map((r) => r.scenario_id)).toEqual(['scenario-3']);
    expect(run.results.every((r) => r.tool_path.includes('search_kb'))).toBe(true);
  });

  it('retries a 503 with backoff and the retried results are stored once', async () => {
    const door = await startFrontDoor(stepwise.url, { count: 2, status: 503 });
    const errors: StepwiseSyncError[] = [];
    const client = new StepwiseClient({
      agentName: 'retry-agent',
      url: door.url,
      apiKey: stepwise.key,
      retryBaseMs: 5,
      flushOnExit: false,
      onError: (e) => errors.push(e),
    });
    const trace = sampleTrace(1);
    client.add(trace, { passed: true });
    await client.close();
    await door.close();
    expect(door.statuses).toEqual([503, 503, 201]);
    expect(new Set(door.bodies).size).toBe(1); // the same body, trace id included, each time
    expect(errors).toEqual([]);
    expect(client.lastSync).toMatchObject({ synced: 1, duplicates: 0 });
    const stored = await stepwise.get<StoredTrace>(`/api/v1/traces/${trace.traceId}`);
    expect(stored.trace.run_id).toBe(client.testRunId);
  });

  it('does not retry a refused key, and reports it to onError instead of throwing', async () => {
    const door = await startFrontDoor(stepwise.url);
    const errors: StepwiseSyncError[] = [];
    const client = new StepwiseClient({
      agentName: 'bad-key-agent',
      url: door.url,
      apiKey: 'sw_wrong',
      retryBaseMs: 5,
      flushOnExit: false,
      onError: (e) => errors.push(e),
    });
    client.add(sampleTrace(1));
    await expect(client.close()).resolves.toBeUndefined();
    await door.close();
    expect(door.statuses).toEqual([401]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(StepwiseSyncError);
    expect(errors[0]).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(errors[0]!.message).not.toContain('sw_wrong');
  });

  it('gives up on an unreachable server after its retries, without throwing', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const errors: StepwiseSyncError[] = [];
    const client = new StepwiseClient({
      agentName: 'offline-agent',
      url,
      maxRetries: 2,
      retryBaseMs: 5,
      flushOnExit: false,
      onError: (e) => errors.push(e),
    });
    client.add(sampleTrace(1));
    await expect(client.flush()).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(`could not reach ${url}`);
  });

  it('survives an onError hook that throws', async () => {
    const client = new StepwiseClient({
      agentName: 'hook-agent',
      url: `http://127.0.0.1:${await closedPort()}`,
      maxRetries: 0,
      flushOnExit: false,
      onError: () => {
        throw new Error('the hook itself is broken');
      },
    });
    client.add(sampleTrace(1));
    await expect(client.flush()).resolves.toBeUndefined();
  });

  it('without a URL sends nothing and says so once', () => {
    const errors: StepwiseSyncError[] = [];
    const saved = process.env.STEPWISE_URL;
    delete process.env.STEPWISE_URL;
    try {
      const client = new StepwiseClient({ agentName: 'no-url', flushOnExit: false, onError: (e) => errors.push(e) });
      client.add(sampleTrace(1));
      client.add(sampleTrace(2));
      expect(client.enabled).toBe(false);
    } finally {
      if (saved !== undefined) process.env.STEPWISE_URL = saved;
    }
    expect(errors.map((e) => e.message)).toEqual(['no server URL (set STEPWISE_URL or pass url); results are not sent']);
  });

  it('redacts PII before it leaves the process, and can be told not to', async () => {
    const door = await startFrontDoor(stepwise.url);
    const email = 'ann.lee@example.com';
    const redacting = new StepwiseClient({ agentName: 'privacy-agent', url: door.url, apiKey: stepwise.key, flushOnExit: false });
    redacting.add(sampleTrace(1, `Please email ${email} the refund form`));
    await redacting.close();
    const raw = new StepwiseClient({ agentName: 'privacy-agent', url: door.url, apiKey: stepwise.key, redact: false, flushOnExit: false });
    raw.add(sampleTrace(2, `Please email ${email} the refund form`));
    await raw.close();
    await door.close();
    expect(door.bodies[0]).not.toContain(email);
    expect(door.bodies[0]).toContain('<EMAIL_1>');
    expect(door.bodies[1]).toContain(email);
  });

  it('many clients share one exit listener, and close() removes it', async () => {
    const before = process.listenerCount('beforeExit');
    const clients = Array.from({ length: 20 }, () => new StepwiseClient({ agentName: 'many', url: stepwise.url, apiKey: stepwise.key }));
    expect(process.listenerCount('beforeExit')).toBe(before + 1);
    await Promise.all(clients.map((c) => c.close()));
    expect(process.listenerCount('beforeExit')).toBe(before);
  });

  it('flushes what is queued when the process exits on its own', async () => {
    const traceId = `tr_exit_${Date.now()}`;
    const script = resolve(import.meta.dirname, 'fixtures/exit-flush.ts');
    const { stderr } = await promisify(execFile)(process.execPath, ['--conditions=source', '--import', 'tsx', script, traceId], {
      env: { ...process.env, STEPWISE_URL: stepwise.url, STEPWISE_API_KEY: stepwise.key },
    });
    expect(stderr).toBe('');
    const stored = await stepwise.get<StoredTrace>(`/api/v1/traces/${traceId}`);
    expect(stored.trace).toMatchObject({ scenario_id: 'flushed-on-exit', agent_name: 'exit-flush-agent' });
    expect(stored.trace.events.map((e) => e.type)).toEqual(['user_input', 'tool_call', 'agent_response']);
  });
});

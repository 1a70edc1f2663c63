import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStepwise, type StepwiseForTest, type StoredRun, type StoredTrace } from './stepwise-server.js';

const repo = resolve(import.meta.dirname, '../../..');
const project = resolve(import.meta.dirname, 'fixtures/vitest-project');
const vitestBin = resolve(repo, 'node_modules/vitest/vitest.mjs');

let stepwise: StepwiseForTest;
beforeAll(async () => {
  stepwise = await startStepwise();
});
afterAll(async () => {
  await stepwise.close();
});

/** Runs the fixture project's tests in a child vitest, as `npx vitest run` in that project would. */
function runFixture(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = { ...process.env };
  for (const name of ['STEPWISE_URL', 'STEPWISE_API_KEY', 'VITEST', 'VITEST_POOL_ID', 'VITEST_WORKER_ID', 'NODE_OPTIONS'])
    delete clean[name];
  return new Promise((done) => {
    execFile(
      process.execPath,
      [vitestBin, 'run', '--config', resolve(project, 'vitest.config.ts')],
      { cwd: project, env: { ...clean, ...env, NO_COLOR: '1' } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('the vitest reporter (@stepwise/sdk/vitest) end to end', () => {
  it('syncs one result per test with pass/fail and the attached traces, and prints the run link', async () => {
    const { code, stdout } = await runFixture({ STEPWISE_URL: stepwise.url, STEPWISE_API_KEY: stepwise.key });
    expect(code).toBe(1); // the fixture has one failing test, and the reporter does not change the exit code
    const line = stdout.split('\n').find((l) => l.startsWith('stepwise: synced'));
    expect(line).toMatch(/^stepwise: synced 3 test results to run (\S+) — http:\/\/127\.0\.0\.1:\d+\/runs\/\S+$/);
    const runId = /to run (\S+)/.exec(line!)![1]!;

    const run = await stepwise.get<StoredRun>(`/api/v1/runs/${runId}`);
    expect(run.run).toMatchObject({ agent_name: 'fixture-support-agent', name: 'fixture run', source: 'ci' });
    const byScenario = new Map(run.results.map((r) => [r.scenario_id, r]));
    expect([...byScenario.keys()].sort()).toEqual([
      'a test that records no trace still counts',
      'answers the shipping question',
      'refund-policy',
    ]);
    expect(byScenario.get('refund-policy')).toMatchObject({ reported_passed: true, tool_path: ['search_kb'] });
    expect(byScenario.get('answers the shipping question')).toMatchObject({ reported_passed: false, tool_path: ['search_kb'] });
    expect(byScenario.get('a test that records no trace still counts')).toMatchObject({ reported_passed: true, tool_path: [] });

    const refund = await stepwise.get<StoredTrace>(`/api/v1/traces/${byScenario.get('refund-policy')!.id}`);
    expect(refund.trace.events.map((e) => e.type)).toEqual(['user_input', 'tool_call', 'agent_response']);
    expect(refund.trace.events[1]!.data).toMatchObject({
      tool: 'search_kb',
      parameters: { query: 'what is the refund policy' },
      result: { articles: ['Refunds within 14 days.'] },
    });
    const shipping = await stepwise.get<StoredTrace & { notes?: string }>(
      `/api/v1/traces/${byScenario.get('answers the shipping question')!.id}`,
    );
    expect(JSON.stringify(shipping)).toContain('business days');
  });

  it('without STEPWISE_URL runs the tests as usual and says the run was not synced', async () => {
    const { code, stdout } = await runFixture({});
    expect(code).toBe(1);
    expect(stdout).toContain('stepwise: STEPWISE_URL is not set; the test run was not synced');
    expect(stdout).toMatch(/Tests\s+1 failed \| 2 passed \| 1 skipped/);
  });

  it("a server that cannot be reached is reported, and the exit code stays the tests' own", async () => {
    const { code, stdout } = await runFixture({ STEPWISE_URL: 'http://127.0.0.1:9', STEPWISE_API_KEY: 'sw_x' });
    expect(code).toBe(1);
    expect(stdout).toContain('stepwise: could not reach http://127.0.0.1:9');
  });
});

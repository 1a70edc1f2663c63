import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/config.js';
import { startServer, type RunningServer } from '../src/server.js';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../bin/stepwise.js');
const dir = mkdtempSync(join(tmpdir(), 'stepwise-check-'));
let server: RunningServer;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startServer({ ...defaultConfig({}), port: 0, dbPath: join(dir, 'server.db'), demo: false }, () => {});
  // A CI job's environment: GitHub's variables, no inherited summary file.
  const { GITHUB_STEP_SUMMARY: _drop, ...rest } = process.env;
  env = { ...(rest as Record<string, string>), STEPWISE_URL: server.url, STEPWISE_API_KEY: server.firstApiKey! };
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function stepwise(args: string[], extraEnv: Record<string, string> = {}) {
  return run(process.execPath, [BIN, ...args], { env: { ...env, ...extraEnv } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

const expected = { tools: ['lookup_order'] };
function result(scenario: string, calls: string[]) {
  return {
    scenario_id: scenario,
    user_message: `question for ${scenario}`,
    agent_response: 'Your order ships tomorrow.',
    tools_called: calls.map((name) => ({ name, parameters: { order_id: 'A-1' }, result: { status: 'shipped' } })),
    expected,
    duration_ms: 1200,
  };
}
function resultsFile(name: string, results: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ agent_name: 'support-bot', results }));
  return path;
}

describe('stepwise check in a CI job', () => {
  it('exits 1 on a regression against the last run on main, with JUnit a parser reads and a Markdown summary', async () => {
    const base = await stepwise(
      [
        'check',
        resultsFile('base.json', [result('sc_order', ['lookup_order']), result('sc_refund', ['lookup_order'])]),
        '--fail-on',
        'never',
      ],
      {
        GITHUB_REF_NAME: 'main',
        GITHUB_SHA: 'aaaa1111',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'acme/bot',
        GITHUB_RUN_ID: '7',
      },
    );
    expect(base.stderr).toBe('');
    expect(base.code).toBe(0);
    // A run on another branch in between must not be taken as the baseline.
    const other = await stepwise([
      'sync',
      resultsFile('other.json', [result('sc_order', []), result('sc_refund', [])]),
      '--branch',
      'feature/x',
    ]);
    expect(other.code).toBe(0);

    const junit = join(dir, 'out.xml');
    const summary = join(dir, 's.md');
    const head = await stepwise(
      [
        'check',
        resultsFile('head.json', [result('sc_order', ['lookup_order']), result('sc_refund', [])]),
        '--baseline',
        'latest:main',
        '--junit',
        junit,
        '--summary',
        summary,
      ],
      { GITHUB_HEAD_REF: 'fix/refunds', GITHUB_REF_NAME: '12/merge', GITHUB_SHA: 'bbbb2222' },
    );
    expect(head.code).toBe(1);

    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(junit, 'utf8')) as {
      testsuites: {
        testsuite: {
          tests: string;
          failures: string;
          testcase: Array<{ name: string; failure?: { type: string; message: string; '#text': string } }>;
        };
      };
    };
    const suite = parsed.testsuites.testsuite;
    expect(suite.tests).toBe('2');
    expect(suite.failures).toBe('1');
    expect(suite.testcase.map((t) => t.name)).toEqual(['sc_order', 'sc_refund']);
    expect(suite.testcase[0]!.failure).toBeUndefined();
    const failure = suite.testcase[1]!.failure!;
    expect(failure.type).toBe('regression');
    expect(failure.message).toContain('Regression.');
    expect(failure['#text']).toMatch(/check missing_tool: .*lookup_order/);
    expect(failure['#text']).toContain(`${server.url}/traces/`);

    const md = readFileSync(summary, 'utf8');
    expect(md).toContain('## Stepwise check: failed');
    expect(md).toMatch(/\| pass rate \| 100\.0% \| 50\.0% \| -50\.0 pts \|/);
    expect(md).toMatch(/### Regressions[^\n]*\n\n- \[sc_refund\]\(http:\/\/127\.0\.0\.1:\d+\/traces\/tr_/);
    expect(md).toContain('`latest:main`');

    const runs = (await (
      await fetch(`${server.url}/api/v1/runs?branch=fix/refunds&limit=1`, { headers: { authorization: `Bearer ${server.firstApiKey}` } })
    ).json()) as { runs: Array<{ branch: string; commit: string; ci_url: string | null }> };
    expect(runs.runs).toEqual([expect.objectContaining({ branch: 'fix/refunds', commit: 'bbbb2222', ci_url: null })]);
    const mainRuns = (await (
      await fetch(`${server.url}/api/v1/runs?branch=main`, { headers: { authorization: `Bearer ${server.firstApiKey}` } })
    ).json()) as { runs: Array<{ ci_url: string }> };
    expect(mainRuns.runs.map((r) => r.ci_url)).toEqual(['https://github.com/acme/bot/actions/runs/7']);
  });

  it('appends to $GITHUB_STEP_SUMMARY, exits 0 without a matching baseline, and 2 on an unknown baseline run', async () => {
    const stepSummary = join(dir, 'step-summary.md');
    writeFileSync(stepSummary, '# earlier step\n');
    const file = resultsFile('solo.json', [result('sc_order', [])]);
    const none = await stepwise(['check', file, '--baseline', 'latest:release'], { GITHUB_STEP_SUMMARY: stepSummary });
    expect(none.code).toBe(0);
    const text = readFileSync(stepSummary, 'utf8');
    expect(text.startsWith('# earlier step\n## Stepwise check: passed')).toBe(true);
    expect(text).toContain('No baseline run matched `latest:release`');
    const failures = await stepwise(['check', file, '--baseline', 'latest:release', '--fail-on', 'failures']);
    expect(failures.code).toBe(1);
    const unknown = await stepwise(['check', file, '--baseline', 'run_nosuchrun']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no test run');
  });
});

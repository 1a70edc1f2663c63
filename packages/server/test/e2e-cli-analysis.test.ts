import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../../../test-support/fixtures.js';
import { seedDemoData } from '../src/demo/demo-data.js';
import { openRuntime } from '../src/runtime.js';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../dist/bin.js');
const dir = mkdtempSync(join(tmpdir(), 'stepwise-cli-analysis-'));
const db = join(dir, 'cli.db');
let baseline: string;
let latest: string;

function stepwise(args: string[]) {
  return run(process.execPath, [BIN, ...args, '--db', db]).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

beforeAll(async () => {
  const rt = openRuntime({ dbPath: db });
  [baseline, latest] = (await seedDemoData(rt.pipeline, 'ws_default')) as [string, string];
  await rt.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stepwise show and stepwise feedback', () => {
  it('ends a failed trace with its checks and findings, marks their events, and shows feedback given with stepwise feedback', async () => {
    const runs = await stepwise(['runs', '--run', latest, '--json']);
    const trace = (JSON.parse(runs.stdout) as { results: Array<{ id: string; scenario_id: string }> }).results.find(
      (r) => r.scenario_id === 'sc_warranty_hardware',
    )!;
    const shown = await stepwise(['show', trace.id]);
    expect(shown.code).toBe(0);
    const lines = shown.stdout.split('\n');
    expect(lines.find((l) => /^\s+1\s/.test(l))).toMatch(/⚠ hallucination$/);
    const findingLine = lines.findIndex((l) => l === 'Findings:');
    expect(findingLine).toBeGreaterThan(lines.findIndex((l) => /^\s+2\s/.test(l)));
    const key = /\(finding (hallucination@[\d,]+)\)/.exec(shown.stdout)?.[1];
    expect(key).toBeDefined();

    const marked = await stepwise(['feedback', 'mark', trace.id, key!, 'wrong', '--reason', 'the index was stale']);
    expect(marked.stdout.trim()).toBe(`Marked ${key} of ${trace.id} wrong: the index was stale.`);
    const commented = await stepwise(['feedback', 'comment', trace.id, '1', 'why empty?']);
    expect(commented.code).toBe(0);
    const again = await stepwise(['show', trace.id]);
    expect(again.stdout).toContain(`(finding ${key})  — marked wrong by local: the index was stale`);
    expect(again.stdout).toContain('event 1 · local: why empty?');
    const listed = await stepwise(['feedback', 'list']);
    expect(listed.stdout).toMatch(new RegExp(`${trace.id}\\s+sc_warranty_hardware\\s+${key}\\s+local`));
    const wrongVerdict = await stepwise(['feedback', 'mark', trace.id, key!, 'maybe']);
    expect(wrongVerdict.code).not.toBe(0);
    expect(wrongVerdict.stderr).toContain('expected right or wrong');
  });
});

describe('stepwise analyze, diff and import', () => {
  it("explains a run's failing cases in sentences", async () => {
    const out = await stepwise(['analyze', '--run', latest]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('sc_warranty_hardware');
    expect(out.stdout).toMatch(
      /\[high, evidence\] hallucination \(events 1, 2\): Called search_knowledge_base with query "X200 warranty", got 0 results/,
    );
    expect(out.stdout).toMatch(/\[high, evidence\] loop .*lookup_account/);
  });

  it('prints the regression table and exits 1 when a run regressed', async () => {
    const out = await stepwise(['diff', '--runs', baseline, latest]);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/sc_warranty_hardware\s+regression\s+passed\s+failed/);
    expect(out.stdout).toMatch(/sc_order_status\s+fix/);
    expect(out.stdout).toMatch(/sc_cancel_order\s+behavior drift/);
    const fixedOnly = await stepwise(['diff', '--runs', latest, latest]);
    expect(fixedOnly.code).toBe(0);
  });

  it('shows two traces side by side with the divergence marked', async () => {
    const json = JSON.parse((await stepwise(['runs', '--run', baseline, '--json'])).stdout) as {
      results: Array<{ id: string; scenario_id: string }>;
    };
    const head = JSON.parse((await stepwise(['runs', '--run', latest, '--json'])).stdout) as {
      results: Array<{ id: string; scenario_id: string }>;
    };
    const a = json.results.find((r) => r.scenario_id === 'sc_order_status')!.id;
    const b = head.results.find((r) => r.scenario_id === 'sc_order_status')!.id;
    const out = await stepwise(['diff', a, b]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Divergence: .*lookup_order.*search_knowledge_base|^Divergence: .*search_knowledge_base.*lookup_order/m);
    expect(out.stdout).toMatch(/^>>/m);
    const asJson = JSON.parse((await stepwise(['diff', a, b, '--json'])).stdout) as { alignment: { divergence: unknown } };
    expect(asJson.alignment.divergence).not.toBeNull();
  });

  it('imports a real ToolBench run and a SWE-agent history as OpenAI messages', async () => {
    const toolbench = fixturePath('real', 'toolbench', 'G1_answer-10_ChatGPT_DFS_woFilter_w2.json');
    const imported = await stepwise([
      'import',
      toolbench,
      '--format',
      'toolbench',
      '--scenario',
      'tb_10',
      '--agent',
      'toolbench',
      '--json',
    ]);
    expect(imported.code).toBe(0);
    const reply = JSON.parse(imported.stdout) as { synced: number; trace_ids: string[]; format: string };
    expect(reply.synced).toBe(1);
    expect(reply.format).toBe('toolbench');
    const shown = await stepwise(['show', reply.trace_ids[0]!]);
    expect(shown.stdout).toMatch(/tool_call/);

    const traj = JSON.parse(readFileSync(fixturePath('real', 'swe-agent', 'function_calling_simple.traj'), 'utf8')) as {
      history: unknown[];
    };
    const messages = join(dir, 'messages.json');
    writeFileSync(messages, JSON.stringify(traj.history));
    const swe = await stepwise([
      'import',
      messages,
      '--format',
      'openai-messages',
      '--scenario',
      'swe_simple',
      '--agent',
      'swe-agent',
      '--json',
    ]);
    expect(swe.code).toBe(0);
    const sweReply = JSON.parse(swe.stdout) as { trace_ids: string[] };
    const analysis = await stepwise(['analyze', sweReply.trace_ids[0]!]);
    expect(analysis.stdout).toMatch(/Verdict: (PASSED|FAILED)/);
  });

  it('detects Anthropic and Vercel AI SDK logs, adds them to one run with pass/fail, warns about what it left out and prints the link', async () => {
    const first = await stepwise([
      'import',
      fixturePath('import', 'anthropic-messages.json'),
      '--scenario',
      'order_status',
      '--agent',
      'support-bot',
      '--no-passed',
    ]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Imported 7 events \(anthropic-messages\) as trace \S+ in run (\S+)\.$/m);
    expect(first.stdout).toContain('Warning: messages[4].content[1]: a "image" block is not mapped; left out');
    expect(first.stdout).toMatch(/^Open: http:\/\/\S+\/runs\/\S+$/m);
    const runId = /in run (\S+)\./.exec(first.stdout)![1]!;

    const second = await stepwise([
      'import',
      fixturePath('import', 'vercel-ai-steps.json'),
      '--scenario',
      'arithmetic',
      '--agent',
      'support-bot',
      '--run',
      runId,
      '--passed',
      '--json',
    ]);
    expect(second.code).toBe(0);
    const reply = JSON.parse(second.stdout) as { test_run_id: string; format: string; synced: number };
    expect(reply).toMatchObject({ test_run_id: runId, format: 'vercel-ai', synced: 1 });

    const run = JSON.parse((await stepwise(['runs', '--run', runId, '--json'])).stdout) as {
      results: Array<{ scenario_id: string; reported_passed: boolean | null; tool_path: string[] }>;
    };
    const byScenario = new Map(run.results.map((r) => [r.scenario_id, r]));
    expect(byScenario.get('order_status')).toMatchObject({ reported_passed: false, tool_path: ['get_order', 'get_order'] });
    expect(byScenario.get('arithmetic')).toMatchObject({ reported_passed: true, tool_path: ['calculator'] });
  });

  it('refuses a log that maps to no tool call and no response, and stores nothing', async () => {
    const before = JSON.parse((await stepwise(['runs', '--json'])).stdout) as unknown[];
    const out = await stepwise(['import', fixturePath('import', 'nothing-to-import.json'), '--scenario', 'x', '--agent', 'support-bot']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('the log maps to no tool call and no response as openai-messages; nothing was imported');
    const after = JSON.parse((await stepwise(['runs', '--json'])).stdout) as unknown[];
    expect(after.length).toBe(before.length);
  });
});

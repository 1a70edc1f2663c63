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
    const reply = JSON.parse(imported.stdout) as { stored: number; trace_ids: string[] };
    expect(reply.stored).toBe(1);
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
});

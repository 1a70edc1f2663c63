import { describe, expect, it } from 'vitest';
import { realRuns } from '../../../../test-support/real-data.js';
import { evaluateTrace } from '../analysis/evaluate-trace.js';
import { Trace } from '../trace/schema.js';
import { importSweAgent } from './swe-agent.js';
import { importToolBench } from './toolbench.js';

const opts = (file: string) => ({ scenario_id: file.slice(0, 200), agent_name: 'real-data', timestamp: '2024-01-01T00:00:00Z' });

describe('real ToolBench runs', () => {
  const runs = realRuns('toolbench');

  it('finds all 15 files', () => {
    expect(runs).toHaveLength(15);
  });

  it.each(runs.map((r) => [r.file, r.json] as const))(
    'imports %s into a valid trace with a user input and the offered tools',
    (file, json) => {
      const trace = importToolBench(json, opts(file));
      expect(Trace.safeParse(trace).success).toBe(true);
      expect(trace.events[0]?.type).toBe('user_input');
      expect(trace.events.some((e) => e.type === 'metadata' && (e.data.tools_offered?.length ?? 0) > 0)).toBe(true);
    },
  );

  it('gives every give-up run a failed verdict with a gave_up finding', () => {
    const giveUps = runs.filter((r) => JSON.stringify(r.json).includes('"finish_type":"give_up"'));
    expect(giveUps.length).toBe(4);
    for (const run of giveUps) {
      const evaluation = evaluateTrace(importToolBench(run.json, opts(run.file)));
      expect(evaluation.verdict, run.file).toBe('failed');
      expect(
        evaluation.findings.map((f) => f.pattern),
        run.file,
      ).toContain('gave_up');
    }
  });

  it('finds something in every run that was not won and had tool errors', () => {
    for (const run of runs) {
      const trace = importToolBench(run.json, opts(run.file));
      const won = (run.json as { win?: boolean }).win === true;
      const errors = trace.events.filter((e) => e.type === 'tool_error').length;
      if (!won && errors > 0) expect(evaluateTrace(trace).findings.length, run.file).toBeGreaterThan(0);
    }
  });

  it('passes the won runs that answered from real data (no high-severity findings)', () => {
    const clean = [
      'G1_answer-10_ChatGPT_DFS_woFilter_w2.json',
      'G1_answer-11_ChatGPT_DFS_woFilter_w2.json',
      'G2_answer-102_ChatGPT_DFS_woFilter_w2.json',
    ];
    for (const run of runs.filter((r) => clean.includes(r.file))) {
      expect(evaluateTrace(importToolBench(run.json, opts(run.file))).verdict, run.file).toBe('passed');
    }
  });

  it('finds no hallucination: every answered specific is in a tool result (docs/real-data-analysis.md)', () => {
    for (const run of runs) {
      const findings = evaluateTrace(importToolBench(run.json, opts(run.file))).findings;
      expect(
        findings.filter((f) => f.pattern === 'hallucination').map((f) => f.summary),
        run.file,
      ).toEqual([]);
    }
  });

  it('flags the calls of tools that were not offered in G1_answer-69', () => {
    const run = runs.find((r) => r.file.startsWith('G1_answer-69'))!;
    const findings = evaluateTrace(importToolBench(run.json, opts(run.file))).findings;
    expect(findings.filter((f) => f.pattern === 'tool_misuse').map((f) => f.summary)).toContain(
      'Called authenticate_for_currents_news with no parameters, a tool that was not offered, and failed with "No such function name: authenticate_for_currents_news".',
    );
  });
});

describe('real SWE-agent runs', () => {
  const runs = realRuns('swe-agent');

  it('finds all 4 files', () => {
    expect(runs).toHaveLength(4);
  });

  it.each(runs.map((r) => [r.file, r.json] as const))('imports %s with its tool calls and finds nothing wrong', (file, json) => {
    const trace = importSweAgent(json, opts(file));
    expect(Trace.safeParse(trace).success).toBe(true);
    const calls = trace.events.filter((e) => e.type === 'tool_call');
    expect(calls.length).toBeGreaterThan(4);
    expect(calls[calls.length - 1]?.data.tool).toBe('submit');
    const evaluation = evaluateTrace(trace);
    expect(evaluation.verdict).toBe('passed');
    expect(evaluation.findings).toEqual([]);
  });

  it('pairs function-calling observations with their calls by tool_call_ids', () => {
    const run = runs.find((r) => r.file === 'function_calling_simple.traj')!;
    const trace = importSweAgent(run.json, opts(run.file));
    const find = trace.events.find((e) => e.type === 'tool_call' && e.data.tool === 'find_file');
    expect(find?.data).toMatchObject({ parameters: { file_name: 'missing_colon.py' }, call_id: 'call_PbWErNIge3YTrli3fiVvmIid' });
    expect(String(find?.data.result)).toContain('Found 1 matches for "missing_colon.py"');
  });
});

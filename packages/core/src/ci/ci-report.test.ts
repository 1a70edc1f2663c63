import { describe, expect, it } from 'vitest';
import { compareRuns } from '../compare/compare-runs.js';
import { decideGate, formatCheckSummary, formatJunitXml, type CiReport, type CiRun } from './ci-report.js';

const run = (id: string, passed: number, failed: number): CiRun => ({
  id,
  agent_name: 'bot <beta>',
  name: null,
  branch: 'main',
  commit: 'abc',
  ci_url: null,
  pass_rate: passed / (passed + failed),
  total: passed + failed,
  passed,
  failed,
});

function report(overrides: Partial<CiReport> = {}): CiReport {
  const comparison = compareRuns(
    [
      { trace_id: 'b1', scenario_id: 's1', verdict: 'passed', tool_path: ['a'], patterns: [] },
      { trace_id: 'b2', scenario_id: 's2', verdict: 'failed', tool_path: ['a'], patterns: [] },
    ],
    [
      { trace_id: 'h1', scenario_id: 's1', verdict: 'failed', tool_path: ['a'], patterns: ['hallucination'] },
      { trace_id: 'h2', scenario_id: 's2', verdict: 'failed', tool_path: ['a'], patterns: [] },
    ],
  );
  return {
    run: run('run_head', 0, 2),
    baseline: run('run_base', 1, 1),
    baseline_rule: 'latest:main',
    comparison,
    results: [
      {
        trace_id: 'h1',
        scenario_id: 's1',
        verdict: 'failed',
        reported_passed: true,
        duration_ms: 1500,
        change: 'regression',
        findings: [
          { pattern: 'hallucination', severity: 'high', basis: 'heuristic', summary: 'Said "3-year" & <more> with no tool result\u0001.' },
        ],
        checks: [],
      },
      {
        trace_id: 'h2',
        scenario_id: 's2',
        verdict: 'failed',
        reported_passed: null,
        duration_ms: null,
        change: 'still_failing',
        findings: [],
        checks: [{ kind: 'missing_tool', message: 'never called a' }],
      },
    ],
    rejected: 0,
    dashboard_url: 'http://stepwise.test',
    ...overrides,
  };
}

describe('the CI gate', () => {
  it('fails on regressions only under the regressions policy, on any failure under failures, never under never', () => {
    expect(decideGate(report(), 'regressions')).toEqual({ exit_code: 1, reason: '1 regression against run run_base' });
    const onlyStillFailing = report({
      results: report().results.slice(1),
      comparison: { ...report().comparison!, counts: { ...report().comparison!.counts, regression: 0 } },
    });
    expect(decideGate(onlyStillFailing, 'regressions').exit_code).toBe(0);
    expect(decideGate(onlyStillFailing, 'failures')).toEqual({ exit_code: 1, reason: '1 result failed' });
    expect(decideGate(report(), 'never').exit_code).toBe(0);
    expect(decideGate(report({ baseline: null, comparison: null }), 'regressions').exit_code).toBe(0);
    expect(decideGate(report({ rejected: 2 }), 'regressions').reason).toBe('2 results rejected by the sync, so not checked');
  });

  it('writes JUnit XML with escaped text, no control characters and one failure per failed result', () => {
    const xml = formatJunitXml(report());
    expect(xml).toContain('<testsuite name="bot &lt;beta&gt; run_head" tests="2" failures="2" skipped="0" errors="0" time="1.500">');
    expect(xml).toContain('Said &quot;3-year&quot; &amp; &lt;more&gt; with no tool result.');
    expect(xml).not.toContain('\u0001');
    expect(xml).toContain('<failure message="Regression. Said &quot;3-year&quot;');
    expect(xml).toContain('check missing_tool: never called a');
  });

  it('summarizes in Markdown with the pass-rate change, regressions and linked findings, pipes escaped', () => {
    const md = formatCheckSummary(
      report({ results: report().results.map((r) => ({ ...r, scenario_id: `${r.scenario_id}|x` })) }),
      decideGate(report(), 'regressions'),
    );
    expect(md).toContain('| pass rate | 50.0% | 0.0% | -50.0 pts |');
    expect(md).toContain('- [s1\\|x](http://stepwise.test/traces/h1): Said "3-year"');
    expect(md).toContain('| heuristic | high | hallucination | [s1\\|x](http://stepwise.test/traces/h1) |');
    expect(md).toContain('[Compare the runs](http://stepwise.test/compare/runs?base=run_base&head=run_head)');
  });
});

describe('the order of findings', () => {
  it('leads with what the verdict rests on: expectation, then evidence, then heuristic', () => {
    const base = report();
    const result = {
      ...base.results[0]!,
      change: 'still_failing' as const,
      findings: [
        { pattern: 'hallucination', severity: 'high', basis: 'heuristic', summary: 'wording' },
        { pattern: 'loop', severity: 'low', basis: 'evidence', summary: 'repeated call' },
        { pattern: 'missing_tool_call', severity: 'medium', basis: 'expectation', summary: 'never called refund' },
      ],
    };
    const xml = formatJunitXml({ ...base, results: [result] });
    expect(xml).toContain('<failure message="never called refund"');
    expect(xml.indexOf('never called refund')).toBeLessThan(xml.indexOf('repeated call'));
    expect(xml.indexOf('repeated call')).toBeLessThan(xml.indexOf('wording'));
    const md = formatCheckSummary({ ...base, results: [result] }, decideGate(base, 'never'));
    expect(md.indexOf('| expectation | medium')).toBeLessThan(md.indexOf('| evidence | low'));
    expect(md.indexOf('| evidence | low')).toBeLessThan(md.indexOf('| heuristic | high'));
  });
});

import { describe, expect, it } from 'vitest';
import { compareRuns, passRate } from './compare-runs.js';
import type { RunResultSummary } from './compare-runs.js';

let nextId = 0;
function result(
  scenario_id: string,
  verdict: RunResultSummary['verdict'],
  tool_path: string[] = ['search'],
  patterns: string[] = [],
): RunResultSummary {
  nextId++;
  return { trace_id: `tr_${nextId}`, scenario_id, verdict, tool_path, patterns };
}

describe('compareRuns', () => {
  it('classifies regression, fix, drift, still passing/failing, added and removed per scenario', () => {
    const base = [
      result('sc_regress', 'passed'),
      result('sc_fix', 'failed', ['search'], ['hallucination']),
      result('sc_drift', 'passed', ['search', 'lookup']),
      result('sc_stable', 'passed'),
      result('sc_broken', 'failed', ['lookup'], ['tool_misuse']),
      result('sc_removed', 'passed'),
    ];
    const head = [
      result('sc_regress', 'failed', ['search'], ['hallucination']),
      result('sc_fix', 'passed'),
      result('sc_drift', 'passed', ['lookup', 'search']),
      result('sc_stable', 'passed'),
      result('sc_broken', 'failed', ['lookup'], ['tool_misuse', 'loop']),
      result('sc_added', 'passed'),
    ];
    const comparison = compareRuns(base, head);
    expect(comparison.results.map((r) => [r.scenario_id, r.status])).toEqual([
      ['sc_regress', 'regression'],
      ['sc_fix', 'fix'],
      ['sc_drift', 'behavior_drift'],
      ['sc_stable', 'still_passing'],
      ['sc_broken', 'still_failing'],
      ['sc_removed', 'removed'],
      ['sc_added', 'added'],
    ]);
    expect(comparison.results[2]!.tool_path_changed).toBe(true);
    expect(comparison.results[5]).toMatchObject({ head: null, tool_path_changed: false });
    expect(comparison.counts).toEqual({
      regression: 1,
      fix: 1,
      still_failing: 1,
      still_passing: 1,
      behavior_drift: 1,
      unknown: 0,
      added: 1,
      removed: 1,
    });
    expect(comparison.pass_rate.a).toBeCloseTo(4 / 6);
    expect(comparison.pass_rate.b).toBeCloseTo(4 / 6);
    expect(comparison.pass_rate.delta).toBe(0);
    expect(comparison.patterns).toEqual([
      { pattern: 'loop', base: 0, head: 1, delta: 1 },
      { pattern: 'hallucination', base: 1, head: 1, delta: 0 },
      { pattern: 'tool_misuse', base: 1, head: 1, delta: 0 },
    ]);
    expect(comparison.count_mismatches).toEqual([]);
  });

  it('matches repeated results of a scenario in order and reports the count mismatch', () => {
    const base = [result('sc_a', 'passed'), result('sc_a', 'passed'), result('sc_a', 'failed')];
    const head = [result('sc_a', 'passed'), result('sc_a', 'failed')];
    const comparison = compareRuns(base, head);
    expect(comparison.results.map((r) => [r.occurrence, r.status])).toEqual([
      [0, 'still_passing'],
      [1, 'regression'],
      [2, 'removed'],
    ]);
    expect(comparison.count_mismatches).toEqual([{ scenario_id: 'sc_a', base: 3, head: 2 }]);
    expect(comparison.pass_rate.a).toBeCloseTo(2 / 3);
    expect(comparison.pass_rate.b).toBe(0.5);
    expect(comparison.pass_rate.delta).toBeCloseTo(-1 / 6);
  });

  it('marks results without a verdict unknown and leaves them out of the pass rate', () => {
    const comparison = compareRuns([result('sc_a', null)], [result('sc_a', 'passed')]);
    expect(comparison.results[0]!.status).toBe('unknown');
    expect(comparison.pass_rate).toEqual({ a: null, b: 1, delta: null });
  });

  it('compares two empty runs to nothing', () => {
    const comparison = compareRuns([], []);
    expect(comparison.results).toEqual([]);
    expect(comparison.pass_rate).toEqual({ a: null, b: null, delta: null });
    expect(comparison.patterns).toEqual([]);
  });
});

describe('passRate', () => {
  it('is the passed share of results that have a verdict', () => {
    expect(passRate([{ verdict: 'passed' }, { verdict: 'failed' }, { verdict: null }, { verdict: 'passed' }])).toBeCloseTo(2 / 3);
    expect(passRate([])).toBeNull();
  });
});
